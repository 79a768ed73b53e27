package sqlitestore_test

import (
	"context"
	"fmt"
	"log/slog"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/monograph-cms/monograph/internal/cms"
	"github.com/monograph-cms/monograph/internal/editorial"
	"github.com/monograph-cms/monograph/internal/sqlitestore"
	"github.com/monograph-cms/monograph/internal/storetest"
)

// TestTheAppendOnlyMigrationKeepsEveryEvent: a data dir of the schema before the last
// migration (audit events keyed by their event id, the "newest first" indexes declared
// DESC) opens with every audit event, chain, list and log leaf as it was, and with the
// layout of the migration (audit rows in rowid order, no DESC index on audit or pages);
// saves then go on extending the chains.
func TestTheAppendOnlyMigrationKeepsEveryEvent(t *testing.T) {
	ctx := context.Background()
	cfg := sqlitestore.Config{DataDir: t.TempDir(), Logger: slog.New(slog.DiscardHandler)}
	old, err := sqlitestore.OpenAtSchemaVersion(ctx, cfg, sqlitestore.SchemaVersion-1)
	if err != nil {
		t.Fatal(err)
	}
	writers := []cms.Principal{
		{UserID: "w1", Name: "Writer One", Roles: []cms.Role{cms.RoleWriter}},
		{UserID: "w2", Name: "Writer Two", Roles: []cms.Role{cms.RoleWriter}},
	}
	svc := editorial.NewService(editorial.Config{}, old, cms.SystemClock{}, noReauth{}, nil)
	var ids []string
	for i := range 6 {
		c := storetest.Content(fmt.Sprintf("Drug %d", i))
		p, err := svc.Create(ctx, writers[i%2], fmt.Sprintf("drug-%d", i), c, "")
		if err != nil {
			t.Fatal(err)
		}
		for j := range 3 {
			c.Summary += fmt.Sprintf(" save %d", j)
			w := writers[(i+j)%2]
			w.RequestID = fmt.Sprintf("req-%d-%d", i, j)
			if p, _, err = svc.SaveContent(ctx, w, p.ID, p.Version, c, ""); err != nil {
				t.Fatal(err)
			}
		}
		ids = append(ids, p.ID)
	}
	// The accounts chain lives in the same table (page_id '').
	for i := range 3 {
		head, err := old.AccountsHead(ctx)
		if err != nil {
			t.Fatal(err)
		}
		w := writers[i%2]
		w.RequestID = fmt.Sprintf("req-login-%d", i)
		if err := old.AppendAuditEvent(ctx, editorial.NewAccountEvent(head, w, "login_succeeded", `{}`, time.Now())); err != nil {
			t.Fatal(err)
		}
	}
	before := storeView(t, old, ids)
	if len(before.newestFirst) != 6*4 || len(before.accounts) != 3 || before.chains[0][1].RequestID != "req-0-0" {
		t.Fatalf("the old store lists %d page events (want 24) and %d accounts events (want 3), request id %q",
			len(before.newestFirst), len(before.accounts), before.chains[0][1].RequestID)
	}
	if err := old.Close(ctx); err != nil {
		t.Fatal(err)
	}

	s, err := sqlitestore.Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close(context.Background()) })
	after := storeView(t, s, ids)
	if !reflect.DeepEqual(before, after) {
		t.Errorf("the migrated store does not read as before:\nbefore %+v\nafter  %+v", before, after)
	}
	for _, obj := range sqlitestore.SchemaOf(t, s) {
		if strings.Contains(obj, "WITHOUT ROWID") && strings.HasPrefix(obj, "table audit:") {
			t.Errorf("audit events are still kept by event id: %s", obj)
		}
		if strings.Contains(obj, " DESC") && (strings.Contains(obj, " ON audit ") || strings.Contains(obj, " ON pages ")) {
			t.Errorf("an index still declares DESC: %s", obj)
		}
	}

	svc = editorial.NewService(editorial.Config{}, s, cms.SystemClock{}, noReauth{}, nil)
	p, err := s.PageState(ctx, ids[0])
	if err != nil {
		t.Fatal(err)
	}
	c := storetest.Content("Drug 0")
	c.Summary += " after the migration"
	if _, _, err := svc.SaveContent(ctx, writers[0], p.ID, p.Version, c, ""); err != nil {
		t.Fatal(err)
	}
	chain := storeView(t, s, ids[:1]).chains[0]
	if len(chain) != 5 {
		t.Fatalf("after a save the chain has %d events, want 5", len(chain))
	}
}

// view is what a store reads of its audit log and page list.
type view struct {
	chains      [][]editorial.AuditEvent // each page's, in order, verified against its head
	accounts    []editorial.AuditEvent   // the accounts chain, verified against its head
	newestFirst []string                 // every event id, paged four at a time by cursor
	byActor     []string                 // w2's events, newest first
	logged      []editorial.AuditEvent   // the verifiable log's events, by leaf
	pages       []string                 // the page list, newest first
}

func storeView(t *testing.T, s *sqlitestore.Store, ids []string) view {
	t.Helper()
	ctx := context.Background()
	var v view
	for _, id := range ids {
		events, err := s.AuditEvents(ctx, editorial.AuditFilter{PageID: id})
		if err != nil {
			t.Fatal(err)
		}
		p, err := s.PageState(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if br := editorial.VerifyChain(id, events, p.Audit); br != nil {
			t.Errorf("chain of %s: %v", id, br)
		}
		v.chains = append(v.chains, events)
	}
	accounts, err := s.AuditEvents(ctx, editorial.AuditFilter{Accounts: true})
	if err != nil {
		t.Fatal(err)
	}
	head, err := s.AccountsHead(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if br := editorial.VerifyChain(editorial.AccountsChain, accounts, head); br != nil {
		t.Errorf("the accounts chain: %v", br)
	}
	v.accounts = accounts
	f := editorial.AuditFilter{Limit: 4}
	for {
		events, err := s.AuditEvents(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		if len(events) == 0 {
			break
		}
		for _, e := range events {
			v.newestFirst = append(v.newestFirst, editorial.EventID(e.PageID, e.Seq))
		}
		last := events[len(events)-1]
		f.BeforeAt, f.BeforeID = &last.At, editorial.EventID(last.PageID, last.Seq)
	}
	events, err := s.AuditEvents(ctx, editorial.AuditFilter{Actor: "w2", Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range events {
		v.byActor = append(v.byActor, editorial.EventID(e.PageID, e.Seq))
	}
	size, err := s.LogSize(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if v.logged, err = s.LogEvents(ctx, 0, size); err != nil {
		t.Fatal(err)
	}
	pages, err := s.ListPages(ctx, editorial.ListFilter{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range pages {
		v.pages = append(v.pages, p.ID)
	}
	return v
}
