package server

import "encoding/binary"

// fetchedRows counts the rows of a FetchResults reply (its result struct
// in the binary protocol) without decoding it: it reads the length of the
// first column's value list (columnar results), of the row list (row
// results) or the rowCount of each Arrow batch, and steps over the rest
// by lengths. ok is false for what it cannot count (a compressed
// binaryColumns result, a malformed reply).
func fetchedRows(raw []byte) (rows int64, ok bool) {
	s := scanner{b: raw}
	found := false
	s.fields(func(id int16, typ byte) bool { // FetchResults_result
		if id == 0 && typ == tStruct {
			s.fields(func(id int16, typ byte) bool { // TFetchResultsResp
				if id == 3 && typ == tStruct {
					rows, found = s.rowSet()
					return false
				}
				return s.skip(typ)
			})
			return false
		}
		return s.skip(typ)
	})
	return rows, found && !s.bad
}

// The binary protocol's type ids that matter here.
const (
	tBool, tByte, tDouble, tI16, tI32, tI64 = 2, 3, 4, 6, 8, 10
	tString, tStruct, tMap, tSet, tList     = 11, 12, 13, 14, 15
)

type scanner struct {
	b   []byte
	i   int
	bad bool
}

func (s *scanner) take(n int) []byte {
	if n < 0 || s.i+n > len(s.b) {
		s.bad = true
		s.i = len(s.b)
		return nil
	}
	p := s.b[s.i : s.i+n]
	s.i += n
	return p
}

func (s *scanner) byte1() byte {
	if p := s.take(1); p != nil {
		return p[0]
	}
	return 0
}

func (s *scanner) i32() int32 {
	if p := s.take(4); p != nil {
		return int32(binary.BigEndian.Uint32(p))
	}
	return 0
}

// fields walks a struct's field headers until STOP or f returns false
// (having consumed or skipped the field it was given).
func (s *scanner) fields(f func(id int16, typ byte) bool) {
	for !s.bad {
		typ := s.byte1()
		if typ == 0 || s.bad {
			return
		}
		p := s.take(2)
		if p == nil || !f(int16(binary.BigEndian.Uint16(p)), typ) {
			return
		}
	}
}

// skip steps over one value of typ.
func (s *scanner) skip(typ byte) bool {
	switch typ {
	case tBool, tByte:
		s.take(1)
	case tI16:
		s.take(2)
	case tI32:
		s.take(4)
	case tDouble, tI64:
		s.take(8)
	case tString:
		s.take(int(s.i32()))
	case tStruct:
		s.fields(func(_ int16, typ byte) bool { return s.skip(typ) })
	case tMap:
		k, v, n := s.byte1(), s.byte1(), s.i32()
		for j := int32(0); j < n && !s.bad; j++ {
			s.skip(k)
			s.skip(v)
		}
	case tSet, tList:
		e, n := s.byte1(), s.i32()
		for j := int32(0); j < n && !s.bad; j++ {
			s.skip(e)
		}
	default:
		s.bad = true
	}
	return !s.bad
}

// rowSet counts a TRowSet's rows.
func (s *scanner) rowSet() (int64, bool) {
	var rows int64
	found := false
	s.fields(func(id int16, typ byte) bool {
		switch {
		case id == 2 && typ == tList: // rows: list<TRow>
			e, n := s.byte1(), s.i32()
			if n > 0 {
				rows, found = int64(n), true
			}
			for j := int32(0); j < n && !s.bad; j++ {
				s.skip(e)
			}
		case id == 3 && typ == tList: // columns: the first one's length
			e, n := s.byte1(), s.i32()
			if n > 0 && e == tStruct {
				rows, found = s.firstColumn(), true
				return false
			}
			found = true
		case id == 1281 && typ == tList: // arrowBatches
			e, n := s.byte1(), s.i32()
			for j := int32(0); j < n && !s.bad && e == tStruct; j++ {
				s.fields(func(id int16, typ byte) bool {
					if id == 2 && typ == tI64 {
						if p := s.take(8); p != nil {
							rows += int64(binary.BigEndian.Uint64(p))
						}
						return true
					}
					return s.skip(typ)
				})
			}
			found = true
		default:
			return s.skip(typ)
		}
		return !s.bad
	})
	return rows, found
}

// firstColumn reads a TColumn union's values list length.
func (s *scanner) firstColumn() int64 {
	var n int64
	s.fields(func(_ int16, typ byte) bool {
		if typ != tStruct {
			return s.skip(typ)
		}
		s.fields(func(id int16, typ byte) bool { // T<kind>Column
			if id == 1 && typ == tList {
				s.byte1()
				n = int64(s.i32())
			}
			return false
		})
		return false
	})
	return n
}
