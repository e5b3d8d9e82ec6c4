package server

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"go.uber.org/zap"

	"github.com/kitsune-sql/kitsune/auth"
	"github.com/kitsune-sql/kitsune/conf"
	"github.com/kitsune-sql/kitsune/thrift/serve"
)

// authParts are the gateway's authenticators: passwords (NONE, LDAP), the
// Kerberos acceptors (SASL GSSAPI; HTTP SPNEGO) and the kinit loop.
type authParts struct {
	passwords   auth.Authenticator
	krb, spnego *auth.Kerberos
	kinit       *auth.Kinit
}

func (a *authParts) password() serve.Authenticator {
	if a.passwords == nil {
		return nil
	}
	return a.passwords
}

func (a *authParts) principal() string {
	if a.krb == nil {
		return ""
	}
	return a.krb.Principals()[0]
}

func buildAuth(cfg *conf.Config, lg *zap.Logger) (*authParts, error) {
	l := cfg.LDAP
	authn, err := auth.New(cfg.Authentication, auth.LDAPConfig{URL: l.URL, BaseDN: l.BaseDN, UserDNPattern: l.UserDNPattern, GUIDKey: l.GUIDKey,
		BindDN: l.BindDN, BindPassword: l.BindPassword, GroupFilter: l.GroupFilter, StartTLS: l.StartTLS, CacheTTL: l.CacheTTL}, lg)
	if err != nil {
		return nil, err
	}
	a := &authParts{passwords: authn}
	if a.krb, a.spnego, err = kerberosAcceptors(cfg); err != nil {
		return nil, err
	}
	k := cfg.Kerberos
	if p, kt := k.KinitPrincipal, k.KinitKeytab; p != "" || kt != "" {
		if p == "" || kt == "" {
			return nil, fmt.Errorf("kitsune.kinit.principal and kitsune.kinit.keytab go together: set both")
		}
		if p, err = auth.ServicePrincipal(p, cfg.BindHost); err != nil {
			return nil, err
		}
		a.kinit = auth.NewKinit(auth.KinitConfig{Principal: p, Keytab: kt, Interval: k.KinitInterval, MaxAttempts: k.KinitMaxAttempts}, lg)
		if err := a.kinit.Login(context.Background()); err != nil {
			return nil, err
		}
	}
	return a, nil
}

// kerberosAcceptors builds the Kerberos acceptors when KERBEROS is among
// the authentication methods: one for SASL GSSAPI (the service principal)
// and one for HTTP (the service principal and the SPNEGO principal).
func kerberosAcceptors(cfg *conf.Config) (*auth.Kerberos, *auth.Kerberos, error) {
	k := cfg.Kerberos
	if qop := k.SASLQop; !strings.EqualFold(qop, "auth") {
		return nil, nil, fmt.Errorf("kitsune.authentication.sasl.qop=%s is not supported: only auth is; protect the traffic with TLS (kitsune.frontend.ssl.keystore) instead", qop)
	}
	if !slices.Contains(cfg.Authentication, "KERBEROS") {
		return nil, nil, nil
	}
	principal, keytab := k.Principal, k.Keytab
	if principal == "" {
		principal = k.KinitPrincipal
	}
	if keytab == "" {
		keytab = k.KinitKeytab
	}
	if principal == "" || keytab == "" {
		return nil, nil, fmt.Errorf("kitsune.authentication=KERBEROS needs kitsune.authentication.kerberos.principal (e.g. hive/_HOST@EXAMPLE.COM) and kitsune.authentication.kerberos.keytab")
	}
	principal, err := auth.ServicePrincipal(principal, cfg.BindHost)
	if err != nil {
		return nil, nil, err
	}
	_, realm, _ := strings.Cut(principal, "@")
	rules, err := auth.ParsePrincipalRules(k.PrincipalRules, realm)
	if err != nil {
		return nil, nil, err
	}
	skew := k.MaxClockSkew
	services := []auth.KerberosService{{Principal: principal, Keytab: keytab}}
	if p := k.SPNEGOPrincipal; p != "" {
		kt := k.SPNEGOKeytab
		if kt == "" {
			return nil, nil, fmt.Errorf("kitsune.authentication.spnego.principal needs kitsune.authentication.spnego.keytab")
		}
		if p, err = auth.ServicePrincipal(p, cfg.BindHost); err != nil {
			return nil, nil, err
		}
		services = append(services, auth.KerberosService{Principal: p, Keytab: kt})
	}
	spnego, err := auth.NewKerberos(auth.KerberosConfig{Services: services, MaxClockSkew: skew, Rules: rules})
	if err != nil {
		return nil, nil, err
	}
	return spnego.Primary(), spnego, nil
}
