package api

import (
	"math"
	"slices"
	"strconv"
)

// Reading arguments that came from the page. Every reader keeps the first
// problem it meets and names the argument in words a student can act on:
// "peer must be a whole number from 1 to 3, got "two" (a string)".

// describe says what a value is, for error messages.
func describe(v any) string {
	switch v := v.(type) {
	case nil:
		return "nothing"
	case bool:
		return strconv.FormatBool(v) + " (a boolean)"
	case float64:
		return formatNum(v)
	case string:
		if len(v) > 40 {
			v = v[:40] + "..."
		}
		return strconv.Quote(v) + " (a string)"
	case []any:
		return "a list"
	case map[string]any:
		return "an object"
	}
	return "an unknown value"
}

func formatNum(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }

// wholeNumber reads an integer in [lo, hi].
func wholeNumber(name string, v any, lo, hi int64) (int64, *Error) {
	f, ok := v.(float64)
	if !ok {
		return 0, badArg(name + " must be a whole number, got " + describe(v))
	}
	if f != math.Trunc(f) || math.IsInf(f, 0) {
		return 0, outOfRange(name + " must be a whole number from " + itoa(lo) + " to " + itoa(hi) + ", got " + formatNum(f))
	}
	if f < float64(lo) || f > float64(hi) {
		return 0, outOfRange(name + " must be from " + itoa(lo) + " to " + itoa(hi) + ", got " + formatNum(f))
	}
	return int64(f), nil
}

// fraction reads a probability.
func fraction(name string, v any) (float64, *Error) {
	f, ok := v.(float64)
	if !ok {
		return 0, badArg(name + " must be a number from 0 to 1, got " + describe(v))
	}
	if !(f >= 0 && f <= 1) {
		return 0, outOfRange(name + " must be from 0 to 1, got " + formatNum(f))
	}
	return f, nil
}

func itoa(v int64) string { return strconv.FormatInt(v, 10) }

// fields reads an object's fields by name. Strict readers (call options)
// refuse fields they were not asked about, so a typo is an error rather
// than a silently ignored setting; lenient ones (definitions, which
// TRACE.md lets grow) ignore them.
type fields struct {
	what   string
	m      map[string]any
	asked  []string
	subs   []*fields
	strict bool
	err    *Error
}

// object starts reading v as an object; nil (absent) reads as empty.
func object(what string, v any, strict bool) *fields {
	f := &fields{what: what, strict: strict}
	switch v := v.(type) {
	case nil:
	case map[string]any:
		f.m = v
	default:
		f.err = badArg(what + " must be an object, got " + describe(v))
	}
	return f
}

func (f *fields) get(key string) (any, bool) {
	f.asked = append(f.asked, key)
	if f.err != nil {
		return nil, false
	}
	v, ok := f.m[key]
	return v, ok && v != nil
}

func (f *fields) name(key string) string { return f.what + "." + key }

func (f *fields) fail(err *Error) {
	if f.err == nil {
		f.err = err
	}
}

// int reads a whole number in [lo, hi], or def when absent.
func (f *fields) int(key string, lo, hi, def int64) int64 {
	v, ok := f.get(key)
	if !ok {
		return def
	}
	n, err := wholeNumber(f.name(key), v, lo, hi)
	if err != nil {
		f.fail(err)
	}
	return n
}

// fraction reads a probability, or def when absent.
func (f *fields) fraction(key string, def float64) float64 {
	v, ok := f.get(key)
	if !ok {
		return def
	}
	p, err := fraction(f.name(key), v)
	if err != nil {
		f.fail(err)
	}
	return p
}

// str reads a string of at most max bytes, or def when absent.
func (f *fields) str(key string, max int, def string) string {
	v, ok := f.get(key)
	if !ok {
		return def
	}
	s, isStr := v.(string)
	switch {
	case !isStr:
		f.fail(badArg(f.name(key) + " must be a string, got " + describe(v)))
	case len(s) > max:
		f.fail(tooLarge(f.name(key) + " is longer than " + strconv.Itoa(max) + " bytes"))
	}
	return s
}

// oneOf reads a string that must be one of names, or def when absent.
func (f *fields) oneOf(key string, def string, names ...string) string {
	s := f.str(key, 64, def)
	if f.err == nil && !slices.Contains(names, s) {
		msg := f.name(key) + " must be "
		for i, n := range names {
			if i > 0 {
				msg += " or "
			}
			msg += strconv.Quote(n)
		}
		f.fail(badArg(msg + ", got " + strconv.Quote(s)))
	}
	return s
}

// flag reads a boolean, or false when absent.
func (f *fields) flag(key string) bool {
	v, ok := f.get(key)
	if !ok {
		return false
	}
	b, isBool := v.(bool)
	if !isBool {
		f.fail(badArg(f.name(key) + " must be true or false, got " + describe(v)))
	}
	return b
}

// sub reads a nested object with the same strictness.
func (f *fields) sub(key string) *fields {
	v, _ := f.get(key)
	s := object(f.name(key), v, f.strict)
	f.subs = append(f.subs, s)
	return s
}

// done reports the first problem, including (when strict) a field nobody
// asked about.
func (f *fields) done() *Error {
	if f.err != nil {
		return f.err
	}
	for _, s := range f.subs {
		if err := s.done(); err != nil {
			return err
		}
	}
	if !f.strict {
		return nil
	}
	keys := make([]string, 0, len(f.m))
	for k := range f.m {
		keys = append(keys, k)
	}
	slices.Sort(keys) // the first unknown field, the same one every time
	for _, k := range keys {
		if !slices.Contains(f.asked, k) {
			return badArg(f.what + " has no field " + strconv.Quote(k) + " (known: " + joinNames(f.asked) + ")")
		}
	}
	return nil
}

func joinNames(names []string) string {
	s := ""
	for i, n := range names {
		if i > 0 {
			s += ", "
		}
		s += n
	}
	return s
}
