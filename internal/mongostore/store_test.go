package mongostore_test

import (
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/monograph-cms/monograph/internal/cms"
	"github.com/monograph-cms/monograph/internal/editorial"
	"github.com/monograph-cms/monograph/internal/mongostore"
	"github.com/monograph-cms/monograph/internal/search"
	"github.com/monograph-cms/monograph/internal/storetest"
)

// TestCommitAndReads is a smoke test of the write path and the reads delivery and the
// management UI make, on the layout as stored.
func TestCommitAndReads(t *testing.T) {
	s := mongostore.OpenTest(t)
	ctx := t.Context()
	p := storetest.MustCreate(t, s, "ketamine", "Ketamine", storetest.At(0))
	got, err := s.PageByID(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Slug != "ketamine" || got.Version != 1 || got.Content.Title != "Ketamine" || got.Audit != p.Audit {
		t.Fatalf("PageByID = %+v", got)
	}
	if lp, err := s.LiveSnapshot(ctx, p.ID); !cms.IsCode(err, cms.CodeNotFound) {
		t.Fatalf("LiveSnapshot of a draft = %+v, %v; want not found", lp, err)
	}
	if seq, err := s.ChangeSeq(ctx); err != nil || seq != 0 {
		t.Fatalf("ChangeSeq before any publication = %d, %v", seq, err)
	}

	p = storetest.MustPublish(t, s, p, storetest.At(time.Minute))
	if p.LiveSeq != 1 {
		t.Fatalf("LiveSeq after the first publication = %d", p.LiveSeq)
	}
	// An ordinary save after publishing must keep what delivery serves.
	p = storetest.MustSave(t, s, p, storetest.Content("Ketamine hydrochloride"), storetest.At(2*time.Minute))

	var live []editorial.LivePage
	if err := s.EachLivePage(ctx, func(lp editorial.LivePage) error { live = append(live, lp); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(live) != 1 || live[0].ID != p.ID || live[0].Snapshot == nil || live[0].Snapshot.Rendered.Title != "Ketamine" ||
		live[0].LiveSeq != 1 || live[0].Snapshot.Seq != 1 || live[0].Live == nil {
		t.Fatalf("EachLivePage = %+v", live)
	}
	if seq, err := s.ChangeSeq(ctx); err != nil || seq != 1 {
		t.Fatalf("ChangeSeq = %d, %v; want 1", seq, err)
	}

	events, err := s.AuditEvents(ctx, editorial.AuditFilter{PageID: p.ID})
	if err != nil {
		t.Fatal(err)
	}
	if br := editorial.VerifyChain(p.ID, events, p.Audit); br != nil {
		t.Fatalf("chain: %v (%d events)", br, len(events))
	}

	hits, err := s.SearchPages(ctx, search.QueryGrams("ketamin"), 2, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(hits) != 1 || hits[0].ID != p.ID || hits[0].Shared < 2 {
		t.Fatalf("SearchPages = %+v", hits)
	}
	if hits, err := s.SearchPages(ctx, search.QueryGrams("zolpidem"), 3, 10); err != nil || len(hits) != 0 {
		t.Fatalf("SearchPages(zolpidem) = %+v, %v", hits, err)
	}
}

// TestRecoverFinishesAChangeCutShortBeforeItsFlush: a process that dies after a change's
// page write but before copying its events and outbox loses nothing: the page's chain
// shows the events at once, and Recover copies them.
func TestRecoverFinishesAChangeCutShortBeforeItsFlush(t *testing.T) {
	s := mongostore.OpenTest(t)
	if s.Transactions() {
		t.Skip("a replica set commits events and outbox in the transaction: nothing is ever pending")
	}
	ctx := t.Context()
	p := storetest.MustCreate(t, s, "ketamine", "Ketamine", storetest.At(0))

	s.SimulateCrashBeforeFlush(true)
	p = storetest.MustPublish(t, s, p, storetest.At(time.Minute))
	s.SimulateCrashBeforeFlush(false)

	chain, err := s.AuditEvents(ctx, editorial.AuditFilter{PageID: p.ID})
	if err != nil {
		t.Fatal(err)
	}
	if br := editorial.VerifyChain(p.ID, chain, p.Audit); br != nil {
		t.Fatalf("chain before recovery: %v", br)
	}
	byEditor := editorial.AuditFilter{Actor: storetest.Editor.UserID, Limit: 10}
	if evs, err := s.AuditEvents(ctx, byEditor); err != nil || len(evs) != 0 {
		t.Fatalf("the audit collection has the editor's events before recovery: %d, %v", len(evs), err)
	}
	if out, err := s.PendingOutbox(ctx, 10); err != nil || len(out) != 0 {
		t.Fatalf("outbox before recovery = %+v, %v", out, err)
	}

	n, err := s.Recover(ctx)
	if err != nil || n != 1 {
		t.Fatalf("Recover = %d, %v; want 1 page", n, err)
	}
	if evs, err := s.AuditEvents(ctx, byEditor); err != nil || len(evs) != 1 || evs[0].Action != "publish" {
		t.Fatalf("editor's events after recovery = %+v, %v", evs, err)
	}
	if out, err := s.PendingOutbox(ctx, 10); err != nil || len(out) != 1 || out[0].Event != editorial.EventPublished {
		t.Fatalf("outbox after recovery = %+v, %v", out, err)
	}
	after, err := s.AuditEvents(ctx, editorial.AuditFilter{PageID: p.ID})
	if err != nil {
		t.Fatal(err)
	}
	if br := editorial.VerifyChain(p.ID, after, p.Audit); br != nil || len(after) != len(chain) {
		t.Fatalf("chain after recovery: %v (%d events, %d before)", br, len(after), len(chain))
	}
	assertNothingPending(t, s, p.ID)
	if n, err := s.Recover(ctx); err != nil || n != 0 {
		t.Fatalf("second Recover = %d, %v; want 0", n, err)
	}
}

// TestLaterChangeCopiesEarlierPending: the next change of a page whose last change was
// cut short copies both changes' entries, without waiting for the sweep.
func TestLaterChangeCopiesEarlierPending(t *testing.T) {
	s := mongostore.OpenTest(t)
	if s.Transactions() {
		t.Skip("nothing is ever pending on a replica set")
	}
	ctx := t.Context()
	p := storetest.MustCreate(t, s, "ketamine", "Ketamine", storetest.At(0))
	s.SimulateCrashBeforeFlush(true)
	p = storetest.MustSave(t, s, p, storetest.Content("Ketamine 2"), storetest.At(time.Minute))
	s.SimulateCrashBeforeFlush(false)
	p = storetest.MustSave(t, s, p, storetest.Content("Ketamine 3"), storetest.At(2*time.Minute))

	evs, err := s.AuditEvents(ctx, editorial.AuditFilter{PageID: p.ID, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != p.Audit.Seq {
		t.Fatalf("the audit collection holds %d events, the chain %d", len(evs), p.Audit.Seq)
	}
	assertNothingPending(t, s, p.ID)
}

func assertNothingPending(t *testing.T, s *mongostore.Store, id string) {
	t.Helper()
	var doc struct {
		Pending       []bson.Raw `bson:"pending"`
		PendingOutbox []bson.Raw `bson:"pendingOutbox"`
		HasPending    bool       `bson:"hasPending"`
	}
	if err := s.Collection("pages").FindOne(t.Context(), bson.D{{Key: "_id", Value: id}}).Decode(&doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Pending) != 0 || len(doc.PendingOutbox) != 0 || doc.HasPending {
		t.Fatalf("page still has pending entries: %d events, %d outbox, hasPending %v", len(doc.Pending), len(doc.PendingOutbox), doc.HasPending)
	}
}

// leftover stores revision n of a page as a crashed change would have left it: written,
// never pointed at, stored at storedAt.
func leftover(t *testing.T, s *mongostore.Store, p editorial.Page, n int, storedAt time.Time) {
	t.Helper()
	r := storetest.NewRevision(p.ID, n, storetest.Content("Leftover"), storetest.Writer, storetest.At(time.Minute), "crashed")
	r.WriteID = "crashed-write"
	doc := bson.D{
		{Key: "_id", Value: r.ID}, {Key: "pageId", Value: r.PageID}, {Key: "number", Value: r.Number},
		{Key: "content", Value: bson.D{{Key: "title", Value: "Leftover"}}}, {Key: "contentHash", Value: r.ContentHash},
		{Key: "author", Value: bson.D{{Key: "id", Value: r.Author.ID}, {Key: "name", Value: r.Author.Name}}},
		{Key: "createdAt", Value: r.CreatedAt}, {Key: "note", Value: r.Note}, {Key: "writeId", Value: r.WriteID},
		{Key: "storedAt", Value: storedAt},
	}
	if _, err := s.Collection("revisions").InsertOne(t.Context(), doc); err != nil {
		t.Fatal(err)
	}
}

// TestOldLeftoverRevisionIsReplaced: a revision a crashed save left (no page points at
// it) is not part of the history, and the next save of that number replaces it.
func TestOldLeftoverRevisionIsReplaced(t *testing.T) {
	s := mongostore.OpenTest(t)
	ctx := t.Context()
	p := storetest.MustCreate(t, s, "ketamine", "Ketamine", storetest.At(0))
	leftover(t, s, p, 2, time.Now().Add(-time.Hour))

	if sums, err := s.RevisionSummaries(ctx, p.ID); err != nil || len(sums) != 1 {
		t.Fatalf("RevisionSummaries with a leftover = %+v, %v; want revision 1 only", sums, err)
	}
	if _, err := s.Revision(ctx, p.ID, 2); !cms.IsCode(err, cms.CodeNotFound) {
		t.Fatalf("Revision 2 (a leftover) = %v; want not found", err)
	}
	p = storetest.MustSave(t, s, p, storetest.Content("Ketamine 2"), storetest.At(time.Minute))
	r, err := s.Revision(ctx, p.ID, 2)
	if err != nil {
		t.Fatal(err)
	}
	if r.Content.Title != "Ketamine 2" || r.ContentHash != p.Workflow.ContentHash {
		t.Fatalf("revision 2 = %q %s; want the save's", r.Content.Title, r.ContentHash)
	}
}

// TestRecentUnreferencedRevisionIsAConflict: an unreferenced revision younger than the
// orphan age may be another save in flight: it is left alone and this save is refused.
func TestRecentUnreferencedRevisionIsAConflict(t *testing.T) {
	s := mongostore.OpenTest(t)
	ctx := t.Context()
	p := storetest.MustCreate(t, s, "ketamine", "Ketamine", storetest.At(0))
	leftover(t, s, p, 2, time.Now())
	err := s.Commit(ctx, storetest.SaveChange(t, p, storetest.Content("Ketamine 2"), storetest.At(time.Minute)))
	if !cms.IsCode(err, cms.CodeVersionConflict) {
		t.Fatalf("save over an in-flight revision: %v; want version conflict", err)
	}
	var doc struct {
		WriteID string `bson:"writeId"`
	}
	if err := s.Collection("revisions").FindOne(ctx, bson.D{{Key: "_id", Value: editorial.RevisionID(p.ID, 2)}}).Decode(&doc); err != nil || doc.WriteID != "crashed-write" {
		t.Fatalf("the in-flight revision was touched: %+v, %v", doc, err)
	}
}

// TestRefusedChangesLeaveNoRevisions: a create or save refused by the page write removes
// the revisions it wrote, and only those.
func TestRefusedChangesLeaveNoRevisions(t *testing.T) {
	s := mongostore.OpenTest(t)
	ctx := t.Context()
	p := storetest.MustCreate(t, s, "ketamine", "Ketamine", storetest.At(0))

	other := storetest.NewPage(t, storetest.ID("page/other"), "ketamine", storetest.Content("Other"), storetest.At(time.Minute))
	if err := s.Commit(ctx, other); !cms.IsCode(err, cms.CodeSlugTaken) {
		t.Fatalf("create with a taken slug: %v; want slug taken", err)
	}
	same := storetest.NewPage(t, p.ID, "ketamine-2", storetest.Content("Same id"), storetest.At(time.Minute))
	if err := s.Commit(ctx, same); !cms.IsCode(err, cms.CodeConflict) {
		t.Fatalf("create with an existing id: %v; want conflict", err)
	}
	stale := storetest.SaveChange(t, p, storetest.Content("Ketamine 2"), storetest.At(time.Minute))
	storetest.MustSave(t, s, p, storetest.Content("Ketamine 2b"), storetest.At(time.Minute))
	if err := s.Commit(ctx, stale); !cms.IsCode(err, cms.CodeVersionConflict) {
		t.Fatalf("stale save: %v; want version conflict", err)
	}
	n, err := s.Collection("revisions").CountDocuments(ctx, bson.D{})
	if err != nil || n != 2 {
		t.Fatalf("revisions stored = %d, %v; want 2 (page 1's two)", n, err)
	}
	if r, err := s.Revision(ctx, p.ID, 2); err != nil || r.Content.Title != "Ketamine 2b" {
		t.Fatalf("revision 2 = %q, %v; want the winner's", r.Content.Title, err)
	}
}
