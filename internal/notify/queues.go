package notify

import (
	"context"
	"slices"
	"strings"

	"github.com/monograph-cms/monograph/internal/cms"
	"github.com/monograph-cms/monograph/internal/editorial"
	lang "github.com/monograph-cms/monograph/internal/locale"
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
	// More says the queue was cut at QueueLimit pages, or may hold more than it lists
	// (a scan stopped at its bound).
	More bool
}

// QueueLimit bounds the pages a queue lists.
const QueueLimit = 50

const (
	// scanBatch is how many pages of a state one read takes while filling a queue.
	scanBatch = 200
	// scanMax bounds the pages read to fill one queue, and authoredMax the caller's own
	// audit events read to find the pages they wrote: past either, the queue says More
	// (there may be more) rather than claim to be complete.
	scanMax     = 5000
	authoredMax = 5000
)

// Queues returns the caller's work queues for their roles, each complete up to
// QueueLimit pages (More says when there are, or may be, more). "Mine" is the pages of
// which the caller wrote a revision since the last approval or publication (the review
// baseline), found from the caller's own audit events (indexed by actor), not by reading
// every page in a state.
func (s *Service) Queues(ctx context.Context, p cms.Principal) ([]Queue, error) {
	writes := p.Has(cms.RoleWriter) || p.Has(cms.RoleEditor) || p.Has(cms.RoleAdmin)
	var out []Queue
	var mine map[string]int
	var cutShort bool
	if writes || p.Has(cms.RoleReviewer) {
		var err error
		if mine, cutShort, err = s.authored(ctx, p.UserID); err != nil {
			return nil, err
		}
	}
	if writes {
		for _, q := range []struct {
			name  QueueName
			state string
		}{{QueueMyDrafts, "draft"}, {QueueChangesRequested, "changes_requested"}} {
			pages, err := s.mineInState(ctx, mine, q.state)
			if err != nil {
				return nil, err
			}
			qu := cut(q.name, pages)
			qu.More = qu.More || cutShort
			out = append(out, qu)
		}
	}
	if p.Has(cms.RoleReviewer) {
		u, err := s.users.UserByID(ctx, p.UserID)
		if err != nil {
			return nil, err
		}
		// The pages this reviewer may sign, as the review-requested and review-due
		// notifications choose their reviewers (reviewersFor): a translation only in a
		// language they review in; and (separation of duties) not text they wrote.
		maySign := func(pg editorial.Page) bool {
			if l := translationLocale(pg); l != "" && !lang.Covers(u.Languages, l) {
				return false
			}
			return mine[pg.ID] <= pg.ReviewBaseline
		}
		pages, more, err := s.collect(ctx, editorial.ListFilter{State: "in_review"}, maySign)
		if err != nil {
			return nil, err
		}
		out = append(out, Queue{Name: QueueAwaitingReview, Pages: pages, More: more})
		due, more, err := s.collect(ctx, editorial.ListFilter{ReviewOverdue: true, Now: s.clock.Now()}, func(pg editorial.Page) bool {
			l := translationLocale(pg)
			return l == "" || lang.Covers(u.Languages, l)
		})
		if err != nil {
			return nil, err
		}
		out = append(out, Queue{Name: QueueReviewDue, Pages: due, More: more})
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

// collect reads the pages f selects, newest update first, in batches, and keeps those for
// which keep holds, up to QueueLimit; more says a page past them was kept, or the scan
// stopped at scanMax pages before the end.
func (s *Service) collect(ctx context.Context, f editorial.ListFilter, keep func(editorial.Page) bool) (pages []editorial.Page, more bool, err error) {
	pages = []editorial.Page{}
	f.Limit = scanBatch
	for scanned := 0; scanned < scanMax; {
		batch, err := s.pages.ListPages(ctx, f)
		if err != nil {
			return nil, false, err
		}
		for _, pg := range batch {
			if keep(pg) {
				if len(pages) == QueueLimit {
					return pages, true, nil
				}
				pages = append(pages, pg)
			}
		}
		scanned += len(batch)
		if len(batch) < f.Limit {
			return pages, false, nil
		}
		last := batch[len(batch)-1]
		f.AfterTime, f.AfterID = &last.UpdatedAt, last.ID
	}
	return pages, true, nil
}

// authoringActions are the audit actions that write a revision, their actor its author
// (as editorial's chain verification reads them).
var authoringActions = []string{actionCreate, actionSave, actionRebase}

// authored returns, for each page of which the user wrote a revision, the latest one they
// wrote, from their own audit events, newest first; cutShort says it stopped at
// authoredMax events before the end.
func (s *Service) authored(ctx context.Context, userID string) (latest map[string]int, cutShort bool, err error) {
	latest = map[string]int{}
	f := editorial.AuditFilter{Actor: userID, Limit: 500}
	for read := 0; read < authoredMax; {
		evs, err := s.pages.AuditEvents(ctx, f)
		if err != nil {
			return nil, false, err
		}
		for _, e := range evs {
			if e.PageID != editorial.AccountsChain && slices.Contains(authoringActions, e.Action) && e.Revision > latest[e.PageID] {
				latest[e.PageID] = e.Revision
			}
		}
		read += len(evs)
		if len(evs) < f.Limit {
			return latest, false, nil
		}
		last := evs[len(evs)-1]
		f.BeforeAt, f.BeforeID = &last.At, editorial.EventID(last.PageID, last.Seq)
	}
	return latest, true, nil
}

// mineInState returns the pages in state of which the user wrote a revision since the
// review baseline (mine: from authored), newest update first.
func (s *Service) mineInState(ctx context.Context, mine map[string]int, state string) ([]editorial.Page, error) {
	ids := make([]string, 0, len(mine))
	for id := range mine {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	var out []editorial.Page
	for start := 0; start < len(ids); start += scanBatch {
		batch, err := s.pages.PageSummaries(ctx, ids[start:min(start+scanBatch, len(ids))])
		if err != nil {
			return nil, err
		}
		for _, pg := range batch {
			if string(pg.Workflow.State) == state && mine[pg.ID] > pg.ReviewBaseline {
				out = append(out, pg)
			}
		}
	}
	slices.SortFunc(out, func(a, b editorial.Page) int {
		if c := b.UpdatedAt.Compare(a.UpdatedAt); c != 0 {
			return c
		}
		return strings.Compare(b.ID, a.ID)
	})
	return out, nil
}
