package jsonio

import (
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

const maxDepth = 32 // nesting of arrays and objects

// Parse reads JSON text into plain values: nil, bool, float64, string,
// []any and map[string]any, as JSON.parse would (a repeated key keeps its
// last value). Nesting is limited to 32 levels; the caller bounds the
// text's size.
func Parse(text []byte) (any, error) {
	p := parser{s: text}
	p.space()
	v := p.value(0)
	p.space()
	if p.err == nil && p.i < len(p.s) {
		p.fail("unexpected text after the value")
	}
	if p.err != nil {
		return nil, p.err
	}
	return v, nil
}

type parser struct {
	s   []byte
	i   int
	err error
}

func (p *parser) fail(what string) {
	if p.err == nil {
		p.err = BadArg("malformed JSON at byte " + strconv.Itoa(p.i) + ": " + what)
	}
}

func (p *parser) space() {
	for p.i < len(p.s) {
		switch p.s[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

func (p *parser) value(depth int) any {
	if depth > maxDepth {
		p.fail("nested more than " + strconv.Itoa(maxDepth) + " levels deep")
		return nil
	}
	if p.i >= len(p.s) {
		p.fail("unexpected end")
		return nil
	}
	switch c := p.s[p.i]; {
	case c == '{':
		return p.object(depth)
	case c == '[':
		return p.array(depth)
	case c == '"':
		return p.str()
	case c == '-' || c >= '0' && c <= '9':
		return p.number()
	case p.word("true"):
		return true
	case p.word("false"):
		return false
	case p.word("null"):
		return nil
	}
	p.fail("expected a value")
	return nil
}

func (p *parser) word(w string) bool {
	if len(p.s)-p.i >= len(w) && string(p.s[p.i:p.i+len(w)]) == w {
		p.i += len(w)
		return true
	}
	return false
}

func (p *parser) object(depth int) any {
	m := map[string]any{}
	p.i++ // {
	p.space()
	if p.i < len(p.s) && p.s[p.i] == '}' {
		p.i++
		return m
	}
	for p.err == nil {
		p.space()
		if p.i >= len(p.s) || p.s[p.i] != '"' {
			p.fail("expected a quoted key")
			return nil
		}
		k := p.str()
		p.space()
		if p.i >= len(p.s) || p.s[p.i] != ':' {
			p.fail("expected ':'")
			return nil
		}
		p.i++
		p.space()
		m[k] = p.value(depth + 1)
		p.space()
		if p.i < len(p.s) && p.s[p.i] == ',' {
			p.i++
			continue
		}
		if p.i < len(p.s) && p.s[p.i] == '}' {
			p.i++
			return m
		}
		p.fail("expected ',' or '}'")
	}
	return nil
}

func (p *parser) array(depth int) any {
	a := []any{}
	p.i++ // [
	p.space()
	if p.i < len(p.s) && p.s[p.i] == ']' {
		p.i++
		return a
	}
	for p.err == nil {
		p.space()
		a = append(a, p.value(depth+1))
		p.space()
		if p.i < len(p.s) && p.s[p.i] == ',' {
			p.i++
			continue
		}
		if p.i < len(p.s) && p.s[p.i] == ']' {
			p.i++
			return a
		}
		p.fail("expected ',' or ']'")
	}
	return nil
}

func (p *parser) number() any {
	start := p.i
	digits := func() int {
		n := 0
		for p.i < len(p.s) && p.s[p.i] >= '0' && p.s[p.i] <= '9' {
			p.i++
			n++
		}
		return n
	}
	if p.s[p.i] == '-' {
		p.i++
	}
	if p.i < len(p.s) && p.s[p.i] == '0' {
		p.i++
	} else if digits() == 0 {
		p.fail("expected a digit")
		return nil
	}
	if p.i < len(p.s) && p.s[p.i] == '.' {
		p.i++
		if digits() == 0 {
			p.fail("expected a digit after '.'")
			return nil
		}
	}
	if p.i < len(p.s) && (p.s[p.i] == 'e' || p.s[p.i] == 'E') {
		p.i++
		if p.i < len(p.s) && (p.s[p.i] == '+' || p.s[p.i] == '-') {
			p.i++
		}
		if digits() == 0 {
			p.fail("expected a digit in the exponent")
			return nil
		}
	}
	// The grammar above is JSON's, so ParseFloat only fails on overflow;
	// like JSON.parse, a huge number becomes infinite (and a range check
	// rejects it later).
	f, _ := strconv.ParseFloat(string(p.s[start:p.i]), 64)
	return f
}

func (p *parser) str() string {
	p.i++ // "
	start := p.i
	for p.i < len(p.s) { // fast path: no escapes
		c := p.s[p.i]
		if c == '"' {
			s := string(p.s[start:p.i])
			p.i++
			if !utf8.ValidString(s) {
				s = toValidUTF8(s)
			}
			return s
		}
		if c == '\\' || c < 0x20 {
			break
		}
		p.i++
	}
	b := append([]byte(nil), p.s[start:p.i]...)
	for p.i < len(p.s) {
		c := p.s[p.i]
		switch {
		case c == '"':
			p.i++
			return toValidUTF8(string(b))
		case c < 0x20:
			p.fail("control character in a string")
			return ""
		case c != '\\':
			b = append(b, c)
			p.i++
			continue
		}
		p.i++ // backslash
		if p.i >= len(p.s) {
			break
		}
		e := p.s[p.i]
		p.i++
		switch e {
		case '"', '\\', '/':
			b = append(b, e)
		case 'b':
			b = append(b, '\b')
		case 'f':
			b = append(b, '\f')
		case 'n':
			b = append(b, '\n')
		case 'r':
			b = append(b, '\r')
		case 't':
			b = append(b, '\t')
		case 'u':
			r := p.hex4()
			if utf16.IsSurrogate(r) && p.i+1 < len(p.s) && p.s[p.i] == '\\' && p.s[p.i+1] == 'u' {
				save := p.i
				p.i += 2
				if r2 := utf16.DecodeRune(r, p.hex4()); r2 != utf8.RuneError {
					r = r2
				} else {
					p.i = save
				}
			}
			b = utf8.AppendRune(b, r) // a lone surrogate becomes U+FFFD
		default:
			p.i--
			p.fail("unknown escape in a string")
			return ""
		}
	}
	p.fail("unterminated string")
	return ""
}

func (p *parser) hex4() rune {
	if len(p.s)-p.i < 4 {
		p.fail("short \\u escape")
		return utf8.RuneError
	}
	var r rune
	for _, c := range p.s[p.i : p.i+4] {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c -= 'a' - 10
		case c >= 'A' && c <= 'F':
			c -= 'A' - 10
		default:
			p.fail("bad \\u escape")
			return utf8.RuneError
		}
		r = r<<4 | rune(c)
	}
	p.i += 4
	return r
}

func toValidUTF8(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	b := make([]byte, 0, len(s))
	for _, r := range s { // ranging turns invalid bytes into U+FFFD
		b = utf8.AppendRune(b, r)
	}
	return string(b)
}
