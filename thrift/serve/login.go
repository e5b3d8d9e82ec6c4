package serve

import (
	"context"
	"errors"
	"time"

	"github.com/kitsune-sql/kitsune/thrift/sasl"
)

// ErrLoginsBusy refuses a login that found no free slot before its login
// timeout.
var ErrLoginsBusy = errors.New("too many logins in progress: none finished within kitsune.frontend.thrift.login.timeout; raise kitsune.frontend.thrift.login.max.concurrent or retry")

// loginSlot waits until a credential check may start, or until deadline or
// ctx. It returns the function that gives the slot back. Only the checks
// hold slots (an LDAP bind, a Kerberos ticket), not connections that are
// still sending their handshake: those are bounded by the login timeout.
func (s *Server) loginSlot(ctx context.Context, deadline time.Time) (func(), error) {
	select {
	case s.logins <- struct{}{}:
		return func() { <-s.logins }, nil
	default:
	}
	t := time.NewTimer(time.Until(deadline))
	defer t.Stop()
	select {
	case s.logins <- struct{}{}:
		return func() { <-s.logins }, nil
	case <-t.C:
		return nil, ErrLoginsBusy
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-s.force:
		return nil, ErrLoginsBusy
	}
}

// slotAcceptor checks Kerberos tickets within the login slots.
type slotAcceptor struct {
	s        *Server
	ctx      context.Context
	deadline time.Time
	inner    sasl.GSSAcceptor
	busy     func()
}

var _ sasl.GSSAcceptor = slotAcceptor{}

func (a slotAcceptor) AcceptGSS(token []byte) (sasl.GSSContext, error) {
	release, err := a.s.loginSlot(a.ctx, a.deadline)
	if err != nil {
		a.busy()
		return nil, err
	}
	defer release()
	return a.inner.AcceptGSS(token)
}
