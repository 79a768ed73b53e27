package content

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// Canonical returns the canonical JSON of c after normalization: RFC 8785 (JCS) style,
// object keys sorted by UTF-16 code units, no whitespace, minimal string escapes, numbers
// as ECMAScript prints them. Two contents that differ only in key order, whitespace,
// surrounding spaces or nil-versus-empty lists have the same canonical JSON. It is the
// text an approval signs, so any change to it invalidates every stored approval: the
// golden-hash test exists to catch that.
func Canonical(c Content) []byte {
	c = c.Normalized()
	var buf bytes.Buffer
	buf.Grow(8 << 10)
	if canonicalDirect(&buf, reflect.ValueOf(c)) {
		return buf.Bytes()
	}
	return canonicalGeneral(c)
}

// canonicalGeneral is Canonical by way of encoding/json: marshal, then rewrite the JSON
// canonically. canonicalDirect gives the same bytes faster for the types it models.
func canonicalGeneral(c Content) []byte {
	raw, err := json.Marshal(c)
	if err != nil {
		// Content holds only strings, ints, structs and slices: Marshal cannot fail.
		panic(fmt.Sprintf("content: marshal: %v", err))
	}
	out, err := CanonicalJSON(raw)
	if err != nil {
		panic(fmt.Sprintf("content: canonicalize: %v", err))
	}
	return out
}

// Hash returns "sha256:" and the lowercase hex SHA-256 of Canonical(c): the value an
// approval records and publishing compares.
func Hash(c Content) string { return hashOf(Canonical(c)) }

func hashOf(canonical []byte) string {
	sum := sha256.Sum256(canonical)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// CanonicalJSON rewrites one JSON value in the JCS canonical form. It is exported for
// other signed documents (audit events) that need the same canonicalisation. As in JCS,
// numbers are IEEE doubles: integers beyond 2^53 lose precision, so sign them as strings.
func CanonicalJSON(data []byte) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := writeCanonical(&buf, v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func writeCanonical(buf *bytes.Buffer, v any) error {
	switch v := v.(type) {
	case nil:
		buf.WriteString("null")
	case bool:
		buf.WriteString(strconv.FormatBool(v))
	case string:
		writeString(buf, v)
	case json.Number:
		s, err := canonicalNumber(v)
		if err != nil {
			return err
		}
		buf.WriteString(s)
	case []any:
		buf.WriteByte('[')
		for i, e := range v {
			if i > 0 {
				buf.WriteByte(',')
			}
			if err := writeCanonical(buf, e); err != nil {
				return err
			}
		}
		buf.WriteByte(']')
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		slices.SortFunc(keys, compareUTF16)
		buf.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				buf.WriteByte(',')
			}
			writeString(buf, k)
			buf.WriteByte(':')
			if err := writeCanonical(buf, v[k]); err != nil {
				return err
			}
		}
		buf.WriteByte('}')
	default:
		return fmt.Errorf("content: unexpected JSON value %T", v)
	}
	return nil
}

// compareUTF16 orders strings by UTF-16 code units, as JCS requires (it differs from byte
// order only for characters above U+FFFF against U+E000..U+FFFF).
func compareUTF16(a, b string) int {
	return slices.Compare(utf16.Encode([]rune(a)), utf16.Encode([]rune(b)))
}

// writeString writes s escaped as JCS (ECMAScript JSON.stringify) does: only '"', '\\'
// and control characters below U+0020 are escaped, the usual ones with their short forms;
// invalid UTF-8 becomes U+FFFD, as encoding/json makes it. Runs of bytes that need none of
// this (nearly all of any text) are copied whole.
func writeString(buf *bytes.Buffer, s string) {
	buf.WriteByte('"')
	start := 0
	for i := 0; i < len(s); {
		b := s[i]
		if b >= 0x20 && b != '"' && b != '\\' && b < utf8.RuneSelf {
			i++
			continue
		}
		if b >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(s[i:])
			if r != utf8.RuneError || size != 1 {
				i += size
				continue
			}
		}
		buf.WriteString(s[start:i])
		switch b {
		case '"':
			buf.WriteString(`\"`)
		case '\\':
			buf.WriteString(`\\`)
		case '\b':
			buf.WriteString(`\b`)
		case '\f':
			buf.WriteString(`\f`)
		case '\n':
			buf.WriteString(`\n`)
		case '\r':
			buf.WriteString(`\r`)
		case '\t':
			buf.WriteString(`\t`)
		default:
			if b < 0x20 {
				fmt.Fprintf(buf, `\u%04x`, b)
			} else {
				buf.WriteRune(utf8.RuneError) // an invalid byte
			}
		}
		i++
		start = i
	}
	buf.WriteString(s[start:])
	buf.WriteByte('"')
}

// canonicalNumber formats a JSON number as ECMAScript's Number.prototype.toString does,
// which is what JCS prescribes: shortest round-trip digits, exponent form below 1e-6 and
// from 1e21.
func canonicalNumber(n json.Number) (string, error) {
	f, err := strconv.ParseFloat(string(n), 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return "", fmt.Errorf("content: number %s out of range", n)
	}
	if f == 0 {
		return "0", nil // also for -0
	}
	if a := math.Abs(f); a >= 1e-6 && a < 1e21 {
		return strconv.FormatFloat(f, 'f', -1, 64), nil
	}
	s := strconv.FormatFloat(f, 'e', -1, 64) // e.g. 1e+21, 1.5e-07
	mant, exp, _ := strings.Cut(s, "e")
	sign := exp[0]
	exp = strings.TrimLeft(exp[1:], "0")
	return mant + "e" + string(sign) + exp, nil
}
