package storetest

import (
	"cmp"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/monograph-cms/monograph/internal/cms"
	"github.com/monograph-cms/monograph/internal/editorial"
	"github.com/monograph-cms/monograph/internal/storage"
)

// maxDiffs bounds the differences one comparison reports.
const maxDiffs = 20

// diff returns how got differs from want, one line per difference naming its path. Times
// are compared with time.Equal, nil and empty slices and maps are alike, unexported fields
// are not compared.
func diff(got, want any) []string {
	var out []string
	walk(&out, "", reflect.ValueOf(got), reflect.ValueOf(want))
	return out
}

var timeType = reflect.TypeFor[time.Time]()

func walk(out *[]string, path string, g, w reflect.Value) {
	if len(*out) >= maxDiffs {
		return
	}
	add := func(format string, args ...any) {
		*out = append(*out, pathName(path)+": "+fmt.Sprintf(format, args...))
	}
	if !g.IsValid() || !w.IsValid() {
		if g.IsValid() != w.IsValid() {
			add("got %s, want %s", show(g), show(w))
		}
		return
	}
	if g.Type() != w.Type() {
		add("got type %s, want %s", g.Type(), w.Type())
		return
	}
	if g.Type() == timeType {
		if gt, wt := g.Interface().(time.Time), w.Interface().(time.Time); !gt.Equal(wt) {
			add("got %s, want %s", gt.Format(time.RFC3339Nano), wt.Format(time.RFC3339Nano))
		}
		return
	}
	switch g.Kind() {
	case reflect.Pointer, reflect.Interface:
		if g.IsNil() || w.IsNil() {
			if g.IsNil() != w.IsNil() {
				add("got %s, want %s", show(g), show(w))
			}
			return
		}
		walk(out, path, g.Elem(), w.Elem())
	case reflect.Struct:
		for i := range g.NumField() {
			if f := g.Type().Field(i); f.IsExported() {
				walk(out, path+"."+f.Name, g.Field(i), w.Field(i))
			}
		}
	case reflect.Slice, reflect.Array:
		if g.Len() != w.Len() {
			add("got %d elements, want %d:\n      got  %s\n      want %s", g.Len(), w.Len(), show(g), show(w))
			return
		}
		for i := range g.Len() {
			walk(out, fmt.Sprintf("%s[%d]", path, i), g.Index(i), w.Index(i))
		}
	case reflect.Map:
		if g.Len() != w.Len() {
			add("got %d entries, want %d:\n      got  %s\n      want %s", g.Len(), w.Len(), show(g), show(w))
			return
		}
		for _, k := range w.MapKeys() {
			gv := g.MapIndex(k)
			if !gv.IsValid() {
				add("key %v missing", k)
				continue
			}
			walk(out, fmt.Sprintf("%s[%v]", path, k), gv, w.MapIndex(k))
		}
	default:
		if !g.Equal(w) {
			add("got %s, want %s", show(g), show(w))
		}
	}
}

func pathName(p string) string {
	if p == "" {
		return "value"
	}
	return strings.TrimPrefix(p, ".")
}

func show(v reflect.Value) string {
	if !v.IsValid() {
		return "nothing"
	}
	if v.Kind() == reflect.Pointer && v.IsNil() {
		return "nil"
	}
	s := fmt.Sprintf("%+v", v.Interface())
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}

// assertEqual reports (without stopping the test) how got differs from want.
func assertEqual(tb testing.TB, what string, got, want any) bool {
	tb.Helper()
	d := diff(got, want)
	if len(d) == 0 {
		return true
	}
	tb.Errorf("%s differs from what was stored:\n    %s", what, strings.Join(d, "\n    "))
	return false
}

// wantCode stops the test unless err carries code.
func wantCode(tb testing.TB, err error, code cms.Code, what string) {
	tb.Helper()
	if !cms.IsCode(err, code) {
		tb.Fatalf("%s: got error %v (code %q), want code %q", what, err, cms.ErrorCode(err), code)
	}
}

// must stops the test on an error.
func must(tb testing.TB, err error, what string) {
	tb.Helper()
	if err != nil {
		tb.Fatalf("%s: %v", what, err)
	}
}

// ids returns the ids of records, in order.
func ids[T any](list []T, id func(T) string) []string {
	out := make([]string, len(list))
	for i, v := range list {
		out[i] = id(v)
	}
	return out
}

func pageID(p editorial.Page) string { return p.ID }

// newestFirst orders (time, id) keys newest first: the order of every newest-first list
// whose cursor is a (time, id) pair.
func newestFirst(at1 time.Time, id1 string, at2 time.Time, id2 string) int {
	if c := at2.Compare(at1); c != 0 {
		return c
	}
	return cmp.Compare(id2, id1)
}

// withoutWriteIDs clears Revision.WriteID, an adapter's own bookkeeping (see
// editorial.Revision) that no read of the contract promises to return.
func withoutWriteIDs(revs []editorial.Revision) []editorial.Revision {
	out := slices.Clone(revs)
	for i := range out {
		out[i].WriteID = ""
	}
	return out
}

// storeState is everything of the editorial store a change could have touched.
type storeState struct {
	PageIDs   []string
	Pages     []editorial.Page
	Revisions map[string][]editorial.Revision
	Events    []editorial.AuditEvent
	Outbox    []editorial.OutboxEvent
	Live      []editorial.LivePage
	ChangeSeq int64
}

// everything is a limit larger than any list the suite makes.
const everything = 1 << 20

// capture reads the editorial store's state.
func capture(tb testing.TB, s storage.Store) storeState {
	tb.Helper()
	ctx := tb.Context()
	var st storeState
	var err error
	st.PageIDs, err = s.AllPageIDs(ctx)
	must(tb, err, "AllPageIDs")
	st.Revisions = map[string][]editorial.Revision{}
	for _, id := range st.PageIDs {
		st.Pages = append(st.Pages, MustPage(tb, s, id))
		revs, err := s.Revisions(ctx, id)
		must(tb, err, "Revisions")
		st.Revisions[id] = withoutWriteIDs(revs)
	}
	st.Events, err = s.AuditEvents(ctx, editorial.AuditFilter{Limit: everything})
	must(tb, err, "AuditEvents")
	st.Outbox, err = s.PendingOutbox(ctx, everything)
	must(tb, err, "PendingOutbox")
	st.Live = eachLive(tb, s)
	st.ChangeSeq = changeSeq(tb, s)
	return st
}

// assertUnchanged checks that the store is as captured in before.
func assertUnchanged(tb testing.TB, s storage.Store, before storeState) {
	tb.Helper()
	assertEqual(tb, "the store after the refused change", capture(tb, s), before)
}

// assertAbsent checks that nothing of page id is stored.
func assertAbsent(tb testing.TB, s storage.Store, id string) {
	tb.Helper()
	ctx := tb.Context()
	_, err := s.PageByID(ctx, id)
	wantCode(tb, err, cms.CodeNotFound, "PageByID of a page never stored")
	revs, err := s.Revisions(ctx, id)
	must(tb, err, "Revisions")
	if len(revs) != 0 {
		tb.Errorf("Revisions of a page never stored: got %d, want none", len(revs))
	}
	_, err = s.Revision(ctx, id, 1)
	wantCode(tb, err, cms.CodeNotFound, "Revision of a page never stored")
	evs, err := s.AuditEvents(ctx, editorial.AuditFilter{PageID: id})
	must(tb, err, "AuditEvents")
	if len(evs) != 0 {
		tb.Errorf("AuditEvents of a page never stored: got %d, want none", len(evs))
	}
	_, err = s.LiveSnapshot(ctx, id)
	wantCode(tb, err, cms.CodeNotFound, "LiveSnapshot of a page never stored")
}

// eachLive collects EachLivePage, ordered by id.
func eachLive(tb testing.TB, s storage.Store) []editorial.LivePage {
	tb.Helper()
	var out []editorial.LivePage
	must(tb, s.EachLivePage(tb.Context(), func(lp editorial.LivePage) error {
		out = append(out, lp)
		return nil
	}), "EachLivePage")
	slices.SortFunc(out, func(a, b editorial.LivePage) int { return cmp.Compare(a.ID, b.ID) })
	return out
}

func changeSeq(tb testing.TB, s storage.Store) int64 {
	tb.Helper()
	seq, err := s.ChangeSeq(tb.Context())
	must(tb, err, "ChangeSeq")
	return seq
}

// chain reads a page's whole audit chain and checks it against the page's head.
func chain(tb testing.TB, s storage.Store, p editorial.Page) []editorial.AuditEvent {
	tb.Helper()
	evs, err := s.AuditEvents(tb.Context(), editorial.AuditFilter{PageID: p.ID})
	must(tb, err, "AuditEvents of one page")
	if b := editorial.VerifyChain(p.ID, evs, p.Audit); b != nil {
		tb.Errorf("the stored audit chain does not verify: %v", b)
	}
	return evs
}

// sortedByID returns pages ordered by id.
func sortedByID(pages []editorial.Page) []editorial.Page {
	out := slices.Clone(pages)
	slices.SortFunc(out, func(a, b editorial.Page) int { return cmp.Compare(a.ID, b.ID) })
	return out
}

// summaries returns the summaries of pages.
func summaries(pages []editorial.Page) []editorial.Page {
	out := make([]editorial.Page, len(pages))
	for i, p := range pages {
		out[i] = p.Summary()
	}
	return out
}
