// Package editorial is the authoring and sign-off service: it loads a page, asks the
// workflow rules, and writes revisions and page changes as single conditional updates. It
// knows nothing of HTTP or MongoDB: the store is the Store interface below.
package editorial

import (
	"strconv"
	"time"

	"github.com/monograph-cms/monograph/internal/content"
	"github.com/monograph-cms/monograph/internal/workflow"
)

// Person names a user as recorded at the time of an action.
type Person struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// Page is the stored page: the working copy (latest revision) and its workflow facts. What
// delivery serves (LiveSnapshot), the revisions and the audit events are stored beside it,
// in the same atomic Change.
type Page struct {
	ID      string          `bson:"_id" json:"id"`
	Slug    string          `bson:"slug" json:"slug"`
	Version int             `bson:"version" json:"version"`
	Content content.Content `bson:"content" json:"content"`
	// Workflow holds the state, the latest revision and hash, the approval and live facts.
	Workflow workflow.Page `bson:"workflow" json:"workflow"`
	// ReviewBaseline is the revision last approved or published: reviewers see the diff
	// since it.
	ReviewBaseline int `bson:"reviewBaseline" json:"reviewBaseline"`
	// LiveSeq is the change-counter value of the last change of what is live (publish or
	// unpublish): the sync feed and the delivery caches order changes by it.
	LiveSeq int64 `bson:"liveSeq" json:"liveSeq"`
	// ReviewDueNotified is the nextReviewDue for which page.review_due was emitted, so
	// the event goes out once per due date.
	ReviewDueNotified *time.Time `bson:"reviewDueNotified" json:"reviewDueNotified"`
	CreatedAt         time.Time  `bson:"createdAt" json:"createdAt"`
	CreatedBy         Person     `bson:"createdBy" json:"createdBy"`
	UpdatedAt         time.Time  `bson:"updatedAt" json:"updatedAt"`
	UpdatedBy         Person     `bson:"updatedBy" json:"updatedBy"`
	// Audit is the head of the page's hash chain.
	Audit AuditHead `bson:"audit" json:"audit"`
	// Translation links a translation to its source page (translations.go); nil on a
	// source page.
	Translation *TranslationLink `bson:"translation,omitempty" json:"translation,omitempty"`
	// SearchShared is, in search results only, how many of the query's grams the page
	// matched (its rank); never stored.
	SearchShared int `bson:"-" json:"-"`
}

// Summary returns p as lists show it: the content without section bodies, clinical uses,
// references and the other long fields.
func (p Page) Summary() Page {
	s := p
	s.Content = content.Content{Title: p.Content.Title, Summary: p.Content.Summary, Drug: p.Content.Drug, Tags: p.Content.Tags}
	return s
}

// LivePage returns what delivery serves of p, given its live snapshot (nil when nothing is
// live).
func (p Page) LivePage(snap *LiveSnapshot) LivePage {
	return LivePage{ID: p.ID, Slug: p.Slug, LiveSeq: p.LiveSeq, Live: p.Workflow.Live, Unpublished: p.Workflow.Unpublished, Snapshot: snap}
}

// RevisionSummary is one line of a page's history: a revision without its content. The list
// is read from the revisions (not kept in the page document, whose size every read and
// write of the page pays for on the embedded store).
type RevisionSummary struct {
	Number      int       `bson:"number" json:"number"`
	Author      Person    `bson:"author" json:"author"`
	CreatedAt   time.Time `bson:"createdAt" json:"createdAt"`
	ContentHash string    `bson:"contentHash" json:"contentHash"`
	Note        string    `bson:"note" json:"note"`
}

// Revision is one immutable revision: `_id` is "<pageId>/<number>", computable, so reads
// are by `_id`. It is written before the page update that points to it.
type Revision struct {
	ID          string          `bson:"_id" json:"-"`
	PageID      string          `bson:"pageId" json:"pageId"`
	Number      int             `bson:"number" json:"number"`
	Content     content.Content `bson:"content" json:"content"`
	ContentHash string          `bson:"contentHash" json:"contentHash"`
	Author      Person          `bson:"author" json:"author"`
	CreatedAt   time.Time       `bson:"createdAt" json:"createdAt"`
	Note        string          `bson:"note" json:"note"`
	// WriteID identifies the save that wrote it: on a store without transactions, a save
	// whose page update lost the race removes exactly its own unreferenced revision.
	WriteID string `bson:"writeId" json:"-"`
}

// RevisionID returns the `_id` of revision n of a page.
func RevisionID(pageID string, n int) string { return pageID + "/" + strconv.Itoa(n) }

// LiveSnapshot is the published revision as delivery serves it, rendered at publish time.
type LiveSnapshot struct {
	Revision    int               `bson:"revision" json:"revision"`
	ContentHash string            `bson:"contentHash" json:"contentHash"`
	Rendered    content.Rendered  `bson:"rendered" json:"rendered"`
	Approval    workflow.Approval `bson:"approval" json:"approval"`
	PublishedAt time.Time         `bson:"publishedAt" json:"publishedAt"`
	PublishedBy workflow.Signer   `bson:"publishedBy" json:"publishedBy"`
	// Seq is the change-counter value of this publication (for the sync feed).
	Seq int64 `bson:"seq" json:"seq"`
	// TranslationOf is, for a translation, the source text its signed revision names
	// (copied from that revision's content, so it is what the reviewer signed).
	TranslationOf *content.TranslationOf `bson:"translationOf,omitempty" json:"translationOf,omitempty"`
	// Seal is an HMAC, under a key kept outside the store, of everything above but Seq,
	// made when the snapshot was derived from its verified revision (Service.SnapshotKey):
	// a start can then trust a stored snapshot only if the seal holds.
	Seal string `bson:"seal,omitempty" json:"seal,omitempty"`
}

// OutboxEvent is a notification to send to webhooks, written in the same Change as the
// change it reports, so a crash can delay it but never lose it.
type OutboxEvent struct {
	ID       string    `bson:"id" json:"id"`
	Event    string    `bson:"event" json:"event"`
	PageID   string    `bson:"pageId" json:"pageId"`
	Slug     string    `bson:"slug" json:"slug"`
	Revision int       `bson:"revision" json:"revision"`
	At       time.Time `bson:"at" json:"at"`
}

// Webhook event names.
const (
	EventPublished   = "page.published"
	EventUnpublished = "page.unpublished"
	EventReviewDue   = "page.review_due"
	// EventTranslationOutdated: a different source text went live than the one a
	// translation renders (once per translation and source revision).
	EventTranslationOutdated = "page.translation_outdated"
)
