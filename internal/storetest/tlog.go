package storetest

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/monograph-cms/monograph/internal/cms"
	"github.com/monograph-cms/monograph/internal/editorial"
	"github.com/monograph-cms/monograph/internal/storage"
)

// The verifiable log and the accounts chain (editorial.Store: AppendAuditEvent,
// AccountsHead, LogSize, LogHashes, LogEvents, AppendLog).
func logTests() []test {
	return []test{
		{name: "EveryEventIsOneLeafInChainOrder", run: testLogLeaves},
		{name: "StoredHashesAreTheTreeOfTheEvents", run: testLogStoredHashes},
		{name: "TreeOnlyGrowsAndProvesItsLeaves", run: testLogAppendOnly},
		{name: "AppendLogWithNothingNewAddsNothing", run: testLogIdle},
		{name: "CallerLogIndexIsIgnored", run: testLogIgnoresCallerIndex},
		{name: "LogHashesBeyondTheTreeAreNotFound", run: testLogHashesNotFound},
		{name: "AccountsChainAppendsOnlyAtItsHead", run: testAccountsChain},
		{name: "AccountsEventsAreListedOnlyWithAccounts", run: testAccountsListing},
		{name: "ActorRolesAndRequestIDAreStoredAndHashed", run: testActorRolesStored},
		{name: "BatchesAndRefusedChangesKeepTheTreeExact", run: testLogAcrossBatchesAndFailures},
		{name: "ConcurrentCommitsAndAppendsGiveEachEventOneLeaf", concurrent: true, run: testLogConcurrent},
	}
}

// logAll runs AppendLog until it has nothing left to do, as a store's sequencer does, and
// returns the log size.
func logAll(tb testing.TB, s storage.Store) int64 {
	tb.Helper()
	for range 100 {
		n, err := s.AppendLog(tb.Context())
		must(tb, err, "AppendLog")
		if n == 0 {
			size, err := s.LogSize(tb.Context())
			must(tb, err, "LogSize")
			return size
		}
	}
	tb.Fatal("AppendLog keeps finding events")
	return 0
}

// logFixture stores two pages' histories and three account events and returns every
// event as the callers made them.
func logFixture(tb testing.TB, s storage.Store) []editorial.AuditEvent {
	tb.Helper()
	all := auditFixture(tb, s)
	head := editorial.AuditHead{}
	for i, action := range []string{"user_created", "login_succeeded", "login_failed"} {
		e := editorial.NewAccountEvent(head, Writer, action, fmt.Sprintf(`{"n":%d}`, i), At(time.Duration(i)*time.Minute))
		must(tb, s.AppendAuditEvent(tb.Context(), e), "AppendAuditEvent")
		head = editorial.AuditHead{Seq: e.Seq, Hash: e.Hash}
		all = append(all, e)
	}
	return all
}

// logEvents reads the whole log's events and checks that leaf i is claimed by exactly the
// i-th one.
func logEvents(tb testing.TB, s storage.Store, size int64) []editorial.AuditEvent {
	tb.Helper()
	events, err := s.LogEvents(tb.Context(), 0, math.MaxInt64)
	must(tb, err, "LogEvents")
	if int64(len(events)) != size {
		tb.Fatalf("LogEvents returned %d events, LogSize says %d", len(events), size)
	}
	for i, e := range events {
		if e.LogIndex == nil || *e.LogIndex != int64(i) {
			tb.Fatalf("LogEvents[%d] (%s) has LogIndex %v, want %d", i, e.ID, showIndex(e.LogIndex), i)
		}
	}
	return events
}

func showIndex(p *int64) string {
	if p == nil {
		return "nil"
	}
	return fmt.Sprint(*p)
}

func withoutLogIndex(events []editorial.AuditEvent) []editorial.AuditEvent {
	out := slices.Clone(events)
	for i := range out {
		out[i].LogIndex = nil
	}
	return out
}

func testLogLeaves(t *testing.T, s storage.Store) {
	all := logFixture(t, s)
	size := logAll(t, s)
	if size != int64(len(all)) {
		t.Fatalf("LogSize %d, want one leaf per event (%d)", size, len(all))
	}
	logged := logEvents(t, s, size)
	byID := map[string]editorial.AuditEvent{}
	for _, e := range logged {
		if _, dup := byID[e.ID]; dup {
			t.Fatalf("event %s has two leaves", e.ID)
		}
		byID[e.ID] = e
	}
	assertEqual(t, "the log's events", withoutLogIndex(eventsByID(logged)), withoutLogIndex(eventsByID(all)))
	// A chain's events are leaves in the chain's order, and read back with their leaf.
	last := map[string]int64{}
	for _, e := range logged {
		if prev, ok := last[e.PageID]; ok && *e.LogIndex < prev {
			t.Errorf("event %s is leaf %d, before the leaf %d of an earlier event of its chain", e.ID, *e.LogIndex, prev)
		}
		last[e.PageID] = *e.LogIndex
	}
	for _, id := range []string{ID("page/ketamine"), ID("page/ibuprofen")} {
		for _, e := range chainOf(t, s, id) {
			if e.LogIndex == nil || byID[e.ID].LogIndex == nil || *e.LogIndex != *byID[e.ID].LogIndex {
				t.Errorf("AuditEvents gives event %s LogIndex %s, LogEvents %s", e.ID, showIndex(e.LogIndex), showIndex(byID[e.ID].LogIndex))
			}
		}
	}
}

func eventsByID(events []editorial.AuditEvent) []editorial.AuditEvent {
	out := slices.Clone(events)
	slices.SortFunc(out, func(a, b editorial.AuditEvent) int { return strings.Compare(a.ID, b.ID) })
	return out
}

// chainOf reads a page's whole chain.
func chainOf(tb testing.TB, s storage.Store, pageID string) []editorial.AuditEvent {
	tb.Helper()
	evs, err := s.AuditEvents(tb.Context(), editorial.AuditFilter{PageID: pageID})
	must(tb, err, "AuditEvents of one page")
	return evs
}

// memoryTree computes the stored hashes of a tree of these events' hashes, in order, from
// nothing but tlog.
func memoryTree(tb testing.TB, events []editorial.AuditEvent) map[int64]tlog.Hash {
	tb.Helper()
	hashes := map[int64]tlog.Hash{}
	read := tlog.HashReaderFunc(func(idx []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(idx))
		for i, x := range idx {
			out[i] = hashes[x]
		}
		return out, nil
	})
	for n, e := range events {
		hs, err := tlog.StoredHashes(int64(n), []byte(e.Hash), read)
		must(tb, err, "tlog.StoredHashes")
		for j, h := range hs {
			hashes[tlog.StoredHashIndex(0, int64(n))+int64(j)] = h
		}
	}
	return hashes
}

func storeReader(tb testing.TB, s storage.Store) tlog.HashReader {
	return tlog.HashReaderFunc(func(idx []int64) ([]tlog.Hash, error) { return s.LogHashes(tb.Context(), idx) })
}

func testLogStoredHashes(t *testing.T, s storage.Store) {
	logFixture(t, s)
	size := logAll(t, s)
	want := memoryTree(t, logEvents(t, s, size))
	count := tlog.StoredHashCount(size)
	if int64(len(want)) != count {
		t.Fatalf("fixture: %d stored hashes computed, tlog says %d", len(want), count)
	}
	indexes := make([]int64, count)
	for i := range indexes {
		indexes[i] = int64(i)
	}
	got, err := s.LogHashes(t.Context(), indexes)
	must(t, err, "LogHashes")
	for i, h := range got {
		if h != want[int64(i)] {
			t.Errorf("stored hash %d is %s, recomputed from the events %s", i, h, want[int64(i)])
		}
	}
	// In any order asked, and with repeats.
	got, err = s.LogHashes(t.Context(), []int64{count - 1, 0, count - 1})
	must(t, err, "LogHashes")
	if got[0] != want[count-1] || got[1] != want[0] || got[2] != want[count-1] {
		t.Errorf("LogHashes out of order: %v", got)
	}
}

func testLogAppendOnly(t *testing.T, s storage.Store) {
	p := MustCreate(t, s, "ketamine", "Ketamine", At(0))
	size1 := logAll(t, s)
	root1, err := tlog.TreeHash(size1, storeReader(t, s))
	must(t, err, "TreeHash")
	p = MustPublish(t, s, MustSave(t, s, p, Content("Ketamine v2"), At(time.Minute)), At(2*time.Minute))
	e := editorial.NewAccountEvent(editorial.AuditHead{}, Editor, "login_succeeded", "{}", At(3*time.Minute))
	must(t, s.AppendAuditEvent(t.Context(), e), "AppendAuditEvent")
	size2 := logAll(t, s)
	if want := int64(len(chainOf(t, s, p.ID)) + 1); size2 != want { // the page's events and the account event
		t.Fatalf("the log grew from %d to %d leaves; want every new event once", size1, size2)
	}
	root2, err := tlog.TreeHash(size2, storeReader(t, s))
	must(t, err, "TreeHash")
	proof, err := tlog.ProveTree(size2, size1, storeReader(t, s))
	must(t, err, "ProveTree")
	if err := tlog.CheckTree(proof, size2, root2, size1, root1); err != nil {
		t.Fatalf("the tree of %d leaves does not extend the tree of %d: %v", size2, size1, err)
	}
	for _, ev := range logEvents(t, s, size2) {
		proof, err := tlog.ProveRecord(size2, *ev.LogIndex, storeReader(t, s))
		must(t, err, "ProveRecord")
		if err := tlog.CheckRecord(proof, size2, root2, *ev.LogIndex, tlog.RecordHash([]byte(ev.Hash))); err != nil {
			t.Errorf("event %s is not proved to be leaf %d: %v", ev.ID, *ev.LogIndex, err)
		}
	}
}

func testLogIdle(t *testing.T, s storage.Store) {
	logFixture(t, s)
	size := logAll(t, s)
	n, err := s.AppendLog(t.Context())
	must(t, err, "AppendLog")
	again, err := s.LogSize(t.Context())
	must(t, err, "LogSize")
	if n != 0 || again != size {
		t.Fatalf("AppendLog with nothing new appended %d (size %d -> %d)", n, size, again)
	}
}

func testLogIgnoresCallerIndex(t *testing.T, s storage.Store) {
	ch := NewPage(t, ID("page/ketamine"), "ketamine", Content("Ketamine"), At(0))
	bogus := int64(1000)
	ch.Events[0].LogIndex = &bogus
	MustCommit(t, s, ch)
	e := editorial.NewAccountEvent(editorial.AuditHead{}, Writer, "login_succeeded", "{}", At(time.Minute))
	e.LogIndex = &bogus
	must(t, s.AppendAuditEvent(t.Context(), e), "AppendAuditEvent")
	size := logAll(t, s)
	if size != 2 {
		t.Fatalf("LogSize %d, want 2", size)
	}
	logEvents(t, s, size) // leaves 0 and 1, not 1000
	if extra, err := s.LogEvents(t.Context(), size, math.MaxInt64); err != nil || len(extra) != 0 {
		t.Fatalf("events beyond the tree: %v (%v)", extra, err)
	}
}

func testLogHashesNotFound(t *testing.T, s storage.Store) {
	logFixture(t, s)
	size := logAll(t, s)
	_, err := s.LogHashes(t.Context(), []int64{0, tlog.StoredHashCount(size) + 3})
	wantCode(t, err, cms.CodeNotFound, "LogHashes beyond the tree")
	got, err := s.LogHashes(t.Context(), nil)
	must(t, err, "LogHashes of nothing")
	if len(got) != 0 {
		t.Fatalf("LogHashes of nothing: %v", got)
	}
}

func testAccountsChain(t *testing.T, s storage.Store) {
	head, err := s.AccountsHead(t.Context())
	must(t, err, "AccountsHead")
	if head != (editorial.AuditHead{}) {
		t.Fatalf("AccountsHead of an empty store: %+v", head)
	}
	e1 := editorial.NewAccountEvent(head, Reviewer, "login_succeeded", `{"email":"rita.reviewer@example.org"}`, At(0))
	must(t, s.AppendAuditEvent(t.Context(), e1), "AppendAuditEvent 1")
	// A second append linked to the same (now stale) head is refused: the chain never forks.
	fork := editorial.NewAccountEvent(head, Editor, "login_failed", `{}`, At(time.Second))
	wantCode(t, s.AppendAuditEvent(t.Context(), fork), cms.CodeVersionConflict, "AppendAuditEvent on a stale head")
	head, err = s.AccountsHead(t.Context())
	must(t, err, "AccountsHead")
	if head != (editorial.AuditHead{Seq: 1, Hash: e1.Hash}) {
		t.Fatalf("AccountsHead %+v, want event 1", head)
	}
	e2 := editorial.NewAccountEvent(head, Editor, "login_failed", `{}`, At(time.Second))
	must(t, s.AppendAuditEvent(t.Context(), e2), "AppendAuditEvent 2")
	got, err := s.AuditEvents(t.Context(), editorial.AuditFilter{Accounts: true})
	must(t, err, "AuditEvents of the accounts chain")
	assertEqual(t, "the accounts chain", withoutLogIndex(got), []editorial.AuditEvent{e1, e2})
	head, err = s.AccountsHead(t.Context())
	must(t, err, "AccountsHead")
	if b := editorial.VerifyChain(editorial.AccountsChain, got, head); b != nil {
		t.Fatalf("the stored accounts chain does not verify: %v", b)
	}
	if e1.ID != "accounts/1" {
		t.Errorf("event id %q, want accounts/1", e1.ID)
	}
	// Page events cannot be appended without their page.
	if err := s.AppendAuditEvent(t.Context(), editorial.AuditEvent{PageID: ID("page/x"), Seq: 1}); err == nil {
		t.Error("AppendAuditEvent stored a page's event without its page")
	}
}

func testAccountsListing(t *testing.T, s storage.Store) {
	all := logFixture(t, s)
	var pages, accounts []editorial.AuditEvent
	for _, e := range all {
		if e.PageID == editorial.AccountsChain {
			accounts = append(accounts, e)
		} else {
			pages = append(pages, e)
		}
	}
	got, err := s.AuditEvents(t.Context(), editorial.AuditFilter{Limit: 100})
	must(t, err, "AuditEvents")
	assertEqual(t, "AuditEvents without Accounts", withoutLogIndex(got), withoutLogIndex(newestEventsFirst(pages, func(editorial.AuditEvent) bool { return true })))
	got, err = s.AuditEvents(t.Context(), editorial.AuditFilter{Accounts: true, Limit: 100})
	must(t, err, "AuditEvents of accounts")
	assertEqual(t, "AuditEvents with Accounts", withoutLogIndex(got), withoutLogIndex(newestEventsFirst(accounts, func(editorial.AuditEvent) bool { return true })))
	got, err = s.AuditEvents(t.Context(), editorial.AuditFilter{Accounts: true, Action: "login_failed", Limit: 100})
	must(t, err, "AuditEvents of accounts by action")
	if len(got) != 1 || got[0].Action != "login_failed" {
		t.Fatalf("AuditEvents of accounts by action: %v", got)
	}
	// The cursor walks the accounts chain too.
	f := editorial.AuditFilter{Accounts: true, Limit: 2}
	first, err := s.AuditEvents(t.Context(), f)
	must(t, err, "AuditEvents")
	f.BeforeAt, f.BeforeID = &first[1].At, first[1].ID
	rest, err := s.AuditEvents(t.Context(), f)
	must(t, err, "AuditEvents")
	assertEqual(t, "the accounts chain walked", withoutLogIndex(append(first, rest...)),
		withoutLogIndex(newestEventsFirst(accounts, func(editorial.AuditEvent) bool { return true })))
}

func testActorRolesStored(t *testing.T, s storage.Store) {
	ch := NewPage(t, ID("page/ketamine"), "ketamine", Content("Ketamine"), At(0))
	e := &ch.Events[0]
	e.ActorRoles, e.RequestID = []string{"writer", "editor"}, "req-1"
	e.Hash = e.ComputeHash()
	ch.Page.Audit.Hash = e.Hash
	p := MustCommit(t, s, ch)
	got := chain(t, s, p) // verifies the chain: the roles and request id are hashed
	if len(got) != 1 || !slices.Equal(got[0].ActorRoles, []string{"writer", "editor"}) || got[0].RequestID != "req-1" {
		t.Fatalf("stored event: %+v", got)
	}
	a := editorial.NewAccountEvent(editorial.AuditHead{}, cms.Principal{UserID: Editor.UserID, Name: Editor.Name,
		Roles: []cms.Role{cms.RoleEditor, cms.RoleAdmin}, RequestID: "req-2"}, "role_changed", "{}", At(time.Minute))
	must(t, s.AppendAuditEvent(t.Context(), a), "AppendAuditEvent")
	acc, err := s.AuditEvents(t.Context(), editorial.AuditFilter{Accounts: true})
	must(t, err, "AuditEvents")
	if len(acc) != 1 || !slices.Equal(acc[0].ActorRoles, []string{"editor", "admin"}) || acc[0].RequestID != "req-2" ||
		acc[0].ComputeHash() != acc[0].Hash {
		t.Fatalf("stored account event: %+v", acc)
	}
	// An event without them hashes as before they existed.
	plain := NewPage(t, ID("page/other"), "other", Content("Other"), At(0)).Events[0]
	if plain.ActorRoles != nil || plain.RequestID != "" {
		t.Fatal("fixture: the plain event has roles")
	}
}

// checkTree checks the stored tree against the one recomputed from the events.
func checkTree(tb testing.TB, s storage.Store, wantSize int64) {
	tb.Helper()
	size := logAll(tb, s)
	if size != wantSize {
		tb.Fatalf("LogSize %d, want %d", size, wantSize)
	}
	want := memoryTree(tb, logEvents(tb, s, size))
	indexes := make([]int64, tlog.StoredHashCount(size))
	for i := range indexes {
		indexes[i] = int64(i)
	}
	got, err := s.LogHashes(tb.Context(), indexes)
	must(tb, err, "LogHashes")
	for i, h := range got {
		if h != want[int64(i)] {
			tb.Fatalf("stored hash %d is %s, recomputed from the events %s", i, h, want[int64(i)])
		}
	}
}

// Leaves appended by one change, by several in one CommitAll, after a change that was
// refused, and by account events in between, all land where the tree says.
func testLogAcrossBatchesAndFailures(t *testing.T, s storage.Store) {
	p := MustCreate(t, s, "ketamine", "Ketamine", At(0))
	var events int64 = 1
	// A refused change (stale version) writes no leaf.
	stale := SaveChange(t, p, Content("Ketamine stale"), At(time.Minute))
	p = MustSave(t, s, p, Content("Ketamine v2"), At(time.Minute))
	events++
	wantCode(t, s.Commit(t.Context(), stale), cms.CodeVersionConflict, "Commit of a stale change")
	checkTree(t, s, events)
	p = MustSave(t, s, p, Content("Ketamine v3"), At(time.Minute)) // a commit just before the batch
	events++
	var cs []*editorial.Change
	for i := range 5 {
		slug := fmt.Sprintf("batch-%d", i)
		ch := NewPage(t, ID("page/"+slug), slug, Content("Batch "+slug), At(2*time.Minute))
		Publish(t, ch, At(2*time.Minute)) // several events in one change
		cs = append(cs, ch)
		events += int64(len(ch.Events))
	}
	n, err := s.CommitAll(t.Context(), cs)
	must(t, err, "CommitAll")
	if n != len(cs) {
		t.Fatalf("CommitAll stored %d of %d", n, len(cs))
	}
	checkTree(t, s, events)
	// A CommitAll refused half-way (a taken slug at the end).
	bad := []*editorial.Change{
		NewPage(t, ID("page/fine"), "fine", Content("Fine"), At(3*time.Minute)),
		NewPage(t, ID("page/dup"), "ketamine", Content("Duplicate"), At(3*time.Minute)),
	}
	if _, err := s.CommitAll(t.Context(), bad); err == nil {
		t.Fatal("CommitAll with a taken slug succeeded")
	}
	stored, err := s.AuditEvents(t.Context(), editorial.AuditFilter{PageID: ID("page/fine")})
	must(t, err, "AuditEvents")
	events += int64(len(stored)) // stored by a store that commits one change at a time
	for i := range 3 {
		head, err := s.AccountsHead(t.Context())
		must(t, err, "AccountsHead")
		must(t, s.AppendAuditEvent(t.Context(), editorial.NewAccountEvent(head, Writer, "login_succeeded", fmt.Sprintf(`{"i":%d}`, i), At(4*time.Minute))), "AppendAuditEvent")
		events++
	}
	MustSave(t, s, p, Content("Ketamine v4"), At(5*time.Minute))
	events++
	checkTree(t, s, events)
}

func testLogConcurrent(t *testing.T, s storage.Store) {
	const pages = 8
	errs := race(pages*2, func(i int) error {
		if i%2 == 1 {
			_, err := s.AppendLog(t.Context())
			return err
		}
		slug := fmt.Sprintf("page-%d", i)
		ch := NewPage(t, ID("page/"+slug), slug, Content("Page "+slug), At(0))
		if err := s.Commit(t.Context(), ch); err != nil {
			return err
		}
		e := editorial.NewAccountEvent(editorial.AuditHead{}, Writer, "login_succeeded", "{}", At(0))
		for range 20 {
			head, err := s.AccountsHead(t.Context())
			if err != nil {
				return err
			}
			e = editorial.NewAccountEvent(head, Writer, "login_succeeded", fmt.Sprintf(`{"i":%d}`, i), At(0))
			if err = s.AppendAuditEvent(t.Context(), e); !cms.IsCode(err, cms.CodeVersionConflict) {
				return err
			}
		}
		return fmt.Errorf("racer %d never appended its account event", i)
	})
	for i, err := range errs {
		must(t, err, fmt.Sprintf("racer %d", i))
	}
	size := logAll(t, s)
	if size != 2*pages {
		t.Fatalf("LogSize %d, want %d (one leaf per event)", size, 2*pages)
	}
	events := logEvents(t, s, size)
	seen := map[string]bool{}
	for _, e := range events {
		if seen[e.ID] {
			t.Fatalf("event %s has two leaves", e.ID)
		}
		seen[e.ID] = true
	}
	want := memoryTree(t, events)
	root, err := tlog.TreeHash(size, storeReader(t, s))
	must(t, err, "TreeHash")
	wantRoot, err := tlog.TreeHash(size, tlog.HashReaderFunc(func(idx []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(idx))
		for i, x := range idx {
			out[i] = want[x]
		}
		return out, nil
	}))
	must(t, err, "TreeHash")
	if root != wantRoot {
		t.Fatalf("stored root %s, recomputed from the events %s", root, wantRoot)
	}
}
