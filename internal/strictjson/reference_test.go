// referenceDecode is Decode as it was before the hand-written tokenizer (encoding/json's
// Decoder.Token walk, then json.Unmarshal), kept verbatim apart from renamed identifiers as
// the oracle of FuzzDifferential: the new Decode must answer exactly as it does.

package strictjson

import (
	"bytes"
	"encoding"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/monograph-cms/monograph/internal/cms"
)

const (
	// refMaxDepth bounds nesting so a hostile body cannot make the walk recurse without limit;
	// no Monograph document nests anywhere near this deep.
	refMaxDepth = 100
	// refMaxErrors bounds the error list so a large bad body yields a readable answer.
	refMaxErrors = 50
)

var (
	refTimeType        = reflect.TypeFor[time.Time]()
	refRawMessageType  = reflect.TypeFor[json.RawMessage]()
	refUnmarshalerType = reflect.TypeFor[json.Unmarshaler]()
	refTextType        = reflect.TypeFor[encoding.TextUnmarshaler]()
	refFieldCache      sync.Map // reflect.Type → map[string]reflect.Type
)

// Decode decodes the single JSON value in data into v, which must be a non-nil pointer.
// It first walks the JSON against v's type and, if anything is wrong, returns a *cms.Error
// with code cms.CodeInvalid whose Fields name each failing JSON path (prefix + path, e.g.
// "content.sections[2].key"; problems with the body as a whole are reported on prefix,
// or on "body" when prefix is empty). It rejects:
//   - an empty body, syntax errors (with their byte offset) and trailing data;
//   - values of the wrong type (a top-level non-object for a struct or map, {"$gt": ""}
//     where a string is expected), non-integral or out-of-range integers, malformed times;
//   - keys that do not exactly match a json tag of the target struct (no case folding);
//   - anywhere, also inside maps, json.RawMessage and any: duplicate keys, keys starting
//     with "$" (MongoDB operators) or containing NUL, invalid UTF-8 or lone UTF-16
//     surrogates in strings.
//
// Only then does it json.Unmarshal into v, so v is untouched on error. Struct tag options
// such as ",string" are not supported.
func referenceDecode(data []byte, v any, prefix string) error {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return &cms.Error{Code: cms.CodeInternal, Message: "internal error",
			Err: fmt.Errorf("strictjson: Decode needs a non-nil pointer, got %T", v)}
	}
	root := prefix
	if root == "" {
		root = "body"
	}
	if len(bytes.Trim(data, " \t\r\n")) == 0 { // JSON whitespace only
		return cms.InvalidField(root, "must not be empty")
	}
	d := &refDecoder{dec: json.NewDecoder(bytes.NewReader(data)), data: data, root: root}
	d.dec.UseNumber()
	if err := d.value(rv.Type().Elem(), prefix, 0); err != nil {
		return err
	}
	if len(d.errs) > 0 {
		return cms.Invalid(d.errs...)
	}
	end := d.dec.InputOffset()
	if _, err := d.dec.Token(); err != io.EOF {
		end += int64(len(d.data[end:]) - len(bytes.TrimLeft(d.data[end:], " \t\r\n")))
		return cms.InvalidField(root, fmt.Sprintf("unexpected data after the JSON value at byte offset %d", end))
	}
	if err := json.Unmarshal(data, v); err != nil {
		// The walk should have caught everything; this is the safety net for types it
		// does not model (custom unmarshalers, non-string map keys).
		e := cms.InvalidField(root, "invalid value")
		e.Err = err
		return e
	}
	return nil
}

// refDecoder holds the state of one Decode call.
type refDecoder struct {
	dec  *json.Decoder
	data []byte
	root string
	errs []cms.FieldError
}

// add records a field error; the walk goes on so the caller sees every problem at once.
func (d *refDecoder) add(path, msg string) {
	if path == "" {
		path = d.root
	}
	if len(d.errs) < refMaxErrors {
		d.errs = append(d.errs, cms.FieldError{Field: path, Message: msg})
	}
}

// token reads the next token. A syntax error ends the walk (the returned error); a string
// that is not valid UTF-8 is reported at path and decoding continues.
func (d *refDecoder) token(path string) (json.Token, error) {
	start := d.dec.InputOffset()
	tok, err := d.dec.Token()
	if err != nil {
		return d.tokenError(err)
	}
	if _, ok := tok.(string); ok && !refValidString(d.data[start:d.dec.InputOffset()]) {
		d.add(path, "must be valid UTF-8")
	}
	return tok, nil
}

// value walks one JSON value against t.
func (d *refDecoder) value(t reflect.Type, path string, depth int) error {
	tok, err := d.token(path)
	if err != nil {
		return err
	}
	return d.valueFrom(tok, t, path, depth)
}

// valueFrom walks the value that starts with tok against t.
func (d *refDecoder) valueFrom(tok json.Token, t reflect.Type, path string, depth int) error {
	if depth > refMaxDepth {
		return cms.InvalidField(path, "is nested too deeply")
	}
	for t.Kind() == reflect.Pointer {
		if tok == nil {
			return nil
		}
		t = t.Elem()
	}
	switch {
	case t == refTimeType:
		s, ok := tok.(string)
		if !ok {
			return d.mismatch(tok, path, "must be an RFC 3339 time string")
		}
		if _, err := time.Parse(time.RFC3339, s); err != nil {
			d.add(path, "must be an RFC 3339 time")
		}
		return nil
	case t == refRawMessageType || t.Kind() == reflect.Interface ||
		t.Implements(refUnmarshalerType) || reflect.PointerTo(t).Implements(refUnmarshalerType):
		// Anything goes structurally, but operator keys must not get through.
		return d.anything(tok, path, depth, t.Kind() == reflect.Interface)
	case reflect.PointerTo(t).Implements(refTextType):
		if _, ok := tok.(string); !ok {
			return d.mismatch(tok, path, "must be a string")
		}
		return nil
	}
	switch t.Kind() {
	case reflect.Struct:
		return d.object(tok, path, depth, func(key string) (reflect.Type, bool) {
			ft, ok := refFieldsOf(t)[key]
			return ft, ok
		})
	case reflect.Map:
		if tok == nil {
			return nil
		}
		if t.Key().Kind() != reflect.String || reflect.PointerTo(t.Key()).Implements(refTextType) {
			return d.anything(tok, path, depth, false)
		}
		return d.object(tok, path, depth, func(string) (reflect.Type, bool) { return t.Elem(), true })
	case reflect.Slice:
		if tok == nil {
			return nil
		}
		if t.Elem().Kind() == reflect.Uint8 {
			s, ok := tok.(string)
			if !ok {
				return d.mismatch(tok, path, "must be a base64 string")
			}
			if _, err := base64.StdEncoding.DecodeString(s); err != nil {
				d.add(path, "must be a base64 string")
			}
			return nil
		}
		return d.array(tok, t.Elem(), -1, path, depth)
	case reflect.Array:
		return d.array(tok, t.Elem(), t.Len(), path, depth)
	case reflect.String:
		if _, ok := tok.(string); !ok {
			return d.mismatch(tok, path, "must be a string")
		}
	case reflect.Bool:
		if _, ok := tok.(bool); !ok {
			return d.mismatch(tok, path, "must be a boolean")
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, ok := tok.(json.Number)
		if !ok {
			return d.mismatch(tok, path, "must be an integer")
		}
		if _, err := strconv.ParseInt(string(n), 10, t.Bits()); err != nil {
			d.add(path, refNumberMessage(err, "must be an integer"))
		}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		n, ok := tok.(json.Number)
		if !ok {
			return d.mismatch(tok, path, "must be a non-negative integer")
		}
		if _, err := strconv.ParseUint(string(n), 10, t.Bits()); err != nil {
			d.add(path, refNumberMessage(err, "must be a non-negative integer"))
		}
	case reflect.Float32, reflect.Float64:
		n, ok := tok.(json.Number)
		if !ok {
			return d.mismatch(tok, path, "must be a number")
		}
		if _, err := strconv.ParseFloat(string(n), t.Bits()); err != nil {
			d.add(path, "is out of range")
		}
	default:
		return d.mismatch(tok, path, "cannot be set from JSON")
	}
	return nil
}

func refNumberMessage(err error, syntax string) string {
	if errors.Is(err, strconv.ErrRange) {
		return "is out of range"
	}
	return syntax
}

// object walks an object whose member types come from member; unknown members and bad keys
// are reported and skipped.
func (d *refDecoder) object(tok json.Token, path string, depth int, member func(string) (reflect.Type, bool)) error {
	if tok != json.Delim('{') {
		return d.mismatch(tok, path, "must be an object")
	}
	seen := map[string]bool{}
	for d.dec.More() {
		ktok, err := d.token(path)
		if err != nil {
			return err
		}
		key, _ := ktok.(string) // the refDecoder guarantees object keys are strings
		kpath := refJoinKey(path, key)
		if !d.keyOK(key, kpath, seen) {
			if err := d.skip(kpath); err != nil {
				return err
			}
			continue
		}
		vt, known := member(key)
		if !known {
			d.add(kpath, "unknown field")
			if err := d.skip(kpath); err != nil {
				return err
			}
			continue
		}
		if err := d.value(vt, kpath, depth+1); err != nil {
			return err
		}
	}
	_, err := d.token(path) // '}'
	return err
}

// keyOK checks, and records in seen, a key that may end up in MongoDB: no operators, no
// NUL, no duplicates. A bad key is reported at kpath.
func (d *refDecoder) keyOK(key, kpath string, seen map[string]bool) bool {
	var msg string
	switch {
	case strings.HasPrefix(key, "$"):
		msg = "key must not start with $"
	case strings.ContainsRune(key, 0):
		msg = "key must not contain NUL"
	case seen[key]:
		msg = "duplicate key"
	}
	seen[key] = true
	if msg != "" {
		d.add(kpath, msg)
		return false
	}
	return true
}

// array walks an array of elem; max < 0 means no length limit.
func (d *refDecoder) array(tok json.Token, elem reflect.Type, max int, path string, depth int) error {
	if tok != json.Delim('[') {
		return d.mismatch(tok, path, "must be an array")
	}
	for i := 0; d.dec.More(); i++ {
		ipath := path + "[" + strconv.Itoa(i) + "]"
		if max >= 0 && i >= max {
			d.add(path, fmt.Sprintf("must have at most %d items", max))
			return d.skipRest() // consumes the closing ']' too
		}
		if err := d.value(elem, ipath, depth+1); err != nil {
			return err
		}
	}
	_, err := d.token(path) // ']'
	return err
}

// anything walks a value of any shape, still checking keys and strings everywhere; with
// asFloat, numbers must fit a float64 as encoding/json will store them in one.
func (d *refDecoder) anything(tok json.Token, path string, depth int, asFloat bool) error {
	if depth > refMaxDepth {
		return cms.InvalidField(path, "is nested too deeply")
	}
	switch tok {
	case json.Delim('{'):
		seen := map[string]bool{}
		for d.dec.More() {
			ktok, err := d.token(path)
			if err != nil {
				return err
			}
			key, _ := ktok.(string)
			kpath := refJoinKey(path, key)
			if !d.keyOK(key, kpath, seen) {
				if err := d.skip(kpath); err != nil {
					return err
				}
				continue
			}
			vtok, err := d.token(kpath)
			if err != nil {
				return err
			}
			if err := d.anything(vtok, kpath, depth+1, asFloat); err != nil {
				return err
			}
		}
		_, err := d.token(path)
		return err
	case json.Delim('['):
		for i := 0; d.dec.More(); i++ {
			ipath := path + "[" + strconv.Itoa(i) + "]"
			vtok, err := d.token(ipath)
			if err != nil {
				return err
			}
			if err := d.anything(vtok, ipath, depth+1, asFloat); err != nil {
				return err
			}
		}
		_, err := d.token(path)
		return err
	}
	if n, ok := tok.(json.Number); ok && asFloat {
		if _, err := strconv.ParseFloat(string(n), 64); err != nil {
			d.add(path, "is out of range")
		}
	}
	return nil
}

// mismatch reports a value of the wrong type and skips the rest of it.
func (d *refDecoder) mismatch(tok json.Token, path, msg string) error {
	d.add(path, msg)
	if tok == json.Delim('{') || tok == json.Delim('[') {
		return d.skipRest()
	}
	return nil
}

// skip consumes the next value without checking it: its container is already reported.
func (d *refDecoder) skip(path string) error {
	tok, err := d.token(path)
	if err != nil {
		return err
	}
	if tok == json.Delim('{') || tok == json.Delim('[') {
		return d.skipRest()
	}
	return nil
}

// skipRest consumes tokens up to the end of the container just opened.
func (d *refDecoder) skipRest() error {
	for depth := 1; depth > 0; {
		tok, err := d.dec.Token()
		if err != nil {
			_, err := d.tokenError(err)
			return err
		}
		switch tok {
		case json.Delim('{'), json.Delim('['):
			depth++
		case json.Delim('}'), json.Delim(']'):
			depth--
		}
	}
	return nil
}

// tokenError turns a refDecoder error into an invalid-input error on the root: a body that is
// not JSON has no meaningful field path.
func (d *refDecoder) tokenError(err error) (json.Token, error) {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return nil, cms.InvalidField(d.root, fmt.Sprintf("invalid JSON at byte offset %d: %s", se.Offset, se.Error()))
	}
	return nil, cms.InvalidField(d.root, fmt.Sprintf("invalid JSON: unexpected end of input at byte offset %d", len(d.data)))
}

// refJoinKey appends an object key to a path, quoting keys that would make the path ambiguous.
func refJoinKey(path, key string) string {
	if !refPlainKey(key) {
		return path + "[" + strconv.Quote(key) + "]"
	}
	if path == "" {
		return key
	}
	return path + "." + key
}

// refFieldsOf maps each exact JSON member name of struct t to its Go type, following
// encoding/json's rules for untagged embedded structs (shallower names win; names that
// collide at the same depth are dropped).
func refFieldsOf(t reflect.Type) map[string]reflect.Type {
	if m, ok := refFieldCache.Load(t); ok {
		return m.(map[string]reflect.Type)
	}
	m := map[string]reflect.Type{}
	visited := map[reflect.Type]bool{}
	for level := []reflect.Type{t}; len(level) > 0; {
		var next []reflect.Type
		found := map[string][]reflect.Type{}
		for _, st := range level {
			if visited[st] {
				continue
			}
			visited[st] = true
			for i := range st.NumField() {
				f := st.Field(i)
				tag := f.Tag.Get("json")
				if tag == "-" {
					continue
				}
				name, _, _ := strings.Cut(tag, ",")
				if f.Anonymous && name == "" {
					et := f.Type
					if et.Kind() == reflect.Pointer {
						et = et.Elem()
					}
					if et.Kind() == reflect.Struct {
						next = append(next, et)
						continue
					}
				}
				if !f.IsExported() {
					continue
				}
				if name == "" {
					name = f.Name
				}
				if _, done := m[name]; !done {
					found[name] = append(found[name], f.Type)
				}
			}
		}
		for name, types := range found {
			if len(types) == 1 {
				m[name] = types[0]
			}
		}
		level = next
	}
	refFieldCache.Store(t, m)
	return m
}

// refValidString reports whether a raw JSON string token (possibly with surrounding
// punctuation) is valid UTF-8 and has no lone surrogate escapes, both of which
// encoding/json would silently turn into U+FFFD.
func refValidString(raw []byte) bool {
	if !utf8.Valid(raw) {
		return false
	}
	for i := 0; i < len(raw); i++ {
		if raw[i] != '\\' {
			continue
		}
		if i+1 < len(raw) && raw[i+1] != 'u' {
			i++ // a two-character escape such as \\ or \"
			continue
		}
		r := refHex4(raw, i+2)
		switch {
		case r >= 0xD800 && r < 0xDC00:
			if i+7 < len(raw) && raw[i+6] == '\\' && raw[i+7] == 'u' {
				if lo := refHex4(raw, i+8); lo >= 0xDC00 && lo < 0xE000 {
					i += 11
					continue
				}
			}
			return false
		case r >= 0xDC00 && r < 0xE000:
			return false
		}
		i += 5
	}
	return true
}

// refHex4 parses the four hex digits at raw[i:], or returns -1.
func refHex4(raw []byte, i int) int {
	if i+4 > len(raw) {
		return -1
	}
	n, err := strconv.ParseUint(string(raw[i:i+4]), 16, 32)
	if err != nil {
		return -1
	}
	return int(n)
}

// refPlainKey reports whether key matches ^[A-Za-z_$][A-Za-z0-9_$-]*$, a key that needs no
// quoting in a path (checked for every key of every body, so by hand, not by regexp).
func refPlainKey(key string) bool {
	if key == "" {
		return false
	}
	for i := 0; i < len(key); i++ {
		c := key[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', c == '_', c == '$':
		case i > 0 && ('0' <= c && c <= '9' || c == '-'):
		default:
			return false
		}
	}
	return true
}
