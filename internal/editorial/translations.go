package editorial

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/monograph-cms/monograph/internal/cms"
	"github.com/monograph-cms/monograph/internal/content"
	"github.com/monograph-cms/monograph/internal/workflow"
)

// Translations are pages in their own right (docs/translations.md): their own slug,
// revisions, workflow and audit chain. What makes one a translation is its link
// (Page.Translation) and, inside every revision's content, the server-set
// content.TranslationOf naming the source revision and hash: the signature on a
// translation therefore says which source text it renders.

// ActionTranslationOutdated is the audit action recorded on a translation's chain when a
// different source text goes live.
const ActionTranslationOutdated workflow.Action = "translation_outdated"

// ActionRebase is the audit action of a rebase (a save onto another source revision).
const ActionRebase workflow.Action = "rebase"

// LanguageAccounts tells which languages a user signs in. Service.Accounts implements it
// when translations are used; without it no translation can be signed (fail closed).
type LanguageAccounts interface {
	Languages(ctx context.Context, userID string) ([]string, error)
}

func (s *Service) languagesOf(ctx context.Context, userID string) ([]string, error) {
	la, ok := s.Accounts.(LanguageAccounts)
	if !ok {
		return nil, nil
	}
	return la.Languages(ctx, userID)
}

// SourceLocale returns the configured source language.
func (s *Service) SourceLocale() string { return s.Locales.Source() }

// bindTranslation makes c's TranslationOf what the page's link says (nil for a page that is
// no translation), whatever the client sent, and returns the content's hash.
func bindTranslation(p Page, c *content.Content, hash string) string {
	want := p.Translation.ref()
	if sameRef(c.TranslationOf, want) {
		return hash
	}
	c.TranslationOf = want
	return content.Hash(*c)
}

func sameRef(a, b *content.TranslationOf) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

// sourceBase returns the source revision a translation is based on: n when given, else the
// source's live revision, else its latest.
func (s *Service) sourceBase(ctx context.Context, src Page, n int, field string) (Revision, error) {
	if n == 0 {
		n = src.Workflow.Revision
		if src.Workflow.Live != nil {
			n = src.Workflow.Live.Revision
		}
	}
	if n < 0 || n > src.Workflow.Revision {
		return Revision{}, cms.InvalidField(field, fmt.Sprintf("the source has revisions 1 to %d", src.Workflow.Revision))
	}
	r, err := s.store.Revision(ctx, src.ID, n)
	if cms.IsCode(err, cms.CodeNotFound) {
		return Revision{}, cms.InvalidField(field, fmt.Sprintf("the source has no revision %d", n))
	}
	return r, err
}

// outdatedAgainst reports whether a translation based on hash is outdated given its
// source's live revision (nil: nothing live, so nothing newer is out).
func outdatedAgainst(hash string, live *workflow.Live) bool {
	return live != nil && live.ContentHash != hash
}

// sourcePage returns the source of a new translation: a page that is no translation.
func (s *Service) sourcePage(ctx context.Context, sourceID string) (Page, error) {
	src, err := s.state(ctx, sourceID)
	if err != nil {
		return Page{}, err
	}
	if src.Translation != nil {
		return Page{}, cms.Errorf(cms.CodeConflict, "this page is itself a translation; translate its source page")
	}
	return src, nil
}

// CreateTranslation makes a translation of a source page into locale, with its first
// revision based on the source revision sourceRevision (0: the live one, else the latest).
// Errors: CodeInvalid naming each field, CodeSlugTaken, CodeConflict when the source is a
// translation or already has one in that locale, CodeNotFound for an unknown source.
func (s *Service) CreateTranslation(ctx context.Context, actor cms.Principal, sourceID, loc, slug string, c content.Content, sourceRevision int, note string) (Page, error) {
	src, err := s.sourcePage(ctx, sourceID)
	if err != nil {
		return Page{}, err
	}
	var fields []cms.FieldError
	collect := func(err error) error {
		if e, ok := err.(*cms.Error); ok && e.Code == cms.CodeInvalid {
			fields = append(fields, e.Fields...)
			return nil
		}
		return err
	}
	loc, err = s.Locales.TranslationLocale("locale", loc)
	if err := collect(err); err != nil {
		return Page{}, err
	}
	base, err := s.sourceBase(ctx, src, sourceRevision, "sourceRevision")
	if err := collect(err); err != nil {
		return Page{}, err
	}
	if err := collect(ValidateSlug(slug)); err != nil {
		return Page{}, err
	}
	if err := collect(checkLength("note", note, maxNote)); err != nil {
		return Page{}, err
	}
	link := &TranslationLink{Source: src.ID, Locale: loc, Revision: base.Number, ContentHash: base.ContentHash}
	link.Outdated = outdatedAgainst(link.ContentHash, src.Workflow.Live)
	id := cms.NewID()
	// The images are recorded by the server as for any page (media.go), so the signature
	// covers the pixels of a translation too.
	if err := collect(s.attachMedia(ctx, id, &c)); err != nil {
		return Page{}, err
	}
	c.TranslationOf = link.ref()
	hash, err := prepare(&c)
	if err := collect(err); err != nil {
		return Page{}, err
	}
	if len(fields) > 0 {
		return Page{}, cms.Invalid(fields...)
	}
	if err := s.localeFree(ctx, src.ID, loc); err != nil {
		return Page{}, err
	}
	now := s.clock.Now()
	wp, ev, err := workflow.NewPage(actor, 1, hash)
	if err != nil {
		return Page{}, err
	}
	p := Page{
		ID: id, Slug: slug, Version: 1, Content: c, Workflow: wp, Translation: link,
		CreatedAt: now, CreatedBy: person(actor), UpdatedAt: now, UpdatedBy: person(actor),
	}
	ch := &Change{Page: p, Create: true, Revisions: []Revision{s.newRevision(p.ID, 1, c, hash, actor, now, note)}}
	ev = withData(ev, "translationOf", refData(link))
	ch.appendEventAs(ev, actor, actor.Name, now)
	if err := s.store.Commit(ctx, ch); err != nil {
		if cms.IsCode(err, cms.CodeConflict) || cms.IsCode(err, cms.CodeSlugTaken) {
			// The database refuses a second translation into a locale (a create that raced
			// this one won) as it refuses a taken slug: tell which.
			if err := s.localeFree(ctx, src.ID, loc); err != nil {
				return Page{}, err
			}
			return Page{}, &cms.Error{Code: cms.CodeSlugTaken, Message: "the slug " + slug + " is already used by another page", Fields: []cms.FieldError{{Field: "slug", Message: "already taken"}}}
		}
		return Page{}, err
	}
	s.committed(ch)
	return s.settleOutdated(ctx, ch.Page), nil
}

// localeFree returns the 409 naming locale when the source already has a translation into
// loc, else nil.
func (s *Service) localeFree(ctx context.Context, sourceID, loc string) error {
	existing, err := s.store.Translations(ctx, sourceID)
	if err != nil {
		return err
	}
	if slices.ContainsFunc(existing, func(p Page) bool { return p.Translation != nil && p.Translation.Locale == loc }) {
		return &cms.Error{Code: cms.CodeConflict, Message: "this page already has a translation into " + loc,
			Fields: []cms.FieldError{{Field: "locale", Message: "a translation into " + loc + " exists"}}}
	}
	return nil
}

// refData is a link's base as audit event data (strings and ints only).
func refData(l *TranslationLink) map[string]any {
	return map[string]any{"page": l.Source, "locale": l.Locale, "revision": l.Revision, "contentHash": l.ContentHash}
}

// Rebase makes a new revision of a translation on another source revision: the same text
// with a new base, which needs a new signature like any edit. Basing it on the base it has
// changes nothing and returns the page as it is.
func (s *Service) Rebase(ctx context.Context, actor cms.Principal, id string, expectVersion int, sourceRevision int) (Page, error) {
	if sourceRevision < 1 {
		return Page{}, cms.InvalidField("sourceRevision", "required: the source revision to base the translation on")
	}
	p, err := s.state(ctx, id)
	if err != nil {
		return Page{}, err
	}
	if p.Translation == nil {
		return Page{}, cms.Errorf(cms.CodeConflict, "this page is no translation")
	}
	src, err := s.state(ctx, p.Translation.Source)
	if err != nil {
		return Page{}, err
	}
	base, err := s.sourceBase(ctx, src, sourceRevision, "sourceRevision")
	if err != nil {
		return Page{}, err
	}
	return s.saveTranslation(ctx, actor, id, expectVersion, base, nil, fmt.Sprintf("rebased onto source revision %d", base.Number))
}

// saveTranslation writes a new revision of translation id, at expectVersion, based on the
// source revision base, with content c (nil: the text it has). Content identical to the
// latest revision, base included, makes no revision.
func (s *Service) saveTranslation(ctx context.Context, actor cms.Principal, id string, expectVersion int, base Revision, c *content.Content, note string) (Page, error) {
	hash := ""
	if c != nil {
		if err := s.attachMedia(ctx, id, c); err != nil {
			return Page{}, err
		}
		c.TranslationOf = nil
		h, err := prepare(c)
		if err != nil {
			return Page{}, err
		}
		hash = h
	}
	for attempt := 0; ; attempt++ {
		p, err := s.Get(ctx, id)
		if err != nil {
			return Page{}, err
		}
		if p.Translation == nil || p.Translation.Source != base.PageID {
			return Page{}, cms.Errorf(cms.CodeConflict, "this page is no translation of that source")
		}
		if p.Version != expectVersion {
			return Page{}, versionConflict(p.Version)
		}
		src, err := s.state(ctx, p.Translation.Source)
		if err != nil {
			return Page{}, err
		}
		link := *p.Translation
		link.Revision, link.ContentHash = base.Number, base.ContentHash
		link.Outdated = outdatedAgainst(link.ContentHash, src.Workflow.Live)
		text, h := p.Content, p.Workflow.ContentHash
		if c != nil {
			text, h = *c, hash
		} else {
			// A rebase carries the working copy onto the new base: it is checked like any
			// save's content, so a copy that is not the latest revision's valid text (empty,
			// say) is never signed into a revision.
			if content.Hash(text) != p.Workflow.ContentHash {
				return Page{}, cms.Errorf(cms.CodeInternal, "the working copy of translation %s is not its latest revision", p.ID)
			}
			if _, err := prepare(&text); err != nil {
				return Page{}, err
			}
		}
		h = bindTranslation(Page{Translation: &link}, &text, h)
		if h == p.Workflow.ContentHash {
			return p, nil
		}
		now := s.clock.Now()
		n := p.Workflow.Revision + 1
		wp, ev, err := workflow.Apply(p.Workflow, workflow.Save{Actor: actor, Revision: n, ContentHash: h}, now)
		if err != nil {
			return Page{}, err
		}
		ch := &Change{ExpectVersion: p.Version, ExpectSeq: p.Audit.Seq}
		ch.Revisions = []Revision{s.newRevision(p.ID, n, text, h, actor, now, note)}
		rebased := link.Revision != p.Translation.Revision
		p.Workflow, p.Content, p.Translation = wp, text, &link
		p.Version++
		p.UpdatedAt, p.UpdatedBy = now, person(actor)
		ch.Page = p
		if rebased {
			ev.Action = ActionRebase
		}
		ev = withData(withData(ev, "contentHash", h), "translationOf", refData(&link))
		ch.appendEventAs(ev, actor, actor.Name, now)
		err = s.store.Commit(ctx, ch)
		if cms.IsCode(err, cms.CodeVersionConflict) && attempt < 3 {
			continue
		}
		if err != nil {
			return Page{}, err
		}
		s.committed(ch)
		return s.settleOutdated(ctx, ch.Page), nil
	}
}

// outdateTranslations adds to a source's publication c the changes of its translations
// that the new live text makes outdated: each is flagged, and — once per translation and
// source revision — gets an audit event on its own chain and a page.translation_outdated
// webhook, committed with the publication (Change.Also).
func (s *Service) outdateTranslations(ctx context.Context, c *Change, now time.Time) error {
	if c.Page.Translation != nil || c.Page.Workflow.Live == nil {
		return nil
	}
	trs, err := s.store.Translations(ctx, c.Page.ID)
	if err != nil {
		return err
	}
	for _, sum := range trs {
		if !flagStale(c.Page, sum) {
			continue
		}
		// The whole page, its working copy included: the change writes the page back, and
		// a page written without its content would lose it (the working copy on MongoDB,
		// the list's summary and the search entry on both stores).
		t, err := s.store.PageByID(ctx, sum.ID)
		if err != nil {
			return err
		}
		if tc := outdateChange(c.Page, t, now); tc != nil {
			c.Also = append(c.Also, tc)
		}
	}
	return nil
}

// flagStale reports whether translation t's outdated flag is not what source src's live
// text says. A source that is not live changes no flag.
func flagStale(src, t Page) bool {
	l, live := t.Translation, src.Workflow.Live
	return l != nil && l.Source == src.ID && live != nil && l.Outdated != outdatedAgainst(l.ContentHash, live)
}

// outdateChange returns the change that puts translation t's outdated flag in step with its
// source src's live text, or nil when it is. t must be the whole page (PageByID). Setting
// the flag for a source revision it was not set for before also records the audit event and
// the page.translation_outdated webhook: once per translation and source revision.
func outdateChange(src, t Page, now time.Time) *Change {
	if !flagStale(src, t) {
		return nil
	}
	live := src.Workflow.Live
	link := *t.Translation
	notify := !link.Outdated && link.OutdatedFor != live.Revision
	link.Outdated = !link.Outdated
	if link.Outdated {
		link.OutdatedFor = live.Revision
	}
	t.Translation = &link
	t.Version++
	tc := &Change{Page: t, ExpectVersion: t.Version - 1, ExpectSeq: t.Audit.Seq}
	if !notify {
		return tc // cleared (the source's live text is the base again), or told already
	}
	tc.appendEventAs(workflow.Event{
		Action: ActionTranslationOutdated, Actor: workflow.SystemActor, Revision: t.Workflow.Revision,
		Data: map[string]any{
			"source": src.ID, "sourceRevision": live.Revision, "sourceContentHash": live.ContentHash,
			"baseRevision": link.Revision, "baseContentHash": link.ContentHash,
		},
	}, cms.Principal{}, "Monograph", now)
	// The payload names the translation as websites know it: its slug and live revision
	// (else its latest); the source revision is in the audit event.
	rev := t.Workflow.Revision
	if t.Workflow.Live != nil {
		rev = t.Workflow.Live.Revision
	}
	tc.Outbox = append(tc.Outbox, OutboxEvent{ID: cms.NewID(), Event: EventTranslationOutdated, PageID: t.ID, Slug: t.Slug, Revision: rev, At: now})
	return tc
}

// commit stores c, and with it the changes of other pages it carries (Also) in one
// CommitAll. After a source's publication the flags of its translations are derived again
// from the stored pages (settleTranslations): a translation created or rebased while the
// publication was committed, which the publication's own list did not hold, is flagged
// then, as is one whose change was not stored with the publication (MongoDB without
// transactions commits the changes one at a time).
func (s *Service) commit(ctx context.Context, c *Change) error {
	if len(c.Also) == 0 {
		err := s.store.Commit(ctx, c)
		if err == nil && c.Live != nil && c.Page.Translation == nil {
			s.settleTranslations(ctx, c.Page.ID)
		}
		return err
	}
	n, err := s.store.CommitAll(ctx, append([]*Change{c}, c.Also...))
	if n == 0 {
		return err
	}
	if err == nil {
		for _, tc := range c.Also {
			s.committed(tc)
		}
	}
	s.settleTranslations(ctx, c.Page.ID)
	return nil
}

// settleTranslations puts the outdated flags of a source's translations in step with its
// live text, each translation on its own (a few tries against concurrent saves), and logs
// what still fails: the sweep (SweepTranslations) takes it up again.
func (s *Service) settleTranslations(ctx context.Context, sourceID string) {
	src, err := s.store.PageState(ctx, sourceID)
	if err == nil {
		var trs []Page
		if trs, err = s.store.Translations(ctx, sourceID); err == nil {
			for _, t := range trs {
				if flagStale(src, t) {
					if _, e := s.settleOne(ctx, t.ID); e != nil {
						err = e
					}
				}
			}
		}
	}
	if err != nil && ctx.Err() == nil {
		s.log.Error("translations: outdated flags not stored; the translations sweep derives them again",
			"source", sourceID, "error", err)
	}
}

// settleOne puts one translation's outdated flag in step with its source's live text
// (outdateChange) and returns the page as stored.
func (s *Service) settleOne(ctx context.Context, id string) (Page, error) {
	for attempt := 0; ; attempt++ {
		t, err := s.store.PageByID(ctx, id)
		if err != nil || t.Translation == nil {
			return t, err
		}
		src, err := s.store.PageState(ctx, t.Translation.Source)
		if err != nil {
			return t, err
		}
		tc := outdateChange(src, t, s.clock.Now())
		if tc == nil {
			return t, nil
		}
		err = s.store.Commit(ctx, tc)
		if cms.IsCode(err, cms.CodeVersionConflict) && attempt < 4 {
			continue
		}
		if err != nil {
			return t, err
		}
		s.committed(tc)
		return tc.Page, nil
	}
}

// settleOutdated is called with a translation just stored by a create or a save: its flag
// was computed from its source as read before the write, and a source published since (whose
// own list of translations may not have held this one) would otherwise never flag it. So
// the source is read again after the write; of the two writers, at least one sees the other.
// It returns the page as stored (p itself when nothing changed or the check failed, which is
// logged: the sweep takes it up).
func (s *Service) settleOutdated(ctx context.Context, p Page) Page {
	if p.Translation == nil {
		return p
	}
	src, err := s.store.PageState(ctx, p.Translation.Source)
	if err == nil && !flagStale(src, p) {
		return p
	}
	if err == nil {
		var settled Page
		if settled, err = s.settleOne(ctx, p.ID); err == nil {
			return settled
		}
	}
	s.log.Error("translations: the outdated flag of a new revision not checked; the translations sweep does it",
		"page", p.ID, "error", err)
	return p
}

// Translations returns the translations of a source page (summaries, by locale).
func (s *Service) Translations(ctx context.Context, sourceID string) ([]Page, error) {
	if !cms.ValidID(sourceID) {
		return nil, cms.Errorf(cms.CodeNotFound, "page not found")
	}
	return s.store.Translations(ctx, sourceID)
}

// SourceDiff returns the difference in the source from the revision a translation is based
// on to the source's live revision (else its latest): what the translator has to carry over.
func (s *Service) SourceDiff(ctx context.Context, id string) (DiffResult, error) {
	p, err := s.state(ctx, id)
	if err != nil {
		return DiffResult{}, err
	}
	if p.Translation == nil {
		return DiffResult{}, cms.Errorf(cms.CodeConflict, "this page is no translation")
	}
	src, err := s.state(ctx, p.Translation.Source)
	if err != nil {
		return DiffResult{}, err
	}
	to := src.Workflow.Revision
	if src.Workflow.Live != nil {
		to = src.Workflow.Live.Revision
	}
	return s.Diff(ctx, src.ID, p.Translation.Revision, to)
}

// checkTranslationLink reports ("" when it holds) a page whose translation link does not
// say what its latest revision's signed content says: the link is what lists, outdated
// flags and rebases go by, the content is what was signed.
func checkTranslationLink(p Page, latest Revision) string {
	if !sameRef(p.Translation.ref(), latest.Content.TranslationOf) {
		return fmt.Sprintf("the page's translation link %+v is not what its latest revision names (%+v)", p.Translation.ref(), latest.Content.TranslationOf)
	}
	return ""
}
