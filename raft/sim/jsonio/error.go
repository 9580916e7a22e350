package jsonio

// Error is a problem with input, as the playground's API reports it:
// {error, code}. Messages are for a student and say what to change.
type Error struct {
	Code string
	Msg  string
}

func (e *Error) Error() string { return e.Msg }

// Codes of the input errors found here (wasm/API.md, "Error codes").
const (
	CodeBadArgument = "bad_argument"
	CodeOutOfRange  = "out_of_range"
	CodeUnknownPeer = "unknown_peer"
	CodeTooLarge    = "too_large"
)

func BadArg(msg string) *Error     { return &Error{CodeBadArgument, msg} }
func OutOfRange(msg string) *Error { return &Error{CodeOutOfRange, msg} }
func TooLarge(msg string) *Error   { return &Error{CodeTooLarge, msg} }
