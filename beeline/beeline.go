package beeline

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"time"

	"go.uber.org/zap"

	"github.com/kitsune-sql/kitsune/discovery"
	"github.com/kitsune-sql/kitsune/discovery/connect"

	"github.com/kitsune-sql/kitsune/auth"
	"github.com/kitsune-sql/kitsune/thrift/client"
	tcli "github.com/kitsune-sql/kitsune/thrift/gen/tcliservice"
	"github.com/kitsune-sql/kitsune/thrift/status"
)

// Options are the parsed command-line flags.
type Options struct {
	URL          string
	User         string
	Password     string
	Exec         []string
	File         string
	OutputFormat string
	Silent       bool
	ShowHeader   bool
	HiveConf     map[string]string
	HiveVar      map[string]string
}

type kvFlag map[string]string

func (m kvFlag) String() string { return "" }
func (m kvFlag) Set(v string) error {
	k, val, ok := strings.Cut(v, "=")
	if !ok {
		return fmt.Errorf("expected key=value, got %q", v)
	}
	m[k] = val
	return nil
}

type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ";") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

// ParseArgs parses Beeline-style flags.
func ParseArgs(args []string, stderr io.Writer) (*Options, error) {
	o := &Options{HiveConf: map[string]string{}, HiveVar: map[string]string{}}
	fs := flag.NewFlagSet("beeline", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.URL, "u", "", "JDBC URL: jdbc:hive2://host:port/db;k=v?hiveconf#hivevar")
	fs.StringVar(&o.User, "n", "", "user name")
	fs.StringVar(&o.Password, "p", "", "password")
	fs.Var((*listFlag)(&o.Exec), "e", "SQL to run (repeatable)")
	fs.StringVar(&o.File, "f", "", "SQL script to run")
	fs.StringVar(&o.OutputFormat, "outputformat", "table", "table, csv, tsv, json or vertical")
	fs.BoolVar(&o.Silent, "silent", false, "print only results")
	fs.BoolVar(&o.ShowHeader, "showHeader", true, "print column names")
	fs.Var(kvFlag(o.HiveConf), "hiveconf", "key=value session configuration (repeatable)")
	fs.Var(kvFlag(o.HiveVar), "hivevar", "key=value variable (repeatable)")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if o.URL == "" {
		return nil, errors.New("-u jdbc:hive2://host:port/db is required")
	}
	return o, nil
}

// Run is `kitsune beeline`: it returns the process exit status.
func Run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	o, err := ParseArgs(args, stderr)
	if err != nil {
		fmt.Fprintln(stderr, "Error:", err)
		return 1
	}
	ctx := context.Background()
	b, err := Connect(ctx, o, stdout, stderr)
	if err != nil {
		fmt.Fprintln(stderr, "Error:", err)
		return 1
	}
	defer b.Close()
	switch {
	case len(o.Exec) > 0:
		for _, e := range o.Exec {
			if err := b.RunScript(ctx, e); err != nil {
				return 2
			}
		}
	case o.File != "":
		script, err := os.ReadFile(o.File)
		if err != nil {
			fmt.Fprintln(stderr, "Error:", err)
			return 1
		}
		if err := b.RunScript(ctx, string(script)); err != nil {
			return 2
		}
	default:
		return b.Interactive(ctx, stdin)
	}
	return 0
}

// Beeline is one connected client session.
type Beeline struct {
	opts   *Options
	url    *URL
	c      *client.Client
	sh     *tcli.TSessionHandle
	proto  tcli.TProtocolVersion
	out    io.Writer
	errw   io.Writer
	prompt string
}

// Connect opens a session as the URL and options say.
func Connect(ctx context.Context, o *Options, stdout, stderr io.Writer) (*Beeline, error) {
	u, err := ParseURL(o.URL)
	if err != nil {
		return nil, err
	}
	user := o.User
	if user == "" {
		user = u.Session["user"]
	}
	if user == "" {
		user = os.Getenv("USER")
	}
	pass := o.Password
	if pass == "" {
		pass = u.Session["password"]
	}
	addr := u.Addr()
	if mode := u.Session["serviceDiscoveryMode"]; strings.EqualFold(mode, "zooKeeper") || strings.EqualFold(mode, "etcd") {
		if addr, err = discover(u); err != nil {
			return nil, err
		}
	}
	copts := client.Options{Addr: addr, User: user, Password: pass, Timeout: 30 * time.Second,
		NoSASL: strings.EqualFold(u.Session["auth"], "noSasl")}
	if isHTTP, path := u.HTTP(); isHTTP {
		copts.HTTPPath = path
	}
	if strings.EqualFold(u.Session["ssl"], "true") {
		tc := &tls.Config{MinVersion: tls.VersionTLS12, ServerName: strings.Split(addr, ":")[0]}
		if ts := u.Session["sslTrustStore"]; ts != "" {
			pem, err := os.ReadFile(ts)
			if err != nil {
				return nil, fmt.Errorf("sslTrustStore: %w", err)
			}
			tc.RootCAs = x509.NewCertPool()
			if !tc.RootCAs.AppendCertsFromPEM(pem) {
				return nil, fmt.Errorf("sslTrustStore %s holds no PEM certificate", ts)
			}
		}
		copts.TLS = tc
	}
	if principal := u.Session["principal"]; principal != "" {
		// principal=hive/_HOST@REALM names the server; the user is whoever
		// the ticket cache (kinit) says.
		host, _, _ := strings.Cut(addr, ":")
		krb, err := auth.NewKerberosInitiator(strings.ReplaceAll(principal, "_HOST", strings.ToLower(host)))
		if err != nil {
			return nil, err
		}
		copts.Kerberos = krb
		user, _, _ = strings.Cut(krb.Principal(), "@")
	}
	c, err := client.Dial(ctx, copts)
	if err != nil {
		return nil, fmt.Errorf("could not open connection to %s: %w", o.URL, err)
	}
	confs := map[string]string{"use:database": u.Database}
	for k, v := range u.HiveConf {
		confs["set:hiveconf:"+k] = v
	}
	for k, v := range o.HiveConf {
		confs["set:hiveconf:"+k] = v
	}
	for k, v := range u.HiveVar {
		confs["set:hivevar:"+k] = v
	}
	for k, v := range o.HiveVar {
		confs["set:hivevar:"+k] = v
	}
	if pu := u.Session["hive.server2.proxy.user"]; pu != "" {
		confs["hive.server2.proxy.user"] = pu
	}
	resp, err := c.OpenSession(ctx, &tcli.TOpenSessionReq{ClientProtocol: tcli.TProtocolVersion_HIVE_CLI_SERVICE_PROTOCOL_V10,
		Username: &user, Password: &pass, Configuration: confs})
	if err == nil {
		err = status.AsError(resp.Status)
	}
	if err != nil {
		c.Close()
		return nil, fmt.Errorf("could not open session on %s: %w", o.URL, err)
	}
	b := &Beeline{opts: o, url: u, c: c, sh: resp.SessionHandle, proto: resp.ServerProtocolVersion, out: stdout, errw: stderr,
		prompt: "0: " + strings.SplitN(o.URL, ";", 2)[0] + "> "}
	if !o.Silent {
		fmt.Fprintf(stderr, "Connected to: kitsune at %s as %s\n", addr, user)
	}
	return b, nil
}

// Close ends the session and the connection.
func (b *Beeline) Close() {
	_, _ = b.c.CloseSession(context.Background(), &tcli.TCloseSessionReq{SessionHandle: b.sh})
	b.c.Close()
}

// RunScript runs every statement of script in order and stops at the first
// error, which it prints as Beeline does.
func (b *Beeline) RunScript(ctx context.Context, script string) error {
	for _, stmt := range SplitStatements(script) {
		if err := b.Execute(ctx, stmt); err != nil {
			var se *status.Error
			if errors.As(err, &se) {
				fmt.Fprintf(b.errw, "Error: %s (state=%s,code=%d)\n", se.Message, se.SQLState, se.Code)
			} else {
				fmt.Fprintf(b.errw, "Error: %v\n", err)
			}
			return err
		}
	}
	return nil
}

// Execute runs one statement, shows progress while it runs long, and
// prints its result.
func (b *Beeline) Execute(ctx context.Context, stmt string) error {
	start := time.Now()
	resp, err := b.c.ExecuteStatement(ctx, &tcli.TExecuteStatementReq{SessionHandle: b.sh, Statement: stmt, RunAsync: true})
	if err != nil {
		return err
	}
	if err := status.AsError(resp.Status); err != nil {
		return err
	}
	oh := resp.OperationHandle
	defer func() { _, _ = b.c.CloseOperation(context.Background(), &tcli.TCloseOperationReq{OperationHandle: oh}) }()
	lastProgress := time.Now()
	var st *tcli.TGetOperationStatusResp
	for wait := 5 * time.Millisecond; ; wait = min(wait*2, 500*time.Millisecond) {
		st, err = b.c.GetOperationStatus(ctx, &tcli.TGetOperationStatusReq{OperationHandle: oh})
		if err != nil {
			return err
		}
		if err := status.AsError(st.Status); err != nil {
			return err
		}
		s := st.GetOperationState()
		if s != tcli.TOperationState_RUNNING_STATE && s != tcli.TOperationState_PENDING_STATE && s != tcli.TOperationState_INITIALIZED_STATE {
			break
		}
		if !b.opts.Silent && time.Since(lastProgress) > 2*time.Second {
			fmt.Fprintf(b.errw, "INFO  : still running (%s elapsed)\n", time.Since(start).Round(time.Second))
			lastProgress = time.Now()
		}
		time.Sleep(wait)
	}
	if st.GetOperationState() != tcli.TOperationState_FINISHED_STATE {
		msg := st.GetErrorMessage()
		if msg == "" {
			msg = "statement ended in " + st.GetOperationState().String()
		}
		return &status.Error{SQLState: st.GetSqlState(), Code: st.GetErrorCode(), Message: msg}
	}
	// As Beeline (Hive JDBC's HiveStatement.execute): the handle in the
	// ExecuteStatement reply says whether there are rows to print.
	if !oh.GetHasResultSet() {
		if !b.opts.Silent {
			fmt.Fprintf(b.errw, "No rows affected (%.3f seconds)\n", time.Since(start).Seconds())
		}
		return nil
	}
	md, err := b.c.GetResultSetMetadata(ctx, &tcli.TGetResultSetMetadataReq{OperationHandle: oh})
	if err != nil {
		return err
	}
	if err := status.AsError(md.Status); err != nil {
		return err
	}
	var cols []string
	for _, c := range md.GetSchema().GetColumns() {
		cols = append(cols, c.ColumnName)
	}
	f, err := newFormatter(b.opts.OutputFormat, b.out, b.opts.ShowHeader)
	if err != nil {
		return err
	}
	f.header(cols)
	n := 0
	for {
		fr, err := b.c.FetchResults(ctx, &tcli.TFetchResultsReq{OperationHandle: oh, Orientation: tcli.TFetchOrientation_FETCH_NEXT, MaxRows: 10000})
		if err != nil {
			return err
		}
		if err := status.AsError(fr.Status); err != nil {
			return err
		}
		batch := rows(fr.Results)
		for _, r := range batch {
			f.row(r)
		}
		n += len(batch)
		if len(batch) == 0 || !fr.GetHasMoreRows() {
			break
		}
	}
	f.end()
	if !b.opts.Silent {
		fmt.Fprintf(b.errw, "%d row%s selected (%.3f seconds)\n", n, map[bool]string{true: "", false: "s"}[n == 1], time.Since(start).Seconds())
	}
	return nil
}

func exitCode(failed bool) int {
	if failed {
		return 2
	}
	return 0
}

// discover picks a live gateway at random from ZooKeeper, as Hive JDBC does
// for serviceDiscoveryMode=zooKeeper; the URL's host list is the quorum
// (with serviceDiscoveryMode=etcd, the etcd endpoints).
func discover(u *URL) (string, error) {
	quorum := strings.Split(u.Host, ",")
	if u.Port != 0 && !strings.Contains(quorum[len(quorum)-1], ":") {
		quorum[len(quorum)-1] += ":" + strconv.Itoa(u.Port)
	}
	class := connect.ZooKeeper
	if strings.EqualFold(u.Session["serviceDiscoveryMode"], "etcd") {
		class = connect.Etcd
	}
	c, err := connect.Open(connect.Config{Class: class, Addresses: quorum, SessionTimeout: 10 * time.Second, LeaseTTL: 10 * time.Second,
		ConnectTimeout: 10 * time.Second}, zap.NewNop())
	if err != nil {
		return "", err
	}
	defer c.Close()
	ns := u.Session["zooKeeperNamespace"]
	if ns == "" {
		ns = "kitsune"
	}
	servers, err := discovery.NewRegistry(c, ns).Servers(context.Background())
	if err != nil {
		return "", fmt.Errorf("list gateways under /%s: %w", ns, err)
	}
	if len(servers) == 0 {
		return "", fmt.Errorf("no gateway registered under /%s in ZooKeeper %s (zooKeeperNamespace)", ns, u.Host)
	}
	chosen := servers[rand.IntN(len(servers))]
	if u.Session["principal"] == "" {
		// A gateway publishing its configuration names its Kerberos
		// principal, as HiveServer2 does for Hive JDBC.
		if data, err := c.Get(context.Background(), chosen.Node); err == nil {
			if p := discovery.ParseName(string(data))["hive.server2.authentication.kerberos.principal"]; p != "" {
				u.Session["principal"] = p
			}
		}
	}
	return chosen.Addr(), nil
}
