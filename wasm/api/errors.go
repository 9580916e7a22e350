package api

import "github.com/raftplay/raftplay/raft/sim/jsonio"

// Version is the version of the page's API (API.md, "Versioning").
const Version = 1

// Error is a call's failure as the page sees it: {error, code}. Codes are
// listed in API.md; messages are for a student and say what to change.
// Input errors come from package jsonio with the same type.
type Error = jsonio.Error

// Error codes (API.md, "Error codes").
const (
	CodeBadArgument = jsonio.CodeBadArgument
	CodeOutOfRange  = jsonio.CodeOutOfRange
	CodeUnknownPeer = jsonio.CodeUnknownPeer
	CodeTooLarge    = jsonio.CodeTooLarge
	CodeRejected    = "rejected"
	CodeCanceled    = "canceled"
	CodeBusy        = "busy"
	CodeNoRun       = "no_run"
	CodeStopped     = "stopped"
	CodeHalted      = "halted"
	CodeInternal    = "internal"
)

var (
	badArg     = jsonio.BadArg
	outOfRange = jsonio.OutOfRange
	tooLarge   = jsonio.TooLarge
)

func rejected(msg string) *Error { return &Error{Code: CodeRejected, Msg: msg} }

var errCanceled = &Error{Code: CodeCanceled, Msg: "canceled: a later call (cancel, create, replay or rewind) took over"}

// asError gives any error a code: errors without one come from the
// simulator's own validation, i.e. from the caller's input.
func asError(err error, code string) *Error {
	if e, ok := err.(*Error); ok {
		return e
	}
	return &Error{Code: code, Msg: err.Error()}
}

// ErrorJSON appends the page's form of err: {"error": msg, "code": code}.
func ErrorJSON(b []byte, err *Error) []byte {
	w := jsonio.NewObject(b)
	w.Str("error", err.Msg)
	w.Str("code", err.Code)
	return w.End()
}
