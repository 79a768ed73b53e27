package sqlitestore

import (
	"strings"
	"testing"
	"time"

	"github.com/monograph-cms/monograph/internal/editorial"
)

// TestListQueriesUseIndexes: every management list query finds its rows through an index
// that also gives its order, so a list never scans the whole table nor sorts it, however
// large the library grows.
func TestListQueriesUseIndexes(t *testing.T) {
	s := openTestStore(t)
	now := time.Now()
	for _, tc := range []struct {
		name string
		f    editorial.ListFilter
		// sorts: the filter's index finds few rows but cannot give the order; sorting those
		// beats walking every page in order to find them.
		sorts bool
	}{
		{"all", editorial.ListFilter{Limit: 50}, false},
		{"after a cursor", editorial.ListFilter{Limit: 50, AfterTime: &now, AfterID: "p"}, false},
		{"by state", editorial.ListFilter{State: "draft", Limit: 50}, false},
		{"by state after a cursor", editorial.ListFilter{State: "draft", Limit: 50, AfterTime: &now, AfterID: "p"}, false},
		{"sources only", editorial.ListFilter{SourcesOnly: true, Limit: 50}, false},
		{"one locale", editorial.ListFilter{Locale: "es", Limit: 50}, false},
		{"one locale after a cursor", editorial.ListFilter{Locale: "es", Limit: 50, AfterTime: &now, AfterID: "p"}, false},
		{"outdated", editorial.ListFilter{Outdated: true, Limit: 50}, false},
		{"outdated in one locale", editorial.ListFilter{Locale: "es", Outdated: true, Limit: 50}, false},
		{"review overdue", editorial.ListFilter{ReviewOverdue: true, Now: now, Limit: 50}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q, args := listPagesQuery(tc.f)
			plan := queryPlan(t, s, q, args...)
			all := strings.Join(plan, "; ")
			if tc.f.AfterTime != nil && !strings.HasPrefix(all, "SEARCH") {
				t.Errorf("%s\nwalks the index from its start to the cursor: %s", q, all)
			}
			for _, d := range plan {
				if strings.HasPrefix(d, "SCAN pages") && !strings.Contains(d, "INDEX") {
					t.Errorf("%s\nscans the whole table: %s", q, all)
				}
				if strings.Contains(d, "TEMP B-TREE") && !tc.sorts {
					t.Errorf("%s\nsorts its rows: %s", q, all)
				}
			}
		})
	}
}

// TestAuditQueriesUseIndexes: the audit log's lists (newest first, after a cursor, by actor
// or action) take their rows and order from an index, a page's chain is read through
// (page_id, seq), and the verifiable log's queries through their own indexes: none walks or
// sorts the whole table, however many events it holds.
func TestAuditQueriesUseIndexes(t *testing.T) {
	s := openTestStore(t)
	now := time.Now()
	type query struct {
		name, q string
		args    []any
		// index is the index the plan must use.
		index string
		// sorts: the rows are few (one page's events) and sorting them is fine.
		sorts bool
	}
	var queries []query
	for _, tc := range []struct {
		name  string
		f     editorial.AuditFilter
		index string
		sorts bool
	}{
		{"newest first", editorial.AuditFilter{Limit: 50}, "audit_at", false},
		{"after a cursor", editorial.AuditFilter{Limit: 50, BeforeAt: &now, BeforeID: "p/3"}, "audit_at", false},
		{"by actor", editorial.AuditFilter{Actor: "u", Limit: 50}, "audit_actor", false},
		{"by actor after a cursor", editorial.AuditFilter{Actor: "u", Limit: 50, BeforeAt: &now, BeforeID: "p/3"}, "audit_actor", false},
		{"by action", editorial.AuditFilter{Action: "published", Limit: 50}, "audit_action", false},
		{"by action after a cursor", editorial.AuditFilter{Action: "published", Limit: 50, BeforeAt: &now, BeforeID: "p/3"}, "audit_action", false},
		{"a page's chain", editorial.AuditFilter{PageID: "p"}, "sqlite_autoindex_audit", false},
		{"the accounts chain", editorial.AuditFilter{Accounts: true}, "sqlite_autoindex_audit", false},
		{"a page's latest events", editorial.AuditFilter{PageID: "p", Limit: 20}, "sqlite_autoindex_audit", true},
	} {
		q, args := auditEventsQuery(tc.f)
		queries = append(queries, query{tc.name, q, args, tc.index, tc.sorts})
	}
	queries = append(queries,
		query{"an event's leaf set", setLogIndexQuery, []any{1, "p", 1}, "sqlite_autoindex_audit", false},
		query{"events without a leaf", unloggedQuery, []any{1000}, "audit_unlogged", false},
		query{"the log's events", logEventsQuery, []any{0, 100}, "audit_log_index", false},
	)
	for _, tc := range queries {
		t.Run(tc.name, func(t *testing.T) {
			plan := queryPlan(t, s, tc.q, tc.args...)
			all := strings.Join(plan, "; ")
			if !strings.Contains(all, "INDEX "+tc.index) {
				t.Errorf("%s\ndoes not use %s: %s", tc.q, tc.index, all)
			}
			if strings.Contains(tc.name, "cursor") && !strings.Contains(all, "at<?") {
				t.Errorf("%s\nwalks the index from its start to the cursor: %s", tc.q, all)
			}
			for _, d := range plan {
				if strings.HasPrefix(d, "SCAN audit") && !strings.Contains(d, "INDEX") {
					t.Errorf("%s\nscans the whole table: %s", tc.q, all)
				}
				if strings.Contains(d, "TEMP B-TREE") && !tc.sorts {
					t.Errorf("%s\nsorts its rows: %s", tc.q, all)
				}
			}
		})
	}
}

// TestSearchQueryUsesIndexes: a search reads FTS5's matches and the pending pages through
// pages_search_pending, and each match's page by its rowid; it never walks the pages.
func TestSearchQueryUsesIndexes(t *testing.T) {
	s := openTestStore(t)
	plan := queryPlan(t, s, searchQuery, `"ket" OR "eta"`, 200)
	all := strings.Join(plan, "; ")
	if !strings.Contains(all, "pages_search_pending") {
		t.Errorf("the pending pages are not found through their index: %s", all)
	}
	for _, d := range plan {
		if (strings.HasPrefix(d, "SCAN p ") || d == "SCAN p" || strings.HasPrefix(d, "SCAN pages")) && !strings.Contains(d, "INDEX") {
			t.Errorf("a search walks the pages: %s", all)
		}
	}
	t.Log(all)
}

// queryPlan returns the details of SQLite's plan for q, one per step.
func queryPlan(t *testing.T, s *Store, q string, args ...any) []string {
	t.Helper()
	rows, err := s.r.QueryContext(t.Context(), "EXPLAIN QUERY PLAN "+q, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return plan
}
