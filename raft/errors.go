package raft

import (
	"errors"
	"strconv"
)

// raft builds its error messages without fmt: fmt would add 80 KB to the
// playground's WebAssembly download, for a few error strings.

// errorOf joins parts into an error message. Parts may be strings,
// integers, IDs, message types or errors.
func errorOf(parts ...any) error { return errors.New(join(parts)) }

// wrapError joins parts into a message that wraps err (errors.Is and As see
// through it).
func wrapError(err error, parts ...any) error {
	return &wrapped{msg: join(parts) + ": " + err.Error(), err: err}
}

type wrapped struct {
	msg string
	err error
}

func (w *wrapped) Error() string { return w.msg }
func (w *wrapped) Unwrap() error { return w.err }

func join(parts []any) string {
	var b []byte
	for _, p := range parts {
		switch v := p.(type) {
		case string:
			b = append(b, v...)
		case int:
			b = strconv.AppendInt(b, int64(v), 10)
		case uint64:
			b = strconv.AppendUint(b, v, 10)
		case interface{ String() string }:
			b = append(b, v.String()...)
		case error:
			b = append(b, v.Error()...)
		default:
			b = append(b, "?"...)
		}
	}
	return string(b)
}

// idList renders ids as [s1 s2 s3].
func idList(ids []ID) string {
	b := []byte{'['}
	for i, id := range ids {
		if i > 0 {
			b = append(b, ' ')
		}
		b = append(b, id.String()...)
	}
	return string(append(b, ']'))
}
