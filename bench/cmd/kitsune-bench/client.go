package main

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/kitsune-sql/kitsune/thrift/client"
	tcli "github.com/kitsune-sql/kitsune/thrift/gen/tcliservice"
	"github.com/kitsune-sql/kitsune/thrift/status"
)

// The client side of the bench: what a JDBC client does for a query.

// openSpark opens a session with the Spark protocol (SPARK V8, as the
// Databricks drivers ask).
func openSpark(ctx context.Context, addr, user, password string) (*client.Client, *tcli.TSessionHandle, error) {
	v := int64(tcli.TProtocolVersion_SPARK_CLI_SERVICE_PROTOCOL_V8)
	return openWith(ctx, addr, password, &tcli.TOpenSessionReq{ClientProtocol: -7, ClientProtocolI64: &v, Username: &user})
}

// directCycle is a SELECT 1 with direct results; it returns the round
// trips it took (1 when the reply carried the rows and closed the operation).
func directCycle(ctx context.Context, c *client.Client, sh *tcli.TSessionHandle) (int, error) {
	r, err := c.ExecuteStatement(ctx, &tcli.TExecuteStatementReq{SessionHandle: sh, Statement: "SELECT 1", RunAsync: true,
		GetDirectResults: &tcli.TSparkGetDirectResults{MaxRows: 1000}})
	if err == nil {
		err = status.AsError(r.Status)
	}
	if err != nil {
		return 0, err
	}
	if d := r.DirectResults; d != nil && d.CloseOperation != nil && client.RowCount(d.ResultSet.GetResults()) == 1 {
		return 1, nil
	}
	n, err := fetchAll(ctx, c, sh, "SELECT 1")
	if n != 1 {
		return 0, fmt.Errorf("SELECT 1 answered %d rows", n)
	}
	return 4, err
}

// fetchSpark reads a whole result as columns or as Arrow batches.
func fetchSpark(ctx context.Context, c *client.Client, sh *tcli.TSessionHandle, q string, arrow bool) (int, error) {
	r, err := c.ExecuteStatement(ctx, &tcli.TExecuteStatementReq{SessionHandle: sh, Statement: q, RunAsync: false, CanReadArrowResult_: &arrow})
	if err == nil {
		err = status.AsError(r.Status)
	}
	if err != nil {
		return 0, err
	}
	oh := r.OperationHandle
	defer func() { _, _ = c.CloseOperation(ctx, &tcli.TCloseOperationReq{OperationHandle: oh}) }()
	n := 0
	for {
		fr, err := c.FetchResults(ctx, &tcli.TFetchResultsReq{OperationHandle: oh, Orientation: tcli.TFetchOrientation_FETCH_NEXT, MaxRows: 100000})
		if err != nil {
			return 0, err
		}
		if err := status.AsError(fr.Status); err != nil {
			return 0, err
		}
		got := client.RowCount(fr.Results)
		for _, b := range fr.GetResults().GetArrowBatches() {
			got += int(b.RowCount)
		}
		n += got
		if !fr.GetHasMoreRows() || got == 0 {
			return n, nil
		}
	}
}

func open(ctx context.Context, addr, user, password string) (*client.Client, *tcli.TSessionHandle, error) {
	return openWith(ctx, addr, password, &tcli.TOpenSessionReq{ClientProtocol: tcli.TProtocolVersion_HIVE_CLI_SERVICE_PROTOCOL_V10, Username: &user})
}

// openWith dials addr and opens the session req asks for.
func openWith(ctx context.Context, addr, password string, req *tcli.TOpenSessionReq) (*client.Client, *tcli.TSessionHandle, error) {
	c, err := client.Dial(ctx, client.Options{Addr: addr, User: req.GetUsername(), Password: password})
	if err != nil {
		return nil, nil, err
	}
	r, err := c.OpenSession(ctx, req)
	if err == nil {
		err = status.AsError(r.Status)
	}
	if err != nil {
		c.Close()
		return nil, nil, err
	}
	return c, r.SessionHandle, nil
}

// cycle is what a client does for one small query: execute, poll, fetch, close.
func cycle(ctx context.Context, c *client.Client, sh *tcli.TSessionHandle, q string) error {
	_, err := fetchAll(ctx, c, sh, q)
	return err
}

func fetchAll(ctx context.Context, c *client.Client, sh *tcli.TSessionHandle, q string) (int, error) {
	r, err := c.ExecuteStatement(ctx, &tcli.TExecuteStatementReq{SessionHandle: sh, Statement: q, RunAsync: true})
	if err == nil {
		err = status.AsError(r.Status)
	}
	if err != nil {
		return 0, err
	}
	oh := r.OperationHandle
	for polls := 0; ; polls++ {
		st, err := c.GetOperationStatus(ctx, &tcli.TGetOperationStatusReq{OperationHandle: oh})
		if err != nil {
			return 0, err
		}
		s := st.GetOperationState()
		if s == tcli.TOperationState_FINISHED_STATE {
			break
		}
		if s != tcli.TOperationState_RUNNING_STATE && s != tcli.TOperationState_PENDING_STATE {
			return 0, fmt.Errorf("%s: %s", s, st.GetErrorMessage())
		}
		if polls > 20 { // poll at once first, as hive-driver does
			time.Sleep(time.Millisecond)
		}
	}
	n := 0
	for {
		fr, err := c.FetchResults(ctx, &tcli.TFetchResultsReq{OperationHandle: oh, Orientation: tcli.TFetchOrientation_FETCH_NEXT, MaxRows: 10000})
		if err != nil {
			return 0, err
		}
		got := client.RowCount(fr.Results)
		n += got
		if !fr.GetHasMoreRows() || got == 0 {
			break
		}
	}
	_, err = c.CloseOperation(ctx, &tcli.TCloseOperationReq{OperationHandle: oh})
	return n, err
}

func median(d []time.Duration) time.Duration {
	s := append([]time.Duration(nil), d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2]
}
