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
