package editorial

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/monograph-cms/monograph/internal/cms"
	"github.com/monograph-cms/monograph/internal/content"
	"github.com/monograph-cms/monograph/internal/locale"
)

// ExportFormat names the page export format; import refuses files of another format.
const ExportFormat = "monograph-page/1"

// PageExport is one page with its full revision history and audit chain: what `monograph
// export` writes and `monograph import` reads back, losslessly.
type PageExport struct {
	Format    string          `json:"format"`
	Page      ExportedPage    `json:"page"`
	Revisions []Revision      `json:"revisions"`
	Audit     []ExportedEvent `json:"audit"`
}

// ExportedPage is the page of an export. Files written by releases before the SQLite store
// also carry the page's live snapshot, pending events and outbox: import accepts them and
// ignores them (the live snapshot is derived again from the live revision; the others were
// the old store's bookkeeping), which is how a library moves from the old store to this one.
type ExportedPage struct {
	Page
	LegacyLiveSnapshot  json.RawMessage `json:"liveSnapshot,omitempty"`
	LegacyPendingEvents json.RawMessage `json:"pendingEvents,omitempty"`
	LegacyOutbox        json.RawMessage `json:"outbox,omitempty"`
}

// ExportedEvent is an audit event with its data as a JSON object.
type ExportedEvent struct {
	Seq       int             `json:"seq"`
	At        cmsTime         `json:"at"`
	Actor     string          `json:"actor"`
	ActorName string          `json:"actorName"`
	Action    string          `json:"action"`
	PageID    string          `json:"pageId"`
	Revision  int             `json:"revision"`
	Data      json.RawMessage `json:"data"`
	PrevHash  string          `json:"prevHash"`
	Hash      string          `json:"hash"`
	// ActorRoles and RequestID are part of the event's hash when present. The event's
	// logIndex is not exported: it is a position in the source instance's log, and the
	// importing instance appends the events to its own.
	ActorRoles []string `json:"actorRoles,omitempty"`
	RequestID  string   `json:"requestId,omitempty"`
}

// Export returns one page with its full history.
func (s *Service) Export(ctx context.Context, id string) (PageExport, error) {
	p, err := s.store.PageByID(ctx, id)
	if err != nil {
		return PageExport{}, err
	}
	events, err := s.PageAudit(ctx, id)
	if err != nil {
		return PageExport{}, err
	}
	revs, err := s.store.Revisions(ctx, id)
	if err != nil {
		return PageExport{}, err
	}
	// Only revisions the page refers to: on a store without transactions, an unreferenced
	// one is a crashed save's leftover.
	revs = slices.DeleteFunc(revs, func(r Revision) bool { return r.Number > p.Workflow.Revision })
	exp := PageExport{Format: ExportFormat, Page: ExportedPage{Page: p}, Revisions: revs, Audit: make([]ExportedEvent, len(events))}
	for i, e := range events {
		exp.Audit[i] = ExportedEvent{
			Seq: e.Seq, At: cmsTime(e.At), Actor: e.Actor, ActorName: e.ActorName, Action: e.Action,
			PageID: e.PageID, Revision: e.Revision, Data: json.RawMessage(orEmptyObject(e.Data)),
			PrevHash: e.PrevHash, Hash: e.Hash, ActorRoles: e.ActorRoles, RequestID: e.RequestID,
		}
	}
	return exp, nil
}

// CheckImport validates an export before anything is written: content of every revision,
// revision numbers and hashes, the audit chain, and that the page points at its last
// revision. It returns field errors naming what is wrong.
func CheckImport(exp PageExport) (CheckedImport, error) {
	var fields []cms.FieldError
	bad := func(field, format string, args ...any) {
		fields = append(fields, cms.FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
	}
	if exp.Format != ExportFormat {
		bad("format", "must be %q", ExportFormat)
		return CheckedImport{}, cms.Invalid(fields...)
	}
	p := exp.Page.Page
	if !cms.ValidID(p.ID) {
		bad("page.id", "not a valid page id")
	}
	if err := ValidateSlug(p.Slug); err != nil {
		bad("page.slug", "%s", err.(*cms.Error).Fields[0].Message)
	}
	if len(exp.Revisions) == 0 || len(exp.Revisions) != p.Workflow.Revision {
		bad("revisions", "the page's latest revision is %d but %d revisions are given", p.Workflow.Revision, len(exp.Revisions))
	}
	for i, r := range exp.Revisions {
		f := fmt.Sprintf("revisions[%d]", i)
		if r.Number != i+1 || r.PageID != p.ID {
			bad(f+".number", "expected revision %d of page %s", i+1, p.ID)
		}
		c := r.Content
		c.Normalize()
		if h, err := c.ValidateAndHash(); err != nil {
			for _, fe := range err.(*cms.Error).Fields {
				bad(f+"."+fe.Field, "%s", fe.Message)
			}
		} else if h != r.ContentHash {
			bad(f+".contentHash", "does not match the content (%s)", h)
		}
	}
	if n := len(exp.Revisions); n > 0 && exp.Revisions[n-1].ContentHash != p.Workflow.ContentHash {
		bad("page.workflow.contentHash", "does not match the last revision")
	}
	// The working copy is the latest revision's content; a file whose page.content says
	// something else was edited (the store takes the revision's, never the page's).
	if h := content.Hash(p.Content); h != p.Workflow.ContentHash {
		bad("page.content", "is not the latest revision's content (it hashes to %s)", h)
	}
	if l := p.Workflow.Live; l != nil {
		if l.Revision < 1 || l.Revision > len(exp.Revisions) || exp.Revisions[l.Revision-1].ContentHash != l.ContentHash {
			bad("page.workflow.live", "does not name one of the page's revisions by number and content hash")
		}
	}
	checkImportedLink(p, exp.Revisions, bad)
	events := make([]AuditEvent, len(exp.Audit))
	for i, e := range exp.Audit {
		data := "{}"
		if len(e.Data) > 0 {
			var buf []byte
			if b, err := compactJSON(e.Data); err == nil {
				buf = b
			}
			data = string(buf)
		}
		events[i] = AuditEvent{
			ID: fmt.Sprintf("%s/%d", e.PageID, e.Seq), Seq: e.Seq, At: e.At.Time(), Actor: e.Actor, ActorName: e.ActorName,
			Action: e.Action, PageID: e.PageID, Revision: e.Revision, Data: data, PrevHash: e.PrevHash, Hash: e.Hash,
			ActorRoles: e.ActorRoles, RequestID: e.RequestID,
		}
	}
	if len(fields) > 0 {
		return CheckedImport{}, cms.Invalid(fields...)
	}
	// The same verification as `monograph audit verify`: a file edited after the fact (a
	// revision's text, an approval, the page's facts) is refused, not imported.
	signings, br := VerifyPage(PageRecord{Page: p, Revisions: exp.Revisions, Events: events})
	if br != nil {
		field := "page"
		if br.Seq > 0 {
			field = fmt.Sprintf("audit[%d]", br.Seq-1)
		}
		return CheckedImport{}, cms.InvalidField(field, br.Reason)
	}
	if (p.Workflow.Approval != nil || p.Workflow.Live != nil) && len(signings) == 0 {
		return CheckedImport{}, cms.InvalidField("page.workflow.approval", "the page carries an approval its record does not contain")
	}
	return CheckedImport{change: importChange(exp, events), signings: signings}, nil
}

// checkImportedLink checks what a file alone tells of a translation (translations.go): its
// locale is a canonical language tag, it is no translation of itself, and every revision's
// translationOf names the same source page and locale as its link (a page that is no
// translation has none). The link's base against the latest revision is VerifyPage's.
func checkImportedLink(p Page, revs []Revision, bad func(field, format string, args ...any)) {
	l := p.Translation
	if l != nil {
		if c, err := locale.Canonical(l.Locale); err != nil || c != l.Locale {
			bad("page.translation.locale", "%q is not a language tag as this server writes it (e.g. es, pt-BR)", l.Locale)
		}
		if !cms.ValidID(l.Source) || l.Source == p.ID {
			bad("page.translation.source", "not the id of another page")
		}
	}
	for i, r := range revs {
		tr := r.Content.TranslationOf
		switch {
		case l == nil && tr != nil:
			bad(fmt.Sprintf("revisions[%d].content.translationOf", i), "the page is no translation")
		case l != nil && (tr == nil || tr.Page != l.Source || tr.Locale != l.Locale):
			bad(fmt.Sprintf("revisions[%d].content.translationOf", i), "must name the page's source %s and locale %s", l.Source, l.Locale)
		}
	}
}

// checkImportTranslations checks the translations among pages to import against this
// server: the locale is configured and not the source language, the source (in the store or
// in the same import) is no translation itself, and no other page translates it into that
// locale (the store's unique index holds the last rule too). A translation whose source is
// neither in the store nor in the same import is accepted: a directory is imported in file
// order, so its source may come later; until the source is live it is not served.
func (s *Service) checkImportTranslations(ctx context.Context, checked []CheckedImport) error {
	batch := make(map[string]Page, len(checked))
	for _, c := range checked {
		batch[c.change.Page.ID] = c.change.Page
	}
	taken := map[[2]string]string{}
	for _, c := range checked {
		p := c.change.Page
		l := p.Translation
		if l == nil {
			continue
		}
		bad := func(field, msg string) error {
			return &cms.Error{Code: cms.CodeInvalid, Message: "page " + p.ID + " (" + p.Slug + "): " + msg,
				Fields: []cms.FieldError{{Field: field, Message: msg}}}
		}
		if _, err := s.Locales.TranslationLocale("page.translation.locale", l.Locale); err != nil {
			return bad("page.translation.locale", l.Locale+" is not a configured locale other than the source language "+s.Locales.Source())
		}
		src, ok := batch[l.Source]
		if !ok {
			var err error
			src, err = s.store.PageState(ctx, l.Source)
			switch {
			case cms.IsCode(err, cms.CodeNotFound):
				src, ok = Page{}, false
			case err != nil:
				return err
			default:
				ok = true
			}
		}
		if ok && src.Translation != nil {
			return bad("page.translation.source", "the source "+l.Source+" is itself a translation")
		}
		key := [2]string{l.Source, l.Locale}
		if other, dup := taken[key]; dup {
			return &cms.Error{Code: cms.CodeConflict, Message: "pages " + other + " and " + p.ID + " both translate " + l.Source + " into " + l.Locale,
				Fields: []cms.FieldError{{Field: "page.translation.locale", Message: "a translation into " + l.Locale + " is imported twice"}}}
		}
		taken[key] = p.ID
		if err := s.localeFree(ctx, l.Source, l.Locale); err != nil {
			return err
		}
	}
	return nil
}

// CheckedImport is an export that CheckImport found sound, ready for Import: the store
// change that creates the page with its history, and the signings the importer must check
// against the target's accounts (CheckSigners) before writing.
type CheckedImport struct {
	change   *Change
	signings []Signing
}

// Signings returns the approvals found in the page's record.
func (c CheckedImport) Signings() []Signing { return c.signings }

// PageID is the id of the page to import.
func (c CheckedImport) PageID() string { return c.change.Page.ID }

// Slug is the slug of the page to import.
func (c CheckedImport) Slug() string { return c.change.Page.Slug }

// importChange builds the change creating an exported page with its history. What delivery
// serves of a live page is rendered from its live revision, never taken from the file; a
// page whose last publication was withdrawn takes a change number here, so delivery knows
// it as gone.
func importChange(exp PageExport, events []AuditEvent) *Change {
	p := exp.Page.Page
	revs := make([]Revision, len(exp.Revisions))
	for i, r := range exp.Revisions {
		r.ID, r.WriteID = RevisionID(p.ID, r.Number), cms.NewID()
		revs[i] = r
	}
	ch := &Change{Page: p, Create: true, Revisions: revs, Events: events}
	if l := p.Workflow.Live; l != nil {
		ch.Live = &LiveSnapshot{
			Revision: l.Revision, ContentHash: l.ContentHash, Rendered: content.Render(revs[l.Revision-1].Content),
			Approval: l.Approval, PublishedAt: l.PublishedAt, PublishedBy: l.PublishedBy,
			TranslationOf: revs[l.Revision-1].Content.TranslationOf, // as signed (translations.go)
		}
	} else if p.Workflow.Unpublished != nil {
		ch.Unpublish = true
	}
	return ch
}

// Import writes checked exports, as many pages in one store change as the store allows,
// and returns how many were written. cms.CodeConflict if a page or its slug exists.
func (s *Service) Import(ctx context.Context, checked ...CheckedImport) (int, error) {
	if err := s.checkImportTranslations(ctx, checked); err != nil {
		return 0, err
	}
	cs := make([]*Change, len(checked))
	for i, c := range checked {
		cs[i] = c.change
		if l := c.change.Live; l != nil {
			// Rendered from the file's live revision, whose record CheckImport verified.
			l.Seal = s.seal(c.change.Page.ID, l)
		}
	}
	n, err := s.store.CommitAll(ctx, cs)
	for _, ch := range cs[:n] {
		s.committed(ch) // a server importing in-process serves the imported live pages at once
	}
	var e *cms.Error
	if errors.As(err, &e) && e.Code == cms.CodeSlugTaken {
		return n, &cms.Error{Code: cms.CodeConflict, Message: e.Message, Err: err}
	}
	return n, err
}
