package delivery

import (
	"bytes"
	"cmp"
	"slices"
	"strings"
	"time"

	"github.com/monograph-cms/monograph/internal/editorial"
	"github.com/monograph-cms/monograph/internal/locale"
)

// Translations in delivery (docs/translations.md). Every live page carries its locale, its
// writing direction and its live siblings ("translations", for hreflang links); a
// translation also carries "translation" (its source's locale and slug, whether the live
// source text is still the one it renders, and when that was reviewed). What a translation
// renders comes from its signed live snapshot (editorial.LiveSnapshot.TranslationOf, copied
// from the signed revision), never from the page's editable link.
//
// The block of these members sits between the page head and its review tail, so the
// overdue and review-figure refresh keeps it. It depends on other pages (the source and the
// siblings), so it is recomputed for the pages whose group changed on every install: a
// translation whose source is not live is not served at all (it answers like an
// unpublished page until its source is live again).

// translationBlock is the encoded block of members.
type translationBlock struct {
	Locale       string           `json:"locale"`
	Dir          locale.Direction `json:"dir"`
	Translation  *translationOf   `json:"translation,omitempty"`
	Translations []sibling        `json:"translations"`
}

type translationOf struct {
	SourceLocale     string    `json:"sourceLocale"`
	SourceSlug       string    `json:"sourceSlug"`
	Outdated         bool      `json:"outdated"`
	SourceReviewedAt time.Time `json:"sourceReviewedAt"`
}

type sibling struct {
	Locale string `json:"locale"`
	Slug   string `json:"slug"`
}

// encodeBlock returns the block as it is spliced into the page JSON: ",<members>".
func encodeBlock(b translationBlock) []byte {
	if b.Translations == nil {
		b.Translations = []sibling{}
	}
	m, _ := marshal(b)
	m[0] = ',' // the members of the object, after the head's last member
	return m[:len(m)-1]
}

// pageLocale returns the locale of a live snapshot: its translation's, else the source's.
func (s *Service) pageLocale(ls *editorial.LiveSnapshot) string {
	if ls.TranslationOf != nil {
		return ls.TranslationOf.Locale
	}
	return s.cfg.Locales.Source()
}

// withLocale splices the block of a page on its own (no siblings known yet) into body
// after the head, and records the entry's locale facts. It returns the new body and head
// length.
func (s *Service) withLocale(e *entry, ls *editorial.LiveSnapshot, body []byte, headLen int) ([]byte, int) {
	e.tr = ls.TranslationOf
	e.locale = s.pageLocale(ls)
	e.langHdr = []string{e.locale}
	e.baseLen = headLen
	block := encodeBlock(translationBlock{Locale: e.locale, Dir: s.cfg.Locales.Dir(e.locale)})
	e.block = block
	out := make([]byte, 0, len(body)+len(block))
	out = append(append(append(out, body[:headLen]...), block...), body[headLen:]...)
	return out, headLen + len(block)
}

// group is a source page and its translations, as delivery holds them.
type group struct {
	source       *entry
	translations []*entry
}

// linkTranslations recomputes the translation blocks of entries (about to be installed)
// and replaces the entries whose block changed; entries holds ids, changed the ids whose
// entry differs from the installed snapshot's, to which it adds those it replaces. Callers
// hold mu.
func (s *Service) linkTranslations(entries map[string]*entry, now time.Time, changed map[string]bool) {
	installed := s.cur.Load()
	// Only the groups of pages that changed since the installed snapshot are linked again:
	// a publication costs its own group, not the library.
	dirty := map[string]bool{}
	mark := func(e *entry) {
		if e == nil {
			return
		}
		if b := e.unhidden(); b.tr != nil {
			dirty[b.tr.Page] = true
		}
		dirty[e.id] = true
	}
	for id := range changed {
		mark(entries[id])
		mark(installed.byID[id])
	}
	if len(dirty) == 0 {
		return
	}
	groups := map[string]*group{}
	add := func(e *entry) {
		base := e.unhidden()
		if base == nil || !base.live {
			return
		}
		if base.tr != nil && dirty[base.tr.Page] {
			g := groups[base.tr.Page]
			if g == nil {
				g = &group{}
				groups[base.tr.Page] = g
			}
			g.translations = append(g.translations, e)
		}
	}
	if len(changed) > incrementalLimit {
		for _, e := range entries {
			add(e)
		}
	} else {
		// The translations of the dirty sources: those the installed snapshot knew, unless
		// they changed, and the changed ones as they are now.
		for src := range dirty {
			for _, id := range installed.translations[src] {
				if !changed[id] {
					add(entries[id])
				}
			}
		}
		for id := range changed {
			if e := entries[id]; e != nil {
				add(e)
			}
		}
	}
	for srcID, g := range groups {
		if src := entries[srcID]; src != nil && src.live && src.tr == nil {
			g.source = src
		}
	}
	replace := func(id string, old, n *entry) {
		if prev := installed.byID[id]; (prev == nil || prev.page != old.page) && old.page != nil && old.page != n.page && n.full != old {
			s.hot.drop(old.page) // built for this install and superseded before it
			s.hot.drop(old.jsonLD)
		}
		entries[id] = n
		if n != installed.byID[id] {
			changed[id] = true
		}
	}
	done := map[string]bool{}
	for _, g := range groups {
		var visible []*entry
		for _, t := range g.translations {
			if g.source == nil {
				if t.full == nil {
					var srcSeq int64 // the withdrawal of the source, when delivery holds it
					if src := entries[t.tr.Page]; src != nil {
						srcSeq = src.seq
					}
					replace(t.id, t, t.hide(now, srcSeq))
				}
				done[t.id] = true
				continue
			}
			visible = append(visible, t.unhidden())
		}
		if g.source == nil {
			continue
		}
		// In a stable order, so the same pages always encode to the same bytes (and ETag).
		slices.SortFunc(visible, func(a, b *entry) int {
			return cmp.Or(strings.Compare(a.locale, b.locale), strings.Compare(a.slug, b.slug))
		})
		siblings := []sibling{{Locale: g.source.locale, Slug: g.source.slug}}
		for _, t := range visible {
			siblings = append(siblings, sibling{Locale: t.locale, Slug: t.slug})
		}
		// A page whose bytes change with its family takes the family's latest change number.
		familySeq := g.source.ownSeq()
		for _, t := range visible {
			familySeq = max(familySeq, t.ownSeq())
		}
		src := g.source
		replace(src.id, src, s.relinkRaised(src, translationBlock{Locale: src.locale, Dir: s.cfg.Locales.Dir(src.locale), Translations: siblings[1:]}, nil, visible, familySeq))
		done[src.id] = true
		for _, t := range visible {
			others := make([]sibling, 0, len(siblings)-1)
			for _, sb := range siblings {
				if sb.Slug != t.slug {
					others = append(others, sb)
				}
			}
			b := translationBlock{Locale: t.locale, Dir: s.cfg.Locales.Dir(t.locale), Translations: others,
				Translation: &translationOf{SourceLocale: src.locale, SourceSlug: src.slug,
					Outdated: src.contentHash != t.tr.ContentHash, SourceReviewedAt: src.review.ReviewedAt.UTC()}}
			n := s.relinkRaised(t, b, src, nil, familySeq)
			if entries[t.id].full != nil {
				n = n.raised(familySeq) // served again, with its source: a change for the sync feed
			}
			replace(t.id, entries[t.id], n)
			done[t.id] = true
		}
	}
	// Pages no longer in a group (their translations went away) lose their siblings, by the
	// latest change among the pages that changed.
	var latest int64
	for id := range dirty {
		if e := entries[id]; e != nil {
			latest = max(latest, e.seq)
		}
	}
	for id := range dirty {
		if e := entries[id]; e != nil && e.linked && !done[id] && e.live {
			replace(id, e, s.relinkRaised(e, translationBlock{Locale: e.locale, Dir: s.cfg.Locales.Dir(e.locale)}, nil, nil, latest))
		}
	}
}

// ownSeq is the change number of the page's own last live change. An entry's seq can be
// higher: when its family changes what it serves (a sibling published, its source
// withdrawn), it takes the family's latest change number, so the sync feed reports it.
func (e *entry) ownSeq() int64 {
	if e.own != 0 {
		return e.own
	}
	return e.seq
}

// raised returns e with seq at least seq (e itself when it is already).
func (e *entry) raised(seq int64) *entry {
	if e.seq >= seq {
		return e
	}
	n := *e
	n.own, n.seq = e.ownSeq(), seq
	return &n
}

// unhidden returns the entry a hidden translation stands for, or e itself.
func (e *entry) unhidden() *entry {
	if e.full != nil {
		return e.full
	}
	return e
}

// hide returns a hidden stand-in of a translation whose source is not live: not served,
// reported as unpublished by the sync feed, restored when the source is live again.
func (e *entry) hide(now time.Time, seq int64) *entry {
	return &entry{id: e.id, slug: e.slug, seq: max(e.seq, seq), own: e.ownSeq(), goneAt: now.UTC(), goneRevision: e.revision,
		full: e, tr: e.tr, locale: e.locale}
}

// relinkRaised is relink, raising the seq of an entry whose bytes changed to seq.
func (s *Service) relinkRaised(e *entry, b translationBlock, source *entry, translations []*entry, seq int64) *entry {
	n := s.relink(e, b, source, translations)
	if n == e {
		return e
	}
	return n.raised(seq)
}

// relink returns e with block b spliced in place of its current one, and the JSON-LD
// relations (translationOfWork to source, workTranslation to translations); e itself when
// nothing changed.
func (s *Service) relink(e *entry, b translationBlock, source *entry, translations []*entry) *entry {
	block := encodeBlock(b)
	linked := source != nil || len(translations) > 0
	if e.full == nil && bytes.Equal(e.block, block) && e.linked == linked {
		return e
	}
	page := s.hot.peek(e.page)
	n := *e
	n.full = nil
	n.linked, n.block = linked, block
	head := append(append(make([]byte, 0, e.baseLen+len(block)), page[:e.baseLen]...), block...)
	body := append(head, encodeTail(&n.review, n.stats, false)...)
	n.headLen = len(head)
	n.page = s.hot.newPageBody(body, strongETag(n.contentHash, body), n.lastModified())

	ld := s.hot.peek(e.ldBase)
	if n.linked {
		rel := ldRelations{}
		if source != nil {
			rel.TranslationOfWork = &ldWork{Type: "MedicalWebPage", URL: s.cfg.SiteURL + source.slug, InLanguage: source.locale}
		}
		for _, t := range translations {
			rel.WorkTranslation = append(rel.WorkTranslation, ldWork{Type: "MedicalWebPage", URL: s.cfg.SiteURL + t.slug, InLanguage: t.locale})
		}
		m, _ := marshal(rel)
		m[0] = ','
		ld = append(append(bytes.Clone(ld[:len(ld)-1]), m[:len(m)-1]...), '}')
	}
	n.jsonLD = s.hot.newColdBody(ctLD, ld, strongETag(n.contentHash, ld), n.publishedAt)
	return &n
}

// ldRelations are the schema.org links between a work and its translations.
type ldRelations struct {
	TranslationOfWork *ldWork  `json:"translationOfWork,omitempty"`
	WorkTranslation   []ldWork `json:"workTranslation,omitempty"`
}

type ldWork struct {
	Type       string `json:"@type"`
	URL        string `json:"url"`
	InLanguage string `json:"inLanguage"`
}

// localeOfQuery reads a list or sync query's locale ("" for any): a BCP 47 tag, canonical.
func localeOfQuery(raw string) (string, bool) {
	if raw == "" {
		return "", true
	}
	tag, err := locale.Canonical(raw)
	return tag, err == nil
}
