package status

import (
	"context"
	"errors"
	"fmt"

	"github.com/kitsune-sql/kitsune/thrift/gen/tcliservice"
)

// Error is an error with the SQLSTATE and code a client sees.
type Error struct {
	SQLState string
	Code     int32
	Message  string
	Err      error
}

func (e *Error) Error() string { return e.Message }

// Unwrap returns the wrapped cause.
func (e *Error) Unwrap() error { return e.Err }

// SQLSTATE classes used by kitsune.
const (
	StateSyntaxOrAccess = "42000"
	StateConnection     = "08S01"
	StateInvalidHandle  = "HY000"
	StateGeneral        = "HY000"
	StateTimeout        = "HYT00"
	StateCanceled       = "HY008"
	StateAuth           = "28000"
	StateInvalidConf    = "42000"
)

// Errorf builds an Error with sqlState and a formatted message; a %w verb
// keeps the cause.
func Errorf(sqlState string, code int32, format string, args ...any) *Error {
	err := fmt.Errorf(format, args...)
	return &Error{SQLState: sqlState, Code: code, Message: err.Error(), Err: errors.Unwrap(err)}
}

// OK is a SUCCESS status.
func OK() *tcliservice.TStatus {
	return &tcliservice.TStatus{StatusCode: tcliservice.TStatusCode_SUCCESS_STATUS}
}

// WithInfo is a SUCCESS_WITH_INFO status carrying messages.
func WithInfo(msgs ...string) *tcliservice.TStatus {
	return &tcliservice.TStatus{StatusCode: tcliservice.TStatusCode_SUCCESS_WITH_INFO_STATUS, InfoMessages: msgs}
}

// InvalidHandle is the status of a call naming an unknown handle.
func InvalidHandle(what string) *tcliservice.TStatus {
	msg := fmt.Sprintf("Invalid %s handle: it was closed, timed out, or belongs to another gateway or user", what)
	st := "HY000"
	return &tcliservice.TStatus{StatusCode: tcliservice.TStatusCode_INVALID_HANDLE_STATUS, SqlState: &st, ErrorMessage: &msg}
}

// From maps err to an ERROR_STATUS TStatus. An *Error keeps its SQLSTATE and
// code; a context deadline becomes a timeout; anything else is HY000.
func From(err error) *tcliservice.TStatus {
	if err == nil {
		return OK()
	}
	var e *Error
	switch {
	case errors.As(err, &e):
	case errors.Is(err, context.DeadlineExceeded):
		e = &Error{SQLState: StateTimeout, Message: err.Error()}
	case errors.Is(err, context.Canceled):
		e = &Error{SQLState: StateCanceled, Message: err.Error()}
	default:
		e = &Error{SQLState: StateGeneral, Message: err.Error()}
	}
	msg := err.Error()
	code := e.Code
	state := e.SQLState
	return &tcliservice.TStatus{
		StatusCode: tcliservice.TStatusCode_ERROR_STATUS,
		// HiveServer2 also sends the error as a one-entry trace in
		// infoMessages ("*class:message:internal frames:external frames");
		// clients such as gohive print only this part of a status readably.
		InfoMessages: []string{"*org.apache.hive.service.cli.HiveSQLException:" + msg + ":0:0"},
		SqlState:     &state,
		ErrorCode:    &code,
		ErrorMessage: &msg,
	}
}

// Succeeded reports whether st is SUCCESS or SUCCESS_WITH_INFO.
func Succeeded(st *tcliservice.TStatus) bool {
	return st != nil && (st.StatusCode == tcliservice.TStatusCode_SUCCESS_STATUS ||
		st.StatusCode == tcliservice.TStatusCode_SUCCESS_WITH_INFO_STATUS)
}

// AsError turns a non-success TStatus into an *Error (nil on success).
func AsError(st *tcliservice.TStatus) error {
	if st == nil {
		return &Error{SQLState: StateGeneral, Message: "response without status"}
	}
	if Succeeded(st) {
		return nil
	}
	return &Error{SQLState: st.GetSqlState(), Code: st.GetErrorCode(), Message: st.GetErrorMessage()}
}

// EmptyInfo is the InfoValue of a failed GetInfo: the union must have one
// field set or the reply cannot be written.
func EmptyInfo() *tcliservice.TGetInfoValue {
	s := ""
	return &tcliservice.TGetInfoValue{StringValue: &s}
}
