package mongostore

import (
	"bytes"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/monograph-cms/monograph/internal/editorial"
)

// The layout. Every collection is the same on every server:
//
//	pages              pageDoc, `_id` = page id
//	revisions          revisionDoc, `_id` = editorial.RevisionID(pageId, number)
//	audit              editorial.AuditEvent, `_id` = editorial.EventID(pageId, seq)
//	outbox             outboxDoc, `_id` = the outbox event's id
//	meta               {_id: "changes", seq}: the change counter; {_id: "tlog", …}: the
//	                   verifiable log's state (tlog.go)
//	tlog_hashes        the log's stored hashes, `_id` = tlog.StoredHashIndex
//	users, refresh_tokens, revoked_sessions, webhooks, webhook_deliveries, reader_reviews
//	                   the domain types as they are (their bson tags)

// pageDoc is a page as stored: the domain's Page, inline, plus what only this adapter keeps
// beside it in the same document, so one conditional write of the document changes all of
// it together.
type pageDoc struct {
	editorial.Page `bson:",inline"`
	// LiveSnapshot is what delivery serves (nil when nothing is live). Only a live change
	// writes it; every other change leaves it as stored.
	LiveSnapshot *editorial.LiveSnapshot `bson:"liveSnapshot"`
	// SearchGrams are editorial.PageGrams of the page, sorted, behind a multikey index:
	// SearchPages finds candidates by {$in: grams} through it.
	SearchGrams []string `bson:"searchGrams"`
	// Pending and PendingOutbox hold, on a standalone server, the audit events and outbox
	// entries of the latest changes until they are copied to the audit and outbox
	// collections (pending.go). HasPending is true while either list may be non-empty, and
	// is indexed, so the sweep reads only such pages.
	Pending       []editorial.AuditEvent  `bson:"pending"`
	PendingOutbox []editorial.OutboxEvent `bson:"pendingOutbox"`
	HasPending    bool                    `bson:"hasPending"`
	// CommitID is a random id written by every change: clearing the pending lists is
	// conditional on it, so a clear never removes an entry that a later change appended
	// and nobody copied yet.
	CommitID string `bson:"commitId"`
}

// Private page fields, by name, for updates and projections.
const (
	fLiveSnapshot  = "liveSnapshot"
	fSearchGrams   = "searchGrams"
	fPending       = "pending"
	fPendingOutbox = "pendingOutbox"
	fHasPending    = "hasPending"
	fCommitID      = "commitId"
)

// pageProjection leaves out what is not part of editorial.Page: the live snapshot (large:
// the whole rendered page), the grams and the pending lists.
var pageProjection = bson.D{
	{Key: fLiveSnapshot, Value: 0}, {Key: fSearchGrams, Value: 0}, {Key: fPending, Value: 0},
	{Key: fPendingOutbox, Value: 0}, {Key: fHasPending, Value: 0}, {Key: fCommitID, Value: 0},
}

// stateProjection is pageProjection without the working copy's content (PageState).
var stateProjection = append(bson.D{{Key: "content", Value: 0}}, pageProjection...)

// summaryProjection is what lists show (editorial.Page.Summary): the page fields and the
// content's title, summary, drug and tags, never the section bodies or anything private.
var summaryProjection = bson.D{
	{Key: "_id", Value: 1}, {Key: "slug", Value: 1}, {Key: "version", Value: 1}, {Key: "workflow", Value: 1},
	{Key: "reviewBaseline", Value: 1}, {Key: "liveSeq", Value: 1}, {Key: "reviewDueNotified", Value: 1},
	{Key: "createdAt", Value: 1}, {Key: "createdBy", Value: 1}, {Key: "updatedAt", Value: 1}, {Key: "updatedBy", Value: 1},
	{Key: "audit", Value: 1},
	{Key: "content.title", Value: 1}, {Key: "content.summary", Value: 1}, {Key: "content.drug", Value: 1}, {Key: "content.tags", Value: 1},
}

// revisionDoc is a revision as stored: the domain's Revision plus the time this store wrote
// it. A revision no page points at is a crashed save's leftover once it is older than
// orphanAge by StoredAt — the store's clock, not the caller's CreatedAt, which may be any
// time (an import's, a test's).
type revisionDoc struct {
	editorial.Revision `bson:",inline"`
	StoredAt           time.Time `bson:"storedAt"`
}

// outboxDoc is one event of the outbox collection: `_id` is the event id (its uniqueness
// makes copying an event twice a no-op); fannedOutAt is set once the webhook dispatcher made
// its deliveries.
type outboxDoc struct {
	ID          string     `bson:"_id"`
	EventID     string     `bson:"id"`
	Event       string     `bson:"event"`
	PageID      string     `bson:"pageId"`
	Slug        string     `bson:"slug"`
	Revision    int        `bson:"revision"`
	At          time.Time  `bson:"at"`
	FannedOutAt *time.Time `bson:"fannedOutAt"`
}

func newOutboxDoc(o editorial.OutboxEvent) outboxDoc {
	return outboxDoc{ID: o.ID, EventID: o.ID, Event: o.Event, PageID: o.PageID, Slug: o.Slug, Revision: o.Revision, At: o.At}
}

// changeCounterID is the `_id` of the change counter in the meta collection.
const changeCounterID = "changes"

// fieldsOf encodes v (a struct) with the client's BSON options and returns its top-level
// fields without `_id`, ready for a $set: a change sets every field of editorial.Page, so a
// field added to Page is stored without touching this package.
func fieldsOf(v any) (bson.D, error) {
	var buf bytes.Buffer
	enc := bson.NewEncoder(bson.NewDocumentWriter(&buf))
	enc.UseJSONStructTags()
	enc.NilSliceAsEmpty()
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("encode %T: %w", v, err)
	}
	elems, err := bson.Raw(buf.Bytes()).Elements()
	if err != nil {
		return nil, err
	}
	out := make(bson.D, 0, len(elems))
	for _, e := range elems {
		if e.Key() == "_id" {
			continue
		}
		out = append(out, bson.E{Key: e.Key(), Value: e.Value()})
	}
	return out, nil
}
