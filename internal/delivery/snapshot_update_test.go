package delivery

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/monograph-cms/monograph/internal/content"
	"github.com/monograph-cms/monograph/internal/locale"
)

// TestAPublicationMovesOnlyItsPage: with 300 live pages, publishing one more, publishing a
// new revision of one and taking one down each move that page in the installed snapshot;
// none builds the snapshot from scratch (which hashed every slug and sorted every list:
// most of a publish request's 29–31 ms at 10,000 live pages).
func TestAPublicationMovesOnlyItsPage(t *testing.T) {
	f := newFixture(t)
	var last testPage
	for i := range 300 {
		last = f.publish(livePage(fmt.Sprintf("p%d", i), slugN(i), sampleContent(slugN(i)), 1, t0.Add(time.Duration(i)*time.Minute), t0.AddDate(1, 0, 0)))
	}
	steps := []struct {
		name string
		do   func()
	}{
		{"a new page", func() {
			f.publish(livePage("new", "zeta", sampleContent("zeta"), 1, t0.Add(time.Hour*10), t0.AddDate(1, 0, 0)))
		}},
		{"a new revision", func() {
			c := sampleContent("aardvark") // moves to the head of the list by title
			last = f.publish(livePage(last.ID, last.Slug, c, 2, t0.Add(time.Hour*11), t0.AddDate(1, 0, 0)))
		}},
		{"a withdrawal", func() { f.publish(unpublish(last, t0.Add(time.Hour*12))) }},
	}
	for _, step := range steps {
		f.svc.mu.Lock()
		before := f.svc.rebuilds
		f.svc.mu.Unlock()
		step.do()
		f.svc.mu.Lock()
		rebuilt := f.svc.rebuilds - before
		f.svc.mu.Unlock()
		if rebuilt != 0 {
			t.Errorf("%s rebuilt the snapshot of 300 pages", step.name)
		}
		f.checkSnapshot(t)
	}
	if items, _ := f.listSlugs(t, "/api/v1/pages?limit=2"); fmt.Sprint(items) != "[drug-000 drug-001]" {
		t.Errorf("list by title after the withdrawal of %s: %v", last.Slug, items)
	}
}

// TestAnUpdatedSnapshotIsTheRebuiltOne applies publications at random (new pages, new
// revisions with other titles and dates, other slugs, slugs taken over from another page,
// withdrawals, translations) and after every one compares the snapshot delivery installed
// with the one built from scratch from the same pages. The publications go to delivery
// directly, numbered as the store would number them, so that they can also do what the
// store never asks of it (a page's slug changing, a slug passing to another page), which
// delivery handles all the same.
func TestAnUpdatedSnapshotIsTheRebuiltOne(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 13))
	f := newFixtureWith(t, func(c *Config) { c.Locales = locale.MustParse("en,es,ar") })
	names := []string{"ketamine", "esketamine", "morphine", "codeine", "tramadol", "lithium", "warfarin", "insulin"}
	pages := map[string]testPage{} // by id, as delivery was last told
	var ids []string
	var seq int64
	at := t0
	used := map[string]bool{}
	fresh := func() string {
		for {
			slug := fmt.Sprintf("%s-%d", names[rng.IntN(len(names))], rng.IntN(60))
			if !used[slug] {
				used[slug] = true
				return slug
			}
		}
	}
	apply := func(p testPage) {
		seq++
		p.LiveSeq = seq
		if _, ok := pages[p.ID]; !ok {
			ids = append(ids, p.ID)
		}
		pages[p.ID] = p
		f.svc.Apply(p.live())
	}
	pick := func(want func(testPage) bool) (testPage, bool) {
		var got []testPage
		for _, id := range ids {
			if want(pages[id]) {
				got = append(got, pages[id])
			}
		}
		if len(got) == 0 {
			return testPage{}, false
		}
		return got[rng.IntN(len(got))], true
	}
	isLive := func(p testPage) bool { return p.LiveSnapshot != nil }
	isSource := func(p testPage) bool { return p.Translation == nil }
	anyContent := func() content.Content { return sampleContent(names[rng.IntN(len(names))]) }
	due := func() time.Time { return at.AddDate(0, rng.IntN(24)-6, 0) } // some already overdue
	rebuilds := func() int {
		f.svc.mu.Lock()
		defer f.svc.mu.Unlock()
		return f.svc.rebuilds
	}
	var moved, steps int
	for range 500 {
		at = at.Add(time.Duration(1+rng.IntN(90)) * time.Minute)
		f.clock.Advance(time.Second)
		before := rebuilds()
		switch op := rng.IntN(14); {
		case op < 3 || len(ids) < 4: // a new page
			apply(livePage(fmt.Sprintf("page-%d", len(ids)), fresh(), anyContent(), 1, at, due()))
		case op < 7: // a new revision of a page, live or withdrawn, with another title
			p, _ := pick(isSource)
			apply(livePage(p.ID, p.Slug, anyContent(), p.Workflow.Revision+1, at, due()))
		case op < 8: // published again under another slug
			p, _ := pick(isSource)
			apply(livePage(p.ID, fresh(), anyContent(), p.Workflow.Revision+1, at, due()))
		case op < 9: // a new page takes the slug of another, withdrawn or not
			p, _ := pick(func(testPage) bool { return true })
			apply(livePage(fmt.Sprintf("page-%d", len(ids)), p.Slug, anyContent(), 1, at, due()))
		case op < 11: // withdrawn
			if p, ok := pick(isLive); ok {
				apply(unpublish(p, at))
			}
		default: // a translation of a live source, published or published again
			src, ok := pick(func(p testPage) bool { return isLive(p) && isSource(p) })
			if !ok {
				continue
			}
			loc := []string{"es", "ar"}[rng.IntN(2)]
			id, slug, rev := loc+"-"+src.ID, "", 1
			if p, ok := pages[id]; ok {
				slug, rev = p.Slug, p.Workflow.Revision+1
			} else {
				slug = fresh()
			}
			apply(translationPage(id, slug, loc, src, "", rev, at))
		}
		steps++
		if rebuilds() == before {
			moved++
		}
		f.checkSnapshot(t)
		if t.Failed() {
			return
		}
	}
	// The others handed a slug on (its holder left it, and an older page may have it).
	if moved < steps/2 {
		t.Fatalf("only %d of %d publications moved their pages", moved, steps)
	}
	t.Logf("%d of %d publications moved their pages; %d pages", moved, steps, len(ids))
}

// checkSnapshot compares the installed snapshot with one built from scratch from the same
// entries.
func (f *fixture) checkSnapshot(t *testing.T) {
	t.Helper()
	s := f.svc
	s.mu.Lock()
	defer s.mu.Unlock()
	cur := s.cur.Load()
	// Linking every page again, as at a load, must find every translation block right.
	relinked := maps.Clone(cur.byID)
	all := map[string]bool{}
	for id := range relinked {
		all[id] = true
	}
	s.linkTranslations(relinked, s.clock.Now(), all)
	for id, e := range relinked {
		if cur.byID[id] != e {
			t.Errorf("linking every page again changed %s (%s)", id, e.slug)
		}
	}
	want := s.build(cur.byID, cur.marks)
	slugs := func(l []*entry) []string {
		out := make([]string, len(l))
		for i, e := range l {
			out[i] = fmt.Sprintf("%s@%d", e.slug, e.seq)
		}
		return out
	}
	switch {
	case !maps.Equal(cur.bySlug, want.bySlug):
		t.Errorf("bySlug: %d slugs, rebuilt %d", len(cur.bySlug), len(want.bySlug))
	case !slices.Equal(cur.byTitle, want.byTitle):
		t.Errorf("byTitle:\n%v\nrebuilt:\n%v", slugs(cur.byTitle), slugs(want.byTitle))
	case !slices.Equal(cur.byDate, want.byDate):
		t.Errorf("byDate:\n%v\nrebuilt:\n%v", slugs(cur.byDate), slugs(want.byDate))
	case !slices.Equal(cur.bySeq, want.bySeq):
		t.Errorf("bySeq:\n%v\nrebuilt:\n%v", slugs(cur.bySeq), slugs(want.bySeq))
	case cur.maxSeq != want.maxSeq || !cur.listModified.Equal(want.listModified) || !cur.nextFlip.Equal(want.nextFlip):
		t.Errorf("maxSeq %d listModified %v nextFlip %v, rebuilt %d %v %v",
			cur.maxSeq, cur.listModified, cur.nextFlip, want.maxSeq, want.listModified, want.nextFlip)
	case string(cur.defaultList.body) != string(want.defaultList.body):
		t.Errorf("default list:\n%s\nrebuilt:\n%s", cur.defaultList.body, want.defaultList.body)
	case !maps.EqualFunc(cur.translations, want.translations, func(a, b []string) bool {
		return slices.Equal(slices.Sorted(slices.Values(a)), slices.Sorted(slices.Values(b)))
	}):
		t.Errorf("translations %v, rebuilt %v", cur.translations, want.translations)
	}
}

// TestHighestSeqLooksAtTheChangedPages: the highest change number among a snapshot's pages
// after a change, taken from the snapshot before it where that is enough.
func TestHighestSeqLooksAtTheChangedPages(t *testing.T) {
	s := newFixture(t).svc
	page := func(id string, seq int64) *entry {
		return &entry{id: id, slug: id, seq: seq, goneAt: t0.Add(time.Duration(seq) * time.Minute)}
	}
	installed := s.build(map[string]*entry{"a": page("a", 1), "b": page("b", 5), "c": page("c", 3)}, nil)
	for _, c := range []struct {
		name    string
		changed map[string]*entry // nil: the page left
		want    int64
	}{
		{"a new page, newest", map[string]*entry{"d": page("d", 7)}, 7},
		{"the newest page changed again", map[string]*entry{"b": page("b", 6)}, 6},
		{"another page changed, below the newest", map[string]*entry{"c": page("c", 4)}, 5},
		{"the newest page left", map[string]*entry{"b": nil}, 3},
		{"the newest page numbered lower (an older change applied late)", map[string]*entry{"b": page("b", 2)}, 3},
		{"nothing changed", map[string]*entry{}, 5},
	} {
		entries := maps.Clone(installed.byID)
		changed := map[string]bool{}
		for id, e := range c.changed {
			changed[id] = true
			if e == nil {
				delete(entries, id)
			} else {
				entries[id] = e
			}
		}
		if got := highestSeq(installed, entries, changed); got != c.want {
			t.Errorf("%s: %d, want %d", c.name, got, c.want)
		}
	}
}
