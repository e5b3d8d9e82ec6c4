package serve

import (
	"context"

	tcli "github.com/kitsune-sql/kitsune/thrift/gen/tcliservice"
	"github.com/kitsune-sql/kitsune/thrift/status"
)

// NoDelegationTokens answers the three delegation-token calls with one
// refusal; the gateway and the engine embed it (kitsune issues no Hadoop
// delegation tokens).
type NoDelegationTokens struct{}

func noTokens() *tcli.TStatus {
	return status.From(&status.Error{SQLState: status.StateGeneral, Message: "delegation tokens are not supported by kitsune"})
}

// GetDelegationToken implements tcli.TCLIService.
func (NoDelegationTokens) GetDelegationToken(context.Context, *tcli.TGetDelegationTokenReq) (*tcli.TGetDelegationTokenResp, error) {
	return &tcli.TGetDelegationTokenResp{Status: noTokens()}, nil
}

// CancelDelegationToken implements tcli.TCLIService.
func (NoDelegationTokens) CancelDelegationToken(context.Context, *tcli.TCancelDelegationTokenReq) (*tcli.TCancelDelegationTokenResp, error) {
	return &tcli.TCancelDelegationTokenResp{Status: noTokens()}, nil
}

// RenewDelegationToken implements tcli.TCLIService.
func (NoDelegationTokens) RenewDelegationToken(context.Context, *tcli.TRenewDelegationTokenReq) (*tcli.TRenewDelegationTokenResp, error) {
	return &tcli.TRenewDelegationTokenResp{Status: noTokens()}, nil
}
