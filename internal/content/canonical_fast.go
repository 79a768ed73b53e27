package content

import (
	"bytes"
	"encoding/json"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// canonicalDirect writes the canonical JSON of v (a struct of strings, integers, bools,
// slices and structs) straight from the Go value: the bytes json.Marshal followed by
// CanonicalJSON would give, without building and re-reading the intermediate JSON. It
// reports false for a type it does not model (then the caller takes the general path).
// TestCanonicalDirectMatchesGeneral holds the two paths to the same bytes.
func canonicalDirect(buf *bytes.Buffer, v reflect.Value) bool {
	switch v.Kind() {
	case reflect.String:
		writeString(buf, v.String())
	case reflect.Bool:
		buf.WriteString(strconv.FormatBool(v.Bool()))
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, err := canonicalNumber(json.Number(strconv.FormatInt(v.Int(), 10)))
		if err != nil {
			return false
		}
		buf.WriteString(n)
	case reflect.Slice:
		if v.IsNil() {
			buf.WriteString("null")
			return true
		}
		buf.WriteByte('[')
		for i := range v.Len() {
			if i > 0 {
				buf.WriteByte(',')
			}
			if !canonicalDirect(buf, v.Index(i)) {
				return false
			}
		}
		buf.WriteByte(']')
	case reflect.Pointer:
		if v.IsNil() {
			buf.WriteString("null")
			return true
		}
		return canonicalDirect(buf, v.Elem())
	case reflect.Struct:
		plan, ok := planOf(v.Type())
		if !ok {
			return false
		}
		buf.WriteByte('{')
		first := true
		for _, f := range plan {
			fv := v.Field(f.index)
			if f.omitEmpty && isEmpty(fv) {
				continue
			}
			if !first {
				buf.WriteByte(',')
			}
			first = false
			writeString(buf, f.name)
			buf.WriteByte(':')
			if !canonicalDirect(buf, fv) {
				return false
			}
		}
		buf.WriteByte('}')
	default:
		return false
	}
	return true
}

// fieldPlan is one JSON member of a struct, in canonical (sorted) order.
type fieldPlan struct {
	name      string
	index     int
	omitEmpty bool
}

var plans sync.Map // reflect.Type → []fieldPlan, or nil when the type is not modelled

// planOf returns the members of struct type t sorted as JCS sorts keys, following
// encoding/json's tag rules; false for what it does not model (embedded structs, tag
// options other than omitempty).
func planOf(t reflect.Type) ([]fieldPlan, bool) {
	if p, ok := plans.Load(t); ok {
		plan, _ := p.([]fieldPlan)
		return plan, plan != nil
	}
	var plan []fieldPlan
	ok := true
	for i := range t.NumField() {
		f := t.Field(i)
		if f.Anonymous {
			ok = false
			break
		}
		if !f.IsExported() {
			continue
		}
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if name == "" {
			name = f.Name
		}
		if opts != "" && opts != "omitempty" {
			ok = false
			break
		}
		plan = append(plan, fieldPlan{name: name, index: i, omitEmpty: opts == "omitempty"})
	}
	if !ok {
		plans.Store(t, []fieldPlan(nil))
		return nil, false
	}
	slices.SortFunc(plan, func(a, b fieldPlan) int { return compareUTF16(a.name, b.name) })
	if plan == nil {
		plan = []fieldPlan{}
	}
	plans.Store(t, plan)
	return plan, true
}

// isEmpty is encoding/json's notion of empty for omitempty.
func isEmpty(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Array, reflect.Map, reflect.Slice, reflect.String:
		return v.Len() == 0
	case reflect.Bool:
		return !v.Bool()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return v.Int() == 0
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return v.Uint() == 0
	case reflect.Float32, reflect.Float64:
		return v.Float() == 0
	case reflect.Interface, reflect.Pointer:
		return v.IsNil()
	}
	return false
}
