package strictjson

import (
	"encoding/json"
	"errors"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/monograph-cms/monograph/internal/cms"
)

type section struct {
	Key  string `json:"key"`
	Body string `json:"body"`
}

type Embedded struct {
	Emb string `json:"emb"`
}

type doc struct {
	Title    string            `json:"title"`
	Count    int               `json:"count"`
	Small    int8              `json:"small"`
	U        uint16            `json:"u"`
	Ratio    float64           `json:"ratio"`
	F32      float32           `json:"f32"`
	OK       bool              `json:"ok"`
	At       time.Time         `json:"at"`
	When     *time.Time        `json:"when"`
	Ptr      *string           `json:"ptr"`
	Sections []section         `json:"sections"`
	Meta     map[string]string `json:"meta"`
	Extra    any               `json:"extra"`
	Raw      json.RawMessage   `json:"raw"`
	Blob     []byte            `json:"blob"`
	Pair     [2]int            `json:"pair"`
	Embedded
	NoTag   string
	Ignored string `json:"-"`
}

func TestDecodeAccepts(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want doc
	}{
		{"empty object", `{}`, doc{}},
		{"whitespace around", " \n\t{\"title\":\"x\"}\r\n ", doc{Title: "x"}},
		{"scalars", `{"title":"t","count":-3,"small":127,"u":65535,"ratio":1.5e3,"f32":2,"ok":true}`,
			doc{Title: "t", Count: -3, Small: 127, U: 65535, Ratio: 1500, F32: 2, OK: true}},
		{"time and pointers", `{"at":"2024-05-01T10:00:00Z","when":null,"ptr":"p"}`,
			doc{At: time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC), Ptr: ptr("p")}},
		{"nested", `{"sections":[{"key":"a","body":"b"},{"key":"c"}],"meta":{"Any Key":"v"}}`,
			doc{Sections: []section{{"a", "b"}, {Key: "c"}}, Meta: map[string]string{"Any Key": "v"}}},
		{"null collections", `{"sections":null,"meta":null,"extra":null,"raw":null}`, doc{Raw: json.RawMessage("null")}},
		{"any and raw", `{"extra":{"a":[1,"x",{"b":null}]},"raw":{"k":[true]}}`,
			doc{Extra: map[string]any{"a": []any{1.0, "x", map[string]any{"b": nil}}}, Raw: json.RawMessage(`{"k":[true]}`)}},
		{"bytes array embedded untagged", `{"blob":"aGk=","pair":[1,2],"emb":"e","NoTag":"n"}`,
			doc{Blob: []byte("hi"), Pair: [2]int{1, 2}, Embedded: Embedded{"e"}, NoTag: "n"}},
		{"escapes and surrogate pair", `{"title":"a\"\\\u00e9\ud83d\ude00\ufffd"}`, doc{Title: "a\"\\é😀\uFFFD"}},
		{"escaped backslash before u", `{"title":"\\ud800"}`, doc{Title: `\ud800`}},
		{"dollar inside value is fine", `{"title":"$gt","meta":{"a":"$set"}}`, doc{Title: "$gt", Meta: map[string]string{"a": "$set"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got doc
			if err := Decode([]byte(tc.in), &got, "content"); err != nil {
				t.Fatalf("Decode: %v (%+v)", err, fields(err))
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

func TestDecodeRejects(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		prefix string
		field  string // the first field error
		msg    string // substring of its message
	}{
		{"empty", ``, "content", "content", "must not be empty"},
		{"blank", " \n ", "", "body", "must not be empty"},
		{"not json", `hello`, "content", "content", "invalid JSON at byte offset 1"},
		{"syntax error inside", `{"title": "x",}`, "content", "content", "invalid JSON at byte offset"},
		{"truncated", `{"title": "x"`, "", "body", "unexpected end of input"},
		{"trailing data", `{"title":"x"} {}`, "content", "content", "unexpected data after the JSON value at byte offset 14"},
		{"trailing garbage", `{}x`, "", "body", "unexpected data after the JSON value at byte offset 2"},
		{"top-level array", `[]`, "content", "content", "must be an object"},
		{"top-level string", `"x"`, "", "body", "must be an object"},
		{"top-level null", `null`, "content", "content", "must be an object"},
		{"unknown field", `{"titel":"x"}`, "content", "content.titel", "unknown field"},
		{"unknown nested field", `{"sections":[{"key":"a"},{"key":"b","bdy":"x"}]}`, "content", "content.sections[1].bdy", "unknown field"},
		{"unknown nested no prefix", `{"sections":[{},{},{"Key":"x"}]}`, "", "sections[2].Key", "unknown field"},
		{"case variant", `{"Title":"x"}`, "content", "content.Title", "unknown field"},
		{"ignored field", `{"Ignored":"x"}`, "content", "content.Ignored", "unknown field"},
		{"duplicate key", `{"title":"a","title":"b"}`, "content", "content.title", "duplicate key"},
		{"duplicate in map", `{"meta":{"a":"1","a":"2"}}`, "content", "content.meta.a", "duplicate key"},
		{"duplicate in any", `{"extra":[{"a":1,"a":2}]}`, "content", "content.extra[0].a", "duplicate key"},
		{"dollar key top", `{"$set":{"title":"x"}}`, "content", "content.$set", "must not start with $"},
		{"dollar key in map", `{"meta":{"$where":"x"}}`, "content", "content.meta.$where", "must not start with $"},
		{"dollar key in raw", `{"raw":{"a":{"$ne":1}}}`, "content", "content.raw.a.$ne", "must not start with $"},
		{"dollar key in any", `{"extra":{"$gt":""}}`, "content", "content.extra.$gt", "must not start with $"},
		{"operator where string expected", `{"title":{"$gt":""}}`, "content", "content.title", "must be a string"},
		{"nul in key", `{"meta":{"a\u0000b":"x"}}`, "content", `content.meta["a\x00b"]`, "must not contain NUL"},
		{"number for string", `{"title":1}`, "content", "content.title", "must be a string"},
		{"null for string", `{"title":null}`, "content", "content.title", "must be a string"},
		{"string for int", `{"count":"1"}`, "content", "content.count", "must be an integer"},
		{"float for int", `{"count":1.5}`, "content", "content.count", "must be an integer"},
		{"exponent for int", `{"count":1e2}`, "content", "content.count", "must be an integer"},
		{"int8 overflow", `{"small":128}`, "content", "content.small", "out of range"},
		{"int overflow", `{"count":99999999999999999999}`, "content", "content.count", "out of range"},
		{"negative uint", `{"u":-1}`, "content", "content.u", "non-negative integer"},
		{"uint overflow", `{"u":65536}`, "content", "content.u", "out of range"},
		{"float overflow", `{"ratio":1e400}`, "content", "content.ratio", "out of range"},
		{"float32 overflow", `{"f32":1e40}`, "content", "content.f32", "out of range"},
		{"any number overflow", `{"extra":[1e999]}`, "content", "content.extra[0]", "out of range"},
		{"string for bool", `{"ok":"true"}`, "content", "content.ok", "must be a boolean"},
		{"bad time", `{"at":"yesterday"}`, "content", "content.at", "RFC 3339"},
		{"number for time", `{"when":5}`, "content", "content.when", "RFC 3339"},
		{"object for array", `{"sections":{"key":"a"}}`, "content", "content.sections", "must be an array"},
		{"string for struct", `{"sections":["a"]}`, "content", "content.sections[0]", "must be an object"},
		{"array for map", `{"meta":[]}`, "content", "content.meta", "must be an object"},
		{"bad base64", `{"blob":"!!"}`, "content", "content.blob", "base64"},
		{"array too long", `{"pair":[1,2,3]}`, "content", "content.pair", "at most 2 items"},
		{"invalid utf8", "{\"title\":\"a\xffb\"}", "content", "content.title", "valid UTF-8"},
		{"invalid utf8 in nested", "{\"sections\":[{\"body\":\"\xc3\x28\"}]}", "content", "content.sections[0].body", "valid UTF-8"},
		{"lone high surrogate", `{"title":"\ud800x"}`, "content", "content.title", "valid UTF-8"},
		{"lone low surrogate", `{"meta":{"k":"\udc00"}}`, "content", "content.meta.k", "valid UTF-8"},
		{"reversed surrogates", `{"title":"\ude00\ud83d"}`, "content", "content.title", "valid UTF-8"},
		{"too deep", `{"extra":` + strings.Repeat("[", 200) + strings.Repeat("]", 200) + `}`, "content", "", "nested too deeply"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got doc
			err := Decode([]byte(tc.in), &got, tc.prefix)
			var e *cms.Error
			if !errors.As(err, &e) || e.Code != cms.CodeInvalid {
				t.Fatalf("err = %v, want a cms.Error with code invalid", err)
			}
			if len(e.Fields) == 0 {
				t.Fatalf("no fields in %v", err)
			}
			f := e.Fields[0]
			if tc.field != "" && f.Field != tc.field {
				t.Errorf("field = %q, want %q (all: %+v)", f.Field, tc.field, e.Fields)
			}
			if !strings.Contains(f.Message, tc.msg) {
				t.Errorf("message = %q, want it to contain %q", f.Message, tc.msg)
			}
			if !reflect.DeepEqual(got, doc{}) {
				t.Errorf("v was written on error: %+v", got)
			}
		})
	}
}

func TestDecodeReportsEveryField(t *testing.T) {
	in := `{"title":1,"nope":true,"sections":[{"key":2,"key":"x"}],"meta":{"$a":"","b":3},"count":"x"}`
	err := Decode([]byte(in), &doc{}, "content")
	want := []cms.FieldError{
		{Field: "content.title", Message: "must be a string"},
		{Field: "content.nope", Message: "unknown field"},
		{Field: "content.sections[0].key", Message: "must be a string"},
		{Field: "content.sections[0].key", Message: "duplicate key"},
		{Field: "content.meta.$a", Message: "key must not start with $"},
		{Field: "content.meta.b", Message: "must be a string"},
		{Field: "content.count", Message: "must be an integer"},
	}
	if got := fields(err); !reflect.DeepEqual(got, want) {
		t.Errorf("fields:\n got %+v\nwant %+v", got, want)
	}
}

func TestDecodeMapAndSliceTargets(t *testing.T) {
	var m map[string]int
	if err := Decode([]byte(`{"a":1,"b":2}`), &m, ""); err != nil || m["b"] != 2 {
		t.Fatalf("map: %v %v", m, err)
	}
	if err := Decode([]byte(`[1]`), &m, ""); fieldOf(err) != "body" {
		t.Errorf("array into map: %v", err)
	}
	var s []string
	if err := Decode([]byte(`["a",2]`), &s, "tags"); fieldOf(err) != "tags[1]" {
		t.Errorf("slice: %v", fields(err))
	}
	var a any
	if err := Decode([]byte(`{"x":{"$gt":1}}`), &a, ""); fieldOf(err) != "x.$gt" {
		t.Errorf("any: %v", fields(err))
	}
}

func TestDecodeNeedsPointer(t *testing.T) {
	var d doc
	for _, v := range []any{d, (*doc)(nil), nil} {
		if err := Decode([]byte(`{}`), v, ""); cms.ErrorCode(err) != cms.CodeInternal {
			t.Errorf("Decode(%T) = %v, want internal error", v, err)
		}
	}
}

// FuzzDecode checks that Decode never panics, that everything it accepts encoding/json
// accepts too, and that every rejection is a well-formed invalid error.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{
		`{}`, `{"title":"x","count":1,"sections":[{"key":"a","body":"b"}]}`,
		`{"title":{"$gt":""}}`, `{"Title":"x"}`, `{"a":1,"a":2}`, `{"extra":{"$x":[1,{"y":2}]}}`,
		`{"at":"2024-01-01T00:00:00Z","when":null,"blob":"aGk=","pair":[1,2]}`,
		`{"title":"\ud800"}`, "{\"title\":\"\xff\"}", `{"u":-0,"small":-128,"ratio":-0.0e-5}`,
		`{"meta":{"":""},"raw":[],"extra":1e308}`, `[`, `{"emb":"x","NoTag":"y"}`, `{} x`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var got doc
		err := Decode(data, &got, "content")
		if err != nil {
			var e *cms.Error
			if !errors.As(err, &e) || e.Code != cms.CodeInvalid || len(e.Fields) == 0 {
				t.Fatalf("bad error %#v", err)
			}
			for _, fe := range e.Fields {
				if !strings.HasPrefix(fe.Field, "content") || fe.Message == "" {
					t.Fatalf("bad field error %+v", fe)
				}
			}
			return
		}
		var plain doc
		if err := json.Unmarshal(data, &plain); err != nil {
			t.Fatalf("Decode accepted %q but json.Unmarshal fails: %v", data, err)
		}
		if !reflect.DeepEqual(got, plain) {
			t.Fatalf("Decode and json.Unmarshal disagree on %q:\n%+v\n%+v", data, got, plain)
		}
	})
}

func ptr[T any](v T) *T { return &v }

func fields(err error) []cms.FieldError {
	var e *cms.Error
	if errors.As(err, &e) {
		return e.Fields
	}
	return nil
}

func fieldOf(err error) string {
	if fs := fields(err); len(fs) > 0 {
		return fs[0].Field
	}
	return ""
}

// TestPlainKey: the hand-written check agrees with the pattern it replaces.
func TestPlainKey(t *testing.T) {
	pattern := regexp.MustCompile(`^[A-Za-z_$][A-Za-z0-9_$-]*$`)
	for _, k := range []string{"", "a", "A9", "_x", "$where", "9a", "-a", "a-b", "a.b", "a b", "ключ", "a$", "x_y-z0", "é"} {
		if got, want := plainKey(k), pattern.MatchString(k); got != want {
			t.Errorf("plainKey(%q) = %v, want %v", k, got, want)
		}
	}
}
