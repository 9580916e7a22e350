package jsonio

import (
	"math"
	"slices"
	"strconv"
)

// Reading values that came from outside (the page, a file, a link). Every
// reader keeps the first problem it meets and names the value in words a
// student can act on: "peer must be a whole number from 1 to 3, got "two"
// (a string)".

// Null stands for a null given where a value belongs, so that a message
// can tell it from a value left out (nil). JSON.stringify writes NaN and
// Infinity as null, so {peers: NaN} arrives as {"peers": null}.
type Null struct{}

// Present returns v, or Null{} for a JSON null (nil): for values that are
// there, such as a field given or an element of a list.
func Present(v any) any {
	if v == nil {
		return Null{}
	}
	return v
}

// Describe says what a value is, for error messages.
func Describe(v any) string {
	switch v := v.(type) {
	case nil:
		return "nothing"
	case Null:
		return "null (JSON's form of NaN and Infinity, too)"
	case bool:
		return strconv.FormatBool(v) + " (a boolean)"
	case float64:
		return FormatNum(v)
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

// FormatNum writes a number as JavaScript would, Infinity included.
func FormatNum(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}

// WholeNumber reads an integer in [lo, hi].
func WholeNumber(name string, v any, lo, hi int64) (int64, *Error) {
	f, ok := v.(float64)
	if !ok {
		return 0, BadArg(name + " must be a whole number, got " + Describe(v))
	}
	if f != math.Trunc(f) || math.IsInf(f, 0) {
		return 0, OutOfRange(name + " must be a whole number from " + itoa(lo) + " to " + itoa(hi) + ", got " + FormatNum(f))
	}
	if f < float64(lo) || f > float64(hi) {
		return 0, OutOfRange(name + " must be from " + itoa(lo) + " to " + itoa(hi) + ", got " + FormatNum(f))
	}
	return int64(f), nil
}

// Fraction reads a probability.
func Fraction(name string, v any) (float64, *Error) {
	f, ok := v.(float64)
	if !ok {
		return 0, BadArg(name + " must be a number from 0 to 1, got " + Describe(v))
	}
	if !(f >= 0 && f <= 1) {
		return 0, OutOfRange(name + " must be from 0 to 1, got " + FormatNum(f))
	}
	return f, nil
}

func itoa(v int64) string { return strconv.FormatInt(v, 10) }

// Fields reads an object's fields by name. Strict readers (call options)
// refuse fields they were not asked about, so a typo is an error rather
// than a silently ignored setting; lenient ones (definitions, which
// TRACE.md lets grow) ignore them.
type Fields struct {
	what   string
	m      map[string]any
	asked  []string
	subs   []*Fields
	strict bool
	err    *Error
}

// Object starts reading v as an object; nil (absent) reads as empty.
func Object(what string, v any, strict bool) *Fields {
	f := &Fields{what: what, strict: strict}
	switch v := v.(type) {
	case nil:
	case map[string]any:
		f.m = v
	default:
		f.err = BadArg(what + " must be an object, got " + Describe(v))
	}
	return f
}

// Get returns a field's value and whether it is there. A field given as
// null is there, as Null{}: the readers refuse it, rather than take the
// default as if it were left out.
func (f *Fields) Get(key string) (any, bool) {
	if !slices.Contains(f.asked, key) {
		f.asked = append(f.asked, key)
	}
	if f.err != nil {
		return nil, false
	}
	v, ok := f.m[key]
	if !ok {
		return nil, false
	}
	return Present(v), true
}

func (f *Fields) Name(key string) string { return f.what + "." + key }

func (f *Fields) Fail(err *Error) {
	if f.err == nil {
		f.err = err
	}
}

// int reads a whole number in [lo, hi], or def when absent.
func (f *Fields) Int(key string, lo, hi, def int64) int64 {
	v, ok := f.Get(key)
	if !ok {
		return def
	}
	n, err := WholeNumber(f.Name(key), v, lo, hi)
	if err != nil {
		f.Fail(err)
	}
	return n
}

// fraction reads a probability, or def when absent.
func (f *Fields) Fraction(key string, def float64) float64 {
	v, ok := f.Get(key)
	if !ok {
		return def
	}
	p, err := Fraction(f.Name(key), v)
	if err != nil {
		f.Fail(err)
	}
	return p
}

// str reads a string of at most max bytes, or def when absent.
func (f *Fields) Str(key string, max int, def string) string {
	v, ok := f.Get(key)
	if !ok {
		return def
	}
	s, isStr := v.(string)
	switch {
	case !isStr:
		f.Fail(BadArg(f.Name(key) + " must be a string, got " + Describe(v)))
	case len(s) > max:
		f.Fail(TooLarge(f.Name(key) + " is longer than " + strconv.Itoa(max) + " bytes"))
	}
	return s
}

// oneOf reads a string that must be one of names, or def when absent.
func (f *Fields) OneOf(key string, def string, names ...string) string {
	s := f.Str(key, 64, def)
	if f.err == nil && !slices.Contains(names, s) {
		msg := f.Name(key) + " must be "
		for i, n := range names {
			if i > 0 {
				msg += " or "
			}
			msg += strconv.Quote(n)
		}
		f.Fail(BadArg(msg + ", got " + strconv.Quote(s)))
	}
	return s
}

// flag reads a boolean, or false when absent.
func (f *Fields) Flag(key string) bool {
	v, ok := f.Get(key)
	if !ok {
		return false
	}
	b, isBool := v.(bool)
	if !isBool {
		f.Fail(BadArg(f.Name(key) + " must be true or false, got " + Describe(v)))
	}
	return b
}

// sub reads a nested object with the same strictness.
func (f *Fields) Sub(key string) *Fields {
	v, _ := f.Get(key)
	s := Object(f.Name(key), v, f.strict)
	f.subs = append(f.subs, s)
	return s
}

// done reports the first problem, including (when strict) a field nobody
// asked about.
func (f *Fields) Done() *Error {
	if f.err != nil {
		return f.err
	}
	for _, s := range f.subs {
		if err := s.Done(); err != nil {
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
			return BadArg(f.what + " has no field " + strconv.Quote(k) + " (known: " + JoinNames(f.asked) + ")")
		}
	}
	return nil
}

// JoinNames joins names with commas.
func JoinNames(names []string) string {
	s := ""
	for i, n := range names {
		if i > 0 {
			s += ", "
		}
		s += n
	}
	return s
}

// Err is the first problem met so far, or nil.
func (f *Fields) Err() *Error { return f.err }

// Missing reports whether the object was absent (nil) and nothing is
// wrong yet.
func (f *Fields) Missing() bool { return f.err == nil && f.m == nil }

// Has reports whether the object has the field, without asking about it.
func (f *Fields) Has(key string) bool {
	_, ok := f.m[key]
	return ok
}

// Keys lists the object's fields, sorted.
func (f *Fields) Keys() []string {
	keys := make([]string, 0, len(f.m))
	for k := range f.m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
