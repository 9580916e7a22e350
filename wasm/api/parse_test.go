package api

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

func TestParseLikeJSONParse(t *testing.T) {
	for _, text := range []string{
		`{}`, `[]`, `null`, `true`, ` false `, `0`, `-0.5e+3`, `1E2`, `123456789012345678`,
		`"a\"b\\c\/d\b\f\n\r\t\u00e9\ud83d\ude00"`, `"é"`, `{"a": [1, {"b": null}], "a": 2}`,
		`[[[[[[[[[[1]]]]]]]]]]`, `{"version":1,"config":{"peers":3},"actions":[{"at":5,"kind":"heal"}]}`,
	} {
		got, err := Parse([]byte(text))
		if err != nil {
			t.Errorf("Parse(%s): %v", text, err)
			continue
		}
		var want any
		if err := json.Unmarshal([]byte(text), &want); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("Parse(%s) = %#v, want %#v", text, got, want)
		}
	}
}

func TestParseErrors(t *testing.T) {
	for text, words := range map[string]string{
		``:          "unexpected end",
		`{"a":1,}`:  "expected a quoted key",
		`[1 2]`:     "expected ',' or ']'",
		`{"a" 1}`:   "expected ':'",
		`01`:        "after the value",
		`-`:         "expected a digit",
		`1.`:        "after '.'",
		`1e`:        "exponent",
		`"abc`:      "unterminated",
		"\"a\tb\"":  "control character",
		`"\x"`:      "unknown escape",
		`"\u12"`:    "\\u escape",
		`nul`:       "expected a value",
		`{"a":1} x`: "after the value",
		`[1,]`:      "expected a value",
		strings.Repeat("[", 40) + strings.Repeat("]", 40): "nested more than 32",
	} {
		_, err := Parse([]byte(text))
		if err == nil || !strings.Contains(err.Error(), words) {
			t.Errorf("Parse(%q) = %v, want an error saying %q", text, err, words)
		}
	}
	if _, err := Parse(make([]byte, MaxInput+1)); err == nil || err.(*Error).Code != CodeTooLarge {
		t.Errorf("oversized: %v", err)
	}
}

// FuzzParse checks Parse against encoding/json: they accept the same texts
// (but for depth and size limits) and read the same values.
func FuzzParse(f *testing.F) {
	for _, s := range []string{`{"a":[1,2.5,"x\u0041"],"b":null}`, `[true,false]`, `"\ud800"`, `-1e400`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, text []byte) {
		got, err := Parse(text)
		var want any
		jerr := json.Unmarshal(text, &want)
		if err != nil {
			if jerr == nil && !strings.Contains(err.Error(), "nested") && !strings.Contains(err.Error(), "number") {
				t.Fatalf("Parse refused %q: %v", text, err)
			}
			return
		}
		if jerr != nil {
			if strings.Contains(jerr.Error(), "cannot unmarshal number") { // out of float64 range: JSON.parse gives Infinity, as Parse does
				return
			}
			t.Fatalf("Parse accepted %q, encoding/json says %v", text, jerr)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("Parse(%q) = %#v, encoding/json %#v", text, got, want)
		}
	})
}
