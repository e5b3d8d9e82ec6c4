package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/kitsune-sql/kitsune/auth"
	"github.com/kitsune-sql/kitsune/server/rest"
)

// restCtl is `kitsune ctl`'s REST side (kyuubi-ctl's batch, session,
// operation and refresh commands): calls to a gateway's /api/v1 with
// Basic credentials or Kerberos (SPNEGO), as beeline authenticates.
type restCtl struct {
	*ctl
	base                 string
	user, pass           string
	principal, proxyUser string
	client               *http.Client
	// batch filters and log paging.
	batchType, batchState, batchUser, batchName string
	from, size                                  int
	file                                        string
}

// restCommands are the commands that go to the REST API.
func (r *restCtl) commands() map[string]func(context.Context) error {
	return map[string]func(context.Context) error{
		"create batch": r.createBatch, "list batch": r.listBatches, "get batch": r.getBatch, "log batch": r.logBatch,
		"delete batch": r.deleteBatch, "list session": r.listSessions, "delete session": r.deleteSession,
		"list operation": r.listOperations, "refresh config": r.refreshConfig,
	}
}

func newRESTClient(caFile string) (*http.Client, error) {
	c := &http.Client{Timeout: 60 * time.Second}
	if caFile == "" {
		return c, nil
	}
	pem, err := os.ReadFile(caFile)
	if err != nil {
		return nil, fmt.Errorf("--ca: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("--ca %s holds no PEM certificate", caFile)
	}
	c.Transport = &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}
	return c, nil
}

// call sends one request and decodes a 200 answer into out; any other
// answer is an error with the gateway's message.
func (r *restCtl) call(ctx context.Context, method, path string, query url.Values, body, out any) error {
	if r.proxyUser != "" {
		if query == nil {
			query = url.Values{}
		}
		query.Set("proxyUser", r.proxyUser)
	}
	u := strings.TrimRight(r.base, "/") + "/api/v1" + path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	var in io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		in = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, in)
	if err != nil {
		return fmt.Errorf("--rest-url %s: %w", r.base, err)
	}
	req.Header.Set("Content-Type", "application/json")
	if err := r.authorize(req); err != nil {
		return err
	}
	resp, err := r.client.Do(req)
	if err != nil {
		return fmt.Errorf("the REST API at %s does not answer: %w", r.base, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		var e struct {
			Message   string `json:"message"`
			ErrorCode int32  `json:"errorCode"`
		}
		if json.Unmarshal(b, &e) == nil && e.Message != "" {
			return fmt.Errorf("%s %s: %s (HTTP %d, code %d)", method, path, e.Message, resp.StatusCode, e.ErrorCode)
		}
		return fmt.Errorf("%s %s: HTTP %d: %s", method, path, resp.StatusCode, strings.TrimSpace(string(b)))
	}
	switch v := out.(type) {
	case nil:
		return nil
	case *string:
		*v = string(b)
		return nil
	default:
		return json.Unmarshal(b, out)
	}
}

// authorize sets the credentials: Kerberos when a server principal is
// given (the ticket cache, as beeline), else Basic.
func (r *restCtl) authorize(req *http.Request) error {
	if r.principal != "" {
		k, err := auth.NewKerberosInitiator(strings.ReplaceAll(r.principal, "_HOST", strings.ToLower(req.URL.Hostname())))
		if err != nil {
			return err
		}
		tok, err := k.SPNEGOToken()
		if err != nil {
			return err
		}
		req.Header.Set("Authorization", "Negotiate "+base64.StdEncoding.EncodeToString(tok))
		return nil
	}
	user := r.user
	if user == "" {
		user = os.Getenv("USER")
	}
	req.SetBasicAuth(user, r.pass)
	return nil
}

// batchFile is kyuubi-ctl's batch.yaml.
type batchFile struct {
	APIVersion string `yaml:"apiVersion"`
	Username   string `yaml:"username"`
	Request    struct {
		BatchType string            `yaml:"batchType" json:"batchType"`
		Name      string            `yaml:"name" json:"name"`
		Resource  string            `yaml:"resource" json:"resource"`
		ClassName string            `yaml:"className" json:"className"`
		Args      []string          `yaml:"args" json:"args"`
		Configs   map[string]string `yaml:"configs" json:"conf"`
	} `yaml:"request"`
}

func (r *restCtl) showBatches(bs []rest.Batch) error {
	return show(r.stdout, r.output, bs, []string{"ID", "USER", "TYPE", "NAME", "STATE", "APP ID", "APP STATE", "GATEWAY"}, func(i int) []string {
		b := bs[i]
		return []string{b.ID, b.User, b.BatchType, b.Name, b.State, b.AppID, b.AppState, b.KyuubiInstance}
	}, len(bs))
}

func (r *restCtl) createBatch(ctx context.Context) error {
	if r.file == "" {
		return fmt.Errorf("usage: kitsune ctl create batch -f batch.yaml")
	}
	raw, err := os.ReadFile(r.file)
	if err != nil {
		return err
	}
	var f batchFile
	if err := yaml.Unmarshal(raw, &f); err != nil {
		return fmt.Errorf("%s is not a batch file (apiVersion, username, request: batchType, resource, className, args, configs): %w", r.file, err)
	}
	if f.Username != "" && r.user == "" {
		r.user = f.Username
	}
	var b rest.Batch
	if err := r.call(ctx, "POST", "/batches", nil, f.Request, &b); err != nil {
		return err
	}
	return r.showBatches([]rest.Batch{b})
}

func (r *restCtl) listBatches(ctx context.Context) error {
	q := url.Values{}
	for k, v := range map[string]string{"batchType": r.batchType, "batchState": r.batchState, "batchUser": r.batchUser, "batchName": r.batchName} {
		if v != "" {
			q.Set(k, v)
		}
	}
	q.Set("from", strconv.Itoa(max(r.from, 0)))
	q.Set("size", strconv.Itoa(r.size))
	var page rest.GetBatchesResponse
	if err := r.call(ctx, "GET", "/batches", q, nil, &page); err != nil {
		return err
	}
	return r.showBatches(page.Batches)
}

func (r *restCtl) getBatch(ctx context.Context) error {
	id, err := r.one("get batch <id>")
	if err != nil {
		return err
	}
	var b rest.Batch
	if err := r.call(ctx, "GET", "/batches/"+url.PathEscape(id), nil, nil, &b); err != nil {
		return err
	}
	return r.showBatches([]rest.Batch{b})
}

func (r *restCtl) logBatch(ctx context.Context) error {
	id, err := r.one("log batch <id> [--from N] [--size N]")
	if err != nil {
		return err
	}
	var log rest.OperationLog
	q := url.Values{"from": {strconv.Itoa(r.from)}, "size": {strconv.Itoa(r.size)}}
	if err := r.call(ctx, "GET", "/batches/"+url.PathEscape(id)+"/localLog", q, nil, &log); err != nil {
		return err
	}
	if r.output == "json" {
		return show(r.stdout, "json", log.LogRowSet, nil, nil, len(log.LogRowSet))
	}
	for _, l := range log.LogRowSet {
		fmt.Fprintln(r.stdout, l)
	}
	return nil
}

func (r *restCtl) deleteBatch(ctx context.Context) error {
	id, err := r.one("delete batch <id>")
	if err != nil {
		return err
	}
	var res rest.CloseBatchResponse
	if err := r.call(ctx, "DELETE", "/batches/"+url.PathEscape(id), nil, nil, &res); err != nil {
		return err
	}
	if !res.Success {
		return fmt.Errorf("batch %s was not canceled: %s", id, res.Msg)
	}
	fmt.Fprintln(r.stdout, res.Msg)
	return nil
}

func (r *restCtl) listSessions(ctx context.Context) error {
	var ss []rest.SessionData
	if err := r.call(ctx, "GET", "/admin/sessions", nil, nil, &ss); err != nil {
		return err
	}
	return show(r.stdout, r.output, ss, []string{"SESSION", "USER", "ADDRESS", "ENGINE", "CREATED", "OPERATIONS"}, func(i int) []string {
		s := ss[i]
		return []string{s.Identifier, s.User, s.IPAddr, s.EngineID, time.UnixMilli(s.CreateTime).UTC().Format(time.RFC3339), strconv.Itoa(s.TotalOperations)}
	}, len(ss))
}

func (r *restCtl) deleteSession(ctx context.Context) error {
	id, err := r.one("delete session <id>")
	if err != nil {
		return err
	}
	var msg string
	if err := r.call(ctx, "DELETE", "/admin/sessions/"+url.PathEscape(id), nil, nil, &msg); err != nil {
		return err
	}
	fmt.Fprintln(r.stdout, msg)
	return nil
}

func (r *restCtl) listOperations(ctx context.Context) error {
	var ops []rest.OperationData
	if err := r.call(ctx, "GET", "/admin/operations", nil, nil, &ops); err != nil {
		return err
	}
	return show(r.stdout, r.output, ops, []string{"OPERATION", "USER", "STATE", "SESSION", "STATEMENT"}, func(i int) []string {
		o := ops[i]
		return []string{o.Identifier, o.SessionUser, o.State, o.SessionID, o.Statement}
	}, len(ops))
}

func (r *restCtl) refreshConfig(ctx context.Context) error {
	what, err := r.one("refresh config user_defaults_conf|unlimited_users|deny_users|deny_ips")
	if err != nil {
		return err
	}
	var msg string
	if err := r.call(ctx, "POST", "/admin/refresh/"+url.PathEscape(what), nil, nil, &msg); err != nil {
		return err
	}
	fmt.Fprintln(r.stdout, msg)
	return nil
}
