package serve

import (
	"context"
	"fmt"
	"reflect"

	"github.com/apache/thrift/lib/go/thrift"

	"github.com/kitsune-sql/kitsune/thrift/gen/tcliservice"
	"github.com/kitsune-sql/kitsune/thrift/status"
)

// Envelope is a call's _args or a reply's _result struct: one struct field
// around the request (id 1, "req") or the response (id 0, "success"), as
// every TCLIService method has them. One codec for all methods lets a proxy
// read any request and pass any reply on by the method's name alone.
type Envelope struct {
	Name string         // the struct's name, e.g. ExecuteStatement_args
	ID   int16          // 1 around a request, 0 around a response
	Body thrift.TStruct // the request or response; nil writes an empty struct
}

var _ thrift.TStruct = (*Envelope)(nil)

// Read implements thrift.TStruct: the field of e's ID into e.Body, others skipped.
func (e *Envelope) Read(ctx context.Context, in thrift.TProtocol) error {
	if _, err := in.ReadStructBegin(ctx); err != nil {
		return err
	}
	for {
		_, typ, id, err := in.ReadFieldBegin(ctx)
		if err != nil {
			return err
		}
		if typ == thrift.STOP {
			break
		}
		if id == e.ID && typ == thrift.STRUCT && e.Body != nil {
			err = e.Body.Read(ctx, in)
		} else {
			err = in.Skip(ctx, typ)
		}
		if err != nil {
			return err
		}
		if err := in.ReadFieldEnd(ctx); err != nil {
			return err
		}
	}
	return in.ReadStructEnd(ctx)
}

// Write implements thrift.TStruct.
func (e *Envelope) Write(ctx context.Context, out thrift.TProtocol) error {
	if err := out.WriteStructBegin(ctx, e.Name); err != nil {
		return err
	}
	if e.Body != nil {
		field := "success"
		if e.ID != 0 {
			field = "req"
		}
		if err := out.WriteFieldBegin(ctx, field, thrift.STRUCT, e.ID); err != nil {
			return err
		}
		if err := e.Body.Write(ctx, out); err != nil {
			return err
		}
		if err := out.WriteFieldEnd(ctx); err != nil {
			return err
		}
	}
	if err := out.WriteFieldStop(ctx); err != nil {
		return err
	}
	return out.WriteStructEnd(ctx)
}

// Method is one TCLIService method: the types of its request and response,
// read off the generated interface.
type Method struct {
	Name      string
	req, resp reflect.Type
}

// MethodOf returns the TCLIService method called name.
func MethodOf(name string) (Method, bool) {
	m, ok := reflect.TypeFor[tcliservice.TCLIService]().MethodByName(name)
	if !ok || m.Type.NumIn() != 2 || m.Type.NumOut() != 2 {
		return Method{}, false
	}
	return Method{Name: name, req: m.Type.In(1).Elem(), resp: m.Type.Out(0).Elem()}, true
}

// Args is an empty _args envelope to read a request into.
func (m Method) Args() *Envelope {
	return &Envelope{Name: m.Name + "_args", ID: 1, Body: reflect.New(m.req).Interface().(thrift.TStruct)}
}

// Result is an empty _result envelope to read a response into.
func (m Method) Result() *Envelope {
	return &Envelope{Name: m.Name + "_result", ID: 0, Body: reflect.New(m.resp).Interface().(thrift.TStruct)}
}

// StatusResult is the _result envelope of a response with only st set
// (and, for GetInfo, an empty info value: the union must hold a field to
// be written).
func (m Method) StatusResult(st *tcliservice.TStatus) *Envelope {
	resp := reflect.New(m.resp)
	if f := resp.Elem().FieldByName("Status"); f.IsValid() {
		f.Set(reflect.ValueOf(st))
	}
	if f := resp.Elem().FieldByName("InfoValue"); f.IsValid() {
		f.Set(reflect.ValueOf(status.EmptyInfo()))
	}
	return &Envelope{Name: m.Name + "_result", ID: 0, Body: resp.Interface().(thrift.TStruct)}
}

// WriteMessage writes one whole message of method around body and flushes.
func WriteMessage(ctx context.Context, out thrift.TProtocol, method string, typ thrift.TMessageType, seqID int32, body func() error) (bool, thrift.TException) {
	steps := []func() error{
		func() error { return out.WriteMessageBegin(ctx, method, typ, seqID) },
		body,
		func() error { return out.WriteMessageEnd(ctx) },
		func() error { return out.Flush(ctx) },
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return false, thrift.WrapTException(err)
		}
	}
	return true, nil
}

// writeStatusReply writes method's reply with only st set.
func writeStatusReply(ctx context.Context, method string, seqID int32, out thrift.TProtocol, st *tcliservice.TStatus) (bool, thrift.TException) {
	m, ok := MethodOf(method)
	if !ok {
		return false, thrift.NewTApplicationException(thrift.INTERNAL_ERROR, fmt.Sprintf("internal error in %s", method))
	}
	res := m.StatusResult(st)
	return WriteMessage(ctx, out, method, thrift.REPLY, seqID, func() error { return res.Write(ctx, out) })
}
