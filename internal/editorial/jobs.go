package editorial

import (
	"context"
	"time"

	"github.com/monograph-cms/monograph/internal/cms"
	"github.com/monograph-cms/monograph/internal/workflow"
)

// RunScheduled publishes every scheduled page whose time has come, re-checking its
// approval at that moment. Several server processes may run it at once: the conditional
// update decides which one publishes, the others see a conflict or an early page and skip.
func (s *Service) RunScheduled(ctx context.Context) (int, error) {
	// The translations' outdated flags a stopped process left unset (translations_sweep.go):
	// at start, then now and then.
	s.sweepTranslationsDue(ctx)
	due, err := s.store.ScheduledDue(ctx, s.clock.Now())
	if err != nil {
		return 0, err
	}
	n := 0
	for _, p := range due {
		version := p.Version
		_, err := s.mutate(ctx, p.ID, &version, true, func(c *Change, now time.Time) error {
			active, err := s.mayStillPublish(ctx, c.Page.Workflow.ScheduledBy)
			if err != nil {
				return err
			}
			return s.applyWorkflow(ctx, c, workflow.RunSchedule{PublisherActive: active}, cms.Principal{}, now)
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

// mayStillPublish reports whether the editor who scheduled a publication is, now, an
// enabled account whose roles may publish: a schedule must not outlive its editor.
func (s *Service) mayStillPublish(ctx context.Context, by *workflow.Signer) (bool, error) {
	if by == nil || s.Accounts == nil {
		return false, nil
	}
	roles, enabled, found, err := s.Accounts.Account(ctx, by.ID)
	if err != nil {
		return false, err
	}
	return found && enabled && s.Accounts.MayPublish(roles), nil
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
		_, err := s.mutate(ctx, p.ID, nil, false, func(c *Change, now time.Time) error {
			q := &c.Page
			live := q.Workflow.Live
			if live == nil {
				return cms.Errorf(cms.CodeInvalidState, "not live")
			}
			dueAt := live.Approval.NextReviewDue
			if q.ReviewDueNotified != nil && q.ReviewDueNotified.Equal(dueAt) {
				return cms.Errorf(cms.CodeInvalidState, "already notified")
			}
			q.ReviewDueNotified = &dueAt
			c.Outbox = append(c.Outbox, OutboxEvent{ID: cms.NewID(), Event: EventReviewDue, PageID: q.ID, Slug: q.Slug, Revision: live.Revision, At: now})
			c.appendEvent(workflow.Event{
				Action: "review_due", Actor: workflow.SystemActor, Revision: live.Revision,
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
