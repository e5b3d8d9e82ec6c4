package beeline

import (
	"fmt"
	"net"
	"strconv"
	"strings"
)

// URL is a parsed jdbc:hive2:// URL:
// jdbc:hive2://host:port/db;sessionVars?hiveConfs#hiveVars.
type URL struct {
	Host     string
	Port     int
	Database string
	// Session holds the ;k=v session variables (transportMode, httpPath,
	// user, password, auth, ssl, …).
	Session  map[string]string
	HiveConf map[string]string
	HiveVar  map[string]string
}

// ParseURL parses a Hive JDBC URL.
func ParseURL(raw string) (*URL, error) {
	rest, ok := strings.CutPrefix(strings.TrimSpace(raw), "jdbc:hive2://")
	if !ok {
		return nil, fmt.Errorf("URL %q must start with jdbc:hive2://", raw)
	}
	u := &URL{Port: 10009, Database: "default", Session: map[string]string{}, HiveConf: map[string]string{}, HiveVar: map[string]string{}}
	if i := strings.IndexByte(rest, '#'); i >= 0 {
		parseKV(rest[i+1:], "&;", u.HiveVar)
		rest = rest[:i]
	}
	if i := strings.IndexByte(rest, '?'); i >= 0 {
		parseKV(rest[i+1:], "&;", u.HiveConf)
		rest = rest[:i]
	}
	hostPort, path, _ := strings.Cut(rest, "/")
	if i := strings.IndexByte(hostPort, ';'); i >= 0 { // jdbc:hive2://h:p;k=v
		path = hostPort[i:] + path
		hostPort = hostPort[:i]
	}
	db, sess, _ := strings.Cut(path, ";")
	if db != "" {
		u.Database = db
	}
	parseKV(sess, ";", u.Session)
	if hostPort == "" {
		hostPort = "127.0.0.1"
	}
	if strings.Contains(hostPort, ",") { // a ZooKeeper quorum
		u.Host, u.Port = hostPort, 0
	} else if h, p, err := net.SplitHostPort(hostPort); err == nil {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return nil, fmt.Errorf("URL %q: bad port %q (1 to 65535)", raw, p)
		}
		u.Host, u.Port = h, n
	} else {
		u.Host = hostPort
	}
	if strings.EqualFold(u.Session["transportMode"], "http") && !strings.Contains(hostPort, ":") {
		u.Port = 10010
	}
	return u, nil
}

func parseKV(s, seps string, into map[string]string) {
	for _, part := range strings.FieldsFunc(s, func(r rune) bool { return strings.ContainsRune(seps, r) }) {
		k, v, _ := strings.Cut(part, "=")
		if k = strings.TrimSpace(k); k != "" {
			into[k] = strings.TrimSpace(v)
		}
	}
}

// Addr is host:port.
func (u *URL) Addr() string { return net.JoinHostPort(u.Host, strconv.Itoa(u.Port)) }

// HTTP reports whether the URL asks for the HTTP transport, and its path.
func (u *URL) HTTP() (bool, string) {
	if !strings.EqualFold(u.Session["transportMode"], "http") {
		return false, ""
	}
	p := strings.Trim(u.Session["httpPath"], "/")
	if p == "" {
		p = "cliservice"
	}
	return true, p
}
