package main

import (
	"fmt"
	"strconv"
	"time"

	"github.com/kitsune-sql/kitsune/thrift/client"
	tcli "github.com/kitsune-sql/kitsune/thrift/gen/tcliservice"
	"github.com/kitsune-sql/kitsune/thrift/status"
)

// measureSessions opens o.sessions idle sessions over o.users users, each
// on a client connection of its own as JDBC clients have them, measures
// the gateway's memory per session, then runs one statement through each
// and checks its answer.
func measureSessions(g *gateway, o options, t *table) error {
	type sess struct {
		c  *client.Client
		sh *tcli.TSessionHandle
	}
	pid := g.cmd.Process.Pid
	// Each user's engine is warm first: memory per session is the
	// session's, not a launch's.
	for u := range o.users {
		c, sh, err := open(bg, g.addr, fmt.Sprintf("idle%d", u), "x")
		if err != nil {
			return err
		}
		_, _ = c.CloseSession(bg, &tcli.TCloseSessionReq{SessionHandle: sh})
		c.Close()
	}
	time.Sleep(300 * time.Millisecond)
	before := memoryOf(pid).rss
	all := make([]sess, 0, o.sessions)
	defer func() {
		for _, s := range all {
			_, _ = s.c.CloseSession(bg, &tcli.TCloseSessionReq{SessionHandle: s.sh})
			s.c.Close()
		}
	}()
	for i := range o.sessions {
		c, sh, err := open(bg, g.addr, fmt.Sprintf("idle%d", i%o.users), "x")
		if err != nil {
			return fmt.Errorf("session %d of %d: %w", i+1, o.sessions, err)
		}
		all = append(all, sess{c, sh})
	}
	time.Sleep(300 * time.Millisecond)
	after := memoryOf(pid).rss
	wrong := 0
	for i, s := range all {
		if v, err := selectValue(s.c, s.sh, i); err != nil || v != strconv.Itoa(i) {
			wrong++
		}
	}
	t.row(fmt.Sprintf("memory per idle session (%d sessions, %d users)", o.sessions, o.users),
		fmt.Sprintf("%.1f KB", float64(after-before)/float64(o.sessions)/1e3), "-", "-", "<= 32 KB")
	t.row(fmt.Sprintf("sessions with a correct statement through each (%d)", o.sessions),
		fmt.Sprintf("%d of %d, %d wrong", o.sessions-wrong, o.sessions, wrong), "-", "-", "10 000, 0 wrong")
	return nil
}

// selectValue runs SELECT i and returns the value it answered.
func selectValue(c *client.Client, sh *tcli.TSessionHandle, i int) (string, error) {
	r, err := c.ExecuteStatement(bg, &tcli.TExecuteStatementReq{SessionHandle: sh, Statement: fmt.Sprintf("SELECT %d AS v", i)})
	if err == nil {
		err = status.AsError(r.Status)
	}
	if err != nil {
		return "", err
	}
	defer func() { _, _ = c.CloseOperation(bg, &tcli.TCloseOperationReq{OperationHandle: r.OperationHandle}) }()
	fr, err := c.FetchResults(bg, &tcli.TFetchResultsReq{OperationHandle: r.OperationHandle, Orientation: tcli.TFetchOrientation_FETCH_NEXT, MaxRows: 10})
	if err == nil {
		err = status.AsError(fr.Status)
	}
	if err != nil {
		return "", err
	}
	cols := fr.GetResults().GetColumns()
	if len(cols) != 1 || cols[0].I32Val == nil || len(cols[0].I32Val.Values) != 1 {
		return "", fmt.Errorf("unexpected result %v", fr.GetResults())
	}
	return strconv.Itoa(int(cols[0].I32Val.Values[0])), nil
}
