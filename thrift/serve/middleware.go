package serve

import (
	"context"
	"fmt"
	"reflect"
	"runtime/debug"
	"time"

	"github.com/apache/thrift/lib/go/thrift"
	"go.uber.org/zap"

	"github.com/kitsune-sql/kitsune/thrift/gen/tcliservice"
	"github.com/kitsune-sql/kitsune/thrift/status"
)

// The cross-cutting concerns of every call, once, as Apache Thrift
// processor middleware: recovery from panics and a debug log line with the
// call's latency (the place for metrics next).

// middleware wraps every processor function of proc, the raw ones too.
func middleware(proc thrift.TProcessor, lg *zap.Logger) thrift.TProcessor {
	return thrift.WrapProcessor(proc, recovery(lg), timing(lg))
}

// recovery answers a call whose handler panicked with that method's reply
// carrying ERROR_STATUS, instead of taking the process down (the generated
// Thrift server does not recover panics) or breaking the connection.
func recovery(lg *zap.Logger) thrift.ProcessorMiddleware {
	return func(name string, next thrift.TProcessorFunction) thrift.TProcessorFunction {
		return thrift.WrappedTProcessorFunction{Wrapped: func(ctx context.Context, seqID int32, in, out thrift.TProtocol) (ok bool, err thrift.TException) {
			defer func() {
				if p := recover(); p != nil {
					lg.Error("panic in thrift call", zap.String("method", name), zap.Any("panic", p), zap.ByteString("stack", debug.Stack()))
					st := status.From(status.Errorf(status.StateGeneral, 0, "internal error in %s: %v", name, p))
					ok, err = writeStatusReply(ctx, name, seqID, out, st)
				}
			}()
			return next.Process(ctx, seqID, in, out)
		}}
	}
}

// timing logs each call's method and latency at debug level.
func timing(lg *zap.Logger) thrift.ProcessorMiddleware {
	return func(name string, next thrift.TProcessorFunction) thrift.TProcessorFunction {
		return thrift.WrappedTProcessorFunction{Wrapped: func(ctx context.Context, seqID int32, in, out thrift.TProtocol) (bool, thrift.TException) {
			ce := lg.Check(zap.DebugLevel, "thrift call")
			if ce == nil {
				return next.Process(ctx, seqID, in, out)
			}
			start := time.Now()
			ok, err := next.Process(ctx, seqID, in, out)
			ce.Write(zap.String("method", name), zap.Duration("took", time.Since(start)), zap.Bool("ok", ok))
			return ok, err
		}}
	}
}

// service is the TCLIService interface, whose methods name every reply type.
var service = reflect.TypeFor[tcliservice.TCLIService]()

// writeStatusReply writes method's reply struct with only st set (and, for
// GetInfo, an empty info value: the union must hold a field to be written).
func writeStatusReply(ctx context.Context, method string, seqID int32, out thrift.TProtocol, st *tcliservice.TStatus) (bool, thrift.TException) {
	m, ok := service.MethodByName(method)
	if !ok {
		return false, thrift.NewTApplicationException(thrift.INTERNAL_ERROR, "internal error in "+method)
	}
	resp := reflect.New(m.Type.Out(0).Elem())
	if f := resp.Elem().FieldByName("Status"); f.IsValid() {
		f.Set(reflect.ValueOf(st))
	}
	if f := resp.Elem().FieldByName("InfoValue"); f.IsValid() {
		f.Set(reflect.ValueOf(status.EmptyInfo()))
	}
	body, ok := resp.Interface().(thrift.TStruct)
	if !ok {
		return false, thrift.NewTApplicationException(thrift.INTERNAL_ERROR, fmt.Sprintf("%s reply is not a struct", method))
	}
	steps := []func() error{
		func() error { return out.WriteMessageBegin(ctx, method, thrift.REPLY, seqID) },
		func() error { return out.WriteStructBegin(ctx, method+"_result") },
		func() error { return out.WriteFieldBegin(ctx, "success", thrift.STRUCT, 0) },
		func() error { return body.Write(ctx, out) },
		func() error { return out.WriteFieldEnd(ctx) },
		func() error { return out.WriteFieldStop(ctx) },
		func() error { return out.WriteStructEnd(ctx) },
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
