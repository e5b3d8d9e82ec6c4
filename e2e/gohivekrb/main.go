//go:build kerberos

package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/beltran/gohive"
)

func main() {
	host := flag.String("host", "localhost", "gateway host (also the service principal's host)")
	port := flag.Int("port", 10009, "gateway port")
	http := flag.Bool("http", false, "HTTP transport (SPNEGO)")
	service := flag.String("service", "hive", "service part of the server principal")
	var confs multi
	flag.Var(&confs, "conf", "session configuration k=v (repeatable)")
	flag.Parse()
	cfg := gohive.NewConnectConfiguration()
	cfg.Service = *service
	cfg.HiveConfiguration = map[string]string{}
	for _, kv := range confs {
		k, v, _ := strings.Cut(kv, "=")
		cfg.HiveConfiguration[k] = v
	}
	if *http {
		cfg.TransportMode, cfg.HTTPPath = "http", "cliservice"
	}
	conn, err := gohive.Connect(*host, *port, "KERBEROS", cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, "connect:", err)
		os.Exit(1)
	}
	defer conn.Close()
	for _, q := range flag.Args() {
		cur := conn.Cursor()
		cur.Exec(context.Background(), q)
		if cur.Err != nil {
			fmt.Fprintln(os.Stderr, "query:", cur.Err)
			os.Exit(1)
		}
		for cur.HasMore(context.Background()) {
			row := cur.RowMap(context.Background())
			if cur.Err != nil {
				fmt.Fprintln(os.Stderr, "fetch:", cur.Err)
				os.Exit(1)
			}
			for _, v := range row {
				fmt.Println(v)
			}
		}
		cur.Close()
	}
}

type multi []string

func (m *multi) String() string     { return strings.Join(*m, ",") }
func (m *multi) Set(v string) error { *m = append(*m, v); return nil }
