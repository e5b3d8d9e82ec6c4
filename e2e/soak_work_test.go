//go:build e2e

package e2e

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kitsune-sql/kitsune/thrift/client"
	tcli "github.com/kitsune-sql/kitsune/thrift/gen/tcliservice"
)

// soakCallTimeout is the longest any one call may take; a call still
// running then is a hang (the worker closes its connection to free it).
const soakCallTimeout = 60 * time.Second

// heavyQuery runs for seconds, so that cancels and timeouts find it running.
const heavyQuery = "SELECT count(*) FROM range(20000) a, range(20000) b WHERE (a.id * b.id) % 7 = 3"

// soakTally counts what the workers saw.
type soakTally struct {
	statements, wrong, hangs, adopted atomic.Int64
	mu                                sync.Mutex
	errs                              map[string]int64
	wrongWhat                         []string
}

func (s *soakTally) errKind(kind string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.errs[kind]++
}

func (s *soakTally) wrongResult(what string) {
	s.wrong.Add(1)
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.wrongWhat) < 20 {
		s.wrongWhat = append(s.wrongWhat, what)
	}
}

// soakWorker is one client: a user, a transport, a connection and a session.
type soakWorker struct {
	id    int
	user  string
	http  bool
	pick  func() *gateway
	tally *soakTally
	c     *client.Client
	sh    *tcli.TSessionHandle
	rng   *rand.Rand
}

// errConnection marks a call that failed below HS2: the transport broke.
var errConnection = errors.New("connection lost")

// call runs f with a watchdog: past soakCallTimeout the connection is
// closed and the call counted as a hang.
func (w *soakWorker) call(f func(c *client.Client) error) error {
	c := w.c
	var hung atomic.Bool
	timer := time.AfterFunc(soakCallTimeout, func() { hung.Store(true); c.Close() })
	err := f(c)
	timer.Stop()
	if hung.Load() {
		w.tally.hangs.Add(1)
		w.drop()
		return fmt.Errorf("hang: %w", errConnection)
	}
	var se statusErr
	if err != nil && !errors.As(err, &se) {
		w.drop()
		return fmt.Errorf("%w: %v", errConnection, err)
	}
	return err
}

// statusErr is an HS2 error answer: clean by definition.
type statusErr struct{ st *tcli.TStatus }

func (e statusErr) Error() string { return e.st.GetSqlState() + " " + e.st.GetErrorMessage() }

func check(st *tcli.TStatus) error {
	if st.StatusCode == tcli.TStatusCode_ERROR_STATUS || st.StatusCode == tcli.TStatusCode_INVALID_HANDLE_STATUS {
		return statusErr{st}
	}
	return nil
}

// drop forgets the connection; HTTP workers keep their session handle, to
// continue on another gateway.
func (w *soakWorker) drop() {
	if w.c != nil {
		w.c.Close()
		w.c = nil
	}
	if !w.http {
		w.sh = nil
	}
}

func (w *soakWorker) connect() error {
	g := w.pick()
	addr, path := g.binAddr, ""
	if w.http {
		addr, path = g.httpAddr, "cliservice"
	}
	c, err := client.Dial(context.Background(), client.Options{Addr: addr, HTTPPath: path, User: w.user, Password: "x", Timeout: 10 * time.Second})
	if err != nil {
		return fmt.Errorf("%w: dial: %v", errConnection, err)
	}
	w.c = c
	if w.sh != nil {
		w.tally.adopted.Add(1) // an HTTP session carried to another connection
		return nil
	}
	return w.call(func(c *client.Client) error {
		r, err := c.OpenSession(context.Background(), &tcli.TOpenSessionReq{ClientProtocol: tcli.TProtocolVersion_HIVE_CLI_SERVICE_PROTOCOL_V10})
		if err != nil {
			return err
		}
		if err := check(r.Status); err != nil {
			return err
		}
		w.sh = r.SessionHandle
		return nil
	})
}

// step runs one random action and classifies its outcome.
func (w *soakWorker) step() {
	if w.c == nil {
		if err := w.connect(); err != nil {
			w.classify(err)
			time.Sleep(200 * time.Millisecond)
			return
		}
	}
	var err error
	switch n := w.rng.IntN(100); {
	case n < 55:
		err = w.countAndSum()
	case n < 75:
		err = w.longFetch(n < 60)
	case n < 85:
		err = w.cancel()
	case n < 95:
		err = w.timeout()
	default:
		err = w.closeAndReopen()
	}
	w.tally.statements.Add(1)
	w.classify(err)
}

func (w *soakWorker) classify(err error) {
	var se statusErr
	switch {
	case err == nil:
	case errors.As(err, &se):
		w.tally.errKind("hs2 " + se.st.GetSqlState() + " " + shortMessage(se.st.GetErrorMessage()))
		if se.st.StatusCode == tcli.TStatusCode_INVALID_HANDLE_STATUS || strings.HasPrefix(se.st.GetSqlState(), "08") ||
			strings.Contains(se.st.GetErrorMessage(), "session") {
			w.drop()
			w.sh = nil
		}
	case errors.Is(err, errConnection):
		w.tally.errKind("connection lost")
	default:
		w.tally.errKind("other " + shortMessage(err.Error()))
	}
}

// shortMessage keeps an error's kind, not its particulars.
func shortMessage(m string) string {
	m, _, _ = strings.Cut(m, "\n")
	for _, cut := range []string{":", "(", "'", "\""} {
		if i := strings.Index(m, cut); i > 12 {
			m = m[:i]
		}
	}
	return strings.TrimSpace(m)
}

// exec runs q synchronously (or async with a timeout) and returns the
// operation handle.
func (w *soakWorker) exec(q string, async bool, timeout int64) (*tcli.TOperationHandle, error) {
	var oh *tcli.TOperationHandle
	err := w.call(func(c *client.Client) error {
		r, err := c.ExecuteStatement(context.Background(), &tcli.TExecuteStatementReq{SessionHandle: w.sh, Statement: q, RunAsync: async, QueryTimeout: timeout})
		if err != nil {
			return err
		}
		if err := check(r.Status); err != nil {
			return err
		}
		oh = r.OperationHandle
		return nil
	})
	return oh, err
}

// fetchI64 reads every row of oh's first cols BIGINT columns.
func (w *soakWorker) fetchI64(oh *tcli.TOperationHandle, page int64, cols int, stopAfter int) ([][]int64, error) {
	out := make([][]int64, cols)
	for pages := 0; ; pages++ {
		if stopAfter > 0 && pages == stopAfter {
			w.drop() // the client goes away mid-fetch
			w.sh = nil
			return out, nil
		}
		var fr *tcli.TFetchResultsResp
		err := w.call(func(c *client.Client) error {
			var err error
			fr, err = c.FetchResults(context.Background(), &tcli.TFetchResultsReq{OperationHandle: oh, Orientation: tcli.TFetchOrientation_FETCH_NEXT, MaxRows: page})
			if err != nil {
				return err
			}
			return check(fr.Status)
		})
		if err != nil {
			return nil, err
		}
		got := 0
		for i := 0; i < cols && i < len(fr.Results.Columns); i++ {
			vals := fr.Results.Columns[i].I64Val.Values
			out[i] = append(out[i], vals...)
			got = len(vals)
		}
		if got == 0 || !fr.GetHasMoreRows() {
			return out, nil
		}
	}
}

func (w *soakWorker) closeOp(oh *tcli.TOperationHandle) {
	_ = w.call(func(c *client.Client) error {
		_, err := c.CloseOperation(context.Background(), &tcli.TCloseOperationReq{OperationHandle: oh})
		return err
	})
}

func sumTo(n int64) int64 { return n * (n - 1) / 2 }

func (w *soakWorker) countAndSum() error {
	n := 1 + w.rng.Int64N(100000)
	oh, err := w.exec(fmt.Sprintf("SELECT count(*) AS c, CAST(sum(id) AS BIGINT) AS s FROM range(%d)", n), false, 0)
	if err != nil {
		return err
	}
	cols, err := w.fetchI64(oh, 10, 2, 0)
	if err != nil {
		return err
	}
	if len(cols[0]) != 1 || len(cols[1]) != 1 || cols[0][0] != n || cols[1][0] != sumTo(n) {
		w.tally.wrongResult(fmt.Sprintf("count/sum of range(%d): %v", n, cols))
	}
	w.closeOp(oh)
	return nil
}

// longFetch reads a large result in pages and checks every row arrived
// once; with disconnect the client goes away after two pages.
func (w *soakWorker) longFetch(disconnect bool) error {
	n := 50000 + w.rng.Int64N(150000)
	oh, err := w.exec(fmt.Sprintf("SELECT id FROM range(%d)", n), false, 0)
	if err != nil {
		return err
	}
	stop := 0
	if disconnect {
		stop = 2
	}
	cols, err := w.fetchI64(oh, 5000+w.rng.Int64N(15000), 1, stop)
	if err != nil || disconnect {
		return err
	}
	var sum int64
	for _, v := range cols[0] {
		sum += v
	}
	if int64(len(cols[0])) != n || sum != sumTo(n) {
		w.tally.wrongResult(fmt.Sprintf("fetch of range(%d): %d rows, sum %d", n, len(cols[0]), sum))
	}
	w.closeOp(oh)
	return nil
}

// pollDone waits for oh to end; it returns its final state.
func (w *soakWorker) pollDone(oh *tcli.TOperationHandle) (tcli.TOperationState, error) {
	deadline := time.Now().Add(soakCallTimeout)
	for time.Now().Before(deadline) {
		var st *tcli.TGetOperationStatusResp
		err := w.call(func(c *client.Client) error {
			var err error
			st, err = c.GetOperationStatus(context.Background(), &tcli.TGetOperationStatusReq{OperationHandle: oh})
			if err != nil {
				return err
			}
			return check(st.Status)
		})
		if err != nil {
			return 0, err
		}
		switch s := st.GetOperationState(); s {
		case tcli.TOperationState_INITIALIZED_STATE, tcli.TOperationState_PENDING_STATE, tcli.TOperationState_RUNNING_STATE:
			time.Sleep(50 * time.Millisecond)
		default:
			return s, nil
		}
	}
	w.tally.hangs.Add(1)
	return 0, fmt.Errorf("hang: operation still running after %s: %w", soakCallTimeout, errConnection)
}

func (w *soakWorker) cancel() error {
	oh, err := w.exec(heavyQuery, true, 0)
	if err != nil {
		return err
	}
	time.Sleep(time.Duration(w.rng.IntN(300)) * time.Millisecond)
	if err := w.call(func(c *client.Client) error {
		r, err := c.CancelOperation(context.Background(), &tcli.TCancelOperationReq{OperationHandle: oh})
		if err != nil {
			return err
		}
		return check(r.Status)
	}); err != nil {
		return err
	}
	return w.endsIn(oh, "cancelled statement", tcli.TOperationState_CANCELED_STATE)
}

// endsIn waits for oh to end and counts a wrong result unless it finished
// or ended in want; then it closes oh.
func (w *soakWorker) endsIn(oh *tcli.TOperationHandle, what string, want tcli.TOperationState) error {
	s, err := w.pollDone(oh)
	if err != nil {
		return err
	}
	if s != want && s != tcli.TOperationState_FINISHED_STATE {
		w.tally.wrongResult(what + " ended " + s.String())
	}
	w.closeOp(oh)
	return nil
}

func (w *soakWorker) timeout() error {
	oh, err := w.exec(heavyQuery, true, 1)
	if err != nil {
		return err
	}
	return w.endsIn(oh, "statement with a 1 s timeout", tcli.TOperationState_TIMEDOUT_STATE)
}

func (w *soakWorker) closeAndReopen() error {
	err := w.call(func(c *client.Client) error {
		r, err := c.CloseSession(context.Background(), &tcli.TCloseSessionReq{SessionHandle: w.sh})
		if err != nil {
			return err
		}
		return check(r.Status)
	})
	w.drop()
	w.sh = nil
	return err
}

// finish closes the worker's session and connection.
func (w *soakWorker) finish() {
	if w.c != nil && w.sh != nil {
		_ = w.closeAndReopen()
	}
	w.drop()
}
