package client

import (
	"context"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"time"

	"github.com/apache/thrift/lib/go/thrift"

	"github.com/kitsune-sql/kitsune/thrift/framing"
	"github.com/kitsune-sql/kitsune/thrift/gen/tcliservice"
	"github.com/kitsune-sql/kitsune/thrift/sasl"
)

// Options say where and how to connect.
type Options struct {
	Addr string // host:port
	// HTTPPath selects the HTTP transport when not empty.
	HTTPPath string
	// NoSASL selects raw binary Thrift (binary transport only).
	NoSASL   bool
	User     string
	Password string
	// MaxMessageSize bounds a received frame (default 1 GiB: results can be large).
	MaxMessageSize int32
	// Timeout bounds connecting and, when ReadTimeout is 0, nothing else.
	Timeout time.Duration
	// TLS enables TLS with this configuration.
	TLS *tls.Config
	// Kerberos, when set, logs in with SASL GSSAPI (binary) or SPNEGO
	// (HTTP) instead of PLAIN or Basic.
	Kerberos KerberosLogin
}

// KerberosLogin is a Kerberos client context.
type KerberosLogin interface {
	sasl.GSSInitiator
	// SPNEGOToken is a fresh initial token wrapped for the HTTP Negotiate
	// header.
	SPNEGOToken() ([]byte, error)
	// VerifySPNEGOReply checks the server's answer to the last token.
	VerifySPNEGOReply(token []byte) error
}

// negotiate adds a fresh Kerberos token to every HTTP request that does not
// carry the server's authentication cookie, so that no token is ever sent
// twice (servers refuse replays).
type negotiate struct {
	base  http.RoundTripper
	login KerberosLogin
}

func (n *negotiate) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Header.Get("Cookie") != "" {
		return n.base.RoundTrip(req)
	}
	tok, err := n.login.SPNEGOToken()
	if err != nil {
		return nil, err
	}
	r := req.Clone(req.Context())
	r.Header.Set("Authorization", "Negotiate "+base64.StdEncoding.EncodeToString(tok))
	resp, err := n.base.RoundTrip(r)
	if err != nil || resp.StatusCode == http.StatusUnauthorized {
		return resp, err
	}
	// Mutual authentication: a server that answers with a token must
	// prove it holds the service key.
	if scheme, b64, ok := strings.Cut(resp.Header.Get("WWW-Authenticate"), " "); ok && strings.EqualFold(scheme, "Negotiate") {
		reply, err := base64.StdEncoding.DecodeString(strings.TrimSpace(b64))
		if err == nil {
			err = n.login.VerifySPNEGOReply(reply)
		}
		if err != nil {
			resp.Body.Close()
			return nil, fmt.Errorf("the server failed mutual authentication: %w", err)
		}
	}
	return resp, nil
}

// Client is a TCLIService client over one connection. It is not safe for
// concurrent calls; callers serialize.
type Client struct {
	*tcliservice.TCLIServiceClient
	trans thrift.TTransport
	// framed is set on the binary SASL transport, where CallRaw works.
	framed *framing.Transport
	prot   thrift.TProtocol
	// closeIdle closes the HTTP transport's idle connections.
	closeIdle func()
}

// ErrRawUnsupported is returned by CallRaw on transports without framing.
var ErrRawUnsupported = errors.New("client: raw calls need the binary SASL transport")

// CallRaw sends method(args) and returns the reply's message type and its
// result struct as the undecoded binary-protocol bytes, so that a proxy can
// pass a large reply on without decoding and re-encoding it.
func (c *Client) CallRaw(ctx context.Context, method string, args thrift.TStruct) (thrift.TMessageType, []byte, error) {
	if c.framed == nil {
		return 0, nil, ErrRawUnsupported
	}
	typ, err := Exchange(ctx, c.prot, method, args)
	if err != nil {
		return 0, nil, err
	}
	// The rest of the frame is the result struct: handed over as read.
	return typ, c.framed.TakeRemaining(), nil
}

// Close closes the connection.
func (c *Client) Close() error {
	err := c.trans.Close()
	if c.closeIdle != nil {
		// The HTTP transport's kept-alive connections are this client's
		// alone; left open, the server holds them until its idle timeout.
		c.closeIdle()
	}
	return err
}

// Dial connects per o.
func Dial(ctx context.Context, o Options) (*Client, error) {
	if o.MaxMessageSize == 0 {
		o.MaxMessageSize = 1 << 30
	}
	if o.Timeout == 0 {
		o.Timeout = 30 * time.Second
	}
	cfg := &thrift.TConfiguration{MaxMessageSize: o.MaxMessageSize, MaxFrameSize: o.MaxMessageSize, ConnectTimeout: o.Timeout}
	if o.HTTPPath != "" {
		scheme := "http"
		if o.TLS != nil {
			scheme = "https"
		}
		url := fmt.Sprintf("%s://%s/%s", scheme, o.Addr, o.HTTPPath)
		hc := &http.Client{Transport: &http.Transport{TLSClientConfig: o.TLS, MaxIdleConnsPerHost: 4}}
		if o.Kerberos != nil {
			// The cookie the server sets stands for the login afterwards.
			hc.Jar, _ = cookiejar.New(nil)
			hc.Transport = &negotiate{base: hc.Transport, login: o.Kerberos}
		}
		t, err := thrift.NewTHttpClientWithOptions(url, thrift.THttpClientOptions{Client: hc})
		if err != nil {
			return nil, fmt.Errorf("http transport %s: %w", url, err)
		}
		ht := t.(*thrift.THttpClient)
		user := o.User
		if user == "" {
			user = "anonymous"
		}
		if o.Kerberos == nil {
			req, _ := http.NewRequest("POST", url, nil)
			req.SetBasicAuth(user, o.Password)
			ht.SetHeader("Authorization", req.Header.Get("Authorization"))
		}
		ht.SetHeader("Content-Type", "application/x-thrift")
		prot := thrift.NewTBinaryProtocolConf(ht, cfg)
		return &Client{TCLIServiceClient: tcliservice.NewTCLIServiceClient(thrift.NewTStandardClient(prot, prot)), trans: ht,
			closeIdle: hc.CloseIdleConnections}, nil
	}
	d := net.Dialer{Timeout: o.Timeout}
	var conn net.Conn
	var err error
	if o.TLS != nil {
		conn, err = (&tls.Dialer{NetDialer: &d, Config: o.TLS}).DialContext(ctx, "tcp", o.Addr)
	} else {
		conn, err = d.DialContext(ctx, "tcp", o.Addr)
	}
	if err != nil {
		return nil, fmt.Errorf("connect to %s: %w", o.Addr, err)
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetNoDelay(true)
	}
	var trans thrift.TTransport
	if o.NoSASL {
		trans = thrift.NewTBufferedTransport(thrift.NewTSocketFromConnConf(conn, cfg), 64<<10)
	} else if o.Kerberos != nil {
		if dl, ok := ctx.Deadline(); ok {
			_ = conn.SetDeadline(dl)
		}
		if err := sasl.ClientGSSAPI(conn, o.Kerberos); err != nil {
			conn.Close()
			return nil, fmt.Errorf("kerberos login to %s: %w", o.Addr, err)
		}
		_ = conn.SetDeadline(time.Time{})
		trans = framing.New(conn, cfg.MaxFrameSize)
	} else {
		user := o.User
		if user == "" {
			user = "anonymous"
		}
		pass := o.Password
		if pass == "" {
			pass = "anonymous"
		}
		if dl, ok := ctx.Deadline(); ok {
			_ = conn.SetDeadline(dl)
		}
		if err := sasl.ClientPlain(conn, user, pass); err != nil {
			conn.Close()
			return nil, fmt.Errorf("authenticate to %s as %s: %w", o.Addr, user, err)
		}
		_ = conn.SetDeadline(time.Time{})
		// A call leaves in one write; no buffer is kept beyond the message.
		trans = framing.New(conn, cfg.MaxFrameSize)
	}
	prot := thrift.NewTBinaryProtocolConf(trans, cfg)
	framed, _ := trans.(*framing.Transport)
	return &Client{TCLIServiceClient: tcliservice.NewTCLIServiceClient(thrift.NewTStandardClient(prot, prot)), trans: trans, framed: framed, prot: prot}, nil
}

// Exchange writes a call of method with args on prot and reads the reply's
// message header: what a raw call does before it takes the reply's bytes.
func Exchange(ctx context.Context, prot thrift.TProtocol, method string, args thrift.TStruct) (thrift.TMessageType, error) {
	for _, step := range []func() error{
		func() error { return prot.WriteMessageBegin(ctx, method, thrift.CALL, 1) },
		func() error { return args.Write(ctx, prot) },
		func() error { return prot.WriteMessageEnd(ctx) },
		func() error { return prot.Flush(ctx) },
	} {
		if err := step(); err != nil {
			return 0, err
		}
	}
	name, typ, _, err := prot.ReadMessageBegin(ctx)
	if err != nil {
		return 0, err
	}
	if name != method {
		return 0, fmt.Errorf("reply to %s names %s", method, name)
	}
	return typ, nil
}
