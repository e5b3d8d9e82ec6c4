package serve

import "context"

// Peer is who is on the other end of a call: the authenticated user, the
// remote address, the transport and, for binary connections, the id of the
// connection (0 on HTTP, where every request stands alone).
type Peer struct {
	ConnID uint64
	User   string
	// Principal is the Kerberos principal, or the user name given at login.
	Principal string
	Addr      string
	Transport string
}

type peerKey struct{}

// WithPeer returns ctx carrying p.
func WithPeer(ctx context.Context, p Peer) context.Context {
	return context.WithValue(ctx, peerKey{}, p)
}

// PeerFrom returns the peer of the call (zero when there is none).
func PeerFrom(ctx context.Context) Peer {
	p, _ := ctx.Value(peerKey{}).(Peer)
	return p
}
