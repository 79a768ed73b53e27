package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/monograph-cms/monograph/internal/cms"
	"github.com/monograph-cms/monograph/internal/notify"
	"github.com/monograph-cms/monograph/internal/storage"
)

func notificationTests() []test {
	return []test{
		{name: "InsertedNotificationsAreReadBackNewestFirst", run: testNotificationsRoundTrip},
		{name: "InsertingAgainKeepsTheStoredOne", run: testNotificationsIdempotent},
		{name: "UnreadFilterAndCursorWalkEachOnce", run: testNotificationsUnreadCursor},
		{name: "MarkReadTouchesOnlyTheCallersUnread", run: testNotificationsMarkRead},
		{name: "NotifyCursorMovesOnlyFromWhereItIs", run: testNotifyCursor},
		{name: "NotifyCursorStartsAfterEarlierEvents", run: testNotifyCursorStartsAfterHistory},
		{name: "MailIsDueClaimedOnceAndSettled", run: testNotificationMail},
		{name: "EventNotificationsCountsOneEventsOfEveryUser", run: testEventNotifications},
	}
}

// Notification returns user's notification about the event with seq of page, at at.
func Notification(user, page string, seq int, kind notify.Kind, at time.Time) notify.Notification {
	event := fmt.Sprintf("%s/%d", ID(page), seq)
	return notify.Notification{
		ID: notify.NotificationID(ID(user), event), UserID: ID(user), EventID: event, LogIndex: int64(seq),
		Kind: kind, PageID: ID(page), Slug: page, Title: "Title of " + page, Revision: seq,
		ActorName: "Dr. Reviewer", Comment: "please cite", At: at,
	}
}

func notifIDs(ns []notify.Notification) []string {
	return ids(ns, func(n notify.Notification) string { return n.ID })
}

func testNotificationsRoundTrip(t *testing.T, s storage.Store) {
	older := Notification("ann", "ketamine", 1, notify.KindChangesRequested, At(0))
	newer := Notification("ann", "ketamine", 2, notify.KindApproved, At(time.Minute))
	next := At(time.Hour)
	newer.Mail = notify.Mail{State: notify.MailPending, NextAt: &next}
	other := Notification("bob", "ketamine", 1, notify.KindReviewRequested, At(time.Hour))
	must(t, s.InsertNotifications(t.Context(), []notify.Notification{older, newer, other}), "InsertNotifications")
	got, err := s.Notifications(t.Context(), notify.Filter{UserID: ID("ann")})
	must(t, err, "Notifications")
	assertEqual(t, "ann's notifications", got, []notify.Notification{newer, older})
	n, err := s.UnreadNotifications(t.Context(), ID("ann"))
	must(t, err, "UnreadNotifications")
	if n != 2 {
		t.Fatalf("unread = %d, want 2", n)
	}
	must(t, s.InsertNotifications(t.Context(), nil), "InsertNotifications of none")
}

func testNotificationsIdempotent(t *testing.T, s storage.Store) {
	a := Notification("ann", "ketamine", 1, notify.KindChangesRequested, At(0))
	b := Notification("ann", "ketamine", 2, notify.KindApproved, At(time.Minute))
	must(t, s.InsertNotifications(t.Context(), []notify.Notification{a}), "InsertNotifications")
	_, err := s.MarkNotificationsRead(t.Context(), ID("ann"), []string{a.ID}, At(time.Hour))
	must(t, err, "MarkNotificationsRead")
	// The job derives a again (a restart, a second process) together with b.
	again := a
	again.Comment = "derived again"
	must(t, s.InsertNotifications(t.Context(), []notify.Notification{again, b}), "InsertNotifications again")
	got, err := s.Notifications(t.Context(), notify.Filter{UserID: ID("ann")})
	must(t, err, "Notifications")
	read := At(time.Hour)
	a.ReadAt = &read
	assertEqual(t, "notifications after inserting again", got, []notify.Notification{b, a})
}

func testNotificationsUnreadCursor(t *testing.T, s storage.Store) {
	var all []notify.Notification
	for i := range 7 {
		// Pairs at the same instant: the cursor must break ties by id.
		all = append(all, Notification("ann", "page"+string(rune('a'+i)), i, notify.KindReviewRequested, At(time.Duration(i/2)*time.Minute)))
	}
	must(t, s.InsertNotifications(t.Context(), all), "InsertNotifications")
	_, err := s.MarkNotificationsRead(t.Context(), ID("ann"), []string{all[3].ID}, At(time.Hour))
	must(t, err, "MarkNotificationsRead")
	for _, unread := range []bool{false, true} {
		var walked []string
		f := notify.Filter{UserID: ID("ann"), Unread: unread, Limit: 2}
		for range 10 {
			page, err := s.Notifications(t.Context(), f)
			must(t, err, "Notifications")
			for _, n := range page {
				walked = append(walked, n.ID)
				if unread && n.ReadAt != nil {
					t.Errorf("unread list has read notification %s", n.ID)
				}
			}
			if len(page) < f.Limit {
				break
			}
			last := page[len(page)-1]
			f.BeforeAt, f.BeforeID = &last.At, last.ID
		}
		want := 7
		if unread {
			want = 6
		}
		if len(walked) != want {
			t.Errorf("unread=%v: walked %d notifications, want %d", unread, len(walked), want)
		}
		seen := map[string]bool{}
		for _, id := range walked {
			if seen[id] {
				t.Errorf("unread=%v: %s listed twice", unread, id)
			}
			seen[id] = true
		}
	}
}

func testNotificationsMarkRead(t *testing.T, s storage.Store) {
	a1 := Notification("ann", "ketamine", 1, notify.KindChangesRequested, At(0))
	a2 := Notification("ann", "ketamine", 2, notify.KindPublished, At(time.Minute))
	a3 := Notification("ann", "ibuprofen", 3, notify.KindReviewDue, At(2*time.Minute))
	b1 := Notification("bob", "ketamine", 1, notify.KindReviewRequested, At(0))
	must(t, s.InsertNotifications(t.Context(), []notify.Notification{a1, a2, a3, b1}), "InsertNotifications")
	// Bob's id in Ann's request is ignored; marking twice counts once.
	n, err := s.MarkNotificationsRead(t.Context(), ID("ann"), []string{a1.ID, b1.ID, "ffffffffffffffffffffffffffffffff"}, At(time.Hour))
	must(t, err, "MarkNotificationsRead")
	if n != 1 {
		t.Errorf("marked %d, want 1", n)
	}
	if n, _ = s.MarkNotificationsRead(t.Context(), ID("ann"), []string{a1.ID}, At(2*time.Hour)); n != 0 {
		t.Errorf("marking a read notification again counted %d", n)
	}
	if c, _ := s.UnreadNotifications(t.Context(), ID("bob")); c != 1 {
		t.Errorf("bob's unread = %d, want 1", c)
	}
	if n, _ = s.MarkNotificationsRead(t.Context(), ID("ann"), []string{}, At(2*time.Hour)); n != 0 {
		t.Errorf("an empty list of ids marked %d", n)
	}
	n, err = s.MarkNotificationsRead(t.Context(), ID("ann"), nil, At(3*time.Hour))
	must(t, err, "MarkNotificationsRead all")
	if n != 2 {
		t.Errorf("all: marked %d, want 2", n)
	}
	got, err := s.Notifications(t.Context(), notify.Filter{UserID: ID("ann")})
	must(t, err, "Notifications")
	first, later := At(time.Hour), At(3*time.Hour)
	a1.ReadAt, a2.ReadAt, a3.ReadAt = &first, &later, &later
	assertEqual(t, "ann's notifications", got, []notify.Notification{a3, a2, a1})
	if c, _ := s.UnreadNotifications(t.Context(), ID("bob")); c != 1 {
		t.Errorf("after ann's mark-all, bob's unread = %d, want 1", c)
	}
}

func testEventNotifications(t *testing.T, s storage.Store) {
	a := Notification("ann", "ketamine", 1, notify.KindReviewRequested, At(0))
	b := Notification("bob", "ketamine", 1, notify.KindReviewRequested, At(0))
	other := Notification("ann", "ketamine", 2, notify.KindApproved, At(time.Minute))
	elsewhere := Notification("bob", "ibuprofen", 1, notify.KindReviewRequested, At(0))
	must(t, s.InsertNotifications(t.Context(), []notify.Notification{a, b, other, elsewhere}), "InsertNotifications")
	_, err := s.MarkNotificationsRead(t.Context(), ID("ann"), []string{a.ID}, At(time.Hour)) // read ones count too
	must(t, err, "MarkNotificationsRead")
	for event, want := range map[string]int{a.EventID: 2, other.EventID: 1, elsewhere.EventID: 1, ID("nothing") + "/1": 0} {
		n, err := s.EventNotifications(t.Context(), event)
		must(t, err, "EventNotifications")
		if n != want {
			t.Errorf("EventNotifications(%s) = %d, want %d", event, n, want)
		}
	}
}

func testNotifyCursor(t *testing.T, s storage.Store) {
	at, err := s.NotifyCursor(t.Context())
	must(t, err, "NotifyCursor")
	if at != 0 {
		t.Fatalf("a new store's cursor is %d, want 0", at)
	}
	must(t, s.AdvanceNotifyCursor(t.Context(), 0, 5), "AdvanceNotifyCursor 0→5")
	wantCode(t, s.AdvanceNotifyCursor(t.Context(), 0, 7), cms.CodeVersionConflict, "AdvanceNotifyCursor from a stale 0")
	must(t, s.AdvanceNotifyCursor(t.Context(), 5, 7), "AdvanceNotifyCursor 5→7")
	if at, _ = s.NotifyCursor(t.Context()); at != 7 {
		t.Fatalf("cursor = %d, want 7", at)
	}
}

func testNotificationMail(t *testing.T, s storage.Store) {
	now := At(time.Hour)
	due, later := At(0), At(2*time.Hour)
	a := Notification("ann", "ketamine", 1, notify.KindChangesRequested, At(0))
	a.Mail = notify.Mail{State: notify.MailPending, NextAt: &due}
	b := Notification("bob", "ketamine", 1, notify.KindChangesRequested, At(0))
	b.Mail = notify.Mail{State: notify.MailPending, NextAt: &later}
	c := Notification("cid", "ketamine", 1, notify.KindChangesRequested, At(0)) // mail off
	must(t, s.InsertNotifications(t.Context(), []notify.Notification{a, b, c}), "InsertNotifications")
	got, err := s.MailDue(t.Context(), now, 10)
	must(t, err, "MailDue")
	assertEqual(t, "mail due", notifIDs(got), []string{a.ID})

	won, err := s.ClaimMail(t.Context(), a.ID, 0, now.Add(time.Minute))
	must(t, err, "ClaimMail")
	if !won {
		t.Fatal("the first claim lost")
	}
	if won, _ = s.ClaimMail(t.Context(), a.ID, 0, now.Add(time.Minute)); won {
		t.Fatal("a second claim of the same try won")
	}
	if got, _ = s.MailDue(t.Context(), now, 10); len(got) != 0 {
		t.Fatalf("a claimed mail is due again before its lease ends: %v", notifIDs(got))
	}
	sent := now.Add(time.Second)
	must(t, s.SetMail(t.Context(), a.ID, notify.Mail{State: notify.MailSent, Attempts: 1, SentAt: &sent}), "SetMail")
	if got, _ = s.MailDue(t.Context(), At(10*time.Hour), 10); len(got) != 1 || got[0].ID != b.ID {
		t.Fatalf("due later = %v, want only bob's", notifIDs(got))
	}
	list, err := s.Notifications(t.Context(), notify.Filter{UserID: ID("ann")})
	must(t, err, "Notifications")
	a.Mail = notify.Mail{State: notify.MailSent, Attempts: 1, SentAt: &sent}
	assertEqual(t, "ann's notification after sending", list, []notify.Notification{a})
	wantCode(t, s.SetMail(t.Context(), "ffffffffffffffffffffffffffffffff", notify.Mail{}), cms.CodeNotFound, "SetMail of an unknown id")
}

// A store that had events before anything read the cursor starts it after them: an
// upgraded database tells nobody about its history.
func testNotifyCursorStartsAfterHistory(t *testing.T, s storage.Store) {
	MustCreate(t, s, "ketamine", "Ketamine", At(0))
	MustCreate(t, s, "ibuprofen", "Ibuprofen", At(time.Minute))
	_, err := s.AppendLog(t.Context())
	must(t, err, "AppendLog")
	size, err := s.LogSize(t.Context())
	must(t, err, "LogSize")
	if size == 0 {
		t.Fatal("the log is empty after two creates")
	}
	at, err := s.NotifyCursor(t.Context())
	must(t, err, "NotifyCursor")
	if at != size {
		t.Fatalf("the first cursor is %d, want the log's size %d", at, size)
	}
	MustCreate(t, s, "aspirin", "Aspirin", At(2*time.Minute))
	if again, _ := s.NotifyCursor(t.Context()); again != at {
		t.Fatalf("the cursor moved by itself from %d to %d", at, again)
	}
}
