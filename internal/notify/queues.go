package notify

import (
	"context"
	"slices"

	"github.com/monograph-cms/monograph/internal/cms"
	"github.com/monograph-cms/monograph/internal/editorial"
)

// QueueName names one of a user's work queues.
type QueueName string

// The queues, each shown to the roles that work it.
const (
	QueueMyDrafts         QueueName = "my_drafts"         // drafts I wrote since the last approval
	QueueChangesRequested QueueName = "changes_requested" // sent back, on text I wrote
	QueueAwaitingReview   QueueName = "awaiting_review"   // in review, not written by me (reviewers)
	QueueReviewDue        QueueName = "review_due"        // live, periodic review overdue (reviewers)
	QueueReadyToPublish   QueueName = "ready_to_publish"  // approved (editors, admins)
)

// Queue is one list of pages (summaries).
type Queue struct {
	Name  QueueName
	Pages []editorial.Page
	// More says the queue was cut at QueueLimit pages.
	More bool
}

// QueueLimit bounds the pages a queue lists.
const QueueLimit = 50

// scanLimit bounds the pages of one state read to fill a queue.
const scanLimit = 200

// Queues returns the caller's work queues for their roles. Each reads one state's pages
// through the store's state index (or the review-due index), newest update first; the
// queues that depend on who wrote what read those pages' revision lists.
func (s *Service) Queues(ctx context.Context, p cms.Principal) ([]Queue, error) {
	writes := p.Has(cms.RoleWriter) || p.Has(cms.RoleEditor) || p.Has(cms.RoleAdmin)
	var out []Queue
	if writes {
		for _, q := range []struct {
			name  QueueName
			state string
		}{{QueueMyDrafts, "draft"}, {QueueChangesRequested, "changes_requested"}} {
			pages, err := s.pagesInState(ctx, q.state, func(pg editorial.Page, authors []string) bool {
				return slices.Contains(authors, p.UserID)
			})
			if err != nil {
				return nil, err
			}
			out = append(out, cut(q.name, pages))
		}
	}
	if p.Has(cms.RoleReviewer) {
		// A reviewer who wrote part of the text cannot sign it (separation of duties):
		// it is not "awaiting my review".
		pages, err := s.pagesInState(ctx, "in_review", func(pg editorial.Page, authors []string) bool {
			return !slices.Contains(authors, p.UserID)
		})
		if err != nil {
			return nil, err
		}
		out = append(out, cut(QueueAwaitingReview, pages))
		due, err := s.pages.ListPages(ctx, editorial.ListFilter{ReviewOverdue: true, Now: s.clock.Now(), Limit: QueueLimit + 1})
		if err != nil {
			return nil, err
		}
		out = append(out, cut(QueueReviewDue, due))
	}
	if p.Has(cms.RoleEditor) || p.Has(cms.RoleAdmin) {
		approved, err := s.pages.ListPages(ctx, editorial.ListFilter{State: "approved", Limit: QueueLimit + 1})
		if err != nil {
			return nil, err
		}
		out = append(out, cut(QueueReadyToPublish, approved))
	}
	return out, nil
}

func cut(name QueueName, pages []editorial.Page) Queue {
	q := Queue{Name: name, Pages: pages}
	if len(pages) > QueueLimit {
		q.Pages, q.More = pages[:QueueLimit], true
	}
	if q.Pages == nil {
		q.Pages = []editorial.Page{}
	}
	return q
}

// pagesInState returns the pages in state for which keep holds, given the authors of
// their revisions since the last approval or publication (the review baseline).
func (s *Service) pagesInState(ctx context.Context, state string, keep func(editorial.Page, []string) bool) ([]editorial.Page, error) {
	pages, err := s.pages.ListPages(ctx, editorial.ListFilter{State: state, Limit: scanLimit})
	if err != nil {
		return nil, err
	}
	var out []editorial.Page
	for _, pg := range pages {
		revs, err := s.pages.RevisionSummaries(ctx, pg.ID)
		if err != nil {
			return nil, err
		}
		var authors []string
		for _, r := range revs {
			if r.Number > pg.ReviewBaseline && !slices.Contains(authors, r.Author.ID) {
				authors = append(authors, r.Author.ID)
			}
		}
		if keep(pg, authors) {
			out = append(out, pg)
			if len(out) > QueueLimit {
				break
			}
		}
	}
	return out, nil
}
