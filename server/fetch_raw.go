package server

import (
	"context"

	"github.com/apache/thrift/lib/go/thrift"

	"github.com/kitsune-sql/kitsune/thrift/client"
	tcli "github.com/kitsune-sql/kitsune/thrift/gen/tcliservice"
	"github.com/kitsune-sql/kitsune/thrift/serve"
	"github.com/kitsune-sql/kitsune/thrift/status"
)

// RawFunctions makes FetchResults a pass-through: the engine's reply goes to
// the client as the bytes the engine wrote, so the gateway does no work per
// row (the data path of DESIGN.md).
func (h *handler) RawFunctions() map[string]thrift.TProcessorFunction {
	return map[string]thrift.TProcessorFunction{"FetchResults": &rawFetch{h: h}}
}

var _ serve.RawProvider = (*handler)(nil)

type rawFetch struct{ h *handler }

func (f *rawFetch) Process(ctx context.Context, seqID int32, in, out thrift.TProtocol) (ok bool, texc thrift.TException) {
	args := tcli.NewTCLIServiceFetchResultsArgs()
	if err := args.Read(ctx, in); err != nil {
		_ = in.ReadMessageEnd(ctx)
		x := thrift.NewTApplicationException(thrift.PROTOCOL_ERROR, err.Error())
		_ = out.WriteMessageBegin(ctx, "FetchResults", thrift.EXCEPTION, seqID)
		_ = x.Write(ctx, out)
		_ = out.WriteMessageEnd(ctx)
		_ = out.Flush(ctx)
		return false, thrift.WrapTException(err)
	}
	_ = in.ReadMessageEnd(ctx)
	typ, raw, st := f.forward(ctx, args)
	if st != nil {
		res := tcli.NewTCLIServiceFetchResultsResult()
		res.Success = &tcli.TFetchResultsResp{Status: st}
		return write(ctx, out, seqID, thrift.REPLY, func() error { return res.Write(ctx, out) })
	}
	return write(ctx, out, seqID, typ, func() error {
		_, err := out.Transport().Write(raw)
		return err
	})
}

// forward sends the fetch to the session's engine; a non-nil status is the
// error to answer with instead of raw bytes.
func (f *rawFetch) forward(ctx context.Context, args *tcli.TCLIServiceFetchResultsArgs) (typ thrift.TMessageType, raw []byte, st *tcli.TStatus) {
	s, err := f.h.mgr.ForOperation(args.Req.GetOperationHandle(), serve.PeerFrom(ctx).User)
	if err != nil {
		return 0, nil, statusOf(err)
	}
	err = s.Call(ctx, func(c *client.Client) error {
		var err error
		typ, raw, err = c.CallRaw(ctx, "FetchResults", args)
		return err
	})
	if err != nil {
		return 0, nil, status.From(f.h.engineError(s, err))
	}
	return typ, raw, nil
}

func write(ctx context.Context, out thrift.TProtocol, seqID int32, typ thrift.TMessageType, body func() error) (bool, thrift.TException) {
	if err := out.WriteMessageBegin(ctx, "FetchResults", typ, seqID); err != nil {
		return false, thrift.WrapTException(err)
	}
	if err := body(); err != nil {
		return false, thrift.WrapTException(err)
	}
	if err := out.WriteMessageEnd(ctx); err != nil {
		return false, thrift.WrapTException(err)
	}
	if err := out.Flush(ctx); err != nil {
		return false, thrift.WrapTException(err)
	}
	return true, nil
}
