package editorial

import (
	"context"
	"time"
)

// Store keeps pages, revisions and audit events. It is implemented by internal/mongostore.
// Every change of a page is ONE conditional replacement of the page document: on the
// expected version and the expected audit-chain head, so two writers can never both win and
// an audit-only append (a failed signature) is never overwritten.
type Store interface {
	// InsertPage writes the first revision, then the page. cms.CodeSlugTaken if the slug is
	// used by another page.
	InsertPage(ctx context.Context, p Page, rev Revision) error
	// PageByID returns a page; cms.CodeNotFound if there is none.
	PageByID(ctx context.Context, id string) (Page, error)
	// ListPages returns up to f.Limit page summaries (content without section bodies,
	// no revision list) matching f, newest update first.
	ListPages(ctx context.Context, f ListFilter) ([]Page, error)
	// CommitRevision writes rev, then replaces the page if it is still at expectVersion and
	// expectSeq. cms.CodeVersionConflict when the page moved on (rev is then removed).
	CommitRevision(ctx context.Context, rev Revision, p Page, expectVersion, expectSeq int) error
	// UpdatePage replaces the page if it is still at expectVersion and expectSeq;
	// cms.CodeVersionConflict otherwise.
	UpdatePage(ctx context.Context, p Page, expectVersion, expectSeq int) error
	// RevisionSummaries lists a page's revisions without their content, oldest first.
	RevisionSummaries(ctx context.Context, pageID string) ([]RevisionSummary, error)
	// Revision returns revision n of a page; cms.CodeNotFound if there is none.
	Revision(ctx context.Context, pageID string, n int) (Revision, error)
	// AuditEvents returns events of the audit collection matching f, in (pageId, seq)
	// order for one page, newest first otherwise.
	AuditEvents(ctx context.Context, f AuditFilter) ([]AuditEvent, error)
	// PagesWithPendingEvents returns the pages whose events or outbox wait for the pump.
	PagesWithPendingEvents(ctx context.Context) ([]Page, error)
	// FlushPending copies the page's pending events to the audit collection and its outbox
	// to the delivery queue (idempotently, by event id), then clears both lists if the
	// page's chain head is still p.Audit.Seq.
	FlushPending(ctx context.Context, p Page) error
	// ScheduledDue returns pages in state scheduled whose time has come.
	ScheduledDue(ctx context.Context, now time.Time) ([]Page, error)
	// ReviewDue returns live pages whose next medical review is due before now and for
	// which the review_due event has not been emitted for that due date.
	ReviewDue(ctx context.Context, now time.Time) ([]Page, error)
	// NextChangeSeq increments and returns the change counter that delivery caches poll.
	NextChangeSeq(ctx context.Context) (int64, error)
	// AllPageIDs returns every page id (for audit verification and export).
	AllPageIDs(ctx context.Context) ([]string, error)
}

// ListFilter selects pages for the management list.
type ListFilter struct {
	State string
	// Query is matched literally (not as a pattern), case-insensitively, against the title,
	// slug and drug name.
	Query         string
	ReviewOverdue bool
	Now           time.Time
	Limit         int
	// After is the cursor: the (UpdatedAt, ID) of the last page of the previous batch.
	AfterTime *time.Time
	AfterID   string
}

// AuditFilter selects audit events.
type AuditFilter struct {
	PageID string
	Actor  string
	Action string
	Limit  int
	// Before is the cursor for the global log: events strictly older than (BeforeAt, BeforeID).
	BeforeAt *time.Time
	BeforeID string
}
