package rest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/kitsune-sql/kitsune/batch"
	"github.com/kitsune-sql/kitsune/conf"
	"github.com/kitsune-sql/kitsune/session/store"
	"github.com/kitsune-sql/kitsune/thrift/status"
)

// Batches is what /batches needs of the batch manager.
type Batches interface {
	Submit(ctx context.Context, req batch.Request) (store.Batch, bool, error)
	Get(ctx context.Context, id string) (store.Batch, error)
	List(ctx context.Context) ([]store.Batch, error)
	Log(ctx context.Context, id string, from, size int) ([]string, int, error)
	Cancel(ctx context.Context, id string) (string, error)
}

var _ Batches = (*batch.Manager)(nil)

// BatchRequest is POST /batches (the JSON body, or the batchRequest part
// of a multipart upload).
type BatchRequest struct {
	BatchType string            `json:"batchType"`
	Resource  string            `json:"resource"`
	ClassName string            `json:"className"`
	Name      string            `json:"name"`
	Conf      map[string]string `json:"conf"`
	Args      []string          `json:"args"`
}

// Batch is a batch job as Kyuubi describes it.
type Batch struct {
	ID             string            `json:"id"`
	User           string            `json:"user"`
	BatchType      string            `json:"batchType"`
	Name           string            `json:"name"`
	AppStartTime   int64             `json:"appStartTime"`
	AppID          string            `json:"appId"`
	AppURL         string            `json:"appUrl"`
	AppState       string            `json:"appState"`
	AppDiagnostic  string            `json:"appDiagnostic"`
	KyuubiInstance string            `json:"kyuubiInstance"`
	State          string            `json:"state"`
	CreateTime     int64             `json:"createTime"`
	EndTime        int64             `json:"endTime"`
	BatchInfo      map[string]string `json:"batchInfo"`
}

// GetBatchesResponse answers GET /batches.
type GetBatchesResponse struct {
	From    int     `json:"from"`
	Total   int     `json:"total"`
	Batches []Batch `json:"batches"`
}

// CloseBatchResponse answers DELETE /batches/{batchId}.
type CloseBatchResponse struct {
	Success bool   `json:"success"`
	Msg     string `json:"msg"`
}

func (h *Handler) batchRoutes() []route {
	return []route{
		{method: "POST", path: "/batches", summary: "Submit a batch job (JSON, or multipart with batchRequest and resourceFile).",
			query: []string{"proxyUser", "hive.server2.proxy.user"}, body: BatchRequest{}, resp: Batch{}, fn: h.submitBatch},
		{method: "GET", path: "/batches", summary: "Batches, filtered and paged.",
			query: []string{"batchType", "batchState", "batchUser", "batchName", "createTime", "endTime", "from", "size", "desc"},
			resp:  GetBatchesResponse{}, fn: h.listBatches},
		{method: "GET", path: "/batches/{batchId}", summary: "One batch.", resp: Batch{}, fn: h.getBatch},
		{method: "GET", path: "/batches/{batchId}/localLog", summary: "Lines of the batch's spark-submit output.", query: []string{"from", "size"},
			resp: OperationLog{}, fn: h.batchLog},
		{method: "DELETE", path: "/batches/{batchId}", summary: "Cancel a batch: its spark-submit and its application.", resp: CloseBatchResponse{}, fn: h.closeBatch},
	}
}

func (h *Handler) batches() (Batches, error) {
	if h.cfg.Batches == nil {
		return nil, notFound("batches are not served by this gateway")
	}
	return h.cfg.Batches, nil
}

func (h *Handler) submitBatch(r *http.Request, id identity) (any, error) {
	bs, err := h.batches()
	if err != nil {
		return nil, err
	}
	var q BatchRequest
	upload := ""
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/") {
		if q, upload, err = h.multipartBatch(r); err != nil {
			return nil, err
		}
	} else if err := decode(r, &q); err != nil {
		return nil, err
	}
	q.BatchType = strings.ToUpper(q.BatchType)
	if q.BatchType != "SPARK" && q.BatchType != "PYSPARK" {
		return nil, &apiError{status: http.StatusBadRequest, code: status.CodeBatchRefused, msg: fmt.Sprintf("batchType %q is not supported: use SPARK or PYSPARK", q.BatchType)}
	}
	if upload != "" {
		q.Resource = upload
	}
	if q.BatchType == "SPARK" && q.ClassName == "" {
		return nil, &apiError{status: http.StatusBadRequest, code: status.CodeBatchRefused, msg: "a SPARK batch needs className (its main class)"}
	}
	bid := ""
	for k, v := range q.Conf {
		if conf.Canonical(k) == conf.KeyBatchID {
			bid = v
		}
	}
	b, dup, err := bs.Submit(r.Context(), batch.Request{ID: bid, User: id.User, Addr: r.RemoteAddr, Type: q.BatchType, Name: q.Name,
		Resource: q.Resource, Class: q.ClassName, Conf: q.Conf, Args: q.Args})
	if err != nil {
		return nil, batchError(err)
	}
	out := batchOf(b)
	if dup {
		out.BatchInfo["kyuubi.batch.duplicated"] = "true"
	}
	return out, nil
}

// multipartBatch reads a multipart submission: the batchRequest JSON part
// and the resourceFile, kept within kitsune.batch.resource.file.max.size.
func (h *Handler) multipartBatch(r *http.Request) (BatchRequest, string, error) {
	var q BatchRequest
	max := h.cfg.MaxResourceSize
	if max <= 0 {
		return q, "", &apiError{status: http.StatusBadRequest, code: status.CodeBatchRefused,
			msg: "uploading a resource is off: set kitsune.batch.resource.file.max.size, or name a resource the cluster can read"}
	}
	mr, err := r.MultipartReader()
	if err != nil {
		return q, "", badRequest("multipart body: %v", err)
	}
	path := ""
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return q, "", badRequest("multipart body: %v", err)
		}
		switch part.FormName() {
		case "batchRequest":
			if err := json.NewDecoder(io.LimitReader(part, 1<<20)).Decode(&q); err != nil {
				return q, "", badRequest("the batchRequest part is not a batch request: %v", err)
			}
		case "resourceFile":
			if path, err = h.saveUpload(part.FileName(), io.LimitReader(part, max+1), max); err != nil {
				return q, "", err
			}
		}
	}
	if path == "" {
		return q, "", badRequest("a multipart batch needs a resourceFile part")
	}
	return q, path, nil
}

func (h *Handler) saveUpload(name string, in io.Reader, max int64) (string, error) {
	dir, err := os.MkdirTemp(h.cfg.UploadDir, "upload-")
	if err != nil {
		return "", err
	}
	path := filepath.Join(dir, filepath.Base(name))
	f, err := os.Create(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	n, err := io.Copy(f, in)
	if err != nil {
		return "", err
	}
	if n > max {
		os.RemoveAll(dir)
		return "", &apiError{status: http.StatusRequestEntityTooLarge, code: status.CodeBatchRefused,
			msg: fmt.Sprintf("the resource file is larger than kitsune.batch.resource.file.max.size (%d bytes)", max)}
	}
	return path, nil
}

func batchError(err error) error {
	var re *batch.RefusedError
	switch {
	case errors.As(err, &re):
		return &apiError{status: http.StatusBadRequest, code: status.CodeBatchRefused, msg: re.Msg}
	case errors.Is(err, batch.ErrNotFound):
		return notFound("%v", err)
	}
	return err
}

func batchOf(b store.Batch) Batch {
	return Batch{ID: b.ID, User: b.User, BatchType: b.Type, Name: b.Name, AppStartTime: millis(b.AppStart), AppID: b.AppID, AppURL: b.AppURL,
		AppState: b.AppState, AppDiagnostic: b.AppDiagnostic, KyuubiInstance: b.Gateway, State: b.State, CreateTime: millis(b.Created),
		EndTime: millis(b.Ended), BatchInfo: map[string]string{}}
}

// visibleBatch is batch id when id may see it.
func (h *Handler) visibleBatch(r *http.Request, id identity) (store.Batch, Batches, error) {
	bs, err := h.batches()
	if err != nil {
		return store.Batch{}, nil, err
	}
	b, err := bs.Get(r.Context(), r.PathValue("batchId"))
	if err != nil {
		return b, nil, batchError(err)
	}
	if !id.sees(b.User, "") {
		return b, nil, notFound("no batch %s for %s", r.PathValue("batchId"), id.User)
	}
	return b, bs, nil
}

func (h *Handler) getBatch(r *http.Request, id identity) (any, error) {
	b, _, err := h.visibleBatch(r, id)
	if err != nil {
		return nil, err
	}
	return batchOf(b), nil
}

func (h *Handler) listBatches(r *http.Request, id identity) (any, error) {
	bs, err := h.batches()
	if err != nil {
		return nil, err
	}
	all, err := bs.List(r.Context())
	if err != nil {
		return nil, err
	}
	q := r.URL.Query()
	created, _ := strconv.ParseInt(q.Get("createTime"), 10, 64)
	ended, _ := strconv.ParseInt(q.Get("endTime"), 10, 64)
	var out []Batch
	for _, b := range all {
		v := batchOf(b)
		if !id.sees(b.User, "") || !match(q.Get("batchType"), v.BatchType) || !match(q.Get("batchState"), v.State) ||
			!match(q.Get("batchUser"), v.User) || !match(q.Get("batchName"), v.Name) ||
			(created > 0 && v.CreateTime < created) || (ended > 0 && (v.EndTime == 0 || v.EndTime > ended)) {
			continue
		}
		out = append(out, v)
	}
	desc := strings.EqualFold(q.Get("desc"), "true")
	sort.SliceStable(out, func(i, j int) bool { return (out[i].CreateTime < out[j].CreateTime) != desc })
	from, err := intParam(r, "from", 0)
	if err != nil {
		return nil, err
	}
	size, err := intParam(r, "size", 100)
	if err != nil {
		return nil, err
	}
	page := out[min(from, len(out)):min(from+size, len(out))]
	if page == nil {
		page = []Batch{}
	}
	return GetBatchesResponse{From: from, Total: len(page), Batches: page}, nil
}

func match(want, got string) bool { return want == "" || strings.EqualFold(want, got) }

func (h *Handler) batchLog(r *http.Request, id identity) (any, error) {
	b, bs, err := h.visibleBatch(r, id)
	if err != nil {
		return nil, err
	}
	from, size := -1, 100
	if v := r.URL.Query().Get("from"); v != "" {
		if from, err = strconv.Atoi(v); err != nil {
			return nil, badRequest("from=%q is not a number", v)
		}
	}
	if size, err = intParam(r, "size", 100); err != nil {
		return nil, err
	}
	if b.Gateway != h.cfg.Instance {
		return h.askOwner(r, b.Gateway)
	}
	lines, _, err := bs.Log(r.Context(), b.ID, from, size)
	if err != nil {
		return nil, batchError(err)
	}
	if lines == nil {
		lines = []string{}
	}
	return OperationLog{LogRowSet: lines, RowCount: len(lines)}, nil
}

func (h *Handler) closeBatch(r *http.Request, id identity) (any, error) {
	b, bs, err := h.visibleBatch(r, id)
	if err != nil {
		return nil, err
	}
	if b.Gateway != h.cfg.Instance && !batch.Terminal(b.State) {
		return h.askOwner(r, b.Gateway)
	}
	msg, err := bs.Cancel(r.Context(), b.ID)
	if err != nil {
		var re *batch.RefusedError
		if errors.As(err, &re) {
			return CloseBatchResponse{Success: false, Msg: re.Msg}, nil
		}
		return nil, batchError(err)
	}
	return CloseBatchResponse{Success: true, Msg: msg}, nil
}
