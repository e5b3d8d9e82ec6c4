package rest

import (
	"context"
	"net/http"
	"strconv"
	"time"

	tcli "github.com/kitsune-sql/kitsune/thrift/gen/tcliservice"
	"github.com/kitsune-sql/kitsune/thrift/serve"
	"github.com/kitsune-sql/kitsune/thrift/status"
)

// as is the context of a TCLIService call made for id: the gateway sees
// the REST caller as it sees an HS2 one. admin skips the ownership check
// (the admin endpoints act on anyone's work).
func as(r *http.Request, id identity, admin bool) context.Context {
	user := id.User
	if admin {
		user = ""
	}
	return serve.WithPeer(r.Context(), serve.Peer{User: user, Principal: id.Real, Addr: id.Addr, Transport: "rest"})
}

// session finds the session of the {sessionHandle} path parameter that id
// may use.
func (h *Handler) session(r *http.Request, id identity) (Session, error) {
	guid, err := parseUUID(r.PathValue("sessionHandle"))
	if err != nil {
		return Session{}, err
	}
	owner := id.User
	if id.Admin {
		owner = ""
	}
	for _, s := range h.gw.Sessions() {
		if string(s.Handle.SessionId.GUID) == string(guid) && (owner == "" || id.sees(s.User, s.Owner)) {
			return s, nil
		}
	}
	// Not open here: with a shared store the gateway adopts it, as it
	// adopts an HS2 HTTP client's session.
	s, err := h.gw.Session(r.Context(), guid, owner)
	if err != nil {
		return Session{}, notFound("no session %s for %s: %v", r.PathValue("sessionHandle"), id.User, err)
	}
	return s, nil
}

func (h *Handler) listSessions(_ *http.Request, id identity) (any, error) {
	out := []SessionData{}
	for _, s := range h.gw.Sessions() {
		if id.sees(s.User, s.Owner) {
			out = append(out, h.sessionData(s))
		}
	}
	return out, nil
}

func (h *Handler) sessionData(s Session) SessionData {
	now := time.Now()
	return SessionData{Identifier: serve.HandleID(s.Handle.SessionId.GUID), User: s.User, IPAddr: serve.HostOf(s.Addr), Conf: map[string]string{},
		CreateTime: millis(s.Created), Duration: now.Sub(s.Created).Milliseconds(), IdleTime: now.Sub(s.LastAccess).Milliseconds(),
		SessionType: "INTERACTIVE", KyuubiInstance: h.cfg.Instance, EngineID: s.EngineID, TotalOperations: len(s.Operations)}
}

func (h *Handler) getSession(r *http.Request, id identity) (any, error) {
	s, err := h.session(r, id)
	if err != nil {
		return nil, err
	}
	return SessionEvent{SessionID: serve.HandleID(s.Handle.SessionId.GUID), SessionType: "INTERACTIVE", EngineID: s.EngineID, User: s.User,
		ClientIP: serve.HostOf(s.Addr), ServerIP: h.cfg.Instance, Conf: map[string]string{}, EventTime: millis(time.Now()),
		OpenedTime: millis(s.Created), StartTime: millis(s.Created), TotalOperations: len(s.Operations)}, nil
}

func (h *Handler) sessionInfo(r *http.Request, id identity) (any, error) {
	s, err := h.session(r, id)
	if err != nil {
		return nil, err
	}
	n, err := strconv.Atoi(r.PathValue("infoType"))
	if err != nil {
		return nil, badRequest("infoType %q is not a TGetInfoType number (e.g. 13 for CLI_SERVER_NAME)", r.PathValue("infoType"))
	}
	resp, err := h.gw.CLI().GetInfo(as(r, id, id.Admin), &tcli.TGetInfoReq{SessionHandle: s.Handle, InfoType: tcli.TGetInfoType(n)})
	if err := failed(resp.GetStatus(), err); err != nil {
		return nil, err
	}
	return InfoDetail{InfoType: tcli.TGetInfoType(n).String(), InfoValue: resp.InfoValue.GetStringValue()}, nil
}

func (h *Handler) countSessions(_ *http.Request, id identity) (any, error) {
	n := 0
	for _, s := range h.gw.Sessions() {
		if id.sees(s.User, s.Owner) {
			n++
		}
	}
	return SessionOpenCount{OpenSessionCount: n}, nil
}

func (h *Handler) openSession(r *http.Request, id identity) (any, error) {
	var req SessionOpenRequest
	if err := decode(r, &req); err != nil {
		return nil, err
	}
	proto := tcli.TProtocolVersion_HIVE_CLI_SERVICE_PROTOCOL_V10
	if req.ProtocolVersion != nil {
		proto = tcli.TProtocolVersion(*req.ProtocolVersion)
	}
	user := id.User
	resp, err := h.gw.CLI().OpenSession(as(r, id, false), &tcli.TOpenSessionReq{ClientProtocol: proto, Username: &user, Configuration: req.Configs})
	if err := failed(resp.GetStatus(), err); err != nil {
		return nil, err
	}
	return SessionHandle{Identifier: serve.HandleID(resp.SessionHandle.SessionId.GUID), KyuubiInstance: h.cfg.Instance}, nil
}

func (h *Handler) closeSession(r *http.Request, id identity) (any, error) {
	s, err := h.session(r, id)
	if err != nil {
		return nil, err
	}
	resp, err := h.gw.CLI().CloseSession(as(r, id, id.Admin), &tcli.TCloseSessionReq{SessionHandle: s.Handle})
	if err := failed(resp.GetStatus(), err); err != nil {
		return nil, err
	}
	if r.URL.Path != prefix+"/sessions/"+r.PathValue("sessionHandle") {
		return text("Session " + r.PathValue("sessionHandle") + " is closed successfully."), nil
	}
	return nil, nil
}

func (h *Handler) sessionOperations(r *http.Request, id identity) (any, error) {
	s, err := h.session(r, id)
	if err != nil {
		return nil, err
	}
	out := []OperationData{}
	for _, o := range s.Operations {
		out = append(out, h.operationData(r, id, s, o))
	}
	return out, nil
}

// failed turns a TCLIService answer into an error: the transport's, or the
// status when it is not a success.
func failed(st *tcli.TStatus, err error) error {
	if err != nil {
		return err
	}
	if !status.Succeeded(st) {
		return status.AsError(st)
	}
	return nil
}
