package server

import (
	"crypto/tls"
	"fmt"
	"net"
	"net/http"
	"strconv"

	"go.uber.org/zap"

	"github.com/kitsune-sql/kitsune/conf"
	"github.com/kitsune-sql/kitsune/thrift/serve"
)

// serveConfig is how the transports serve: SASL or not, message limits,
// the HTTP cookie and the Kerberos acceptors.
func serveConfig(cfg *conf.Config, a *authParts, ha *haParts, lg *zap.Logger) (serve.Config, error) {
	keys, err := cookieKeyRing(cfg, ha.registry, ha.digest, lg)
	if err != nil {
		return serve.Config{}, err
	}
	c := cfg.Cookie
	scfg := serve.Config{NoSASL: len(cfg.Authentication) == 1 && cfg.Authentication[0] == "NOSASL",
		MaxMessageSize: cfg.MaxMessageSize, HTTPPath: cfg.HTTPPath,
		LoginTimeout: cfg.Frontend.LoginTimeout, MaxConcurrentLogins: cfg.Frontend.MaxConcurrentLogins,
		Cookie: serve.CookieConfig{Enabled: c.Enabled, Name: c.Name, MaxAge: c.MaxAge, Domain: c.Domain, Path: c.Path, HTTPOnly: c.HTTPOnly, Keys: keys}}
	if a.krb != nil {
		scfg.Kerberos, scfg.SPNEGO = a.krb, a.spnego
	}
	return scfg, nil
}

// listen opens the binary and HTTP listeners (TLS when a keystore is set).
func (s *Server) listen(cfg *conf.Config) error {
	var tlsCfg *tls.Config
	if ks := cfg.Frontend.Keystore; ks != "" {
		cert, err := tls.LoadX509KeyPair(ks, ks)
		if err != nil {
			return fmt.Errorf("kitsune.frontend.ssl.keystore=%s: a PEM file with the certificate and its key: %w", ks, err)
		}
		tlsCfg = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	}
	var err error
	if cfg.Serves("THRIFT_BINARY") {
		if s.binLn, err = net.Listen("tcp", net.JoinHostPort(cfg.BindHost, strconv.Itoa(cfg.BinaryPort))); err != nil {
			return fmt.Errorf("listen on the binary port (kitsune.frontend.thrift.binary.bind.port): %w", err)
		}
		if tlsCfg != nil {
			s.binLn = tls.NewListener(s.binLn, tlsCfg)
		}
	}
	if cfg.Serves("THRIFT_HTTP") {
		if s.httpLn, err = net.Listen("tcp", net.JoinHostPort(cfg.BindHost, strconv.Itoa(cfg.HTTPPort))); err != nil {
			if s.binLn != nil {
				s.binLn.Close()
			}
			return fmt.Errorf("listen on the HTTP port (kitsune.frontend.thrift.http.bind.port): %w", err)
		}
		if tlsCfg != nil {
			s.httpLn = tls.NewListener(s.httpLn, tlsCfg)
		}
		// A connection with no request in flight — idle keep-alive, or
		// opened and never used (gohive does that) — is closed after this.
		// A request's headers must arrive within the login timeout, so a
		// client that trickles them does not hold a connection.
		idle := cfg.Frontend.HTTPMaxIdle
		s.httpSrv = &http.Server{Handler: s.thrift, ReadHeaderTimeout: min(cfg.Frontend.LoginTimeout, idle), IdleTimeout: idle}
	}
	if cfg.Serves("REST") {
		if s.restLn, err = net.Listen("tcp", net.JoinHostPort(cfg.BindHost, strconv.Itoa(cfg.REST.Port))); err != nil {
			s.closeListeners()
			return fmt.Errorf("listen on the REST port (kitsune.frontend.rest.bind.port): %w", err)
		}
		if tlsCfg != nil {
			s.restLn = tls.NewListener(s.restLn, tlsCfg)
		}
	}
	return nil
}

// closeListeners closes the transports' listeners (a failed start).
func (s *Server) closeListeners() {
	for _, l := range []net.Listener{s.binLn, s.httpLn, s.restLn} {
		if l != nil {
			l.Close()
		}
	}
}
