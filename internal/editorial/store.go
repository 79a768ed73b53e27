package editorial

import (
	"context"
	"slices"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/monograph-cms/monograph/internal/workflow"
)

// Store keeps pages, revisions and audit events. It is implemented by internal/sqlitestore
// (the embedded default) and internal/mongostore; internal/storetest holds the one test body
// both must pass.
//
// Every change of a page is ONE call of Commit, which the store applies whole or not at all:
// the new revisions, the page itself (conditionally on its version and audit-chain head),
// the audit events, the webhook outbox and the change counter. Nothing is ever half-written,
// so no caller needs a repair job.
type Store interface {
	// Commit applies c atomically. When c.Live is set or c.Unpublish is true, the store takes
	// the next value of the change counter in the same change and writes it into
	// c.Page.LiveSeq (and c.Live.Seq) before storing them, so the caller sees the stored
	// values afterwards.
	//
	// Errors: cms.CodeSlugTaken when a new page's slug is used by another page;
	// cms.CodeConflict when a new page's id exists; cms.CodeVersionConflict when an existing
	// page is no longer at c.ExpectVersion and c.ExpectSeq, or one of c.Revisions exists
	// already. Nothing is written on error, and c is to be discarded (its LiveSeq may have
	// been set).
	Commit(ctx context.Context, c *Change) error
	// CommitAll applies changes as Commit does, in order, and returns how many were stored.
	// On error the ones after that count are not stored. The embedded store applies them
	// all in one transaction (all or none); a store without multi-document transactions
	// commits them one at a time. For writing many pages at once (import).
	CommitAll(ctx context.Context, cs []*Change) (int, error)
	// PageByID returns a page; cms.CodeNotFound if there is none.
	PageByID(ctx context.Context, id string) (Page, error)
	// PageState returns a page without the content of its working copy (Content is
	// empty): what a save needs, which replaces that content. cms.CodeNotFound if none.
	PageState(ctx context.Context, id string) (Page, error)
	// ListPages returns up to f.Limit page summaries (Summary: content without section
	// bodies) matching f, newest update first, strictly after the cursor when one is given.
	// f.Query is not a store matter (see SearchPages); stores ignore it.
	ListPages(ctx context.Context, f ListFilter) ([]Page, error)
	// SearchPages returns up to limit pages sharing at least minShared of the given search
	// grams (internal/search) with their indexed text, best first (most shared grams, then
	// newest update), each with the number of grams it shares. It is answered from an index,
	// never by scanning every page.
	SearchPages(ctx context.Context, grams []string, minShared, limit int) ([]SearchHit, error)
	// PageSummaries returns the summaries (as ListPages) of the pages with these ids, in
	// no particular order; unknown ids are left out.
	PageSummaries(ctx context.Context, ids []string) ([]Page, error)
	// RevisionSummaries lists a page's revisions without their content, oldest first.
	RevisionSummaries(ctx context.Context, pageID string) ([]RevisionSummary, error)
	// Revision returns revision n of a page; cms.CodeNotFound if there is none. Reads need
	// not return Revision.WriteID (a store's own bookkeeping).
	Revision(ctx context.Context, pageID string, n int) (Revision, error)
	// Revisions returns every revision of a page with its content, oldest first.
	Revisions(ctx context.Context, pageID string) ([]Revision, error)
	// AuditEvents returns audit events matching f: a whole chain in seq order when only
	// f.PageID (or only f.Accounts) is set and f.Limit is 0, newest first otherwise. Without
	// f.Accounts only pages' events match.
	AuditEvents(ctx context.Context, f AuditFilter) ([]AuditEvent, error)
	// ScheduledDue returns pages in state scheduled whose time is at or before now.
	ScheduledDue(ctx context.Context, now time.Time) ([]Page, error)
	// ReviewDue returns live pages whose live approval's next review is due before now and
	// for which page.review_due was not yet emitted for that due date.
	ReviewDue(ctx context.Context, now time.Time) ([]Page, error)
	// AllPageIDs returns every page id, in id order.
	AllPageIDs(ctx context.Context) ([]string, error)
	// SlugTaken reports whether a page has this slug.
	SlugTaken(ctx context.Context, slug string) (bool, error)
	// EachLivePage calls fn with every page that is live or was unpublished, one at a time
	// (a large site is never held whole in memory by the store). An error from fn stops the
	// walk and is returned.
	EachLivePage(ctx context.Context, fn func(LivePage) error) error
	// LiveSnapshot returns what delivery serves of one page; cms.CodeNotFound when the page
	// is neither live nor unpublished.
	LiveSnapshot(ctx context.Context, pageID string) (LivePage, error)
	// ChangeSeq returns the change counter without changing it (what delivery caches poll).
	ChangeSeq(ctx context.Context) (int64, error)

	// AppendAuditEvent stores e, an event of the accounts chain (PageID AccountsChain),
	// which has no page document: e is linked by the caller to the head AccountsHead
	// returned, and stored only if the chain has no event e.Seq yet (else
	// cms.CodeVersionConflict: re-read the head and link again).
	AppendAuditEvent(ctx context.Context, e AuditEvent) error
	// AccountsHead returns the seq and hash of the accounts chain's last event (zero values
	// for an empty chain).
	AccountsHead(ctx context.Context) (AuditHead, error)

	// The verifiable log. Every audit event of every chain is one leaf of one append-only
	// Merkle tree hashed as golang.org/x/mod/sumdb/tlog hashes: leaf n's record data is the
	// event's Hash string, and the event's LogIndex is n. The store keeps the tree's stored
	// hashes (tlog.StoredHashes), so proofs are computed from them (a tlog.HashReader over
	// LogHashes) without reading events. A store sequences events either in Commit and
	// AppendAuditEvent (then it writes each LogIndex into c.Events) or later, in AppendLog;
	// a LogIndex set by the caller is ignored.
	//
	// LogSize returns the number of leaves whose stored hashes are all written: the size of
	// the tree that proofs can be made for. It never decreases.
	LogSize(ctx context.Context) (int64, error)
	// LogHashes returns the stored hashes at these stored-hash indexes (tlog.StoredHashIndex),
	// in the order asked; cms.CodeNotFound if one is not stored.
	LogHashes(ctx context.Context, indexes []int64) ([]tlog.Hash, error)
	// LogEvents returns the events with from <= LogIndex < to, in LogIndex order.
	LogEvents(ctx context.Context, from, to int64) ([]AuditEvent, error)
	// AppendLog sequences stored events that are not in the log yet (in a deterministic
	// order) and returns how many it added. It is safe to run in several processes at once.
	AppendLog(ctx context.Context) (int64, error)

	// Translations (translations_store.go).
	TranslationStore
}

// Change is one atomic change of one page.
type Change struct {
	// Page is the page as it is after the change.
	Page Page
	// Create says the page is new. Otherwise the stored page must still be at ExpectVersion
	// with its audit chain at ExpectSeq.
	Create                   bool
	ExpectVersion, ExpectSeq int
	// Revisions are new revisions to store: one for a save, the first for a create, a whole
	// history for an import.
	Revisions []Revision
	// Events are appended to the page's audit chain, in order (already linked by the
	// caller: the first follows ExpectSeq).
	Events []AuditEvent
	// Outbox holds webhook notifications to hand to delivery with the change.
	Outbox []OutboxEvent
	// Live replaces what delivery serves of the page (a publication); Unpublish removes it.
	Live      *LiveSnapshot
	Unpublish bool
	// Also are changes of other pages that follow from this one (translations a
	// publication makes outdated): committed with it by CommitAll, never by the store's
	// Commit of this change alone.
	Also []*Change `bson:"-" json:"-"`
}

// LiveChange reports whether the change alters what delivery serves.
func (c *Change) LiveChange() bool { return c.Live != nil || c.Unpublish }

// LivePage is what delivery serves of a page: its identity, the facts of its live (or
// unpublished) state, and the live snapshot. It never carries the working copy.
type LivePage struct {
	ID   string
	Slug string
	// LiveSeq is the change-counter value of the last change of what is live.
	LiveSeq     int64
	Live        *workflow.Live
	Unpublished *workflow.Unpublished
	// Snapshot is the rendered live revision; nil when nothing is live.
	Snapshot *LiveSnapshot
}

// SearchHit is one page found by SearchPages.
type SearchHit struct {
	ID string
	// Shared is how many of the query's grams the page's indexed text has.
	Shared    int
	UpdatedAt time.Time
}

// BestHits orders hits as SearchPages answers them, most shared grams first, then the
// newest update, then the id, and keeps the first limit: every adapter counts its
// candidates' grams itself and orders them here.
func BestHits(hits []SearchHit, limit int) []SearchHit {
	slices.SortFunc(hits, func(a, b SearchHit) int {
		if a.Shared != b.Shared {
			return b.Shared - a.Shared
		}
		if c := b.UpdatedAt.Compare(a.UpdatedAt); c != 0 {
			return c
		}
		return strings.Compare(b.ID, a.ID)
	})
	return hits[:min(limit, len(hits))]
}

// ListFilter selects pages for the management list.
type ListFilter struct {
	State string
	// Query is free text matched against the title, slug and drug names, tolerant of case,
	// accents and small misspellings (internal/search). The service answers it through
	// SearchPages; stores ignore it in ListPages.
	Query         string
	ReviewOverdue bool
	// Locale keeps translations into this locale only; SourcesOnly keeps pages that are
	// no translation (the source locale); Outdated keeps outdated translations only.
	Locale      string
	SourcesOnly bool
	Outdated    bool
	Now         time.Time
	Limit       int
	// After is the cursor: the (UpdatedAt, ID) of the last page of the previous batch, and
	// with a Query its SearchShared.
	AfterTime   *time.Time
	AfterID     string
	AfterShared int
}

// AuditFilter selects audit events: pages' events, or with Accounts the accounts chain's
// (a whole chain in seq order when nothing else but Accounts is set).
type AuditFilter struct {
	Accounts bool
	PageID   string
	Actor    string
	Action   string
	Limit    int
	// Before is the cursor for the global log: events strictly older than (BeforeAt, BeforeID).
	BeforeAt *time.Time
	BeforeID string
}
