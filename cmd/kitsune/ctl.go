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
	"github.com/kitsune-sql/kitsune/discovery/zk"
	"github.com/kitsune-sql/kitsune/tenancy"
)

const ctlUsage = `usage: kitsune ctl --zk-quorum host:port[,…] [--namespace kitsune] [--output table|json] <command>

commands:
  list server                      gateways registered in ZooKeeper
  list engine [--user U]           engines registered in ZooKeeper
  get server <host:port>           one gateway's registration
  get engine <user> [--subdomain S] one user's engine registrations
  delete server <host:port>        make that gateway deregister, drain and stop
  delete engine <user> [--subdomain S] [--share-level USER]
                                   make that user's engine(s) stop
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

func runCtl(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("ctl", flag.ContinueOnError)
	quorum := fs.String("zk-quorum", os.Getenv("KITSUNE_HA_ADDRESSES"), "ZooKeeper quorum (kitsune.ha.addresses)")
	ns := fs.String("namespace", "kitsune", "namespace (kitsune.ha.namespace)")
	output := fs.String("output", "table", "table or json")
	fs.Usage = func() { fmt.Fprint(os.Stderr, ctlUsage) }
	if err := fs.Parse(args); err != nil {
		return err
	}
	rest := fs.Args()
	if *quorum == "" || len(rest) < 2 {
		return errors.New(strings.TrimSpace(ctlUsage))
	}
	c, err := zk.Dial(zk.Config{Addresses: conf.SplitList(*quorum), SessionTimeout: 10 * time.Second, ConnectTimeout: 10 * time.Second}, zap.NewNop())
	if err != nil {
		return err
	}
	defer c.Close()
	ctx := context.Background()
	reg := discovery.NewRegistry(c, *ns)
	sub := flag.NewFlagSet("ctl "+rest[0]+" "+rest[1], flag.ContinueOnError)
	user := sub.String("user", "", "only this user's engines")
	subdomain := sub.String("subdomain", "", "only this subdomain")
	level := sub.String("share-level", "", "only this share level")
	verb, noun := rest[0], rest[1]
	var positional []string
	rest = rest[2:]
	for len(rest) > 0 {
		if err := sub.Parse(rest); err != nil {
			return err
		}
		rest = sub.Args()
		if len(rest) > 0 {
			positional = append(positional, rest[0])
			rest = rest[1:]
		}
	}
	switch verb + " " + noun {
	case "list server":
		servers, err := reg.Servers(ctx)
		if err != nil {
			return err
		}
		return show(stdout, *output, servers, []string{"ADDRESS", "VERSION", "NODE"}, func(i int) []string {
			s := servers[i]
			return []string{s.Addr(), s.Version, s.Node}
		}, len(servers))
	case "list engine":
		engines, err := listEngines(ctx, c, *ns, *user, *subdomain, *level)
		if err != nil {
			return err
		}
		return show(stdout, *output, engines, []string{"SHARE LEVEL", "TYPE", "USER", "SUBDOMAIN", "ADDRESS", "REF ID"}, func(i int) []string {
			e := engines[i]
			return []string{e.ShareLevel, e.Type, e.User, e.Subdomain, e.Addr, e.RefID}
		}, len(engines))
	case "get server":
		if len(positional) != 1 {
			return errors.New("usage: kitsune ctl get server <host:port>")
		}
		servers, err := reg.Servers(ctx)
		if err != nil {
			return err
		}
		var found []discovery.Server
		for _, s := range servers {
			if s.Addr() == positional[0] {
				found = append(found, s)
			}
		}
		if len(found) == 0 {
			return fmt.Errorf("no gateway %s registered under /%s (see kitsune ctl list server)", positional[0], *ns)
		}
		return show(stdout, *output, found, []string{"ADDRESS", "VERSION", "NODE"}, func(i int) []string {
			return []string{found[i].Addr(), found[i].Version, found[i].Node}
		}, len(found))
	case "get engine":
		if len(positional) != 1 {
			return errors.New("usage: kitsune ctl get engine <user> [--subdomain S]")
		}
		engines, err := listEngines(ctx, c, *ns, positional[0], *subdomain, *level)
		if err != nil {
			return err
		}
		if len(engines) == 0 {
			return fmt.Errorf("no engine of %s registered under namespace %s", positional[0], *ns)
		}
		return show(stdout, *output, engines, []string{"SHARE LEVEL", "TYPE", "USER", "SUBDOMAIN", "ADDRESS", "REF ID", "NODE"}, func(i int) []string {
			e := engines[i]
			return []string{e.ShareLevel, e.Type, e.User, e.Subdomain, e.Addr, e.RefID, e.Node}
		}, len(engines))
	case "delete server":
		if len(positional) != 1 {
			return errors.New("usage: kitsune ctl delete server <host:port>")
		}
		servers, err := reg.Servers(ctx)
		if err != nil {
			return err
		}
		n := 0
		for _, s := range servers {
			if s.Addr() == positional[0] {
				if err := reg.Deregister(ctx, s.Node); err != nil {
					return err
				}
				n++
				fmt.Fprintf(stdout, "deleted %s: the gateway drains and stops\n", s.Node)
			}
		}
		if n == 0 {
			return fmt.Errorf("no gateway %s registered under /%s (see kitsune ctl list server)", positional[0], *ns)
		}
		return nil
	case "delete engine":
		if len(positional) != 1 {
			return errors.New("usage: kitsune ctl delete engine <user> [--subdomain S] [--share-level L]")
		}
		engines, err := listEngines(ctx, c, *ns, positional[0], *subdomain, *level)
		if err != nil {
			return err
		}
		if len(engines) == 0 {
			return fmt.Errorf("no engine of %s registered under namespace %s (see kitsune ctl list engine)", positional[0], *ns)
		}
		for _, e := range engines {
			if err := reg.Deregister(ctx, e.Node); err != nil {
				return err
			}
			fmt.Fprintf(stdout, "deleted %s: the engine stops\n", e.Node)
		}
		return nil
	}
	return fmt.Errorf("unknown command %q\n%s", verb+" "+noun, ctlUsage)
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
