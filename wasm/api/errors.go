package api

// Version is the version of the page's API (API.md, "Versioning").
const Version = 1

// Error is a call's failure as the page sees it: {error, code}. Codes are
// listed in API.md; messages are for a student and say what to change.
type Error struct {
	Code string
	Msg  string
}

func (e *Error) Error() string { return e.Msg }

// Error codes (API.md, "Error codes").
const (
	CodeBadArgument = "bad_argument"
	CodeOutOfRange  = "out_of_range"
	CodeUnknownPeer = "unknown_peer"
	CodeTooLarge    = "too_large"
	CodeRejected    = "rejected"
	CodeCanceled    = "canceled"
	CodeBusy        = "busy"
	CodeNoRun       = "no_run"
	CodeStopped     = "stopped"
	CodeInternal    = "internal"
)

func badArg(msg string) *Error     { return &Error{CodeBadArgument, msg} }
func outOfRange(msg string) *Error { return &Error{CodeOutOfRange, msg} }
func tooLarge(msg string) *Error   { return &Error{CodeTooLarge, msg} }
func rejected(msg string) *Error   { return &Error{CodeRejected, msg} }

var errCanceled = &Error{CodeCanceled, "canceled: a newer create or replay took over"}

// asError gives any error a code: errors without one come from the
// simulator's own validation, i.e. from the caller's input.
func asError(err error, code string) *Error {
	if e, ok := err.(*Error); ok {
		return e
	}
	return &Error{code, err.Error()}
}

// ErrorJSON appends the page's form of err: {"error": msg, "code": code}.
func ErrorJSON(b []byte, err *Error) []byte {
	w := obj(b)
	w.str("error", err.Msg)
	w.str("code", err.Code)
	return w.end()
}
