package editorial

import (
	"cmp"
	"context"
	"slices"
	"time"

	"github.com/monograph-cms/monograph/internal/cms"
	"github.com/monograph-cms/monograph/internal/content"
	"github.com/monograph-cms/monograph/internal/search"
)

// Revisions returns the page's revision summaries, oldest first.
func (s *Service) Revisions(ctx context.Context, id string) ([]RevisionSummary, error) {
	p, err := s.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	revs, err := s.store.RevisionSummaries(ctx, id)
	if err != nil {
		return nil, err
	}
	// An unreferenced revision (a crashed save's leftover) is not history.
	return slices.DeleteFunc(revs, func(r RevisionSummary) bool { return r.Number > p.Workflow.Revision }), nil
}

// Revision returns one revision with its content.
func (s *Service) Revision(ctx context.Context, id string, n int) (Revision, error) {
	if !cms.ValidID(id) || n < 1 {
		return Revision{}, cms.Errorf(cms.CodeNotFound, "revision not found")
	}
	r, err := s.store.Revision(ctx, id, n)
	if cms.IsCode(err, cms.CodeNotFound) {
		return Revision{}, cms.Errorf(cms.CodeNotFound, "revision %d of this page not found", n)
	}
	if err != nil {
		return Revision{}, err
	}
	// An unreferenced revision (left by a save that crashed before its page update) is
	// not part of the history.
	p, err := s.Get(ctx, id)
	if err != nil {
		return Revision{}, err
	}
	if n > p.Workflow.Revision {
		return Revision{}, cms.Errorf(cms.CodeNotFound, "revision %d of this page not found", n)
	}
	return r, nil
}

// DiffResult is the difference between two revisions of a page.
type DiffResult struct {
	From    int              `json:"from"`
	To      int              `json:"to"`
	Changes []content.Change `json:"changes"`
}

// Diff compares revision from with revision to, field by field and line by line.
func (s *Service) Diff(ctx context.Context, id string, from, to int) (DiffResult, error) {
	a, err := s.Revision(ctx, id, from)
	if err != nil {
		return DiffResult{}, err
	}
	b, err := s.Revision(ctx, id, to)
	if err != nil {
		return DiffResult{}, err
	}
	changes := content.Diff(a.Content, b.Content)
	changes = append(changes, content.DiffImages(a.Content, b.Content)...) // a new picture is a change to review
	if changes == nil {
		changes = []content.Change{}
	}
	return DiffResult{From: from, To: to, Changes: changes}, nil
}

// PageAudit returns the page's whole chain, in order.
func (s *Service) PageAudit(ctx context.Context, id string) ([]AuditEvent, error) {
	if _, err := s.Get(ctx, id); err != nil {
		return nil, err
	}
	return s.store.AuditEvents(ctx, AuditFilter{PageID: id})
}

// Audit returns events of every page matching f, newest first.
func (s *Service) Audit(ctx context.Context, f AuditFilter) ([]AuditEvent, error) {
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 100
	}
	return s.store.AuditEvents(ctx, f)
}

// Checks returns the pre-review check results of the page's working copy.
func (s *Service) Checks(p Page) []content.CheckResult {
	r := content.RunChecks(p.Content, s.cfg.CheckSeverities)
	// The image licence checks read the library (media.go); bounded, as Checks has no
	// request context.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	r = append(r, s.mediaChecks(ctx, p.Content)...)
	cancel()
	if r == nil {
		r = []content.CheckResult{}
	}
	return r
}

// maxSearchHits bounds how many pages a management search considers: the best matches, more
// than anyone pages through.
const maxSearchHits = 100

// List returns a batch of pages matching f, newest update first; with a query, best match
// first (the cursor then carries the last hit's SearchShared as f.AfterShared).
func (s *Service) List(ctx context.Context, f ListFilter) ([]Page, error) {
	f.Now = s.clock.Now()
	if f.Query == "" {
		return s.store.ListPages(ctx, f)
	}
	grams := search.QueryGrams(f.Query)
	if len(grams) == 0 {
		return []Page{}, nil
	}
	hits, err := s.store.SearchPages(ctx, grams, search.MinShared(len(grams)), maxSearchHits)
	if err != nil {
		return nil, err
	}
	if len(hits) > 0 {
		best := hits[0].Shared // best first
		hits = slices.DeleteFunc(hits, func(h SearchHit) bool { return !search.Relevant(h.Shared, best) })
	}
	ids := make([]string, len(hits))
	shared := make(map[string]int, len(hits))
	for i, h := range hits {
		ids[i], shared[h.ID] = h.ID, h.Shared
	}
	pages, err := s.store.PageSummaries(ctx, ids)
	if err != nil {
		return nil, err
	}
	pages = slices.DeleteFunc(pages, func(p Page) bool { return !f.keeps(p) })
	slices.SortFunc(pages, func(a, b Page) int { return compareHits(shared[a.ID], a, shared[b.ID], b) })
	if f.AfterTime != nil {
		last := Page{ID: f.AfterID, UpdatedAt: *f.AfterTime}
		pages = slices.DeleteFunc(pages, func(p Page) bool { return compareHits(shared[p.ID], p, f.AfterShared, last) <= 0 })
	}
	for i := range pages {
		pages[i].SearchShared = shared[pages[i].ID]
	}
	if f.Limit > 0 && len(pages) > f.Limit {
		pages = pages[:f.Limit]
	}
	return pages, nil
}

// compareHits orders search results: more shared grams first, then newest update, then id.
func compareHits(sa int, a Page, sb int, b Page) int {
	if sa != sb {
		return sb - sa
	}
	if c := b.UpdatedAt.Compare(a.UpdatedAt); c != 0 {
		return c
	}
	return cmp.Compare(b.ID, a.ID)
}

// keeps applies the filters other than the query to one page (search results).
func (f ListFilter) keeps(p Page) bool {
	switch {
	case f.State != "" && string(p.Workflow.State) != f.State:
		return false
	case f.ReviewOverdue && (p.Workflow.Live == nil || !p.Workflow.Live.Approval.NextReviewDue.Before(f.Now)):
		return false
	case f.SourcesOnly && p.Translation != nil,
		f.Locale != "" && (p.Translation == nil || p.Translation.Locale != f.Locale),
		f.Outdated && (p.Translation == nil || !p.Translation.Outdated):
		return false
	}
	return true
}

// PageGrams returns the search grams of a page (internal/search): what its store indexes.
func PageGrams(p Page) []string {
	d := p.Content.Drug
	return search.PageGrams(p.Slug, p.Content.Title, d.Name, d.GenericName, d.BrandNames, p.Content.Tags)
}

// ReviewOverdueAt reports whether the page's live approval is past its next review at now.
func (p Page) ReviewOverdueAt(now time.Time) bool {
	return p.Workflow.Live != nil && p.Workflow.Live.Approval.NextReviewDue.Before(now)
}
