package duckdb

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"

	duckdb "github.com/duckdb/duckdb-go/v2"
)

// goFunction is a scalar function written in Go, for Spark semantics that
// DuckDB's functions and macros cannot express (Spark's moment formulas,
// AES, byte-wise string functions). The Spark macros call it by its name
// in DuckDB's system catalog, kitsune_<name>.
type goFunction struct {
	in       []duckdb.TypeInfo
	out      duckdb.TypeInfo
	variadic duckdb.TypeInfo
	// nulls: the function sees NULL arguments (otherwise NULL in, NULL out).
	nulls bool
	// volatile: each call may answer differently (a random IV).
	volatile bool
	fn       func([]driver.Value) (any, error)
}

var _ duckdb.ScalarFunc = (*goFunction)(nil)

func (f *goFunction) Config() duckdb.ScalarFuncConfig {
	return duckdb.ScalarFuncConfig{InputTypeInfos: f.in, ResultTypeInfo: f.out, VariadicTypeInfo: f.variadic, SpecialNullHandling: f.nulls, Volatile: f.volatile}
}

func (f *goFunction) Executor() duckdb.ScalarFuncExecutor {
	return duckdb.ScalarFuncExecutor{RowExecutor: f.fn}
}

// duckTypes builds DuckDB type descriptions; the first error sticks, so a
// table of functions is built without checking each type.
type duckTypes struct{ err error }

func (d *duckTypes) of(t duckdb.Type) duckdb.TypeInfo {
	info, err := duckdb.NewTypeInfo(t)
	d.keep(err)
	return info
}

func (d *duckTypes) list(child duckdb.TypeInfo) duckdb.TypeInfo {
	info, err := duckdb.NewListInfo(child)
	d.keep(err)
	return info
}

func (d *duckTypes) pair(name1, name2 string, t duckdb.TypeInfo) duckdb.TypeInfo {
	a, err := duckdb.NewStructEntry(t, name1)
	d.keep(err)
	b, err := duckdb.NewStructEntry(t, name2)
	d.keep(err)
	info, err := duckdb.NewStructInfo(a, b)
	d.keep(err)
	return info
}

func (d *duckTypes) decimal(width, scale uint8) duckdb.TypeInfo {
	info, err := duckdb.NewDecimalInfo(width, scale)
	d.keep(err)
	return info
}

func (d *duckTypes) keep(err error) {
	if d.err == nil {
		d.err = err
	}
}

// registerGoFunctions registers every Go function (each name with its
// overloads) in the database's system catalog, visible to all connections.
func registerGoFunctions(ctx context.Context, db *sql.DB) error {
	var d duckTypes
	sets := goFunctions(&d)
	if d.err != nil {
		return fmt.Errorf("describe Go functions: %w", d.err)
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	for name, overloads := range sets {
		fs := make([]duckdb.ScalarFunc, len(overloads))
		for i, f := range overloads {
			fs[i] = f
		}
		if err := duckdb.RegisterScalarUDFSet(conn, "kitsune_"+name, fs...); err != nil {
			return fmt.Errorf("register function kitsune_%s: %w", name, err)
		}
	}
	return nil
}

// goFunctions lists the Go functions by name.
func goFunctions(d *duckTypes) map[string][]*goFunction {
	sets := map[string][]*goFunction{}
	for _, part := range []map[string][]*goFunction{momentFunctions(d), aesFunctions(d), byteFunctions(d), textFunctions(d), variantFunctions(d), intervalFunctions(d), numberFunctions(d), bitmapFunctions(d), xpathFunctions(d), hashFunctions(d)} {
		for name, fs := range part {
			sets[name] = append(sets[name], fs...)
		}
	}
	return sets
}
