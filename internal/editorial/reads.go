package editorial

import (
	"context"
	"slices"

	"github.com/monograph-cms/monograph/internal/cms"
	"github.com/monograph-cms/monograph/internal/content"
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
	if changes == nil {
		changes = []content.Change{}
	}
	return DiffResult{From: from, To: to, Changes: changes}, nil
}

// PageAudit returns the page's whole chain: stored events plus those the pump has not
// moved yet, in order.
func (s *Service) PageAudit(ctx context.Context, id string) ([]AuditEvent, error) {
	p, err := s.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	events, err := s.store.AuditEvents(ctx, AuditFilter{PageID: id})
	if err != nil {
		return nil, err
	}
	for _, e := range p.PendingEvents {
		if !slices.ContainsFunc(events, func(x AuditEvent) bool { return x.Seq == e.Seq }) {
			events = append(events, e)
		}
	}
	slices.SortFunc(events, func(a, b AuditEvent) int { return a.Seq - b.Seq })
	return events, nil
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
	if r == nil {
		r = []content.CheckResult{}
	}
	return r
}
