package editorial_test

import (
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/monograph-cms/monograph/internal/cms"
	"github.com/monograph-cms/monograph/internal/editorial"
	"github.com/monograph-cms/monograph/internal/teststore"
)

func TestRecordAccountEventLinksTheAccountsChain(t *testing.T) {
	store := teststore.MustOpen(t)
	svc := editorial.NewService(editorial.Config{}, store, cms.SystemClock{}, noReauth{}, nil)
	admin := cms.Principal{UserID: "admin1", Name: "Ada Admin", Roles: []cms.Role{cms.RoleAdmin}, RequestID: "req-1"}
	svc.RecordAccountEvent(t.Context(), admin, "user_created", map[string]any{"userId": "u2", "email": "w@example.org"})
	svc.RecordAccountEvent(t.Context(), cms.Principal{}, "login_failed", map[string]any{"email": "nobody@example.org"})
	svc.RecordAccountEvent(t.Context(), admin, "roles_changed", nil)

	events, err := store.AuditEvents(t.Context(), editorial.AuditFilter{Accounts: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(events) != 3 {
		t.Fatalf("%d account events, want 3", len(events))
	}
	e := events[0]
	if e.PageID != "" || e.Action != "user_created" || e.Actor != "admin1" || e.ActorName != "Ada Admin" ||
		!slices.Equal(e.ActorRoles, []string{"admin"}) || e.RequestID != "req-1" ||
		e.Data != `{"email":"w@example.org","userId":"u2"}` || e.ID != "accounts/1" {
		t.Fatalf("first event: %+v", e)
	}
	if events[1].Actor != "" || events[1].ActorRoles != nil || events[2].Data != "{}" {
		t.Fatalf("events: %+v", events)
	}
	if br, err := svc.VerifyAccountsChain(t.Context()); err != nil || br != nil {
		t.Fatalf("VerifyAccountsChain: %v, %v", br, err)
	}
	// Account events are not pages' events.
	pages, err := store.AuditEvents(t.Context(), editorial.AuditFilter{Limit: 100})
	if err != nil || len(pages) != 0 {
		t.Fatalf("pages' events: %v (%v)", pages, err)
	}
}

// Requests recording at the same moment each get their own link: the chain never forks and
// no event is lost.
func TestRecordAccountEventConcurrently(t *testing.T) {
	teststore.SkipWithoutConcurrentAtomicity(t)
	store := teststore.MustOpen(t)
	svc := editorial.NewService(editorial.Config{}, store, cms.SystemClock{}, noReauth{}, nil)
	const n = 8
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			svc.RecordAccountEvent(t.Context(), cms.Principal{UserID: fmt.Sprint("u", i)}, "login_succeeded", nil)
		})
	}
	wg.Wait()
	events, err := store.AuditEvents(t.Context(), editorial.AuditFilter{Accounts: true})
	if err != nil || len(events) != n {
		t.Fatalf("%d account events (%v), want %d", len(events), err, n)
	}
	if br, err := svc.VerifyAccountsChain(t.Context()); err != nil || br != nil {
		t.Fatalf("VerifyAccountsChain: %v, %v", br, err)
	}
}
