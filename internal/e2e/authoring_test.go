package e2e

import (
	"encoding/json"
	"fmt"
	"github.com/monograph-cms/monograph/internal/teststore"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/monograph-cms/monograph/internal/editorial"
)

// Issue 3, Must show: the authoring flow through HTTP — create → save → stale save (412,
// stored page unchanged) → missing If-Match (428) → identical content (no revision) →
// revisions → revision → diff showing what changed.
func TestAuthoringFlow(t *testing.T) {
	t.Parallel()
	s := MustStart(t)
	w := s.Login(t, Writer)
	w2 := s.Login(t, Writer2)

	c1 := Content("Flow")
	r := w.Do(t, "POST", pagesPath, map[string]any{"slug": "flow-page", "content": c1, "note": "first draft"})
	MustStatus(t, r, 201)
	var p1 Page
	r.Decode(t, &p1)
	if r.Header.Get("Location") != pagesPath+"/"+p1.ID || r.Header.Get("ETag") != `"1"` {
		t.Fatalf("create headers: %v", r.Header)
	}
	if p1.State != "draft" || p1.Version != 1 || p1.Revision != 1 || !strings.HasPrefix(p1.ContentHash, "sha256:") ||
		p1.Slug != "flow-page" || p1.Content["title"] != "Flow" || p1.Live != nil || p1.Approval != nil || p1.CreatedBy.ID != w.User.ID {
		t.Fatalf("created page: %s", r.Body)
	}

	// Save revision 2: the overview body's second line changes, and the title.
	c2 := clone(c1)
	c2["title"] = "Flow, revised"
	c2["sections"].([]any)[0].(map[string]any)["body"] = "First line.\nA changed second line.\nThird line."
	r = w2.Do(t, "PUT", pagesPath+"/"+p1.ID+"/content", c2, "If-Match", `"1"`, "X-Revision-Note", "tightened overview")
	MustStatus(t, r, 200)
	var p2 Page
	r.Decode(t, &p2)
	if p2.Version != 2 || p2.Revision != 2 || p2.ContentHash == p1.ContentHash || r.Header.Get("ETag") != `"2"` || p2.Content["title"] != "Flow, revised" {
		t.Fatalf("saved page: %s", r.Body)
	}

	// A stale save (the writer still holds version 1): 412 with the current version, and the
	// stored page is exactly as before.
	c3 := clone(c1)
	c3["title"] = "Stale edit"
	prob := MustProblem(t, w.Save(t, p1.ID, 1, c3), 412, "version_conflict", "")
	if prob.CurrentVersion != 2 {
		t.Fatalf("412 without currentVersion 2: %+v", prob)
	}
	after := w.Page(t, p1.ID)
	if after.Version != 2 || after.Revision != 2 || after.ContentHash != p2.ContentHash || after.Content["title"] != "Flow, revised" {
		t.Fatalf("stale save changed the page: %+v", after)
	}
	// Weak and unquoted forms of the same version are understood; nonsense is 400.
	MustProblem(t, w.Do(t, "PUT", pagesPath+"/"+p1.ID+"/content", c3, "If-Match", "W/\"1\""), 412, "version_conflict", "")
	MustProblem(t, w.Do(t, "PUT", pagesPath+"/"+p1.ID+"/content", c3, "If-Match", `"abc"`), 400, "invalid", "If-Match")
	// Missing If-Match: 428.
	MustProblem(t, w.Do(t, "PUT", pagesPath+"/"+p1.ID+"/content", c3), 428, "precondition_required", "")

	// Identical content (even spelt differently: key order, whitespace) makes no revision.
	reordered, _ := json.MarshalIndent(c2, "", "    ")
	r = w.Do(t, "PUT", pagesPath+"/"+p1.ID+"/content", Raw(reordered), "If-Match", `"2"`)
	MustStatus(t, r, 200)
	var same Page
	r.Decode(t, &same)
	if same.Version != 2 || same.Revision != 2 {
		t.Fatalf("identical save made a revision: %+v", same)
	}
	// Single-line fields are trimmed before hashing: still identical.
	padded := clone(c2)
	padded["title"] = "  Flow, revised  "
	if p := w.MustSave(t, p1.ID, 2, padded); p.Revision != 2 {
		t.Fatalf("whitespace-only change made a revision: %+v", p)
	}

	revs := w.Revisions(t, p1.ID)
	if len(revs) != 2 || revs[0].Number != 1 || revs[1].Number != 2 ||
		revs[0].Author.ID != w.User.ID || revs[1].Author.ID != w2.User.ID ||
		revs[0].ContentHash != p1.ContentHash || revs[1].ContentHash != p2.ContentHash ||
		revs[0].Note != "first draft" || revs[1].Note != "tightened overview" {
		t.Fatalf("revisions: %+v", revs)
	}
	r = w.Do(t, "GET", pagesPath+"/"+p1.ID+"/revisions/1", nil)
	MustStatus(t, r, 200)
	var rev1 struct {
		Number      int            `json:"number"`
		ContentHash string         `json:"contentHash"`
		Content     map[string]any `json:"content"`
		Author      Signer         `json:"author"`
	}
	r.Decode(t, &rev1)
	if rev1.Number != 1 || rev1.ContentHash != p1.ContentHash || rev1.Content["title"] != "Flow" || rev1.Author.ID != w.User.ID {
		t.Fatalf("revision 1: %s", r.Body)
	}
	for _, n := range []string{"3", "0", "-1", "x", "99999999999999999999"} {
		MustProblem(t, w.Do(t, "GET", pagesPath+"/"+p1.ID+"/revisions/"+n, nil), 404, "not_found", "")
	}

	r = w.Do(t, "GET", pagesPath+"/"+p1.ID+"/diff?from=1&to=2", nil)
	MustStatus(t, r, 200)
	var diff struct {
		From, To int
		Changes  []struct {
			Field string `json:"field"`
			Kind  string `json:"kind"`
			From  any    `json:"from"`
			To    any    `json:"to"`
			Lines []struct {
				Op   string `json:"op"`
				Text string `json:"text"`
			} `json:"lines"`
		} `json:"changes"`
	}
	r.Decode(t, &diff)
	if diff.From != 1 || diff.To != 2 || len(diff.Changes) != 2 {
		t.Fatalf("diff: %s", r.Body)
	}
	title, body := diff.Changes[0], diff.Changes[1]
	if title.Field != "title" || title.Kind != "changed" || title.From != "Flow" || title.To != "Flow, revised" {
		t.Fatalf("title change: %s", r.Body)
	}
	if body.Field != "sections[overview].body" || body.Kind != "changed" {
		t.Fatalf("body change: %s", r.Body)
	}
	var ops []string
	for _, l := range body.Lines {
		ops = append(ops, l.Op+":"+l.Text)
	}
	want := "equal:First line.|delete:Second line about Flow.|insert:A changed second line.|equal:Third line."
	if strings.Join(ops, "|") != want {
		t.Fatalf("line diff:\n got %s\nwant %s", strings.Join(ops, "|"), want)
	}
	MustProblem(t, w.Do(t, "GET", pagesPath+"/"+p1.ID+"/diff?from=1&to=9", nil), 404, "not_found", "")
	MustProblem(t, w.Do(t, "GET", pagesPath+"/"+p1.ID+"/diff?from=x&to=2", nil), 400, "invalid", "from")
	r = w.Do(t, "GET", pagesPath+"/"+p1.ID+"/diff?from=2&to=2", nil)
	MustStatus(t, r, 200)
	if !strings.Contains(string(r.Body), `"changes":[]`) {
		t.Fatalf("diff of a revision with itself: %s", r.Body)
	}

	// Unknown and malformed page ids are 404 everywhere.
	for _, id := range []string{"aaaaaaaaaaaaaaaaaaaa", "nope", "..%2f..%2fusers", `{"$gt":""}`} {
		MustProblem(t, w.Do(t, "GET", pagesPath+"/"+id, nil), 404, "not_found", "")
		MustProblem(t, w.Save(t, id, 1, c1), 404, "not_found", "")
	}
}

// Issue 3, Must show: ten concurrent saves on the same base version give exactly one 200,
// nine 412, and exactly one new revision.
func TestConcurrentSavesOneWins(t *testing.T) {
	teststore.SkipWithoutConcurrentAtomicity(t)
	t.Parallel()
	s := MustStart(t)
	clients := []*Client{s.Login(t, Writer), s.Login(t, Writer2), s.Login(t, Editor), s.Login(t, Admin), s.Login(t, Reviewer)}
	p := clients[0].Create(t, "race-page", Content("Race"))
	for round := 0; round < 3; round++ {
		base := clients[0].Page(t, p.ID)
		var wg sync.WaitGroup
		statuses := make([]int, 10)
		errs := make([]error, 10)
		start := make(chan struct{})
		for i := range 10 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				c := clients[i%len(clients)]
				<-start
				r, err := c.Try("PUT", pagesPath+"/"+p.ID+"/content", Content(fmt.Sprintf("Race round %d writer %d", round, i)),
					"If-Match", `"`+strconv.Itoa(base.Version)+`"`)
				if err != nil {
					errs[i] = err
					return
				}
				statuses[i] = r.Status
				if r.Status == 412 && !strings.Contains(string(r.Body), `"version_conflict"`) {
					errs[i] = fmt.Errorf("412 without version_conflict: %s", r)
				}
			}()
		}
		close(start)
		wg.Wait()
		ok, conflict := 0, 0
		for i, st := range statuses {
			if errs[i] != nil {
				t.Fatal(errs[i])
			}
			switch st {
			case 200:
				ok++
			case 412:
				conflict++
			default:
				t.Fatalf("round %d: save %d answered %d", round, i, st)
			}
		}
		if ok != 1 || conflict != 9 {
			t.Fatalf("round %d: %d × 200, %d × 412; want 1 and 9", round, ok, conflict)
		}
		after := clients[0].Page(t, p.ID)
		revs := clients[0].Revisions(t, p.ID)
		if after.Revision != base.Revision+1 || after.Version != base.Version+1 || len(revs) != base.Revision+1 {
			t.Fatalf("round %d: revision %d version %d, %d revisions; base revision %d", round, after.Revision, after.Version, len(revs), base.Revision)
		}
		if revs[len(revs)-1].ContentHash != after.ContentHash {
			t.Fatal("the new revision's hash is not the page's")
		}
	}
}

// sizedContent returns content with n sections of body length each.
func sizedContent(n, length int) map[string]any {
	c := Content("Sized")
	secs := make([]any, n)
	for i := range secs {
		secs[i] = map[string]any{"key": "other", "title": fmt.Sprintf("Part %d", i), "body": strings.Repeat("x", length)}
	}
	c["sections"] = secs
	return c
}

func items(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("item %d", i)
	}
	return out
}

// Issue 3, Must show: every invalid input of docs/api.md → 4xx problem+json naming the field,
// and nothing written.
func TestInvalidContentWritesNothing(t *testing.T) {
	t.Parallel()
	s := MustStart(t)
	w := s.Login(t, Writer)
	p := w.Create(t, "valid-page", Content("Valid"))
	w.Create(t, "taken-slug", Content("Taken"))

	sec := func(key, body string) map[string]any { return map[string]any{"key": key, "title": "T", "body": body} }
	cases := []struct {
		name    string
		content map[string]any
		field   string
	}{
		{"missing title", contentWith("title", nil), "content.title"},
		{"empty title", contentWith("title", ""), "content.title"},
		{"blank title", contentWith("title", "   "), "content.title"},
		{"title 201 chars", contentWith("title", strings.Repeat("é", 201)), "content.title"},
		{"title with control char", contentWith("title", "a\u0007b"), "content.title"},
		{"missing drug", contentWith("drug", nil), "content.drug.name"},
		{"missing drug.name", contentWith("drug.name", nil), "content.drug.name"},
		{"unknown section key", contentWith("sections", []any{sec("dosage", "b")}), "content.sections[0].key"},
		{"empty section key", contentWith("sections", []any{sec("", "b")}), "content.sections[0].key"},
		{"duplicate section key", contentWith("sections", []any{sec("overview", "a"), sec("mechanism", "b"), sec("overview", "c")}), "content.sections[2].key"},
		{"bad clinicalUses status", contentWith("clinicalUses", []any{map[string]any{"name": "X", "status": "approved-ish"}}), "content.clinicalUses[0].status"},
		{"section body 50,001", contentWith("sections", []any{sec("overview", strings.Repeat("b", 50_001))}), "content.sections[0].body"},
		{"51 sections", sizedContent(51, 10), "content.sections"},
		{"101 routes", contentWith("routes", items(101)), "content.routes"},
		{"101 tags", contentWith("tags", items(101)), "content.tags"},
		{"101 brand names", contentWith("drug.brandNames", items(101)), "content.drug.brandNames"},
		{"101 common side effects", contentWith("sideEffects.common", items(101)), "content.sideEffects.common"},
		{"101 patient guidance", contentWith("patientGuidance", items(101)), "content.patientGuidance"},
		{"content over 512 KiB", sizedContent(11, 50_000), "content"},
		{"reference javascript URL", contentWith("references", []any{map[string]any{"title": "x", "url": "javascript:alert(1)"}}), "content.references[0].url"},
		{"bad tag", contentWith("tags", []string{"Not A Tag"}), "content.tags[0]"},
		{"empty list item", contentWith("routes", []string{"oral", ""}), "content.routes[1]"},
	}
	// The limits themselves are accepted (so each refusal above is for exceeding one).
	atLimit := []map[string]any{
		contentWith("title", strings.Repeat("é", 200)),
		contentWith("sections", []any{sec("overview", strings.Repeat("b", 50_000))}),
		sizedContent(50, 10),
		contentWith("routes", items(100)),
	}
	base := w.Page(t, p.ID)
	for i, c := range atLimit {
		base = w.MustSave(t, p.ID, base.Version, c)
		if base.Revision != i+2 {
			t.Fatalf("at-limit content %d not saved: %+v", i, base)
		}
	}
	base = w.Page(t, p.ID)
	nrevs := len(w.Revisions(t, p.ID))
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			// On save, field paths start with "content." …
			MustProblem(t, w.Save(t, p.ID, base.Version, tc.content), 400, "invalid", tc.field)
			// … and on create, too.
			MustProblem(t, w.Do(t, "POST", pagesPath, map[string]any{"slug": "new-page", "content": tc.content}), 400, "invalid", tc.field)
		})
	}
	for _, slug := range []string{"", "Upper", "double--hyphen", "-lead", "trail-", "under_score", "spa ce", "ünï", "a/b", "$where", strings.Repeat("a", 101)} {
		t.Run("bad slug "+slug, func(t *testing.T) {
			MustProblem(t, w.Do(t, "POST", pagesPath, map[string]any{"slug": slug, "content": Content("X")}), 400, "invalid", "slug")
		})
	}
	MustProblem(t, w.Do(t, "POST", pagesPath, map[string]any{"slug": "taken-slug", "content": Content("X")}), 409, "slug_taken", "slug")
	// A bad slug and bad content are reported together.
	prob := MustProblem(t, w.Do(t, "POST", pagesPath, map[string]any{"slug": "Bad", "content": contentWith("title", nil)}), 400, "invalid", "slug")
	if len(prob.Errors) != 2 {
		t.Fatalf("want both fields named: %+v", prob)
	}
	// The longest slug is fine.
	w.Create(t, strings.Repeat("a", 100), Content("Long slug"))

	after := w.Page(t, p.ID)
	if after.Version != base.Version || after.Revision != base.Revision || after.ContentHash != base.ContentHash {
		t.Fatalf("refused saves changed the page: %+v", after)
	}
	if n := len(w.Revisions(t, p.ID)); n != nrevs {
		t.Fatalf("refused saves made revisions: %d → %d", nrevs, n)
	}
	list := w.Do(t, "GET", pagesPath+"?limit=100", nil)
	var pages struct {
		Data []Page `json:"data"`
	}
	list.Decode(t, &pages)
	if len(pages.Data) != 4 { // sample, valid-page, taken-slug, the long slug
		t.Fatalf("refused creates made pages: %d", len(pages.Data))
	}
}

// Issue 3, Must show (storage): every create and save appends an event with actor, revision
// and content hash to the page's hash chain; GET /:id/audit lists them chained.
func TestAuditChainOfSaves(t *testing.T) {
	t.Parallel()
	s := MustStart(t)
	w := s.Login(t, Writer)
	w2 := s.Login(t, Writer2)
	p := w.Create(t, "audited", Content("Audited"))
	hashes := []string{p.ContentHash}
	actors := []string{w.User.ID}
	for i := range 5 {
		c := w
		if i%2 == 1 {
			c = w2
		}
		p = c.MustSave(t, p.ID, p.Version, Content(fmt.Sprintf("Audited %d", i)))
		hashes = append(hashes, p.ContentHash)
		actors = append(actors, c.User.ID)
	}
	// An identical save adds nothing.
	w.MustSave(t, p.ID, p.Version, Content("Audited 4"))
	MustProblem(t, w.Save(t, p.ID, 1, Content("stale")), 412, "version_conflict", "")

	events := w.Audit(t, p.ID)
	if len(events) != 6 {
		t.Fatalf("want 6 events (create + 5 saves), got %d", len(events))
	}
	checkChain(t, events)
	for i, e := range events {
		wantAction := "save"
		if i == 0 {
			wantAction = "create"
		}
		if e.Action != wantAction || e.Actor != actors[i] || e.Revision != i+1 || e.PageID != p.ID || e.At.IsZero() || e.ActorName == "" {
			t.Fatalf("event %d: %+v", i, e)
		}
		if got := e.DataMap()["contentHash"]; got != hashes[i] {
			t.Fatalf("event %d hash %v, want %s", i, got, hashes[i])
		}
	}
	// The global log has them too (once the pump has moved them), filterable.
	// Writers may not read the global log.
	MustProblem(t, w.Do(t, "GET", "/api/v1/manage/audit?pageId="+p.ID, nil), 403, "forbidden", "")
	ed := s.Login(t, Editor)
	eventually(t, 5*time.Second, func() error {
		r := ed.Do(t, "GET", "/api/v1/manage/audit?pageId="+p.ID+"&action=save", nil)
		var out struct {
			Data []AuditEvent `json:"data"`
		}
		r.Decode(t, &out)
		if len(out.Data) != 5 {
			return fmt.Errorf("global audit log: %d save events: %s", len(out.Data), r)
		}
		return nil
	})
}

// checkChain verifies seq order, prevHash links and each hash recomputed from the event.
func checkChain(tb testing.TB, events []AuditEvent) {
	tb.Helper()
	prev := editorial.GenesisHash
	for i, e := range events {
		if e.Seq != i+1 {
			tb.Fatalf("event %d has seq %d", i, e.Seq)
		}
		if e.PrevHash != prev {
			tb.Fatalf("event %d: prevHash %s, want %s", e.Seq, e.PrevHash, prev)
		}
		ev := editorial.AuditEvent{Seq: e.Seq, At: e.At, Actor: e.Actor, ActorName: e.ActorName, Action: e.Action,
			PageID: e.PageID, Revision: e.Revision, Data: string(e.Data), PrevHash: e.PrevHash,
			ActorRoles: e.ActorRoles, RequestID: e.RequestID}
		if got := ev.ComputeHash(); got != e.Hash {
			tb.Fatalf("event %d: hash %s does not match its content (%s)", e.Seq, e.Hash, got)
		}
		prev = e.Hash
	}
}
