package sqlitestore

import (
	"reflect"
	"strings"

	// goccy/go-json decodes the stored live snapshots (rendered HTML, ~15 KB of JSON each)
	// four times faster than encoding/json: a start reads every live page, and with 10,000
	// of them encoding/json's decoding was a third of the time to ready. Only this read
	// path uses it; everything is still written by encoding/json.
	gojson "github.com/goccy/go-json"

	"github.com/monograph-cms/monograph/internal/cms"
	"github.com/monograph-cms/monograph/internal/editorial"
)

// decodeSnapshot reads a stored live snapshot. What it yields is trusted only under its
// seal, which is checked over encoding/json's encoding of the decoded value
// (editorial.Service.DeriveLive): a decoding that differed in any byte would fail the seal
// and the page would be derived anew from its signed revision, never served as decoded.
func decodeSnapshot(b []byte, snap *editorial.LiveSnapshot) error {
	if err := gojson.Unmarshal(b, snap); err != nil {
		return &cms.Error{Code: cms.CodeInternal, Message: "store error", Err: err}
	}
	// go-json's strings point into its copy of the whole document, so one small string
	// kept by delivery (a title, a reviewer's name) would keep all 15 KB alive: give every
	// string its own memory.
	ownStrings(reflect.ValueOf(snap).Elem())
	return nil
}

// ownStrings replaces every settable string reachable from v by a copy.
func ownStrings(v reflect.Value) {
	switch v.Kind() {
	case reflect.String:
		if v.CanSet() && v.Len() > 0 {
			v.SetString(strings.Clone(v.String()))
		}
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			ownStrings(v.Elem())
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if f := v.Field(i); f.CanSet() {
				ownStrings(f)
			}
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			ownStrings(v.Index(i))
		}
	case reflect.Map:
		if v.IsNil() {
			return
		}
		m := reflect.MakeMapWithSize(v.Type(), v.Len())
		for it := v.MapRange(); it.Next(); {
			k := reflect.New(v.Type().Key()).Elem()
			k.Set(it.Key())
			ownStrings(k)
			e := reflect.New(v.Type().Elem()).Elem()
			e.Set(it.Value())
			ownStrings(e)
			m.SetMapIndex(k, e)
		}
		if v.CanSet() {
			v.Set(m)
		}
	}
}
