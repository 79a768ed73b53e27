package strictjson

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/monograph-cms/monograph/internal/cms"
	"github.com/monograph-cms/monograph/internal/content"
)

// The differential tests hold Decode to referenceDecode (reference_test.go, the walk on
// encoding/json's Decoder.Token followed by json.Unmarshal): the same error (code,
// message, field paths and messages) and, on success, the same value.

type pageDoc struct {
	Slug    string          `json:"slug"`
	Content content.Content `json:"content"`
}

// msTime is shaped like editorial's cmsTime: a named time with its own UnmarshalJSON.
type msTime time.Time

func (t *msTime) UnmarshalJSON(b []byte) error {
	var v time.Time
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*t = msTime(v.UTC())
	return nil
}

// upper is an encoding.TextUnmarshaler that refuses "bad".
type upper string

func (u *upper) UnmarshalText(b []byte) error {
	if string(b) == "bad" {
		return errors.New("bad text")
	}
	*u = upper(strings.ToUpper(string(b)))
	return nil
}

type label string

type inner struct {
	N  *int            `json:"n"`
	At msTime          `json:"at"`
	M  map[label][]int `json:"m"`
}

// lower is embedded unexported: its members are still set through it.
type lower struct {
	Low  string `json:"low"`
	Name string `json:"name"` // hidden by fillDoc.Name
}

// fillDoc has a member of every kind the fill covers.
type fillDoc struct {
	lower
	Name    label              `json:"name"`
	I8      int8               `json:"i8"`
	I64     int64              `json:"i64"`
	U8      uint8              `json:"u8"`
	U       uint               `json:"u"`
	F32     float32            `json:"f32"`
	B       bool               `json:"b"`
	PP      **string           `json:"pp"`
	Items   []*inner           `json:"items"`
	Arr     [3]string          `json:"arr"`
	Any     any                `json:"any"`
	AnyMap  map[string]any     `json:"anyMap"`
	Raw     json.RawMessage    `json:"raw"`
	PRaw    *json.RawMessage   `json:"praw"`
	Times   map[string]msTime  `json:"times"`
	PTime   *time.Time         `json:"ptime"`
	Up      upper              `json:"up"`
	Ups     []upper            `json:"ups"`
	Bytes   []byte             `json:"bytes"`
	Nested  [][]int            `json:"nested"`
	Inner   inner              `json:"inner"`
	Structs map[string]section `json:"structs"`
}

// fallbackDoc has members the fill leaves to json.Unmarshal.
type fallbackDoc struct {
	Num json.Number    `json:"num"`
	IM  map[int]string `json:"im"`
	S   string         `json:"s"`
}

type target struct {
	name     string
	prefix   string
	new      func() any
	fillable bool
}

var targets = []target{
	{"doc", "content", func() any { return new(doc) }, true},
	{"content", "content", func() any { return new(content.Content) }, true},
	{"page", "", func() any { return new(pageDoc) }, true},
	{"any", "", func() any { return new(any) }, true},
	{"fillDoc", "x", func() any { return new(fillDoc) }, true},
	{"fallbackDoc", "", func() any { return new(fallbackDoc) }, false},
	{"map", "", func() any { return new(map[string]int) }, true},
	{"ptrSlice", "tags", func() any { return new(*[]string) }, true},
}

// compare decodes data into a fresh value of tg with both decoders and reports the first
// difference.
func compare(data []byte, tg target) error {
	want, got := tg.new(), tg.new()
	wantErr := referenceDecode(data, want, tg.prefix)
	bugs := fillBugs.Load()
	gotErr := Decode(data, got, tg.prefix)
	if fillBugs.Load() != bugs {
		return fmt.Errorf("the fill fell back to json.Unmarshal")
	}
	if (wantErr == nil) != (gotErr == nil) {
		return fmt.Errorf("error %v, reference %v", gotErr, wantErr)
	}
	if wantErr != nil {
		var we, ge *cms.Error
		if !errors.As(wantErr, &we) || !errors.As(gotErr, &ge) {
			return fmt.Errorf("error %#v, reference %#v", gotErr, wantErr)
		}
		if we.Code != ge.Code || we.Message != ge.Message || !reflect.DeepEqual(we.Fields, ge.Fields) {
			return fmt.Errorf("error\n  %s %q %+v\nreference\n  %s %q %+v", ge.Code, ge.Message, ge.Fields, we.Code, we.Message, we.Fields)
		}
		if tg.fillable && !reflect.DeepEqual(got, tg.new()) {
			return fmt.Errorf("v was written on error: %+v", got)
		}
		return nil
	}
	if !reflect.DeepEqual(got, want) {
		return fmt.Errorf("value\n  %#v\nreference\n  %#v", deref(got), deref(want))
	}
	return nil
}

func deref(v any) any { return reflect.ValueOf(v).Elem().Interface() }

func sample(tb testing.TB) []byte {
	tb.Helper()
	data, err := os.ReadFile("../app/samples/ketamine.json")
	if err != nil {
		tb.Fatal(err)
	}
	return data
}

// differentialSeeds are FuzzDecode's seeds, the sample page (and its content alone), and
// inputs aimed at the corners of the tokenizer, the paths and the fill.
func differentialSeeds(tb testing.TB) []string {
	page := sample(tb)
	var p struct {
		Content json.RawMessage `json:"content"`
	}
	if err := json.Unmarshal(page, &p); err != nil {
		tb.Fatal(err)
	}
	return []string{
		// FuzzDecode's seeds.
		`{}`, `{"title":"x","count":1,"sections":[{"key":"a","body":"b"}]}`,
		`{"title":{"$gt":""}}`, `{"Title":"x"}`, `{"a":1,"a":2}`, `{"extra":{"$x":[1,{"y":2}]}}`,
		`{"at":"2024-01-01T00:00:00Z","when":null,"blob":"aGk=","pair":[1,2]}`,
		`{"title":"\ud800"}`, "{\"title\":\"\xff\"}", `{"u":-0,"small":-128,"ratio":-0.0e-5}`,
		`{"meta":{"":""},"raw":[],"extra":1e308}`, `[`, `{"emb":"x","NoTag":"y"}`, `{} x`,
		// The sample.
		string(page), string(p.Content),
		// Keys: escapes, duplicates through escapes, operators, NUL, bad UTF-8, quoting.
		`{"\u0074itle":"a","title":"b"}`, `{"meta":{"\u0024where":1,"a b":"c","é":"d","":"e"}}`,
		`{"meta":{"a\u0000b":"x","a\u0000b":"y"}}`, "{\"meta\":{\"\xff\":\"x\",\"\xfe\":\"y\"}}",
		"{\"ti\xfftle\":\"x\"}", `{"extra":{"k\"q":[{"\\":1}]}}`, `{"$a":1,"$a":2}`,
		// Strings.
		`{"title":"\ud83d\ude00\ud83d"}`, `{"title":"\udc00\ud800\udc00"}`, `{"title":"\u00e9\/\b\f\n\r\t"}`,
		"{\"title\":\"\xed\xa0\x80\"}", "{\"title\":\"\xf4\x90\x80\x80\"}", "{\"title\":\"a\x01\"}",
		`{"title":"\x"}`, `{"title":"\u12G4"}`, `{"title":"abc`, `{"title":"\`,
		// Numbers.
		`{"count":01}`, `{"count":1.}`, `{"count":-}`, `{"count":1e}`, `{"count":-0}`, `{"u":-0}`,
		`{"count":9223372036854775807,"small":-128,"u":65535}`, `{"count":-9223372036854775809}`,
		`{"count":12345678,"small":-129}`, `{"f32":3.4028235e38,"ratio":1e-400}`, `{"extra":[1E+2,-0.5e-3]}`,
		// Literals and structure.
		`{"ok":tru}`, `{"ok":truex}`, `{"ok":nul}`, `{"title":"a",}`, `{"title" "a"}`, `{"title":"a"]`,
		`[1,]`, `[,1]`, `{,}`, `{"a":1 "b":2}`, `{"sections":[{"key":"a"}}`, `{"pair":[1,2,3,}`,
		`{"pair":[1,2,3]}`, `{"pair":[]}`, `{"pair":[1]}`, `{"sections":[]}`, `{"meta":{}}`,
		"\xef\xbb\xbf{}", " \t\r\n{}\n", `{}}`, `{}]`, `{}{`, `1`, `"x"`, `null`, `true`, `[]`,
		`{"extra":` + strings.Repeat("[", 99) + strings.Repeat("]", 99) + `}`,
		`{"extra":` + strings.Repeat("[", 100) + strings.Repeat("]", 100) + `}`,
		`{"extra":` + strings.Repeat(`{"a":`, 101) + `1` + strings.Repeat("}", 101) + `}`,
		`{"extra":` + strings.Repeat("[", 101) + `x`,
		// Unknown and mistyped members are skipped unchecked, but not unparsed.
		"{\"nope\":\"\xff\",\"title\":1}", `{"nope":{"$a":[1,{"$b":"\ud800"}]},"count":"x"}`,
		`{"nope":[1,2,{"a":}]}`, `{"title":[{"a":1},[2]],"ok":{"b":[]}}`, `{"title":[1,2`,
		// Times, bytes, raw, any.
		`{"at":"2024-01-01T1:00:00Z"}`, `{"at":"2024-01-01T10:00:00,5Z"}`, `{"at":"2024-01-01T10:00:00+24:00"}`,
		`{"at":"2024-02-30T10:00:00Z"}`, `{"when":"2024-01-01T10:00:00.123456789+02:00"}`,
		`{"blob":"aGk"}`, `{"blob":"aG\u006b="}`, `{"blob":null,"raw":null,"extra":null,"ptr":null}`,
		`{"raw":  {"a" : [1, 2]}  ,"extra":{"b":[true,false,null,"s",1.5]}}`,
		// fillDoc.
		`{"name":"n","i8":-128,"i64":-5,"u8":255,"u":7,"f32":1.5,"b":true,"pp":"s","items":[null,{"n":3,"at":"2024-01-01T00:00:00Z","m":{"k":[1]}}],` +
			`"arr":["a"],"any":[{}],"anyMap":{"x":null},"raw":"r","praw":null,"times":{"t":"2024-01-01T00:00:00.5+01:00"},` +
			`"ptime":"2024-01-01T00:00:00Z","up":"abc","ups":["x","y\u00e9"],"bytes":"AAEC","nested":[[],[1],null],` +
			`"inner":{"n":null,"at":null,"m":null},"structs":{"s":{"key":"k"}},"low":"l"}`,
		`{"up":"bad"}`, `{"ups":["x","bad"]}`, `{"title":"t","count":-3,"small":127,"u":65535,"ratio":1.5e3,"f32":2,"ok":true}`, `{"inner":{"at":"yesterday"}}`, `{"times":{"a":1}}`, `{"pp":null,"items":[]}`,
		// fallbackDoc.
		`{"num":"12","im":{"1":"a"},"s":"x"}`, `{"num":"x"}`, `{"im":{"x":"a"}}`, `{"num":12}`,
	}
}

func TestDecodeMatchesReference(t *testing.T) {
	for _, s := range differentialSeeds(t) {
		for _, tg := range targets {
			if err := compare([]byte(s), tg); err != nil {
				t.Errorf("%s: %.200q:\n%v", tg.name, s, err)
			}
		}
	}
}

// TestFillCovers: the fill (not json.Unmarshal) decodes the real shapes.
func TestFillCovers(t *testing.T) {
	for _, tg := range targets {
		ti := infoOf(reflect.TypeOf(tg.new()).Elem())
		if got := ti.fill != fillNone; got != tg.fillable {
			t.Errorf("%s: fillable = %v, want %v", tg.name, got, tg.fillable)
		}
	}
	type twice struct{ Embedded }
	type both struct {
		twice
		Embedded
	}
	type tagged struct {
		N int `json:"n,string"`
	}
	type badTag struct {
		N int `json:"a\"b"`
	}
	type embPtr struct{ *Embedded }
	for _, v := range []any{both{}, tagged{}, badTag{}, embPtr{}, struct{ time.Time }{}} {
		if ti := infoOf(reflect.TypeOf(v)); ti.fill != fillNone {
			t.Errorf("%T: the fill covers it, want json.Unmarshal", v)
		}
	}
}

// TestDecodeMergesLikeUnmarshal: a non-zero value is left to json.Unmarshal, which
// merges into it.
func TestDecodeMergesLikeUnmarshal(t *testing.T) {
	got := doc{Title: "keep", Meta: map[string]string{"a": "1"}}
	want := got
	want.Meta = map[string]string{"a": "1"}
	in := []byte(`{"count":2,"meta":{"b":"2"}}`)
	if err := Decode(in, &got, ""); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(in, &want); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v, want %+v", got, want)
	}
}

// FuzzDifferential: Decode answers exactly as referenceDecode for every input and target.
func FuzzDifferential(f *testing.F) {
	for _, s := range differentialSeeds(f) {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, tg := range targets {
			if err := compare(data, tg); err != nil {
				t.Fatalf("%s: %q:\n%v", tg.name, data, err)
			}
		}
	})
}
