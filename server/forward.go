package server

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/apache/thrift/lib/go/thrift"
	"go.uber.org/zap"

	"github.com/kitsune-sql/kitsune/session"
	tcli "github.com/kitsune-sql/kitsune/thrift/gen/tcliservice"
	"github.com/kitsune-sql/kitsune/thrift/serve"
	"github.com/kitsune-sql/kitsune/thrift/status"
)

// route is how the gateway forwards one TCLIService method: the handle in
// the request picks the session (and so the engine); the request's own
// bytes go to the engine and the engine's reply bytes come back undecoded,
// except where the reply opens an operation the gateway must route later.
type route struct {
	serve.Method
	// opens: the reply carries an operation handle to record
	// (ExecuteStatement and the metadata calls).
	opens bool
	// closes: the operation is forgotten after the call.
	closes bool
	// local, when set, may answer without the engine.
	local func(h *handler, ctx context.Context, req thrift.TStruct) (thrift.TStruct, bool)
}

// routes is the forwarding table: every method but OpenSession,
// CloseSession and the delegation tokens, which the handler answers itself.
func routes() map[string]route {
	table := map[string]route{}
	add := func(name string, r route) {
		m, ok := serve.MethodOf(name)
		if !ok {
			panic("server: no TCLIService method " + name) // the table and the IDL disagree: a programming error
		}
		r.Method = m
		table[name] = r
	}
	for _, name := range []string{"ExecuteStatement", "GetTypeInfo", "GetCatalogs", "GetSchemas", "GetTables",
		"GetTableTypes", "GetColumns", "GetFunctions", "GetPrimaryKeys", "GetCrossReference"} {
		add(name, route{opens: true})
	}
	for _, name := range []string{"SetClientInfo", "GetOperationStatus", "CancelOperation", "GetResultSetMetadata",
		"FetchResults", "GetQueryId"} {
		add(name, route{})
	}
	add("CloseOperation", route{closes: true})
	add("GetInfo", route{local: (*handler).serverInfo})
	return table
}

// sessionAddressed and operationAddressed are the requests' handle getters.
type sessionAddressed interface {
	GetSessionHandle() *tcli.TSessionHandle
}

type operationAddressed interface {
	GetOperationHandle() *tcli.TOperationHandle
}

// reply is what forwarding produced: the engine's undecoded result (typ,
// raw), or a result the gateway made (an error status, a local answer).
type reply struct {
	typ    thrift.TMessageType
	raw    []byte
	result thrift.TStruct
}

// forward routes req by its handle to the session's engine; raw, when
// set, is the request's own bytes, which go to the engine as they came.
func (h *handler) forward(ctx context.Context, r route, req thrift.TStruct, raw []byte) reply {
	if r.local != nil {
		if res, ok := r.local(h, ctx, req); ok {
			return reply{result: &serve.Envelope{Name: r.Name + "_result", Body: res}}
		}
	}
	fail := func(st *tcli.TStatus) reply { return reply{result: r.StatusResult(st)} }
	user := serve.PeerFrom(ctx).User
	var s *session.Session
	var err error
	if q, ok := req.(sessionAddressed); ok {
		if s, err = h.mgr.Get(ctx, q.GetSessionHandle(), user); err == nil && r.opens {
			err = h.mgr.AllowOperation(s)
		}
	} else {
		s, err = h.mgr.ForOperation(ctx, req.(operationAddressed).GetOperationHandle(), user)
	}
	if err != nil {
		return fail(statusOf(err))
	}
	var args thrift.TStruct = &serve.Envelope{Name: r.Name + "_args", ID: 1, Body: req}
	if raw != nil {
		args = rawStruct(raw)
	}
	var out reply
	err = s.Call(ctx, func(c session.EngineConn) error {
		var err error
		out.typ, out.raw, err = c.CallRaw(ctx, r.Name, args)
		return err
	})
	if r.closes {
		h.mgr.RemoveOperation(ctx, s, req.(operationAddressed).GetOperationHandle())
	}
	if err != nil {
		st := status.From(h.engineError(s, err))
		h.obs.OperationFailed(r.Name, errorKind(st))
		return fail(st)
	}
	if out.typ == thrift.REPLY {
		switch {
		case r.opens:
			h.recordOpened(ctx, r, s, req, out.raw)
		case r.Name == "GetOperationStatus":
			h.recordState(ctx, r, s, req, out.raw)
		case r.Name == "FetchResults":
			h.recordFetch(s, req.(*tcli.TFetchResultsReq), out.raw)
		}
	}
	return out
}

// recordFetch counts a fetch reply's bytes and, for results (not logs),
// its rows, for the metrics and the statement's audit line.
func (h *handler) recordFetch(s *session.Session, req *tcli.TFetchResultsReq, raw []byte) {
	rows := int64(0)
	if req.FetchType == 0 {
		if n, ok := fetchedRows(raw); ok {
			rows = n
			h.mgr.AddRows(s, req.OperationHandle, n)
		}
	}
	h.obs.Fetched(len(raw), rows)
}

// recordState notes the state a status reply tells (small: decoding it
// costs little), for the events and metrics of state changes.
func (h *handler) recordState(ctx context.Context, r route, s *session.Session, req thrift.TStruct, raw []byte) {
	res := r.Result()
	if err := res.Read(ctx, reader(raw)); err != nil {
		return
	}
	if resp, ok := res.Body.(*tcli.TGetOperationStatusResp); ok && resp.OperationState != nil {
		h.mgr.SetOperationState(s, req.(*tcli.TGetOperationStatusReq).OperationHandle, resp.OperationState.String(), resp.GetSqlState(), resp.GetErrorMessage())
	}
}

// recordOpened records the operation an opening reply carries, unless the
// engine already closed it in its direct results.
func (h *handler) recordOpened(ctx context.Context, r route, s *session.Session, req thrift.TStruct, raw []byte) {
	res := r.Result()
	if err := res.Read(ctx, reader(raw)); err != nil {
		h.lg.Debug("could not read an opening reply", zap.String("method", r.Name), zap.Error(err))
		return
	}
	resp, ok := res.Body.(interface {
		GetStatus() *tcli.TStatus
		GetOperationHandle() *tcli.TOperationHandle
		GetDirectResults() *tcli.TSparkDirectResults
	})
	if !ok {
		return
	}
	if st := resp.GetStatus(); !status.Succeeded(st) {
		h.obs.OperationFailed(r.Name, errorKind(st))
		return
	}
	if d := resp.GetDirectResults(); d != nil && d.CloseOperation != nil {
		return
	}
	statement := r.Name
	if q, ok := req.(*tcli.TExecuteStatementReq); ok {
		statement = q.Statement
	}
	h.mgr.AddOperation(ctx, s, resp.GetOperationHandle(), r.Name, statement)
}

// RawFunctions serves every routed method as a pass-through of bytes (the
// data path of DESIGN.md: the gateway decodes what routing needs).
func (h *handler) RawFunctions() map[string]thrift.TProcessorFunction {
	out := make(map[string]thrift.TProcessorFunction, len(h.routes))
	for name, r := range h.routes {
		out[name] = &rawRoute{h: h, r: r}
	}
	return out
}

var _ serve.RawProvider = (*handler)(nil)

// rawRoute is one routed method as a processor function.
type rawRoute struct {
	h *handler
	r route
}

func (p *rawRoute) Process(ctx context.Context, seqID int32, in, out thrift.TProtocol) (bool, thrift.TException) {
	args := p.r.Args()
	raw := remaining(in.Transport())
	src := in
	if raw != nil {
		src = reader(raw)
	}
	if err := args.Read(ctx, src); err != nil {
		_ = in.ReadMessageEnd(ctx)
		x := thrift.NewTApplicationException(thrift.PROTOCOL_ERROR, err.Error())
		_, _ = serve.WriteMessage(ctx, out, p.r.Name, thrift.EXCEPTION, seqID, func() error { return x.Write(ctx, out) })
		return false, thrift.WrapTException(err)
	}
	_ = in.ReadMessageEnd(ctx)
	rep := p.h.forward(ctx, p.r, args.Body, raw)
	if rep.result != nil {
		return serve.WriteMessage(ctx, out, p.r.Name, thrift.REPLY, seqID, func() error { return rep.result.Write(ctx, out) })
	}
	return serve.WriteMessage(ctx, out, p.r.Name, rep.typ, seqID, func() error {
		// The engine's reply bytes leave as they came, not copied again
		// where the transport can send them by reference.
		if t, ok := out.Transport().(interface{ WriteRef([]byte) }); ok {
			t.WriteRef(rep.raw)
			return nil
		}
		_, err := out.Transport().Write(rep.raw)
		return err
	})
}

// call is the typed form of forward, for in-process callers: the same
// route, with the reply decoded into resp.
func (h *handler) call(ctx context.Context, method string, req, resp thrift.TStruct) error {
	r, ok := h.routes[method]
	if !ok {
		return fmt.Errorf("server: %s is not routed", method)
	}
	rep := h.forward(ctx, r, req, nil)
	if rep.result != nil {
		buf := thrift.NewTMemoryBuffer()
		if err := rep.result.Write(ctx, thrift.NewTBinaryProtocolConf(buf, nil)); err != nil {
			return err
		}
		rep.typ, rep.raw = thrift.REPLY, buf.Bytes()
	}
	in := reader(rep.raw)
	if rep.typ == thrift.EXCEPTION {
		x := thrift.NewTApplicationException(thrift.UNKNOWN_APPLICATION_EXCEPTION, "")
		if err := x.Read(ctx, in); err != nil {
			return err
		}
		return x
	}
	return (&serve.Envelope{ID: 0, Body: resp}).Read(ctx, in)
}

// reader reads the binary protocol from b, without copying it.
func reader(b []byte) thrift.TProtocol {
	return thrift.NewTBinaryProtocolConf(&thrift.TMemoryBuffer{Buffer: bytes.NewBuffer(b)}, nil)
}

// remaining takes the rest of the message being read when the transport
// knows how much that is (a frame, an HTTP body), so that the request's
// own bytes can go on to the engine; nil otherwise.
func remaining(t thrift.TTransport) []byte {
	n := t.RemainingBytes()
	if n == 0 || n > 1<<30 { // unknown, or larger than any frame allowed
		return nil
	}
	b := make([]byte, n)
	if _, err := io.ReadFull(t, b); err != nil {
		return nil
	}
	return b
}

// rawStruct is a request's own bytes, written as they are.
type rawStruct []byte

func (r rawStruct) Write(_ context.Context, p thrift.TProtocol) error {
	_, err := p.Transport().Write(r)
	return err
}

func (r rawStruct) Read(context.Context, thrift.TProtocol) error {
	return errors.New("server: a raw request is only written")
}

// errorKind names an error for the metrics: its SQLSTATE class (42, 08,
// ...), or "unknown".
func errorKind(st *tcli.TStatus) string { return sqlClass(st.GetSqlState()) }

func sqlClass(s string) string {
	if len(s) >= 2 {
		return s[:2]
	}
	return "unknown"
}
