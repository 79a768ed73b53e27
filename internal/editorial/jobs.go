package editorial

import (
	"context"
	"time"

	"github.com/monograph-cms/monograph/internal/cms"
	"github.com/monograph-cms/monograph/internal/workflow"
)

// Flush moves one page's pending audit events and outbox to their collections.
func (s *Service) Flush(ctx context.Context, p Page) error {
	if len(p.PendingEvents) == 0 && len(p.Outbox) == 0 {
		return nil
	}
	return s.store.FlushPending(ctx, p)
}

// PumpAll flushes every page that still has pending events: at start (after a crash) and
// periodically, in case a wake-up was missed.
func (s *Service) PumpAll(ctx context.Context) (int, error) {
	pages, err := s.store.PagesWithPendingEvents(ctx)
	if err != nil {
		return 0, err
	}
	for _, p := range pages {
		if err := s.Flush(ctx, p); err != nil {
			return 0, err
		}
	}
	return len(pages), nil
}

// RunScheduled publishes every scheduled page whose time has come, re-checking its
// approval at that moment. Several server processes may run it at once: the conditional
// update decides which one publishes, the others see a conflict or an early page and skip.
func (s *Service) RunScheduled(ctx context.Context) (int, error) {
	due, err := s.store.ScheduledDue(ctx, s.clock.Now())
	if err != nil {
		return 0, err
	}
	n := 0
	for _, p := range due {
		version := p.Version
		_, err := s.mutate(ctx, p.ID, &version, true, func(q *Page, now time.Time) error {
			return s.applyWorkflow(ctx, q, workflow.RunSchedule{}, cms.Principal{}, now)
		})
		switch {
		case err == nil:
			n++
		case cms.IsCode(err, cms.CodeVersionConflict), cms.IsCode(err, cms.CodeInvalidState):
			// Another process got there first, or the page changed: nothing to do.
		default:
			return n, err
		}
	}
	return n, nil
}

// NotifyReviewDue emits page.review_due once per due date for each live page whose next
// medical review is past due. The page stays live; delivery flags it as overdue.
func (s *Service) NotifyReviewDue(ctx context.Context) (int, error) {
	due, err := s.store.ReviewDue(ctx, s.clock.Now())
	if err != nil {
		return 0, err
	}
	n := 0
	for _, p := range due {
		_, err := s.mutate(ctx, p.ID, nil, false, func(q *Page, now time.Time) error {
			if q.LiveSnapshot == nil {
				return cms.Errorf(cms.CodeInvalidState, "not live")
			}
			dueAt := q.LiveSnapshot.Approval.NextReviewDue
			if q.ReviewDueNotified != nil && q.ReviewDueNotified.Equal(dueAt) {
				return cms.Errorf(cms.CodeInvalidState, "already notified")
			}
			q.ReviewDueNotified = &dueAt
			q.Outbox = append(q.Outbox, OutboxEvent{ID: cms.NewID(), Event: EventReviewDue, PageID: q.ID, Slug: q.Slug, Revision: q.LiveSnapshot.Revision, At: now})
			q.appendEvent(workflow.Event{
				Action: "review_due", Actor: workflow.SystemActor, Revision: q.LiveSnapshot.Revision,
				Data: map[string]any{"nextReviewDue": dueAt.UTC().Format(time.RFC3339)},
			}, "Scheduler", now)
			return nil
		})
		switch {
		case err == nil:
			n++
		case cms.IsCode(err, cms.CodeInvalidState), cms.IsCode(err, cms.CodeVersionConflict):
		default:
			return n, err
		}
	}
	return n, nil
}
