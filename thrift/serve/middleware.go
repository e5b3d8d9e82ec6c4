package serve

import (
	"context"
	"runtime/debug"
	"time"

	"github.com/apache/thrift/lib/go/thrift"
	"go.uber.org/zap"

	"github.com/kitsune-sql/kitsune/thrift/status"
)

// The cross-cutting concerns of every call, once, as Apache Thrift
// processor middleware: recovery from panics and a debug log line with the
// call's latency, told to the Observer (metrics).

// middleware wraps every processor function of proc, the raw ones too.
func middleware(proc thrift.TProcessor, lg *zap.Logger, obs Observer) thrift.TProcessor {
	return thrift.WrapProcessor(proc, recovery(lg), timing(lg, obs))
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

// timing tells the observer each call's latency, and logs it at debug
// level.
func timing(lg *zap.Logger, obs Observer) thrift.ProcessorMiddleware {
	return func(name string, next thrift.TProcessorFunction) thrift.TProcessorFunction {
		return thrift.WrappedTProcessorFunction{Wrapped: func(ctx context.Context, seqID int32, in, out thrift.TProtocol) (bool, thrift.TException) {
			start := time.Now()
			ok, err := next.Process(ctx, seqID, in, out)
			took := time.Since(start)
			obs.Call(name, took)
			if ce := lg.Check(zap.DebugLevel, "thrift call"); ce != nil {
				ce.Write(zap.String("method", name), zap.Duration("took", took), zap.Bool("ok", ok))
			}
			return ok, err
		}}
	}
}
