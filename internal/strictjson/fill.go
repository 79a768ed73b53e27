package strictjson

import (
	"bytes"
	"encoding"
	"encoding/base64"
	"encoding/json"
	"errors"
	"reflect"
	"strconv"
	"strings"
	"unicode"
)

// The fill is the second pass of Decode: once the walk has found nothing wrong, it stores
// the value, doing exactly what json.Unmarshal would do on that input (which is what
// Decode did before, and still does for the types the fill does not cover). It is
// about four times faster than json.Unmarshal, which has to scan the input once more for
// syntax and look every member up again by folding its case.
//
// That the two agree rests on what the walk has established, and on the fill covering
// only types whose decoding it reproduces step by step (see localFill):
//   - the input is one syntactically valid JSON value (so the fill does not check syntax);
//   - every member of a struct object is an exact, unique match of a name in fieldsOf,
//     and for the structs the fill covers that is the very field encoding/json picks
//     (simpleStruct); no key is repeated in any object;
//   - every value has a type the target accepts: a string where a string is expected,
//     an integral number within range where an integer is, a float64-sized number in
//     an interface, a valid base64 string for []byte, at most N items for [N]T;
//   - every string is valid UTF-8 with paired surrogates, so a string without escapes
//     is taken as it is, as encoding/json takes it.
//
// Decode only fills a zero value (a fresh one, set into *v at the end, so that *v is
// untouched when a json.Unmarshaler or encoding.TextUnmarshaler fails): encoding/json
// merges into a non-zero value (existing maps, slices' arrays, pointers in interfaces)
// and the fill does not model that.

// fillKind says how the fill stores a value of some Go type.
type fillKind uint8

const (
	fillNone    fillKind = iota // not covered: Decode uses json.Unmarshal
	fillDirect                  // by walkKind (string, number, struct, slice, …)
	fillAny                     // an empty interface: map[string]any, []any, float64, …
	fillJSON                    // a json.Unmarshaler (time.Time, json.RawMessage, …)
	fillText                    // an encoding.TextUnmarshaler, from a string
	fillPointer                 // a pointer: allocate, then fill what it points to
)

var numberType = reflect.TypeFor[json.Number]()

// localFill decides whether the fill covers ti's type on its own account (its member,
// element and pointed-to types are settled by settleFill).
func localFill(ti *typeInfo) fillKind {
	t := ti.rtype
	if ti.ptr {
		return fillPointer
	}
	switch ti.kind {
	case wTime:
		return fillJSON
	case wAnything:
		if t.Kind() == reflect.Interface {
			if t.NumMethod() == 0 {
				return fillAny
			}
			return fillNone // encoding/json rejects a non-empty interface
		}
		// encoding/json finds the method through the field's address only for a named
		// type; an unnamed one (a struct embedding an Unmarshaler) it decodes member by
		// member, except at the top level. Leave those to it.
		if t.Name() == "" {
			return fillNone
		}
		return fillJSON
	case wText:
		if t.Name() == "" {
			return fillNone
		}
		return fillText
	case wStruct:
		if !simpleStruct(t, map[reflect.Type]bool{}) {
			return fillNone
		}
		return fillDirect
	case wString:
		if t == numberType { // encoding/json checks that it holds a number
			return fillNone
		}
		return fillDirect
	case wMap, wBytes, wSlice, wArray, wBool, wInt, wUint, wFloat:
		return fillDirect
	}
	return fillNone // wInvalid, wMapAnything
}

// settleFill takes the fill off every type that refers to a type it does not cover.
func settleFill(infos map[reflect.Type]*typeInfo) {
	for changed := true; changed; {
		changed = false
		for _, ti := range infos {
			if ti.fill == fillNone {
				continue
			}
			children := ti.fieldInfos
			if ti.elem != nil {
				children = []*typeInfo{ti.elem}
			}
			if ti.ptr {
				children = []*typeInfo{ti.base}
			}
			for _, c := range children {
				if c.fill == fillNone {
					ti.fill = fillNone
					changed = true
					break
				}
			}
		}
	}
}

// simpleStruct reports whether encoding/json resolves every name fieldsOf finds in t to
// the same field: no tag options that change decoding (",string"), no tag names that
// encoding/json would ignore, embedded structs only by value, untagged, and each struct
// type embedded once at most (encoding/json drops the members of a struct embedded twice
// at the same depth, which fieldsOf keeps).
func simpleStruct(t reflect.Type, embedded map[reflect.Type]bool) bool {
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if hasOption(opts, "string") || name != "" && !isValidTag(name) {
			return false
		}
		if !f.Anonymous {
			continue
		}
		if name != "" || f.Type.Kind() == reflect.Pointer {
			return false
		}
		if f.Type.Kind() == reflect.Struct {
			if embedded[f.Type] {
				return false
			}
			embedded[f.Type] = true
			if !simpleStruct(f.Type, embedded) {
				return false
			}
		}
	}
	return true
}

// hasOption reports whether the comma-separated list opts holds opt.
func hasOption(opts, opt string) bool {
	for opts != "" {
		var o string
		o, opts, _ = strings.Cut(opts, ",")
		if o == opt {
			return true
		}
	}
	return false
}

// isValidTag is encoding/json's test of a tag name (encode.go); it uses the Go field name
// for a tag name that fails it.
func isValidTag(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		switch {
		case strings.ContainsRune("!#$%&()*+-./:;<=>?@[]^_{|}~ ", c):
			// Backslash and quote chars are reserved, but
			// otherwise any punctuation chars are allowed
			// in a tag name.
		case !unicode.IsLetter(c) && !unicode.IsDigit(c):
			return false
		}
	}
	return true
}

// errFillBug reports a fill that met what the walk should have ruled out; Decode then
// falls back to json.Unmarshal.
var errFillBug = errors.New("strictjson: fill out of step with the walk")

// filler stores a walked JSON value; see the top of this file.
type filler struct {
	data []byte
	pos  int
}

func (f *filler) ws() {
	for f.pos < len(f.data) && isSpace(f.data[f.pos]) {
		f.pos++
	}
}

// expect consumes whitespace and then the byte c.
func (f *filler) expect(c byte) error {
	f.ws()
	if f.pos >= len(f.data) || f.data[f.pos] != c {
		return errFillBug
	}
	f.pos++
	return nil
}

// more consumes whitespace and a ',' or the closing delimiter end; it reports whether a
// ',' (another member or item) came.
func (f *filler) more(end byte) (bool, error) {
	f.ws()
	if f.pos < len(f.data) {
		switch f.data[f.pos] {
		case ',':
			f.pos++
			return true, nil
		case end:
			f.pos++
			return false, nil
		}
	}
	return false, errFillBug
}

// first consumes whitespace and, if it comes next, the closing delimiter end; it reports
// whether a member or item comes first.
func (f *filler) first(end byte) bool {
	f.ws()
	if f.pos < len(f.data) && f.data[f.pos] == end {
		f.pos++
		return false
	}
	return true
}

// str reads the string at f.pos and returns its content decoded as encoding/json
// decodes it (aliasing the input when there is no escape, as encoding/json does).
func (f *filler) str() ([]byte, error) {
	if f.pos >= len(f.data) || f.data[f.pos] != '"' {
		return nil, errFillBug
	}
	start := f.pos + 1
	rest := f.data[start:]
	n := bytes.IndexByte(rest, '"')
	if n < 0 {
		return nil, errFillBug
	}
	if bytes.IndexByte(rest[:n], '\\') < 0 {
		f.pos = start + n + 1
		return rest[:n], nil
	}
	i := start
	for i < len(f.data) && f.data[i] != '"' {
		if f.data[i] == '\\' {
			i++ // the escaped byte: no escape sequence holds a '"' past it
		}
		i++
	}
	if i >= len(f.data) {
		return nil, errFillBug
	}
	f.pos = i + 1
	return unquote(f.data[start:i]), nil
}

// scalar reads a number or literal and returns its text.
func (f *filler) scalar() []byte {
	start := f.pos
	for f.pos < len(f.data) {
		switch f.data[f.pos] {
		case ',', '}', ']', ' ', '\t', '\r', '\n':
			return f.data[start:f.pos]
		}
		f.pos++
	}
	return f.data[start:f.pos]
}

// skip reads the value at f.pos and returns its text.
func (f *filler) skip() ([]byte, error) {
	start := f.pos
	switch f.data[f.pos] {
	case '"':
		_, err := f.str()
		return f.data[start:f.pos], err
	case '{', '[':
		depth := 0
		for f.pos < len(f.data) {
			switch f.data[f.pos] {
			case '"':
				if _, err := f.str(); err != nil {
					return nil, err
				}
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					f.pos++
					return f.data[start:f.pos], nil
				}
			}
			f.pos++
		}
		return nil, errFillBug
	}
	return f.scalar(), nil
}

// value stores the JSON value at f.pos (after whitespace) into v, a settable zero value
// of ti's type.
func (f *filler) value(ti *typeInfo, v reflect.Value) error {
	f.ws()
	if f.pos >= len(f.data) {
		return errFillBug
	}
	c := f.data[f.pos]
	switch ti.fill {
	case fillPointer:
		if c == 'n' {
			f.pos += len("null") // leaves the pointer nil, as json.Unmarshal sets it
			return nil
		}
		for v.Kind() == reflect.Pointer {
			p := reflect.New(v.Type().Elem())
			v.Set(p)
			v = p.Elem()
		}
		return f.value(ti.base, v)
	case fillJSON:
		raw, err := f.skip()
		if err != nil {
			return err
		}
		u, ok := v.Addr().Interface().(json.Unmarshaler)
		if !ok {
			return errFillBug
		}
		return u.UnmarshalJSON(raw)
	case fillText:
		s, err := f.str()
		if err != nil {
			return err
		}
		u, ok := v.Addr().Interface().(encoding.TextUnmarshaler)
		if !ok {
			return errFillBug
		}
		return u.UnmarshalText(s)
	case fillAny:
		x, err := f.anything()
		if err != nil {
			return err
		}
		if x != nil {
			v.Set(reflect.ValueOf(x))
		}
		return nil
	case fillDirect:
	default:
		return errFillBug
	}

	switch ti.kind {
	case wStruct:
		return f.object(ti, v)
	case wMap:
		if c == 'n' {
			f.pos += len("null")
			return nil
		}
		return f.mapObject(ti, v)
	case wSlice:
		if c == 'n' {
			f.pos += len("null")
			return nil
		}
		return f.slice(ti, v)
	case wArray:
		return f.array(ti, v)
	case wBytes:
		if c == 'n' {
			f.pos += len("null")
			return nil
		}
		s, err := f.str()
		if err != nil {
			return err
		}
		b := make([]byte, base64.StdEncoding.DecodedLen(len(s)))
		n, err := base64.StdEncoding.Decode(b, s)
		if err != nil {
			return errFillBug
		}
		v.SetBytes(b[:n])
	case wString:
		s, err := f.str()
		if err != nil {
			return err
		}
		v.SetString(string(s))
	case wBool:
		switch lit := f.scalar(); string(lit) {
		case "true":
			v.SetBool(true)
		case "false":
		default:
			return errFillBug
		}
	case wInt:
		n, ok := parseInt(f.scalar())
		if !ok {
			return errFillBug
		}
		v.SetInt(n)
	case wUint:
		n, err := strconv.ParseUint(string(f.scalar()), 10, 64)
		if err != nil {
			return errFillBug
		}
		v.SetUint(n)
	case wFloat:
		n, err := strconv.ParseFloat(string(f.scalar()), ti.bits)
		if err != nil {
			return errFillBug
		}
		v.SetFloat(n)
	default:
		return errFillBug
	}
	return nil
}

// parseInt is strconv.ParseInt(string(b), 10, 64), without the string for short numbers.
func parseInt(b []byte) (int64, bool) {
	if len(b) == 0 || len(b) > 18 {
		n, err := strconv.ParseInt(string(b), 10, 64)
		return n, err == nil
	}
	neg := b[0] == '-'
	digits := b
	if neg {
		digits = b[1:]
	}
	if len(digits) == 0 {
		return 0, false
	}
	var n int64
	for _, c := range digits {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	if neg {
		n = -n
	}
	return n, true
}

// object stores a JSON object into a struct.
func (f *filler) object(ti *typeInfo, v reflect.Value) error {
	if err := f.expect('{'); err != nil {
		return err
	}
	for more := f.first('}'); more; {
		f.ws()
		key, err := f.str()
		if err != nil {
			return err
		}
		i, ok := ti.fields[string(key)]
		if !ok {
			return errFillBug
		}
		if err := f.expect(':'); err != nil {
			return err
		}
		var fv reflect.Value
		if index := ti.fieldIndex[i]; len(index) == 1 {
			fv = v.Field(index[0])
		} else {
			fv = v.FieldByIndex(index)
		}
		if err := f.value(ti.fieldInfos[i], fv); err != nil {
			return err
		}
		if more, err = f.more('}'); err != nil {
			return err
		}
	}
	return nil
}

// mapObject stores a JSON object into a string-keyed map, as encoding/json does: each
// value into a fresh element, then the key converted to the key type.
func (f *filler) mapObject(ti *typeInfo, v reflect.Value) error {
	if err := f.expect('{'); err != nil {
		return err
	}
	t := ti.rtype
	v.Set(reflect.MakeMap(t))
	kt, et := t.Key(), t.Elem()
	for more := f.first('}'); more; {
		f.ws()
		key, err := f.str()
		if err != nil {
			return err
		}
		if err := f.expect(':'); err != nil {
			return err
		}
		ev := reflect.New(et).Elem()
		if err := f.value(ti.elem, ev); err != nil {
			return err
		}
		kv := reflect.New(kt).Elem()
		kv.SetString(string(key))
		v.SetMapIndex(kv, ev)
		if more, err = f.more('}'); err != nil {
			return err
		}
	}
	return nil
}

// slice stores a JSON array into a slice, growing it as encoding/json does; [] is an
// empty, non-nil slice.
func (f *filler) slice(ti *typeInfo, v reflect.Value) error {
	if err := f.expect('['); err != nil {
		return err
	}
	i := 0
	for more := f.first(']'); more; i++ {
		if i >= v.Cap() {
			v.Grow(1)
		}
		v.SetLen(i + 1)
		if err := f.value(ti.elem, v.Index(i)); err != nil {
			return err
		}
		var err error
		if more, err = f.more(']'); err != nil {
			return err
		}
	}
	if i == 0 {
		v.Set(reflect.MakeSlice(ti.rtype, 0, 0))
	}
	return nil
}

// array stores a JSON array of at most v.Len() items into a Go array.
func (f *filler) array(ti *typeInfo, v reflect.Value) error {
	if err := f.expect('['); err != nil {
		return err
	}
	for i, more := 0, f.first(']'); more; i++ {
		if i >= v.Len() {
			return errFillBug
		}
		if err := f.value(ti.elem, v.Index(i)); err != nil {
			return err
		}
		var err error
		if more, err = f.more(']'); err != nil {
			return err
		}
	}
	return nil
}

// anything returns the JSON value at f.pos as encoding/json stores it in an empty
// interface: map[string]any, []any, string, float64, bool or nil.
func (f *filler) anything() (any, error) {
	f.ws()
	if f.pos >= len(f.data) {
		return nil, errFillBug
	}
	switch f.data[f.pos] {
	case '{':
		f.pos++
		m := make(map[string]any)
		for more := f.first('}'); more; {
			f.ws()
			key, err := f.str()
			if err != nil {
				return nil, err
			}
			if err := f.expect(':'); err != nil {
				return nil, err
			}
			x, err := f.anything()
			if err != nil {
				return nil, err
			}
			m[string(key)] = x
			if more, err = f.more('}'); err != nil {
				return nil, err
			}
		}
		return m, nil
	case '[':
		f.pos++
		a := make([]any, 0)
		for more := f.first(']'); more; {
			x, err := f.anything()
			if err != nil {
				return nil, err
			}
			a = append(a, x)
			if more, err = f.more(']'); err != nil {
				return nil, err
			}
		}
		return a, nil
	case '"':
		s, err := f.str()
		return string(s), err
	}
	switch lit := f.scalar(); string(lit) {
	case "true":
		return true, nil
	case "false":
		return false, nil
	case "null":
		return nil, nil
	default:
		n, err := strconv.ParseFloat(string(lit), 64)
		if err != nil {
			return nil, errFillBug
		}
		return n, nil
	}
}
