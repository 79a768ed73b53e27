// Package strictjson decodes request bodies and import files strictly: it rejects what
// encoding/json would silently accept (unknown or case-variant keys, duplicate keys, invalid
// UTF-8, trailing data) and any MongoDB operator key, and names the failing JSON path so the
// caller can fix its input.
//
// The walk runs a small hand-written tokenizer over the input bytes (no boxed tokens, no
// per-key path strings: a path is only spelt out when an error is reported). Its grammar is
// exactly encoding/json's, and where the input is not JSON the error message is taken from
// encoding/json's Decoder itself (see syntaxError), so that the answers are the ones the
// original Decoder.Token walk gave; reference_test.go keeps that walk and FuzzDifferential
// holds the two to the same answers.
package strictjson

import (
	"bytes"
	"encoding"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/monograph-cms/monograph/internal/cms"
)

const (
	// maxDepth bounds nesting so a hostile body cannot make the walk recurse without limit;
	// no Monograph document nests anywhere near this deep.
	maxDepth = 100
	// maxErrors bounds the error list so a large bad body yields a readable answer.
	maxErrors = 50
)

var (
	timeType        = reflect.TypeFor[time.Time]()
	rawMessageType  = reflect.TypeFor[json.RawMessage]()
	unmarshalerType = reflect.TypeFor[json.Unmarshaler]()
	textType        = reflect.TypeFor[encoding.TextUnmarshaler]()
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
// Only then does it store the value into v, exactly as json.Unmarshal would (for the
// types fill.go covers it does so itself, into a fresh value; for others, and when *v is
// not the zero value, it calls json.Unmarshal), so v is untouched on error. Struct tag
// options such as ",string" are not supported.
func Decode(data []byte, v any, prefix string) error {
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
	ti := infoOf(rv.Type().Elem())
	d := decoderPool.Get().(*decoder)
	d.data, d.prefix, d.root = data, prefix, root
	err := d.value(ti, 0)
	end := d.pos
	errs := d.errs
	d.reset()
	decoderPool.Put(d)
	if err == errSyntax {
		return syntaxError(data, root)
	}
	if err != nil {
		return err
	}
	if len(errs) > 0 {
		return cms.Invalid(errs...)
	}
	if end = skipSpace(data, end); end < len(data) {
		return cms.InvalidField(root, fmt.Sprintf("unexpected data after the JSON value at byte offset %d", end))
	}
	if ti.fill != fillNone && rv.Elem().IsZero() {
		nv := reflect.New(ti.rtype).Elem()
		f := filler{data: data}
		switch err := f.value(ti, nv); err {
		case nil:
			rv.Elem().Set(nv)
			return nil
		case errFillBug: // unreachable; json.Unmarshal below decides
			fillBugs.Add(1)
		default: // from a json.Unmarshaler or encoding.TextUnmarshaler
			e := cms.InvalidField(root, "invalid value")
			e.Err = err
			return e
		}
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

// fillBugs counts fills that fell back to json.Unmarshal (errFillBug), for the tests.
var fillBugs atomic.Int64

// errSyntax ends the walk at the first byte that is not JSON; Decode then asks
// encoding/json for the message (syntaxError).
var errSyntax = errors.New("strictjson: syntax error")

// syntaxError reports a body that is not JSON in the words of encoding/json's Decoder:
// the walk's grammar is the Decoder's token grammar, so the first token the Decoder
// rejects is the one the walk stopped at. (The Decoder's offsets are its own: for an error
// inside a value they count the bytes its scanner has seen, not the position in the body.)
// This runs only for invalid bodies.
func syntaxError(data []byte, root string) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	depth := 0
	for {
		tok, err := dec.Token()
		if err != nil {
			var se *json.SyntaxError
			if errors.As(err, &se) {
				return cms.InvalidField(root, fmt.Sprintf("invalid JSON at byte offset %d: %s", se.Offset, se.Error()))
			}
			return cms.InvalidField(root, fmt.Sprintf("invalid JSON: unexpected end of input at byte offset %d", len(data)))
		}
		switch tok {
		case json.Delim('{'), json.Delim('['):
			depth++
		case json.Delim('}'), json.Delim(']'):
			depth--
		}
		if depth == 0 {
			// Unreachable while the walk and the Decoder agree on the grammar.
			return cms.InvalidField(root, "invalid JSON")
		}
	}
}

// tokKind is the kind of a token that starts a value. For '{' and '[' only the delimiter
// has been consumed; for the others, the whole scalar.
type tokKind uint8

const (
	kObject tokKind = iota + 1
	kArray
	kString
	kNumber
	kTrue
	kFalse
	kNull
)

// seg is one step of the path to the value being walked: an object key (index < 0) or
// an array index.
type seg struct {
	key   []byte
	index int
}

// decoder holds the state of one Decode call; decoders are pooled for their stacks.
type decoder struct {
	data   []byte
	pos    int
	prefix string
	root   string
	errs   []cms.FieldError

	path  []seg    // the path to the current value, spelt out only on error
	keys  [][]byte // keys seen so far in the open objects (duplicate detection)
	skips []byte   // open containers while skipping
	buf   []byte   // scratch for base64

	// The last string token: its content (between the quotes) is data[strStart:strEnd];
	// strEsc reports a backslash in it, strUTF8 that it is valid UTF-8 without lone
	// surrogate escapes (only computed when asked for).
	strStart, strEnd int
	strEsc, strUTF8  bool
	numStart         int // the start of the last number token
}

var decoderPool = sync.Pool{New: func() any { return new(decoder) }}

// reset drops every reference to the caller's data and errors before the decoder goes
// back to the pool.
func (d *decoder) reset() {
	clear(d.path[:cap(d.path)])
	clear(d.keys[:cap(d.keys)])
	clear(d.buf)
	*d = decoder{path: d.path[:0], keys: d.keys[:0], skips: d.skips[:0], buf: d.buf[:0]}
	// Keep no scratch that a hostile body blew up (the skip's stack grows with nesting).
	if cap(d.skips) > 4096 {
		d.skips = nil
	}
	if cap(d.buf) > 4096 {
		d.buf = nil
	}
}

// pathString spells out the current path.
func (d *decoder) pathString() string {
	if len(d.path) == 0 {
		return d.prefix
	}
	b := make([]byte, 0, len(d.prefix)+16*len(d.path))
	b = append(b, d.prefix...)
	for _, s := range d.path {
		switch {
		case s.index >= 0:
			b = append(b, '[')
			b = strconv.AppendInt(b, int64(s.index), 10)
			b = append(b, ']')
		case !plainKey(string(s.key)):
			b = append(b, '[')
			b = strconv.AppendQuote(b, string(s.key))
			b = append(b, ']')
		default:
			if len(b) > 0 {
				b = append(b, '.')
			}
			b = append(b, s.key...)
		}
	}
	return string(b)
}

// add records a field error at the current path; the walk goes on so the caller sees
// every problem at once.
func (d *decoder) add(msg string) {
	if len(d.errs) >= maxErrors {
		return
	}
	path := d.pathString()
	if path == "" {
		path = d.root
	}
	d.errs = append(d.errs, cms.FieldError{Field: path, Message: msg})
}

func (d *decoder) pushKey(key []byte) { d.path = append(d.path, seg{key: key, index: -1}) }
func (d *decoder) pushIndex(i int)    { d.path = append(d.path, seg{index: i}) }
func (d *decoder) pop()               { d.path = d.path[:len(d.path)-1] }

// tooDeep is the error that ends a walk nested deeper than maxDepth.
func (d *decoder) tooDeep() error {
	return cms.InvalidField(d.pathString(), "is nested too deeply")
}

// ---- tokenizer ----

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

func skipSpace(data []byte, i int) int {
	for i < len(data) && isSpace(data[i]) {
		i++
	}
	return i
}

// peek skips whitespace and returns the next byte, or 0 at the end of the input (0 is
// never valid there either).
func (d *decoder) peek() byte {
	i := d.pos
	for i < len(d.data) && isSpace(d.data[i]) {
		i++
	}
	d.pos = i
	if i < len(d.data) {
		return d.data[i]
	}
	return 0
}

// next reads the token that starts a value; with check, a string that is not valid UTF-8
// is reported at the current path.
func (d *decoder) next(check bool) (tokKind, error) {
	switch d.peek() {
	case '{':
		d.pos++
		return kObject, nil
	case '[':
		d.pos++
		return kArray, nil
	case '"':
		if err := d.str(check); err != nil {
			return 0, err
		}
		if check && !d.strUTF8 {
			d.add("must be valid UTF-8")
		}
		return kString, nil
	case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		return kNumber, d.number()
	case 't':
		return kTrue, d.literal("true")
	case 'f':
		return kFalse, d.literal("false")
	case 'n':
		return kNull, d.literal("null")
	}
	return 0, errSyntax
}

func (d *decoder) literal(lit string) error {
	if end := d.pos + len(lit); end > len(d.data) || string(d.data[d.pos:end]) != lit {
		return errSyntax
	}
	d.pos += len(lit)
	return nil
}

// number reads a number: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func (d *decoder) number() error {
	data, i := d.data, d.pos
	d.numStart = i
	if data[i] == '-' {
		i++
	}
	switch {
	case i >= len(data):
		return errSyntax
	case data[i] == '0':
		i++
	case '1' <= data[i] && data[i] <= '9':
		i = digits(data, i+1)
	default:
		return errSyntax
	}
	if i < len(data) && data[i] == '.' {
		j := digits(data, i+1)
		if j == i+1 {
			return errSyntax
		}
		i = j
	}
	if i < len(data) && (data[i] == 'e' || data[i] == 'E') {
		i++
		if i < len(data) && (data[i] == '+' || data[i] == '-') {
			i++
		}
		j := digits(data, i)
		if j == i {
			return errSyntax
		}
		i = j
	}
	d.pos = i
	return nil
}

func digits(data []byte, i int) int {
	for i < len(data) && '0' <= data[i] && data[i] <= '9' {
		i++
	}
	return i
}

// plainByte marks the bytes a string can hold that need no closer look: printable ASCII
// other than '"' and '\\'.
var plainByte = func() (t [256]bool) {
	for c := 0x20; c < 0x80; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// str reads the string at d.pos into strStart, strEnd and strEsc; with check, it also
// sets strUTF8: valid UTF-8 and no lone UTF-16 surrogate escapes, both of which
// encoding/json would silently turn into U+FFFD.
func (d *decoder) str(check bool) error {
	data := d.data
	i := d.pos + 1
	d.strStart = i
	esc, valid := false, true
	for {
		for i < len(data) && plainByte[data[i]] {
			i++
		}
		if i >= len(data) {
			return errSyntax
		}
		switch c := data[i]; {
		case c == '"':
			d.strEnd, d.strEsc, d.strUTF8 = i, esc, valid
			d.pos = i + 1
			return nil
		case c == '\\':
			esc = true
			if i+1 >= len(data) {
				return errSyntax
			}
			switch data[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				r := hex4(data, i+2)
				if r < 0 {
					return errSyntax
				}
				i += 6
				if !check {
					break
				}
				switch {
				case r >= 0xD800 && r < 0xDC00:
					if i+1 < len(data) && data[i] == '\\' && data[i+1] == 'u' {
						if lo := hex4(data, i+2); lo >= 0xDC00 && lo < 0xE000 {
							i += 6
							break
						}
					}
					valid = false
				case r >= 0xDC00 && r < 0xE000:
					valid = false
				}
			default:
				return errSyntax
			}
		case c < 0x20:
			return errSyntax
		default: // c >= 0x80
			if !check {
				i++
				break
			}
			n := utf8Len(data[i:])
			if n == 0 {
				valid = false
				n = 1
			}
			i += n
		}
	}
}

// utf8Len returns the length of the valid UTF-8 sequence (of 2 to 4 bytes) starting b, or
// 0 if there is none; it accepts exactly what unicode/utf8 does.
func utf8Len(b []byte) int {
	c := b[0]
	switch {
	case c < 0xC2:
		return 0
	case c < 0xE0:
		if len(b) >= 2 && cont(b[1]) {
			return 2
		}
	case c < 0xF0:
		lo, hi := byte(0x80), byte(0xBF)
		if c == 0xE0 {
			lo = 0xA0
		} else if c == 0xED {
			hi = 0x9F // no surrogates
		}
		if len(b) >= 3 && lo <= b[1] && b[1] <= hi && cont(b[2]) {
			return 3
		}
	case c < 0xF5:
		lo, hi := byte(0x80), byte(0xBF)
		if c == 0xF0 {
			lo = 0x90
		} else if c == 0xF4 {
			hi = 0x8F
		}
		if len(b) >= 4 && lo <= b[1] && b[1] <= hi && cont(b[2]) && cont(b[3]) {
			return 4
		}
	}
	return 0
}

func cont(c byte) bool { return c&0xC0 == 0x80 }

// unquote decodes the content of a string token (between its quotes, known to be valid
// JSON) exactly as encoding/json does: invalid UTF-8 and lone surrogates become U+FFFD.
func unquote(s []byte) []byte {
	b := make([]byte, 0, len(s)+utf8.UTFMax)
	for r := 0; r < len(s); {
		switch c := s[r]; {
		case c == '\\':
			switch c := s[r+1]; c {
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
				rr := rune(hex4(s, r+2))
				r += 6
				if utf16.IsSurrogate(rr) {
					if r+1 < len(s) && s[r] == '\\' && s[r+1] == 'u' {
						if dec := utf16.DecodeRune(rr, rune(hex4(s, r+2))); dec != unicode.ReplacementChar {
							r += 6
							b = utf8.AppendRune(b, dec)
							continue
						}
					}
					rr = unicode.ReplacementChar
				}
				b = utf8.AppendRune(b, rr)
				continue
			default: // '"', '\\', '/'
				b = append(b, c)
			}
			r += 2
		case c < utf8.RuneSelf:
			b = append(b, c)
			r++
		default:
			rr, size := utf8.DecodeRune(s[r:])
			r += size
			b = utf8.AppendRune(b, rr)
		}
	}
	return b
}

// hex4 parses the four hex digits at data[i:], or returns -1.
func hex4(data []byte, i int) int {
	if i+4 > len(data) {
		return -1
	}
	r := 0
	for _, c := range data[i : i+4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c -= 'a' - 10
		case 'A' <= c && c <= 'F':
			c -= 'A' - 10
		default:
			return -1
		}
		r = r<<4 | int(c)
	}
	return r
}

// strBytes returns the last string token decoded as encoding/json decodes it (invalid
// UTF-8 and lone surrogates become U+FFFD); it aliases the input when it can.
func (d *decoder) strBytes() []byte {
	raw := d.data[d.strStart:d.strEnd]
	if !d.strEsc && d.strUTF8 {
		return raw
	}
	return unquote(raw)
}

// skipRest consumes the rest of the containers opened so far by the skip: open holds
// their delimiters, innermost last. With value, the skip starts where a value is
// expected (after a ',' of the innermost container); otherwise right after its opening
// delimiter. Nothing is checked but the syntax.
func (d *decoder) skipRest(open byte, value bool) error {
	st := append(d.skips[:0], open)
	defer func() { d.skips = st[:0] }()
	const (
		afterOpen = iota
		wantKey
		wantValue
		afterValue
	)
	state := afterOpen
	if value {
		state = wantValue
	}
	for {
		c := d.peek()
		switch state {
		case afterOpen:
			top := st[len(st)-1]
			if c == top+2 { // '[' + 2 == ']', '{' + 2 == '}'
				d.pos++
				st = st[:len(st)-1]
				if len(st) == 0 {
					return nil
				}
				state = afterValue
			} else if top == '{' {
				state = wantKey
			} else {
				state = wantValue
			}
		case wantKey:
			if c != '"' {
				return errSyntax
			}
			if err := d.str(false); err != nil {
				return err
			}
			if d.peek() != ':' {
				return errSyntax
			}
			d.pos++
			state = wantValue
		case wantValue:
			switch c {
			case '{', '[':
				d.pos++
				st = append(st, c)
				state = afterOpen
				continue
			}
			if _, err := d.next(false); err != nil {
				return err
			}
			state = afterValue
		case afterValue:
			top := st[len(st)-1]
			switch c {
			case ',':
				d.pos++
				if top == '{' {
					state = wantKey
				} else {
					state = wantValue
				}
			case top + 2:
				d.pos++
				st = st[:len(st)-1]
				if len(st) == 0 {
					return nil
				}
			default:
				return errSyntax
			}
		}
	}
}

// skip consumes the next value without checking it (its container is already
// reported), apart from the UTF-8 of a string.
func (d *decoder) skip() error {
	k, err := d.next(true)
	if err != nil {
		return err
	}
	return d.skipOpened(k)
}

func (d *decoder) skipOpened(k tokKind) error {
	switch k {
	case kObject:
		return d.skipRest('{', false)
	case kArray:
		return d.skipRest('[', false)
	}
	return nil
}

// ---- walk ----

// value walks one JSON value against ti.
func (d *decoder) value(ti *typeInfo, depth int) error {
	k, err := d.next(true)
	if err != nil {
		return err
	}
	return d.valueFrom(k, ti, depth)
}

// valueFrom walks the value that starts with token k against ti.
func (d *decoder) valueFrom(k tokKind, ti *typeInfo, depth int) error {
	if depth > maxDepth {
		return d.tooDeep()
	}
	if ti.ptr {
		if k == kNull {
			return nil
		}
		ti = ti.base
	}
	switch ti.kind {
	case wTime:
		if k != kString {
			return d.mismatch(k, "must be an RFC 3339 time string")
		}
		if _, err := time.Parse(time.RFC3339, string(d.strBytes())); err != nil {
			d.add("must be an RFC 3339 time")
		}
	case wAnything:
		return d.anything(k, depth, ti.asFloat)
	case wText:
		if k != kString {
			return d.mismatch(k, "must be a string")
		}
	case wStruct:
		return d.object(k, ti, depth)
	case wMap:
		if k == kNull {
			return nil
		}
		return d.object(k, ti, depth)
	case wMapAnything:
		if k == kNull {
			return nil
		}
		return d.anything(k, depth, false)
	case wBytes:
		if k == kNull {
			return nil
		}
		if k != kString {
			return d.mismatch(k, "must be a base64 string")
		}
		s := d.strBytes()
		d.buf = append(d.buf[:0], make([]byte, base64.StdEncoding.DecodedLen(len(s)))...)
		if _, err := base64.StdEncoding.Decode(d.buf, s); err != nil {
			d.add("must be a base64 string")
		}
	case wSlice:
		if k == kNull {
			return nil
		}
		return d.array(k, ti.elem, -1, depth)
	case wArray:
		return d.array(k, ti.elem, ti.length, depth)
	case wString:
		if k != kString {
			return d.mismatch(k, "must be a string")
		}
	case wBool:
		if k != kTrue && k != kFalse {
			return d.mismatch(k, "must be a boolean")
		}
	case wInt:
		if k != kNumber {
			return d.mismatch(k, "must be an integer")
		}
		if !smallInt(d.lastNumber(), ti.bits) {
			if _, err := strconv.ParseInt(string(d.lastNumber()), 10, ti.bits); err != nil {
				d.add(numberMessage(err, "must be an integer"))
			}
		}
	case wUint:
		if k != kNumber {
			return d.mismatch(k, "must be a non-negative integer")
		}
		if n := d.lastNumber(); n[0] == '-' || !smallInt(n, ti.bits) {
			if _, err := strconv.ParseUint(string(n), 10, ti.bits); err != nil {
				d.add(numberMessage(err, "must be a non-negative integer"))
			}
		}
	case wFloat:
		if k != kNumber {
			return d.mismatch(k, "must be a number")
		}
		if _, err := strconv.ParseFloat(string(d.lastNumber()), ti.bits); err != nil {
			d.add("is out of range")
		}
	default:
		return d.mismatch(k, "cannot be set from JSON")
	}
	return nil
}

// lastNumber returns the number token just read.
func (d *decoder) lastNumber() []byte { return d.data[d.numStart:d.pos] }

// smallInt reports whether n (a JSON number) is an integer of at most 8 digits, which
// fits any integer type of at least 32 bits (and of 8 or 16 bits when small enough).
func smallInt(n []byte, bits int) bool {
	neg := n[0] == '-'
	if neg {
		n = n[1:]
	}
	if len(n) > 8 {
		return false
	}
	v := 0
	for _, c := range n {
		if c < '0' || c > '9' {
			return false
		}
		v = v*10 + int(c-'0')
	}
	switch bits {
	case 8:
		return v <= 127 || v == 128 && neg
	case 16:
		return v <= 32767 || v == 32768 && neg
	}
	return true
}

func numberMessage(err error, syntax string) string {
	if errors.Is(err, strconv.ErrRange) {
		return "is out of range"
	}
	return syntax
}

// mismatch reports a value of the wrong type and skips the rest of it.
func (d *decoder) mismatch(k tokKind, msg string) error {
	d.add(msg)
	return d.skipOpened(k)
}

// key reads the key of an object member (d.pos is at its '"'; its UTF-8 is reported on
// the object's path), pushes it on the path and returns it decoded.
func (d *decoder) key() ([]byte, error) {
	if err := d.str(true); err != nil {
		return nil, err
	}
	if !d.strUTF8 {
		d.add("must be valid UTF-8")
	}
	key := d.strBytes()
	d.pushKey(key)
	if d.peek() != ':' {
		return nil, errSyntax
	}
	d.pos++
	return key, nil
}

// badKey returns the problem with a key that may end up in MongoDB: an operator or NUL.
func badKey(key []byte) string {
	switch {
	case len(key) > 0 && key[0] == '$':
		return "key must not start with $"
	case bytes.IndexByte(key, 0) >= 0:
		return "key must not contain NUL"
	}
	return ""
}

// seenKey reports whether key is among d.keys[base:] (the keys of the object being
// walked) and adds it.
func (d *decoder) seenKey(base int, key []byte) bool {
	for _, k := range d.keys[base:] {
		if string(k) == string(key) {
			return true
		}
	}
	d.keys = append(d.keys, key)
	return false
}

// keySet is the duplicate check of one object: linear over d.keys while the object is
// small, a map once it is not.
type keySet struct {
	base int
	big  map[string]struct{}
}

const smallObject = 16

func (d *decoder) seen(ks *keySet, key []byte) bool {
	if ks.big != nil {
		if _, ok := ks.big[string(key)]; ok {
			return true
		}
		ks.big[string(key)] = struct{}{}
		return false
	}
	if d.seenKey(ks.base, key) {
		return true
	}
	if len(d.keys)-ks.base > smallObject {
		ks.big = make(map[string]struct{}, 2*smallObject)
		for _, k := range d.keys[ks.base:] {
			ks.big[string(k)] = struct{}{}
		}
	}
	return false
}

// objectStart is called after a '{': it reports whether the object has a member.
func (d *decoder) objectStart() (bool, error) {
	switch d.peek() {
	case '}':
		d.pos++
		return false, nil
	case '"':
		return true, nil
	}
	return false, errSyntax
}

// objectNext is called after a member: it reports whether another follows.
func (d *decoder) objectNext() (bool, error) {
	switch d.peek() {
	case ',':
		d.pos++
		if d.peek() != '"' {
			return false, errSyntax
		}
		return true, nil
	case '}':
		d.pos++
		return false, nil
	}
	return false, errSyntax
}

// arrayStart is called after a '[': it reports whether the array has an item.
func (d *decoder) arrayStart() bool {
	if d.peek() == ']' {
		d.pos++
		return false
	}
	return true
}

// arrayNext is called after an item: it reports whether another follows.
func (d *decoder) arrayNext() (bool, error) {
	switch d.peek() {
	case ',':
		d.pos++
		return true, nil
	case ']':
		d.pos++
		return false, nil
	}
	return false, errSyntax
}

// object walks an object into a struct or a string-keyed map; unknown members and bad
// keys are reported and skipped.
func (d *decoder) object(k tokKind, ti *typeInfo, depth int) error {
	if k != kObject {
		return d.mismatch(k, "must be an object")
	}
	more, err := d.objectStart()
	if err != nil || !more {
		return err
	}
	ks := keySet{base: len(d.keys)}
	var seenFields uint64 // struct members seen, when there are at most 64
	for more {
		key, err := d.key()
		if err != nil {
			return err
		}
		msg := badKey(key)
		vt := ti.elem // a map's
		if msg == "" {
			if ti.kind == wStruct {
				i, known := ti.fields[string(key)]
				switch {
				case !known:
					vt = nil
					if d.seen(&ks, key) {
						msg = "duplicate key"
					}
				case i < 64:
					if seenFields&(1<<i) != 0 {
						msg = "duplicate key"
					}
					seenFields |= 1 << i
					vt = ti.fieldInfos[i]
				default:
					if d.seen(&ks, key) {
						msg = "duplicate key"
					}
					vt = ti.fieldInfos[i]
				}
			} else if d.seen(&ks, key) {
				msg = "duplicate key"
			}
		}
		switch {
		case msg != "":
			d.add(msg)
			err = d.skip()
		case vt == nil:
			d.add("unknown field")
			err = d.skip()
		default:
			err = d.value(vt, depth+1)
		}
		if err != nil {
			return err
		}
		d.pop()
		if more, err = d.objectNext(); err != nil {
			return err
		}
	}
	d.keys = d.keys[:ks.base]
	return nil
}

// array walks an array of elem; max < 0 means no length limit.
func (d *decoder) array(k tokKind, elem *typeInfo, max int, depth int) error {
	if k != kArray {
		return d.mismatch(k, "must be an array")
	}
	more := d.arrayStart()
	for i := 0; more; i++ {
		if max >= 0 && i >= max {
			d.add(fmt.Sprintf("must have at most %d items", max))
			return d.skipRest('[', true) // consumes the closing ']' too
		}
		d.pushIndex(i)
		if err := d.value(elem, depth+1); err != nil {
			return err
		}
		d.pop()
		var err error
		if more, err = d.arrayNext(); err != nil {
			return err
		}
	}
	return nil
}

// anything walks a value of any shape, still checking keys and strings everywhere; with
// asFloat, numbers must fit a float64 as encoding/json will store them in one.
func (d *decoder) anything(k tokKind, depth int, asFloat bool) error {
	if depth > maxDepth {
		return d.tooDeep()
	}
	switch k {
	case kObject:
		more, err := d.objectStart()
		if err != nil || !more {
			return err
		}
		ks := keySet{base: len(d.keys)}
		for more {
			key, err := d.key()
			if err != nil {
				return err
			}
			msg := badKey(key)
			if msg == "" && d.seen(&ks, key) {
				msg = "duplicate key"
			}
			if msg != "" {
				d.add(msg)
				err = d.skip()
			} else {
				var vk tokKind
				if vk, err = d.next(true); err == nil {
					err = d.anything(vk, depth+1, asFloat)
				}
			}
			if err != nil {
				return err
			}
			d.pop()
			if more, err = d.objectNext(); err != nil {
				return err
			}
		}
		d.keys = d.keys[:ks.base]
	case kArray:
		more := d.arrayStart()
		for i := 0; more; i++ {
			d.pushIndex(i)
			vk, err := d.next(true)
			if err == nil {
				err = d.anything(vk, depth+1, asFloat)
			}
			if err != nil {
				return err
			}
			d.pop()
			if more, err = d.arrayNext(); err != nil {
				return err
			}
		}
	case kNumber:
		if asFloat {
			if _, err := strconv.ParseFloat(string(d.lastNumber()), 64); err != nil {
				d.add("is out of range")
			}
		}
	}
	return nil
}

// ---- types ----

// walkKind says how the walk checks a value of some Go type.
type walkKind uint8

const (
	wInvalid     walkKind = iota // cannot be set from JSON
	wTime                        // time.Time: an RFC 3339 string
	wAnything                    // any, json.RawMessage, a json.Unmarshaler: any shape
	wText                        // an encoding.TextUnmarshaler: a string
	wStruct                      // an object with the struct's members
	wMap                         // a string-keyed map: an object, or null
	wMapAnything                 // any other map: any shape, or null
	wBytes                       // []byte: a base64 string, or null
	wSlice                       // an array, or null
	wArray                       // an array of at most length items
	wString
	wBool
	wInt
	wUint
	wFloat
)

// typeInfo is what the walk needs to know about a Go type, worked out once per type.
type typeInfo struct {
	ptr  bool      // a pointer type: null is fine, else the value is checked against base
	base *typeInfo // the type behind all pointers (the typeInfo itself if not a pointer)

	kind    walkKind
	asFloat bool      // wAnything: numbers must fit a float64
	bits    int       // wInt, wUint, wFloat
	length  int       // wArray
	elem    *typeInfo // wMap, wSlice, wArray
	// wStruct: each exact JSON member name's index in fieldInfos and fieldIndex.
	fields     map[string]int
	fieldInfos []*typeInfo

	// For the fill (fill.go).
	rtype      reflect.Type
	fill       fillKind
	fieldIndex [][]int // wStruct: each member's reflect index sequence
}

var (
	typeCache sync.Map   // reflect.Type → *typeInfo
	typeMu    sync.Mutex // serializes building typeInfos
)

// infoOf returns the typeInfo of t.
func infoOf(t reflect.Type) *typeInfo {
	if ti, ok := typeCache.Load(t); ok {
		return ti.(*typeInfo)
	}
	typeMu.Lock()
	defer typeMu.Unlock()
	building := map[reflect.Type]*typeInfo{}
	ti := buildInfo(t, building)
	settleFill(building)
	for t, ti := range building {
		typeCache.Store(t, ti)
	}
	return ti
}

// buildInfo works out the typeInfo of t and of every type it refers to, recording them in
// building first so that recursive types end.
func buildInfo(t reflect.Type, building map[reflect.Type]*typeInfo) *typeInfo {
	if ti, ok := typeCache.Load(t); ok {
		return ti.(*typeInfo)
	}
	if ti, ok := building[t]; ok {
		return ti
	}
	ti := &typeInfo{rtype: t}
	building[t] = ti
	defer func() { ti.fill = localFill(ti) }()
	if t.Kind() == reflect.Pointer {
		base := t
		for base.Kind() == reflect.Pointer {
			base = base.Elem()
		}
		ti.ptr = true
		ti.base = buildInfo(base, building)
		return ti
	}
	ti.base = ti
	switch {
	case t == timeType:
		ti.kind = wTime
		return ti
	case t == rawMessageType || t.Kind() == reflect.Interface ||
		t.Implements(unmarshalerType) || reflect.PointerTo(t).Implements(unmarshalerType):
		ti.kind = wAnything
		ti.asFloat = t.Kind() == reflect.Interface
		return ti
	case reflect.PointerTo(t).Implements(textType):
		ti.kind = wText
		return ti
	}
	switch t.Kind() {
	case reflect.Struct:
		ti.kind = wStruct
		ti.fields = map[string]int{}
		for name, f := range fieldsOf(t) {
			ti.fields[name] = len(ti.fieldInfos)
			ti.fieldInfos = append(ti.fieldInfos, buildInfo(f.typ, building))
			ti.fieldIndex = append(ti.fieldIndex, f.index)
		}
	case reflect.Map:
		if t.Key().Kind() != reflect.String || reflect.PointerTo(t.Key()).Implements(textType) {
			ti.kind = wMapAnything
		} else {
			ti.kind = wMap
			ti.elem = buildInfo(t.Elem(), building)
		}
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			ti.kind = wBytes
		} else {
			ti.kind = wSlice
			ti.elem = buildInfo(t.Elem(), building)
		}
	case reflect.Array:
		ti.kind = wArray
		ti.length = t.Len()
		ti.elem = buildInfo(t.Elem(), building)
	case reflect.String:
		ti.kind = wString
	case reflect.Bool:
		ti.kind = wBool
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		ti.kind, ti.bits = wInt, t.Bits()
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		ti.kind, ti.bits = wUint, t.Bits()
	case reflect.Float32, reflect.Float64:
		ti.kind, ti.bits = wFloat, t.Bits()
	default:
		ti.kind = wInvalid
	}
	return ti
}

// structField is a member of a struct: its Go type and its index sequence (through
// embedded structs).
type structField struct {
	typ   reflect.Type
	index []int
}

// fieldsOf maps each exact JSON member name of struct t to its field, following
// encoding/json's rules for untagged embedded structs (shallower names win; names that
// collide at the same depth are dropped).
func fieldsOf(t reflect.Type) map[string]structField {
	m := map[string]structField{}
	visited := map[reflect.Type]bool{}
	for level := []structField{{typ: t}}; len(level) > 0; {
		var next []structField
		found := map[string][]structField{}
		for _, sf := range level {
			st := sf.typ
			if visited[st] {
				continue
			}
			visited[st] = true
			for i := range st.NumField() {
				f := st.Field(i)
				index := append(slices.Clip(sf.index), i)
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
						next = append(next, structField{et, index})
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
					found[name] = append(found[name], structField{f.Type, index})
				}
			}
		}
		for name, fields := range found {
			if len(fields) == 1 {
				m[name] = fields[0]
			}
		}
		level = next
	}
	return m
}

// plainKey reports whether key matches ^[A-Za-z_$][A-Za-z0-9_$-]*$, a key that needs no
// quoting in a path (checked for every key of every body, so by hand, not by regexp).
func plainKey(key string) bool {
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
