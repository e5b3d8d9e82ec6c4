package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"go.uber.org/zap"

	"github.com/kitsune-sql/kitsune/conf"
	"github.com/kitsune-sql/kitsune/discovery"
	"github.com/kitsune-sql/kitsune/discovery/connect"
	"github.com/kitsune-sql/kitsune/tenancy"
)

const ctlUsage = `usage: kitsune ctl [--zk-quorum host:port[,…] [--ha-client ZOOKEEPER|ETCD] [--namespace kitsune]] [--rest-url http://host:10099 [--username U] [--password P] [--principal HTTP/_HOST@REALM] [--ca ca.pem] [--proxy-user U]] [--output table|json] <command>

ZooKeeper commands (--zk-quorum):
  list server                      gateways registered in ZooKeeper
  list engine [--user U]           engines registered in ZooKeeper
  get server <host:port>           one gateway's registration
  get engine <user> [--subdomain S] one user's engine registrations
  delete server <host:port>        make that gateway deregister, drain and stop
  delete engine <user> [--subdomain S] [--share-level USER]
                                   make that user's engine(s) stop

REST commands (--rest-url; Basic credentials, or Kerberos with --principal):
  create batch -f batch.yaml       submit a batch job (kyuubi-ctl's batch file)
  list batch [--batch-type T] [--batch-state S] [--batch-user U] [--batch-name N] [--from N] [--size N]
  get batch <id>                   one batch and its application
  log batch <id> [--from N] [--size N]
                                   lines of the batch's spark-submit output
  delete batch <id>                cancel a batch
  list session                     every open session (administrators)
  delete session <id>              close a session (administrators)
  list operation                   every open operation (administrators)
  refresh config <user_defaults_conf|unlimited_users|deny_users|deny_ips>
                                   reload that setting from the configuration files
`

// ctlEngine is one row of `list engine`.
type ctlEngine struct {
	ShareLevel string `json:"shareLevel"`
	Type       string `json:"engineType"`
	User       string `json:"user"`
	Subdomain  string `json:"subdomain"`
	Addr       string `json:"address"`
	RefID      string `json:"refId"`
	Node       string `json:"node"`
}

// ctl is one `kitsune ctl` invocation: its connection, options and the
// positional arguments after the verb and noun.
type ctl struct {
	conn                   discovery.Conn
	reg                    *discovery.Registry
	ns, output             string
	user, subdomain, level string
	positional             []string
	stdout                 io.Writer
}

func runCtl(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("ctl", flag.ContinueOnError)
	quorum := fs.String("zk-quorum", os.Getenv("KITSUNE_HA_ADDRESSES"), "ZooKeeper quorum (kitsune.ha.addresses)")
	ns := fs.String("namespace", "kitsune", "namespace (kitsune.ha.namespace)")
	haClass := fs.String("ha-client", os.Getenv("KITSUNE_HA_CLIENT"), "discovery backend at --zk-quorum: ZOOKEEPER (default) or ETCD (kitsune.ha.client.class)")
	output := fs.String("output", "table", "table or json")
	r := &restCtl{ctl: &ctl{stdout: stdout}}
	fs.StringVar(&r.base, "rest-url", os.Getenv("KITSUNE_REST_URL"), "the gateway's REST API, e.g. http://host:10099")
	fs.StringVar(&r.user, "username", "", "user for Basic authentication")
	fs.StringVar(&r.pass, "password", "", "password for Basic authentication")
	fs.StringVar(&r.principal, "principal", "", "the gateway's Kerberos principal (HTTP/_HOST@REALM): authenticate with the ticket cache")
	fs.StringVar(&r.proxyUser, "proxy-user", "", "act as this user (the proxy-user rules apply)")
	ca := fs.String("ca", "", "PEM file of the CA that signed the gateway's certificate (https)")
	fs.Usage = func() { fmt.Fprint(os.Stderr, ctlUsage) }
	if err := fs.Parse(args); err != nil {
		return err
	}
	rest := fs.Args()
	if len(rest) < 2 {
		return errors.New(strings.TrimSpace(ctlUsage))
	}
	c := r.ctl
	c.ns, c.output = *ns, *output
	command := rest[0] + " " + rest[1]
	if err := r.parseRest(command, rest[2:]); err != nil {
		return err
	}
	if run, ok := r.commands()[command]; ok {
		if r.base == "" {
			return fmt.Errorf("%s goes to the REST API: give --rest-url http://host:10099 (or KITSUNE_REST_URL)", command)
		}
		var err error
		if r.client, err = newRESTClient(*ca); err != nil {
			return err
		}
		return run(context.Background())
	}
	commands := map[string]func(context.Context) error{
		"list server": c.listServers, "list engine": c.listEngines, "get server": c.getServer,
		"get engine": c.getEngine, "delete server": c.deleteServer, "delete engine": c.deleteEngine,
	}
	run, ok := commands[command]
	if !ok {
		return fmt.Errorf("unknown command %q\n%s", command, ctlUsage)
	}
	if *quorum == "" {
		return fmt.Errorf("%s reads ZooKeeper: give --zk-quorum host:port (or KITSUNE_HA_ADDRESSES)", command)
	}
	zc, err := connect.Open(connect.Config{Class: *haClass, Addresses: conf.SplitList(*quorum), SessionTimeout: 10 * time.Second, LeaseTTL: 10 * time.Second,
		ConnectTimeout: 10 * time.Second}, zap.NewNop())
	if err != nil {
		return err
	}
	defer zc.Close()
	c.conn, c.reg = zc, discovery.NewRegistry(zc, *ns)
	return run(context.Background())
}

// parseRest reads the options and positional arguments of a command.
func (r *restCtl) parseRest(command string, rest []string) error {
	c := r.ctl
	sub := flag.NewFlagSet("ctl "+command, flag.ContinueOnError)
	sub.StringVar(&c.user, "user", "", "only this user's engines")
	sub.StringVar(&c.subdomain, "subdomain", "", "only this subdomain")
	sub.StringVar(&c.level, "share-level", "", "only this share level")
	sub.StringVar(&r.file, "f", "", "the batch file (create batch)")
	sub.StringVar(&r.batchType, "batch-type", "", "only batches of this type")
	sub.StringVar(&r.batchState, "batch-state", "", "only batches in this state")
	sub.StringVar(&r.batchUser, "batch-user", "", "only this user's batches")
	sub.StringVar(&r.batchName, "batch-name", "", "only batches of this name")
	sub.IntVar(&r.from, "from", -1, "first batch or log line (log: -1 is the last --size lines)")
	sub.IntVar(&r.size, "size", 100, "how many batches or log lines")
	for len(rest) > 0 {
		if err := sub.Parse(rest); err != nil {
			return err
		}
		rest = sub.Args()
		if len(rest) > 0 {
			c.positional = append(c.positional, rest[0])
			rest = rest[1:]
		}
	}
	return nil
}

// one is the single positional argument a command takes.
func (c *ctl) one(usage string) (string, error) {
	if len(c.positional) != 1 {
		return "", errors.New("usage: kitsune ctl " + usage)
	}
	return c.positional[0], nil
}

func (c *ctl) showServers(servers []discovery.Server) error {
	return show(c.stdout, c.output, servers, []string{"ADDRESS", "VERSION", "NODE"}, func(i int) []string {
		return []string{servers[i].Addr(), servers[i].Version, servers[i].Node}
	}, len(servers))
}

func (c *ctl) listServers(ctx context.Context) error {
	servers, err := c.reg.Servers(ctx)
	if err != nil {
		return err
	}
	return c.showServers(servers)
}

func (c *ctl) listEngines(ctx context.Context) error {
	engines, err := listEngines(ctx, c.conn, c.ns, c.user, c.subdomain, c.level)
	if err != nil {
		return err
	}
	return show(c.stdout, c.output, engines, []string{"SHARE LEVEL", "TYPE", "USER", "SUBDOMAIN", "ADDRESS", "REF ID"}, func(i int) []string {
		e := engines[i]
		return []string{e.ShareLevel, e.Type, e.User, e.Subdomain, e.Addr, e.RefID}
	}, len(engines))
}

// serversAt are the registrations of the gateway at addr.
func (c *ctl) serversAt(ctx context.Context, addr string) ([]discovery.Server, error) {
	servers, err := c.reg.Servers(ctx)
	if err != nil {
		return nil, err
	}
	var found []discovery.Server
	for _, s := range servers {
		if s.Addr() == addr {
			found = append(found, s)
		}
	}
	if len(found) == 0 {
		return nil, fmt.Errorf("no gateway %s registered under /%s (see kitsune ctl list server)", addr, c.ns)
	}
	return found, nil
}

func (c *ctl) getServer(ctx context.Context) error {
	addr, err := c.one("get server <host:port>")
	if err != nil {
		return err
	}
	found, err := c.serversAt(ctx, addr)
	if err != nil {
		return err
	}
	return c.showServers(found)
}

// enginesOf are the registered engines of user, at least one.
func (c *ctl) enginesOf(ctx context.Context, user string) ([]ctlEngine, error) {
	engines, err := listEngines(ctx, c.conn, c.ns, user, c.subdomain, c.level)
	if err != nil {
		return nil, err
	}
	if len(engines) == 0 {
		return nil, fmt.Errorf("no engine of %s registered under namespace %s (see kitsune ctl list engine)", user, c.ns)
	}
	return engines, nil
}

func (c *ctl) getEngine(ctx context.Context) error {
	user, err := c.one("get engine <user> [--subdomain S]")
	if err != nil {
		return err
	}
	engines, err := c.enginesOf(ctx, user)
	if err != nil {
		return err
	}
	return show(c.stdout, c.output, engines, []string{"SHARE LEVEL", "TYPE", "USER", "SUBDOMAIN", "ADDRESS", "REF ID", "NODE"}, func(i int) []string {
		e := engines[i]
		return []string{e.ShareLevel, e.Type, e.User, e.Subdomain, e.Addr, e.RefID, e.Node}
	}, len(engines))
}

func (c *ctl) deleteServer(ctx context.Context) error {
	addr, err := c.one("delete server <host:port>")
	if err != nil {
		return err
	}
	found, err := c.serversAt(ctx, addr)
	if err != nil {
		return err
	}
	for _, s := range found {
		if err := c.reg.Deregister(ctx, s.Node); err != nil {
			return err
		}
		fmt.Fprintf(c.stdout, "deleted %s: the gateway drains and stops\n", s.Node)
	}
	return nil
}

func (c *ctl) deleteEngine(ctx context.Context) error {
	user, err := c.one("delete engine <user> [--subdomain S] [--share-level L]")
	if err != nil {
		return err
	}
	engines, err := c.enginesOf(ctx, user)
	if err != nil {
		return err
	}
	for _, e := range engines {
		if err := c.reg.Deregister(ctx, e.Node); err != nil {
			return err
		}
		fmt.Fprintf(c.stdout, "deleted %s: the engine stops\n", e.Node)
	}
	return nil
}

// listEngines walks the engine spaces /<ns>_<version>_<LEVEL>_<TYPE>/<user>/<subdomain>.
func listEngines(ctx context.Context, c discovery.Conn, ns, user, subdomain, level string) ([]ctlEngine, error) {
	roots, err := c.Children(ctx, "/")
	if err != nil {
		return nil, err
	}
	reg := discovery.NewRegistry(c, "")
	spaces := tenancy.Spaces{Namespace: ns}
	var out []ctlEngine
	for _, r := range roots {
		root, ok := spaces.ParseRoot(r)
		if !ok {
			continue
		}
		lvl, typ := root.ShareLevel, root.Type
		if level != "" && !strings.EqualFold(level, lvl) {
			continue
		}
		users, _ := c.Children(ctx, "/"+r)
		for _, u := range users {
			if user != "" && u != user {
				continue
			}
			subs, _ := c.Children(ctx, "/"+r+"/"+u)
			for _, sd := range subs {
				if subdomain != "" && sd != subdomain && !strings.HasPrefix(sd, subdomain+"[") {
					continue
				}
				engines, _ := reg.Engines(ctx, "/"+r+"/"+u+"/"+sd)
				for _, e := range engines {
					out = append(out, ctlEngine{ShareLevel: lvl, Type: typ, User: u, Subdomain: sd, Addr: e.Addr, RefID: e.RefID, Node: e.Node})
				}
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Node < out[j].Node })
	return out, nil
}

func show(w io.Writer, format string, v any, header []string, row func(int) []string, n int) error {
	if format == "json" {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		if n == 0 {
			_, err := fmt.Fprintln(w, "[]")
			return err
		}
		return enc.Encode(v)
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join(header, "\t"))
	for i := 0; i < n; i++ {
		fmt.Fprintln(tw, strings.Join(row(i), "\t"))
	}
	return tw.Flush()
}
