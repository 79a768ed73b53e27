package editorial

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/monograph-cms/monograph/internal/cms"
	"github.com/monograph-cms/monograph/internal/content"
)

// ExportFormat names the page export format; import refuses files of another format.
const ExportFormat = "monograph-page/1"

// PageExport is one page with its full revision history and audit chain: what `monograph
// export` writes and `monograph import` reads back, losslessly.
type PageExport struct {
	Format    string          `json:"format"`
	Page      Page            `json:"page"`
	Revisions []Revision      `json:"revisions"`
	Audit     []ExportedEvent `json:"audit"`
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
}

// TransferStore is what export and import need beyond Store.
type TransferStore interface {
	// PageRevisions returns every revision document of a page, by number.
	PageRevisions(ctx context.Context, pageID string) ([]Revision, error)
	// ImportPage writes revisions, audit events and finally the page (which makes it
	// visible); on failure it removes what it wrote. cms.CodeConflict when the page id,
	// its slug or any of its documents exist already.
	ImportPage(ctx context.Context, p Page, revs []Revision, events []AuditEvent) error
	// SlugTaken reports whether a page has this slug.
	SlugTaken(ctx context.Context, slug string) (bool, error)
}

// Export returns one page with its full history. Pending events are included in the audit
// list and the outbox is left out (it is delivery state, not history).
func (s *Service) Export(ctx context.Context, ts TransferStore, id string) (PageExport, error) {
	p, err := s.store.PageByID(ctx, id)
	if err != nil {
		return PageExport{}, err
	}
	events, err := s.PageAudit(ctx, id)
	if err != nil {
		return PageExport{}, err
	}
	revs, err := ts.PageRevisions(ctx, id)
	if err != nil {
		return PageExport{}, err
	}
	// Only revisions the page refers to: an unreferenced one is a crashed save's leftover.
	revs = slices.DeleteFunc(revs, func(r Revision) bool { return r.Number > p.Workflow.Revision })
	p.PendingEvents, p.Outbox = []AuditEvent{}, []OutboxEvent{}
	exp := PageExport{Format: ExportFormat, Page: p, Revisions: revs, Audit: make([]ExportedEvent, len(events))}
	for i, e := range events {
		exp.Audit[i] = ExportedEvent{
			Seq: e.Seq, At: cmsTime(e.At), Actor: e.Actor, ActorName: e.ActorName, Action: e.Action,
			PageID: e.PageID, Revision: e.Revision, Data: json.RawMessage(orEmptyObject(e.Data)),
			PrevHash: e.PrevHash, Hash: e.Hash,
		}
	}
	return exp, nil
}

// CheckImport validates an export before anything is written: content of every revision,
// revision numbers and hashes, the audit chain, and that the page points at its last
// revision. It returns field errors naming what is wrong.
func CheckImport(exp PageExport) ([]AuditEvent, error) {
	var fields []cms.FieldError
	bad := func(field, format string, args ...any) {
		fields = append(fields, cms.FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
	}
	if exp.Format != ExportFormat {
		bad("format", "must be %q", ExportFormat)
		return nil, cms.Invalid(fields...)
	}
	p := exp.Page
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
		if err := c.Validate(); err != nil {
			for _, fe := range err.(*cms.Error).Fields {
				bad(f+"."+fe.Field, "%s", fe.Message)
			}
		} else if h := content.Hash(c); h != r.ContentHash {
			bad(f+".contentHash", "does not match the content (%s)", h)
		}
	}
	if n := len(exp.Revisions); n > 0 && exp.Revisions[n-1].ContentHash != p.Workflow.ContentHash {
		bad("page.workflow.contentHash", "does not match the last revision")
	}
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
		}
	}
	if br := VerifyChain(p.ID, events, p.Audit); br != nil {
		bad(fmt.Sprintf("audit[%d]", max(br.Seq-1, 0)), "%s", br.Reason)
	}
	if len(fields) > 0 {
		return nil, cms.Invalid(fields...)
	}
	return events, nil
}

// Import writes a checked export. cms.CodeConflict if the page or its slug exists.
func (s *Service) Import(ctx context.Context, ts TransferStore, exp PageExport) error {
	events, err := CheckImport(exp)
	if err != nil {
		return err
	}
	p := exp.Page
	p.PendingEvents, p.Outbox = []AuditEvent{}, []OutboxEvent{}
	revs := make([]Revision, len(exp.Revisions))
	for i, r := range exp.Revisions {
		r.ID, r.WriteID = RevisionID(p.ID, r.Number), cms.NewID()
		revs[i] = r
	}
	return ts.ImportPage(ctx, p, revs, events)
}

// VerifyAudit walks every page's chain (and checks each revision's content hash) and
// returns the first broken link, or nil. progress, when set, is called after each page.
func (s *Service) VerifyAudit(ctx context.Context, ts TransferStore, progress func(done, total int)) (*ChainBreak, error) {
	ids, err := s.store.AllPageIDs(ctx)
	if err != nil {
		return nil, err
	}
	for i, id := range ids {
		p, err := s.store.PageByID(ctx, id)
		if err != nil {
			return nil, err
		}
		events, err := s.PageAudit(ctx, id)
		if err != nil {
			return nil, err
		}
		if br := VerifyChain(id, events, p.Audit); br != nil {
			return br, nil
		}
		revs, err := ts.PageRevisions(ctx, id)
		if err != nil {
			return nil, err
		}
		for _, r := range revs {
			if r.Number <= p.Workflow.Revision && content.Hash(r.Content) != r.ContentHash {
				return &ChainBreak{PageID: id, Seq: 0, Reason: fmt.Sprintf("revision %d: stored content does not match its content hash", r.Number)}, nil
			}
		}
		if progress != nil {
			progress(i+1, len(ids))
		}
	}
	return nil, nil
}
