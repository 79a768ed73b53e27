package delivery

import (
	"maps"
	"slices"
)

// A publication changes one page (or one family of translations), so the snapshot after
// it is the one before with those pages moved: buildFrom takes the installed snapshot's
// indexes and orders and moves only the changed pages in them, where build hashes every
// slug again and sorts every list. With 10,000 live pages, building from scratch made a
// publish request take 29–35 ms where it took 5 ms with 1,000; moving takes it to 4–5 ms
// (docs/performance.md). The result is the one build gives (the orders are total:
// cmpTitle, cmpDate and cmpSeq end on the slug, which one page holds), which
// TestAnUpdatedSnapshotIsTheRebuiltOne checks after every step of random publications.

// incrementalLimit is how many changed pages an update moves one by one. More come only
// with a load or with many overdue flags flipping at once, where rebuilding is as cheap.
const incrementalLimit = 64

// buildFrom returns the snapshot of entries made from prev, given the ids whose entry
// differs between them (changed or gone). It returns false when it cannot tell a slug's
// holder without looking at every page (the holder of a slug left it and an older page
// may still have that slug): the caller builds from scratch.
func (s *Service) buildFrom(prev *snapshot, entries map[string]*entry, changed map[string]bool, marks []seqMark) (*snapshot, bool) {
	if len(changed) > incrementalLimit {
		return nil, false
	}
	// The slugs whose holder may change: those of the changed pages, before and after.
	slugs := map[string]bool{}
	for id := range changed {
		if o := prev.byID[id]; o != nil {
			slugs[o.slug] = true
		}
		if n := entries[id]; n != nil {
			slugs[n.slug] = true
		}
	}
	sn := s.newSnapshot(entries, marks)
	sn.bySlug = maps.Clone(prev.bySlug)
	var left, came []*entry // holders that lost their slug, and new ones
	for slug := range slugs {
		old := prev.bySlug[slug]
		var best *entry // the changed page with this slug and the highest change number
		for id := range changed {
			if n := entries[id]; n != nil && n.slug == slug && (best == nil || n.seq > best.seq) {
				best = n
			}
		}
		holder := best
		switch {
		case old == nil:
			// No page had this slug, so only a changed one can have it now.
		case entries[old.id] == old:
			// Its holder is unchanged, and still beats every other unchanged page with it.
			if best == nil || best.seq <= old.seq {
				holder = old
			}
		case best == nil || best.seq <= old.seq:
			// Its holder changed or left, and a page that lost the slug to it earlier
			// (unchanged, so not among those looked at here) may have it now.
			return nil, false
		}
		if holder == old {
			continue
		}
		if old != nil {
			left = append(left, old)
		}
		if holder == nil {
			delete(sn.bySlug, slug)
			continue
		}
		sn.bySlug[slug] = holder
		came = append(came, holder)
	}
	var ok bool
	if sn.bySeq, ok = moved(prev.bySeq, left, came, cmpSeq, func(*entry) bool { return true }); !ok {
		return nil, false
	}
	live := func(e *entry) bool { return e.live }
	if sn.byTitle, ok = moved(prev.byTitle, left, came, cmpTitle, live); !ok {
		return nil, false
	}
	if sn.byDate, ok = moved(prev.byDate, left, came, cmpDate, live); !ok {
		return nil, false
	}
	sn.translations = movedTranslations(prev, entries, changed)
	sn.summariseFrom(prev, left, came)
	return sn, true
}

// movedTranslations returns prev's translations index with the changed pages moved: prev's
// own when none of them is or was a translation.
func movedTranslations(prev *snapshot, entries map[string]*entry, changed map[string]bool) map[string][]string {
	source := func(e *entry) string {
		if e == nil {
			return ""
		}
		if b := e.unhidden(); b.tr != nil {
			return b.tr.Page
		}
		return ""
	}
	out, copied := prev.translations, false
	for id := range changed {
		from, to := source(prev.byID[id]), source(entries[id])
		if from == to {
			continue
		}
		if !copied {
			out, copied = maps.Clone(prev.translations), true
		}
		if from != "" {
			ids := slices.DeleteFunc(slices.Clone(out[from]), func(x string) bool { return x == id })
			if len(ids) == 0 {
				delete(out, from)
			} else {
				out[from] = ids
			}
		}
		if to != "" {
			out[to] = append(slices.Clone(out[to]), id)
		}
	}
	return out
}

// summariseFrom is summarise for a snapshot moved from prev by taking left out of its
// lists and putting came in: the Last-Modified and the next overdue flip follow from prev's
// unless a page that left set them.
func (sn *snapshot) summariseFrom(prev *snapshot, left, came []*entry) {
	for _, e := range left {
		if e.modified().Equal(prev.listModified) || (e.flips() && e.review.NextReviewDue.Equal(prev.nextFlip)) {
			sn.summarise()
			return
		}
	}
	sn.listModified, sn.nextFlip = prev.listModified, prev.nextFlip
	for _, e := range came {
		sn.count(e)
	}
	sn.finish()
}

// moved returns a copy of the ordered list with the entries of left that belong in it taken
// out and those of came put in their places; false if an entry of left is not where the
// order says it is (the list was not built by that order).
func moved(list, left, came []*entry, order func(a, b *entry) int, belongs func(*entry) bool) ([]*entry, bool) {
	out := slices.Clone(list)
	for _, e := range left {
		if !belongs(e) {
			continue
		}
		i, found := slices.BinarySearchFunc(out, e, order)
		if !found || out[i] != e {
			return nil, false
		}
		out = slices.Delete(out, i, i+1)
	}
	for _, e := range came {
		if !belongs(e) {
			continue
		}
		i, found := slices.BinarySearchFunc(out, e, order)
		if found {
			return nil, false // two pages in one place: a slug held twice
		}
		out = slices.Insert(out, i, e)
	}
	return out, true
}
