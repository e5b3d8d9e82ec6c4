package rest

import (
	"fmt"
	"io"
	"net/http"

	"github.com/kitsune-sql/kitsune/thrift/status"
)

// forwardedHeader marks a request one gateway passed to another, so that
// it is answered there and never passed on again.
const forwardedHeader = "X-Kitsune-Forwarded-By"

// relayed is an answer another gateway gave, written out as it came.
type relayed struct {
	status      int
	contentType string
	body        []byte
}

// askOwner passes r to the gateway that runs a batch (its REST address,
// instance) with the caller's own credentials: only that gateway holds
// the batch's spark-submit and its output.
func (h *Handler) askOwner(r *http.Request, instance string) (any, error) {
	if r.Header.Get(forwardedHeader) != "" || h.cfg.OwnerClient == nil {
		return nil, notFound("the batch runs on gateway %s: ask it", instance)
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	req, err := http.NewRequestWithContext(r.Context(), r.Method, scheme+"://"+instance+r.URL.RequestURI(), nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", r.Header.Get("Authorization"))
	req.Header.Set(forwardedHeader, h.cfg.Instance)
	resp, err := h.cfg.OwnerClient.Do(req)
	if err != nil {
		return nil, &apiError{status: http.StatusBadGateway, code: status.CodeRESTNotFound,
			msg: fmt.Sprintf("the batch runs on gateway %s, which does not answer: %v", instance, err)}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return nil, err
	}
	return relayed{status: resp.StatusCode, contentType: resp.Header.Get("Content-Type"), body: body}, nil
}
