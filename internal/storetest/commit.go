package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/monograph-cms/monograph/internal/cms"
	"github.com/monograph-cms/monograph/internal/editorial"
	"github.com/monograph-cms/monograph/internal/search"
	"github.com/monograph-cms/monograph/internal/storage"
	"github.com/monograph-cms/monograph/internal/workflow"
)

func commitTests() []test {
	return []test{
		{name: "CreateStoresPageRevisionEventsAndOutbox", run: testCreateStoresEverything},
		{name: "CreateWithTakenSlugIsSlugTakenAndWritesNothing", run: testCreateSlugTaken},
		{name: "CreateWithExistingIDIsConflictAndWritesNothing", run: testCreateIDExists},
		{name: "UpdateAtExpectedVersionAndSeqIsStored", run: testUpdateStored},
		{name: "StaleUpdateIsVersionConflictAndWritesNothing", run: testStaleUpdate},
		{name: "UpdateOfMissingPageFailsAndWritesNothing", run: testUpdateMissingPage},
		{name: "AuditOnlyChangeAppendsEventAtSameVersion", run: testAuditOnlyChange},
		{name: "DuplicateRevisionNumberIsRefusedAndWritesNothing", run: testDuplicateRevision},
		{name: "PublishTakesNextChangeSeq", run: testPublishTakesNextSeq},
		{name: "LaterPublishTakesLaterChangeSeq", run: testLaterPublishLaterSeq},
		{name: "SaveAfterPublishKeepsLiveSnapshot", run: testSaveKeepsLive},
		{name: "UnpublishRemovesSnapshotAndServesFacts", run: testUnpublish},
		{name: "PublishAfterUnpublishServesNewSnapshot", run: testRepublish},
		{name: "ImportStoresWholeHistoryInOneCommit", run: testImport},
		{name: "CommitAllStoresEveryChangeInOrder", run: testCommitAll},
		{name: "CommitAllStoresNothingAfterTheFirstFailure", run: testCommitAllStops},
	}
}

func testCommitAll(t *testing.T, s storage.Store) {
	var cs []*editorial.Change
	for _, name := range []string{"ketamine", "morphine", "ibuprofen"} {
		cs = append(cs, NewPage(t, ID("page/"+name), name, Content(name), At(0)))
	}
	cs[1].Outbox = []editorial.OutboxEvent{OutboxEvent(cs[1].Page, editorial.EventReviewDue, 1, At(0))}
	n, err := s.CommitAll(t.Context(), cs)
	must(t, err, "CommitAll")
	if n != len(cs) {
		t.Fatalf("CommitAll stored %d of %d changes", n, len(cs))
	}
	for _, c := range cs {
		assertEqual(t, "PageByID after CommitAll", MustPage(t, s, c.Page.ID), c.Page)
	}
	out, err := s.PendingOutbox(t.Context(), 10)
	must(t, err, "PendingOutbox")
	assertEqual(t, "PendingOutbox", out, cs[1].Outbox)
}

func testCommitAllStops(t *testing.T, s storage.Store) {
	MustCreate(t, s, "taken", "Taken", At(0))
	cs := []*editorial.Change{
		NewPage(t, ID("page/first"), "first", Content("First"), At(0)),
		NewPage(t, ID("page/second"), "taken", Content("Second"), At(0)), // slug taken
		NewPage(t, ID("page/third"), "third", Content("Third"), At(0)),
	}
	n, err := s.CommitAll(t.Context(), cs)
	wantCode(t, err, cms.CodeSlugTaken, "CommitAll with a taken slug")
	if n > 1 {
		t.Fatalf("CommitAll reports %d changes stored, but the second failed", n)
	}
	for i, c := range cs {
		_, err := s.PageByID(t.Context(), c.Page.ID)
		switch {
		case i < n && err != nil:
			t.Errorf("change %d is reported stored but its page is missing: %v", i, err)
		case i >= n && !cms.IsCode(err, cms.CodeNotFound):
			t.Errorf("change %d is reported not stored but its page exists (%v)", i, err)
		}
	}
}

func testCreateStoresEverything(t *testing.T, s storage.Store) {
	ctx := t.Context()
	ch := NewPage(t, ID("page/ketamine"), "ketamine", Content("Ketamine"), At(0))
	ch.Outbox = []editorial.OutboxEvent{OutboxEvent(ch.Page, editorial.EventReviewDue, 1, At(0))}
	MustCommit(t, s, ch)

	got := MustPage(t, s, ch.Page.ID)
	assertEqual(t, "PageByID", got, ch.Page)
	revs, err := s.Revisions(ctx, ch.Page.ID)
	must(t, err, "Revisions")
	assertEqual(t, "Revisions", withoutWriteIDs(revs), withoutWriteIDs(ch.Revisions))
	assertEqual(t, "AuditEvents", chain(t, s, got), ch.Events)
	out, err := s.PendingOutbox(ctx, 10)
	must(t, err, "PendingOutbox")
	assertEqual(t, "PendingOutbox", out, ch.Outbox)
	taken, err := s.SlugTaken(ctx, "ketamine")
	must(t, err, "SlugTaken")
	if !taken {
		t.Error("SlugTaken(ketamine) = false after the create")
	}
	_, err = s.LiveSnapshot(ctx, ch.Page.ID)
	wantCode(t, err, cms.CodeNotFound, "LiveSnapshot of a page never published")
}

func testCreateSlugTaken(t *testing.T, s storage.Store) {
	MustCreate(t, s, "ketamine", "Ketamine", At(0))
	before := capture(t, s)

	ch := NewPage(t, ID("page/other"), "ketamine", Content("Esketamine"), At(time.Minute))
	ch.Outbox = []editorial.OutboxEvent{OutboxEvent(ch.Page, editorial.EventReviewDue, 1, At(time.Minute))}
	wantCode(t, s.Commit(t.Context(), ch), cms.CodeSlugTaken, "create with a taken slug")

	assertUnchanged(t, s, before)
	assertAbsent(t, s, ID("page/other"))
}

func testCreateIDExists(t *testing.T, s storage.Store) {
	MustCreate(t, s, "ketamine", "Ketamine", At(0))
	before := capture(t, s)

	ch := NewPage(t, ID("page/ketamine"), "esketamine", Content("Esketamine"), At(time.Minute))
	ch.Outbox = []editorial.OutboxEvent{OutboxEvent(ch.Page, editorial.EventReviewDue, 1, At(time.Minute))}
	wantCode(t, s.Commit(t.Context(), ch), cms.CodeConflict, "create with an existing id")

	assertUnchanged(t, s, before)
	taken, err := s.SlugTaken(t.Context(), "esketamine")
	must(t, err, "SlugTaken")
	if taken {
		t.Error("SlugTaken(esketamine) = true after a refused create")
	}
}

func testUpdateStored(t *testing.T, s storage.Store) {
	ctx := t.Context()
	p := MustCreate(t, s, "ketamine", "Ketamine", At(0))
	ch := SaveChange(t, p, Content("Ketamine hydrochloride"), At(time.Minute))
	MustCommit(t, s, ch)

	got := MustPage(t, s, p.ID)
	if got.Version != p.Version+1 || got.Audit.Seq != p.Audit.Seq+1 || got.Workflow.Revision != 2 {
		t.Errorf("after the save: version %d, audit seq %d, revision %d; want %d, %d, 2",
			got.Version, got.Audit.Seq, got.Workflow.Revision, p.Version+1, p.Audit.Seq+1)
	}
	assertEqual(t, "PageByID", got, ch.Page)
	rev, err := s.Revision(ctx, p.ID, 2)
	must(t, err, "Revision 2")
	assertEqual(t, "Revision 2", withoutWriteIDs([]editorial.Revision{rev}), withoutWriteIDs(ch.Revisions))
	evs := chain(t, s, got)
	if len(evs) != 2 {
		t.Fatalf("got %d audit events, want 2", len(evs))
	}
	assertEqual(t, "the save event", evs[1], ch.Events[0])
}

func testStaleUpdate(t *testing.T, s storage.Store) {
	cases := []struct {
		name            string
		dVersion, dSeq  int
		withoutRevision bool
	}{
		{name: "StaleVersion", dVersion: -1},
		{name: "StaleSeq", dSeq: -1},
		{name: "StaleVersionAndSeq", dVersion: -1, dSeq: -1},
		{name: "FutureVersion", dVersion: 1},
		{name: "FutureSeq", dSeq: 1},
		{name: "StaleSeqWithoutRevision", dSeq: -1, withoutRevision: true},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			slug := fmt.Sprintf("ketamine-%d", i)
			p := MustCreate(t, s, slug, "Ketamine", At(0))
			p = MustSave(t, s, p, Content("Ketamine hydrochloride"), At(time.Minute))
			p = MustPublish(t, s, p, At(2*time.Minute))
			before := capture(t, s)

			// The refused change does everything a change can: a revision that renames the
			// page, events, an outbox event and a new live snapshot.
			ch := Next(p)
			if !tc.withoutRevision {
				Save(t, ch, Content("Ibuprofen"), At(time.Hour))
			}
			Publish(t, ch, At(time.Hour))
			ch.ExpectVersion += tc.dVersion
			ch.ExpectSeq += tc.dSeq
			wantCode(t, s.Commit(t.Context(), ch), cms.CodeVersionConflict, "commit at stale expectations")

			assertUnchanged(t, s, before)
			grams := search.QueryGrams("ibuprofen")
			hits, err := s.SearchPages(t.Context(), grams, search.MinShared(len(grams)), 10)
			must(t, err, "SearchPages")
			if len(hits) != 0 {
				t.Errorf("SearchPages(ibuprofen) after the refused rename: got %+v, want no hit", hits)
			}
		})
	}
}

func testUpdateMissingPage(t *testing.T, s storage.Store) {
	MustCreate(t, s, "ketamine", "Ketamine", At(0))
	before := capture(t, s)

	ghost := NewPage(t, ID("page/ghost"), "ghost", Content("Ghost"), At(0)).Page
	err := s.Commit(t.Context(), SaveChange(t, ghost, Content("Ghost 2"), At(time.Minute)))
	if !cms.IsCode(err, cms.CodeVersionConflict) && !cms.IsCode(err, cms.CodeNotFound) {
		t.Fatalf("update of a page never stored: got %v, want code %q or %q", err, cms.CodeVersionConflict, cms.CodeNotFound)
	}
	assertUnchanged(t, s, before)
	assertAbsent(t, s, ghost.ID)
}

func testAuditOnlyChange(t *testing.T, s storage.Store) {
	p := MustCreate(t, s, "ketamine", "Ketamine", At(0))
	denied := func(from editorial.Page, at time.Time) *editorial.Change {
		ch := Next(from)
		ch.Page.Version = from.Version
		LinkEvent(ch, workflow.Event{
			Action: workflow.ActionAccessDenied, Actor: Editor.UserID, Revision: from.Workflow.Revision,
			Data: map[string]any{"attempted": "approve"},
		}, Editor.Name, at)
		return ch
	}
	ch := denied(p, At(time.Minute))
	MustCommit(t, s, ch)

	got := MustPage(t, s, p.ID)
	if got.Version != p.Version {
		t.Errorf("version after an audit-only change: got %d, want %d", got.Version, p.Version)
	}
	assertEqual(t, "PageByID", got, ch.Page)
	assertEqual(t, "the appended event", chain(t, s, got)[1:], ch.Events)

	// The same version, an old chain head: refused.
	before := capture(t, s)
	wantCode(t, s.Commit(t.Context(), denied(p, At(2*time.Minute))), cms.CodeVersionConflict, "audit-only change at the old chain head")
	assertUnchanged(t, s, before)
}

func testDuplicateRevision(t *testing.T, s storage.Store) {
	p := MustCreate(t, s, "ketamine", "Ketamine", At(0))
	before := capture(t, s)

	ch := SaveChange(t, p, Content("Esketamine"), At(time.Minute))
	ch.Revisions[0].Number, ch.Revisions[0].ID = 1, editorial.RevisionID(p.ID, 1)
	err := s.Commit(t.Context(), ch)
	if !cms.IsCode(err, cms.CodeConflict) && !cms.IsCode(err, cms.CodeVersionConflict) {
		t.Fatalf("a second revision 1: got %v, want code %q or %q", err, cms.CodeConflict, cms.CodeVersionConflict)
	}
	assertUnchanged(t, s, before)
}

func testPublishTakesNextSeq(t *testing.T, s storage.Store) {
	ctx := t.Context()
	p := MustCreate(t, s, "ketamine", "Ketamine", At(0))
	seq0 := changeSeq(t, s)
	ch := PublishChange(t, p, At(time.Minute))
	MustCommit(t, s, ch)

	if ch.Page.LiveSeq <= seq0 {
		t.Errorf("c.Page.LiveSeq after publishing: got %d, want more than the counter before (%d)", ch.Page.LiveSeq, seq0)
	}
	if ch.Live.Seq != ch.Page.LiveSeq {
		t.Errorf("c.Live.Seq = %d, c.Page.LiveSeq = %d: want both the new counter", ch.Live.Seq, ch.Page.LiveSeq)
	}
	if seq := changeSeq(t, s); seq != ch.Page.LiveSeq {
		t.Errorf("ChangeSeq after publishing: got %d, want the page's LiveSeq %d", seq, ch.Page.LiveSeq)
	}
	assertEqual(t, "PageByID", MustPage(t, s, p.ID), ch.Page)
	want := ch.Page.LivePage(ch.Live)
	lp, err := s.LiveSnapshot(ctx, p.ID)
	must(t, err, "LiveSnapshot")
	assertEqual(t, "LiveSnapshot", lp, want)
	assertEqual(t, "EachLivePage", eachLive(t, s), []editorial.LivePage{want})
}

func testLaterPublishLaterSeq(t *testing.T, s storage.Store) {
	a := MustPublish(t, s, MustCreate(t, s, "ketamine", "Ketamine", At(0)), At(time.Minute))
	b := MustPublish(t, s, MustCreate(t, s, "ibuprofen", "Ibuprofen", At(0)), At(2*time.Minute))
	if b.LiveSeq <= a.LiveSeq {
		t.Errorf("LiveSeq of the later publication: got %d, want more than the earlier one's %d", b.LiveSeq, a.LiveSeq)
	}
	if seq := changeSeq(t, s); seq != b.LiveSeq {
		t.Errorf("ChangeSeq: got %d, want the last publication's %d", seq, b.LiveSeq)
	}
	lp, err := s.LiveSnapshot(t.Context(), a.ID)
	must(t, err, "LiveSnapshot")
	if lp.LiveSeq != a.LiveSeq {
		t.Errorf("LiveSeq of the first page after another's publication: got %d, want %d", lp.LiveSeq, a.LiveSeq)
	}
}

func testSaveKeepsLive(t *testing.T, s storage.Store) {
	pub := PublishChange(t, MustCreate(t, s, "ketamine", "Ketamine", At(0)), At(time.Minute))
	MustCommit(t, s, pub)
	want := pub.Page.LivePage(pub.Live)

	saved := MustSave(t, s, pub.Page, Content("Ketamine (revised)"), At(2*time.Minute))
	got := MustPage(t, s, saved.ID)
	if got.LiveSeq != want.LiveSeq || got.Workflow.Live == nil || got.Workflow.Live.Revision != 1 || got.Workflow.Revision != 2 {
		t.Errorf("page after saving over a live one: LiveSeq %d, live %+v, revision %d; want LiveSeq %d, live revision 1, revision 2",
			got.LiveSeq, got.Workflow.Live, got.Workflow.Revision, want.LiveSeq)
	}
	lp, err := s.LiveSnapshot(t.Context(), saved.ID)
	must(t, err, "LiveSnapshot")
	assertEqual(t, "LiveSnapshot after a save", lp, want)
	assertEqual(t, "EachLivePage after a save", eachLive(t, s), []editorial.LivePage{want})
}

func testUnpublish(t *testing.T, s storage.Store) {
	pub := MustPublish(t, s, MustCreate(t, s, "ketamine", "Ketamine", At(0)), At(time.Minute))
	ch := UnpublishChange(t, pub, "withdrawn by the manufacturer", At(2*time.Minute))
	MustCommit(t, s, ch)

	if ch.Page.LiveSeq <= pub.LiveSeq {
		t.Errorf("LiveSeq after unpublishing: got %d, want more than the publication's %d", ch.Page.LiveSeq, pub.LiveSeq)
	}
	if seq := changeSeq(t, s); seq != ch.Page.LiveSeq {
		t.Errorf("ChangeSeq after unpublishing: got %d, want the page's LiveSeq %d", seq, ch.Page.LiveSeq)
	}
	want := ch.Page.LivePage(nil)
	if want.Unpublished == nil || want.Unpublished.Reason != "withdrawn by the manufacturer" || want.Live != nil {
		t.Fatalf("fixture: unpublished facts %+v, live %+v", want.Unpublished, want.Live)
	}
	lp, err := s.LiveSnapshot(t.Context(), pub.ID)
	must(t, err, "LiveSnapshot of an unpublished page")
	assertEqual(t, "LiveSnapshot of an unpublished page", lp, want)
	assertEqual(t, "EachLivePage", eachLive(t, s), []editorial.LivePage{want})
	assertEqual(t, "PageByID", MustPage(t, s, pub.ID), ch.Page)
}

func testRepublish(t *testing.T, s storage.Store) {
	pub := MustPublish(t, s, MustCreate(t, s, "ketamine", "Ketamine", At(0)), At(time.Minute))
	unpub := MustUnpublish(t, s, pub, "a mistake in the dosing", At(2*time.Minute))
	ch := PublishChange(t, unpub, At(3*time.Minute))
	MustCommit(t, s, ch)

	if ch.Page.LiveSeq <= unpub.LiveSeq {
		t.Errorf("LiveSeq after publishing again: got %d, want more than the unpublication's %d", ch.Page.LiveSeq, unpub.LiveSeq)
	}
	want := ch.Page.LivePage(ch.Live)
	if want.Unpublished != nil || want.Snapshot == nil {
		t.Fatalf("fixture: unpublished %+v, snapshot %v", want.Unpublished, want.Snapshot)
	}
	lp, err := s.LiveSnapshot(t.Context(), pub.ID)
	must(t, err, "LiveSnapshot")
	assertEqual(t, "LiveSnapshot after publishing again", lp, want)
	assertEqual(t, "EachLivePage", eachLive(t, s), []editorial.LivePage{want})
}

func testImport(t *testing.T, s storage.Store) {
	ctx := t.Context()
	seq0 := changeSeq(t, s)
	// A page's whole history as one create: five revisions, live at the fourth, the
	// working copy the fifth; every event of the way; no outbox (an import notifies nobody).
	ch := NewPage(t, ID("page/imported"), "imported", Content("Ketamine"), At(0))
	absorb := func(next *editorial.Change) {
		ch.Page = next.Page
		ch.Revisions = append(ch.Revisions, next.Revisions...)
		ch.Events = append(ch.Events, next.Events...)
		if next.Live != nil {
			ch.Live = next.Live
		}
	}
	for n := 2; n <= 4; n++ {
		absorb(SaveChange(t, ch.Page, Content(fmt.Sprintf("Ketamine v%d", n)), At(time.Duration(n)*time.Hour)))
	}
	absorb(PublishChange(t, ch.Page, At(5*time.Hour)))
	absorb(SaveChange(t, ch.Page, Content("Ketamine v5"), At(6*time.Hour)))
	if len(ch.Revisions) != 5 || len(ch.Events) != 8 || ch.Live == nil || ch.Live.Revision != 4 {
		t.Fatalf("fixture: %d revisions, %d events, live %+v", len(ch.Revisions), len(ch.Events), ch.Live)
	}
	MustCommit(t, s, ch)

	got := MustPage(t, s, ch.Page.ID)
	assertEqual(t, "PageByID", got, ch.Page)
	revs, err := s.Revisions(ctx, got.ID)
	must(t, err, "Revisions")
	assertEqual(t, "Revisions", withoutWriteIDs(revs), withoutWriteIDs(ch.Revisions))
	assertEqual(t, "AuditEvents", chain(t, s, got), ch.Events)
	if ch.Page.LiveSeq <= seq0 || ch.Live.Seq != ch.Page.LiveSeq || changeSeq(t, s) != ch.Page.LiveSeq {
		t.Errorf("an import with a live revision: LiveSeq %d, Live.Seq %d, ChangeSeq %d, counter before %d",
			ch.Page.LiveSeq, ch.Live.Seq, changeSeq(t, s), seq0)
	}
	lp, err := s.LiveSnapshot(ctx, got.ID)
	must(t, err, "LiveSnapshot")
	assertEqual(t, "LiveSnapshot", lp, ch.Page.LivePage(ch.Live))
	grams := search.QueryGrams("ketamine")
	hits, err := s.SearchPages(ctx, grams, search.MinShared(len(grams)), 10)
	must(t, err, "SearchPages")
	if len(hits) != 1 || hits[0].ID != got.ID {
		t.Errorf("SearchPages(ketamine) after the import: got %+v, want the imported page", hits)
	}
}
