package etcd

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"
	"sync"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"
	"google.golang.org/grpc"
	"google.golang.org/grpc/backoff"

	"github.com/kitsune-sql/kitsune/discovery"
)

// Config configures the etcd connection.
type Config struct {
	// Endpoints are host:port (http:// or https:// accepted).
	Endpoints []string
	// LeaseTTL is how long ephemeral nodes outlive a lost connection
	// (kitsune.ha.etcd.lease.timeout).
	LeaseTTL       time.Duration
	ConnectTimeout time.Duration
	// User and Password authenticate (etcd's auth).
	User, Password string
	// CA, Cert and Key configure TLS (kitsune.ha.etcd.ssl.*).
	CA, Cert, Key string
}

// nodes and seqs are the key prefixes of the nodes and of the sequence
// counters.
const (
	nodes = "/kitsune-discovery/nodes"
	seqs  = "/kitsune-discovery/seq"
)

type conn struct {
	cli *clientv3.Client
	ttl int64
	lg  *zap.Logger

	mu     sync.Mutex
	lease  clientv3.LeaseID
	lost   bool // the lease expired and no new one is granted yet
	closed bool
	stop   context.CancelFunc
	done   chan struct{}
}

var (
	_ discovery.Conn           = (*conn)(nil)
	_ discovery.Sessioned      = (*conn)(nil)
	_ discovery.SessionChecker = (*conn)(nil)
)

// reconnectSoon caps gRPC's reconnect backoff (120 s by default) at 2 s:
// after a partition the gateway takes a new lease and registers again
// within seconds of etcd coming back, not minutes.
var reconnectSoon = grpc.WithConnectParams(grpc.ConnectParams{
	Backoff:           backoff.Config{BaseDelay: 250 * time.Millisecond, Multiplier: 1.6, Jitter: 0.2, MaxDelay: 2 * time.Second},
	MinConnectTimeout: 2 * time.Second,
})

// errLeaseLost refuses an ephemeral node while the lease is being replaced:
// made without a lease it would outlive the gateway.
var errLeaseLost = errors.New("the etcd lease expired and a new one is not granted yet")

// Dial connects to etcd and grants the connection's lease.
func Dial(cfg Config, lg *zap.Logger) (discovery.Conn, error) {
	if cfg.ConnectTimeout <= 0 {
		cfg.ConnectTimeout = 15 * time.Second
	}
	if cfg.LeaseTTL < time.Second {
		cfg.LeaseTTL = 10 * time.Second
	}
	ccfg := clientv3.Config{Endpoints: endpoints(cfg.Endpoints), DialTimeout: cfg.ConnectTimeout, Username: cfg.User, Password: cfg.Password,
		Logger: zap.NewNop(), DialOptions: []grpc.DialOption{reconnectSoon}}
	if cfg.CA != "" || cfg.Cert != "" {
		t, err := tlsConfig(cfg)
		if err != nil {
			return nil, err
		}
		ccfg.TLS = t
	}
	cli, err := clientv3.New(ccfg)
	if err != nil {
		return nil, fmt.Errorf("connect to etcd at %s (kitsune.ha.addresses): %w", strings.Join(cfg.Endpoints, ","), err)
	}
	c := &conn{cli: cli, ttl: int64(cfg.LeaseTTL / time.Second), lg: lg, done: make(chan struct{})}
	ctx, cancel := context.WithTimeout(context.Background(), cfg.ConnectTimeout)
	defer cancel()
	if err := c.grant(ctx); err != nil {
		cli.Close()
		return nil, fmt.Errorf("etcd at %s (kitsune.ha.addresses) does not answer or refuses: %w", strings.Join(cfg.Endpoints, ","), explain(err))
	}
	kctx, stop := context.WithCancel(context.Background())
	c.stop = stop
	go c.keepAlive(kctx)
	return c, nil
}

func endpoints(in []string) []string {
	out := make([]string, 0, len(in))
	for _, e := range in {
		e = strings.TrimPrefix(strings.TrimPrefix(e, "http://"), "https://")
		out = append(out, e)
	}
	return out
}

func tlsConfig(cfg Config) (*tls.Config, error) {
	t := &tls.Config{MinVersion: tls.VersionTLS12}
	if cfg.CA != "" {
		pem, err := os.ReadFile(cfg.CA)
		if err != nil {
			return nil, fmt.Errorf("kitsune.ha.etcd.ssl.ca.path: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("kitsune.ha.etcd.ssl.ca.path=%s holds no PEM certificate", cfg.CA)
		}
		t.RootCAs = pool
	}
	if cfg.Cert != "" || cfg.Key != "" {
		pair, err := tls.LoadX509KeyPair(cfg.Cert, cfg.Key)
		if err != nil {
			return nil, fmt.Errorf("kitsune.ha.etcd.ssl.client.certificate.path and ...key.path: %w", err)
		}
		t.Certificates = []tls.Certificate{pair}
	}
	return t, nil
}

func explain(err error) error {
	if errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("no answer within kitsune.ha.zookeeper.connection.timeout: %w", err)
	}
	return err
}

// grant takes a new lease for the connection's ephemeral nodes.
func (c *conn) grant(ctx context.Context) error {
	l, err := c.cli.Grant(ctx, c.ttl)
	if err != nil {
		return err
	}
	c.mu.Lock()
	c.lease, c.lost = l.ID, false
	c.mu.Unlock()
	return nil
}

// keepAlive keeps the lease alive; a lease that expired (etcd was away
// longer than its TTL) is replaced, and the discovery keeper, seeing a
// new session, registers again.
func (c *conn) keepAlive(ctx context.Context) {
	defer close(c.done)
	for ctx.Err() == nil {
		ch, err := c.cli.KeepAlive(ctx, c.currentLease())
		if err == nil {
			for range ch { // drained until the lease is gone or ctx ends
			}
		}
		if ctx.Err() != nil {
			return
		}
		c.mu.Lock()
		c.lost = true
		c.mu.Unlock()
		c.lg.Warn("etcd lease lost, taking a new one")
		for ctx.Err() == nil {
			gctx, cancel := context.WithTimeout(ctx, 5*time.Second)
			err := c.grant(gctx)
			cancel()
			if err == nil {
				break
			}
			select {
			case <-ctx.Done():
			case <-time.After(time.Second):
			}
		}
	}
}

func (c *conn) currentLease() clientv3.LeaseID {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.lease
}

// SessionID is the lease's id: it changes when the lease was lost, to 0
// until a new one is granted.
func (c *conn) SessionID() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.lost {
		return 0
	}
	return int64(c.lease)
}

// SessionAlive asks etcd whether the lease still lives; an error counts
// as not alive, so that the keeper registers again rather than stopping.
func (c *conn) SessionAlive(ctx context.Context, id int64) bool {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	r, err := c.cli.TimeToLive(ctx, clientv3.LeaseID(id))
	return err == nil && r.TTL > 0
}

// Connected reports whether etcd answers.
func (c *conn) Connected() bool {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_, err := c.cli.TimeToLive(ctx, c.currentLease())
	return err == nil
}

func (c *conn) check(ctx context.Context) error {
	c.mu.Lock()
	closed := c.closed
	c.mu.Unlock()
	if closed {
		return discovery.ErrClosed
	}
	return ctx.Err()
}

func key(p string) string { return nodes + p }

// Create implements discovery.Conn.
func (c *conn) Create(ctx context.Context, p string, data []byte, mode discovery.Mode) (string, error) {
	if err := c.check(ctx); err != nil {
		return "", err
	}
	if mode == discovery.PersistentPrivate && c.cli.Username == "" {
		return "", fmt.Errorf("create %s: a private node needs etcd authentication (kitsune.ha.etcd.user): %w", p, discovery.ErrNoAuth)
	}
	var opts []clientv3.OpOption
	if mode == discovery.Ephemeral || mode == discovery.EphemeralSequential {
		id := c.SessionID()
		if id == 0 {
			return "", fmt.Errorf("create %s: %w", p, errLeaseLost)
		}
		opts = append(opts, clientv3.WithLease(clientv3.LeaseID(id)))
	}
	if err := c.makeParents(ctx, p); err != nil {
		return "", err
	}
	if mode == discovery.PersistentSequential || mode == discovery.EphemeralSequential {
		n, err := c.next(ctx, p)
		if err != nil {
			return "", convert("create", p, err)
		}
		p = fmt.Sprintf("%s%010d", p, n)
	}
	k := key(p)
	resp, err := c.cli.Txn(ctx).If(clientv3.Compare(clientv3.CreateRevision(k), "=", 0)).Then(clientv3.OpPut(k, string(data), opts...)).Commit()
	if err != nil {
		return "", convert("create", p, err)
	}
	if !resp.Succeeded {
		return "", fmt.Errorf("create %s: %w", p, discovery.ErrNodeExists)
	}
	return p, nil
}

// makeParents creates the missing parents of p as persistent nodes.
func (c *conn) makeParents(ctx context.Context, p string) error {
	parts := strings.Split(strings.Trim(p, "/"), "/")
	dir := ""
	for _, part := range parts[:len(parts)-1] {
		dir += "/" + part
		k := key(dir)
		if _, err := c.cli.Txn(ctx).If(clientv3.Compare(clientv3.CreateRevision(k), "=", 0)).Then(clientv3.OpPut(k, "")).Commit(); err != nil {
			return convert("create", dir, err)
		}
	}
	return nil
}

// next bumps p's parent's sequence counter in a transaction.
func (c *conn) next(ctx context.Context, p string) (int64, error) {
	k := seqs + p[:strings.LastIndexByte(p, '/')+1]
	for {
		resp, err := c.cli.Get(ctx, k)
		if err != nil {
			return 0, err
		}
		var n int64
		rev := int64(0)
		if len(resp.Kvs) > 0 {
			_, _ = fmt.Sscan(string(resp.Kvs[0].Value), &n)
			rev = resp.Kvs[0].ModRevision
		}
		t, err := c.cli.Txn(ctx).If(clientv3.Compare(clientv3.ModRevision(k), "=", rev)).Then(clientv3.OpPut(k, fmt.Sprint(n+1))).Commit()
		if err != nil {
			return 0, err
		}
		if t.Succeeded {
			return n, nil
		}
	}
}

// Get implements discovery.Conn.
func (c *conn) Get(ctx context.Context, p string) ([]byte, error) {
	if err := c.check(ctx); err != nil {
		return nil, err
	}
	resp, err := c.cli.Get(ctx, key(p))
	if err != nil {
		return nil, convert("get", p, err)
	}
	if len(resp.Kvs) == 0 {
		return nil, fmt.Errorf("get %s: %w", p, discovery.ErrNoNode)
	}
	return resp.Kvs[0].Value, nil
}

// children lists p's direct children and the revision it read at.
func (c *conn) children(ctx context.Context, p string) ([]string, int64, error) {
	pk := key(strings.TrimRight(p, "/"))
	resp, err := c.cli.Txn(ctx).Then(clientv3.OpGet(pk, clientv3.WithCountOnly()), clientv3.OpGet(pk+"/", clientv3.WithPrefix(), clientv3.WithKeysOnly())).Commit()
	if err != nil {
		return nil, 0, convert("children", p, err)
	}
	if resp.Responses[0].GetResponseRange().Count == 0 && p != "/" {
		return nil, 0, fmt.Errorf("children %s: %w", p, discovery.ErrNoNode)
	}
	seen := map[string]bool{}
	for _, kv := range resp.Responses[1].GetResponseRange().Kvs {
		name, _, _ := strings.Cut(strings.TrimPrefix(string(kv.Key), pk+"/"), "/")
		seen[name] = true
	}
	out := make([]string, 0, len(seen))
	for n := range seen {
		out = append(out, n)
	}
	sort.Strings(out)
	return out, resp.Header.Revision, nil
}

// Children implements discovery.Conn.
func (c *conn) Children(ctx context.Context, p string) ([]string, error) {
	if err := c.check(ctx); err != nil {
		return nil, err
	}
	kids, _, err := c.children(ctx, p)
	return kids, err
}

// WatchChildren implements discovery.Conn: the channel closes at the
// first change under p (or of p) after the listing.
func (c *conn) WatchChildren(ctx context.Context, p string) ([]string, <-chan struct{}, error) {
	if err := c.check(ctx); err != nil {
		return nil, nil, err
	}
	kids, rev, err := c.children(ctx, p)
	if err != nil {
		return nil, nil, err
	}
	pk := key(strings.TrimRight(p, "/"))
	wctx, cancel := context.WithCancel(context.Background())
	wch := c.cli.Watch(wctx, pk, clientv3.WithPrefix(), clientv3.WithRev(rev+1))
	changed := make(chan struct{})
	go func() {
		defer cancel()
		defer close(changed)
		select {
		case <-wch:
		case <-c.done:
		case <-ctx.Done(): // the caller gave up: it re-lists if it asks again
		}
	}()
	return kids, changed, nil
}

// Delete implements discovery.Conn.
func (c *conn) Delete(ctx context.Context, p string) error {
	if err := c.check(ctx); err != nil {
		return err
	}
	k := key(p)
	resp, err := c.cli.Txn(ctx).If(clientv3.Compare(clientv3.CreateRevision(k), ">", 0)).
		Then(clientv3.OpGet(k+"/", clientv3.WithPrefix(), clientv3.WithCountOnly())).Commit()
	if err != nil {
		return convert("delete", p, err)
	}
	if !resp.Succeeded {
		return fmt.Errorf("delete %s: %w", p, discovery.ErrNoNode)
	}
	if resp.Responses[0].GetResponseRange().Count > 0 {
		return fmt.Errorf("delete %s: %w", p, discovery.ErrNotEmpty)
	}
	if _, err := c.cli.Delete(ctx, k); err != nil {
		return convert("delete", p, err)
	}
	return nil
}

// Close implements discovery.Conn: the lease is revoked, so the
// ephemeral nodes go at once.
func (c *conn) Close() error {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil
	}
	c.closed = true
	c.mu.Unlock()
	c.stop()
	<-c.done
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	_, _ = c.cli.Revoke(ctx, c.currentLease())
	cancel()
	return c.cli.Close()
}

// convert maps etcd's errors onto discovery's sentinels.
func convert(op, p string, err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded):
		return err
	case strings.Contains(err.Error(), "permission denied") || strings.Contains(err.Error(), "authentication failed"):
		return fmt.Errorf("%s %s: %w (%v)", op, p, discovery.ErrNoAuth, err)
	}
	return fmt.Errorf("%s %s: etcd: %w", op, p, err)
}
