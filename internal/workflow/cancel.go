package workflow

import (
	"time"

	"github.com/monograph-cms/monograph/internal/cms"
)

// CancelSchedule is an editor calling off a scheduled publication: scheduled → approved.
// The approval stands, so the page can be published now or scheduled again without a new
// review; the event is schedule_cancelled, as when the scheduler cancels by itself, with the
// reason "cancelled by <name>".
type CancelSchedule struct {
	Actor cms.Principal
}

func (CancelSchedule) isCommand() {}

func applyCancelSchedule(p Page, c CancelSchedule, _ time.Time) (Page, Event, error) {
	if err := needActor(c.Actor); err != nil {
		return Page{}, Event{}, err
	}
	to, err := transition(p, ActionScheduleCancelled)
	if err != nil {
		return Page{}, Event{}, err
	}
	q := p.Clone()
	q.State = to
	who := c.Actor.Name
	if who == "" {
		who = c.Actor.UserID
	}
	data := map[string]any{"reason": "cancelled by " + who, "contentHash": p.ContentHash}
	if p.ScheduledAt != nil {
		data["scheduledAt"] = stamp(*p.ScheduledAt)
	}
	if p.ScheduledBy != nil {
		data["scheduledBy"] = signerData(*p.ScheduledBy)
	}
	// Apply clears ScheduledAt and ScheduledBy, since the page leaves state scheduled.
	return q, Event{Action: ActionScheduleCancelled, Actor: c.Actor.UserID, Revision: p.Revision, Data: data}, nil
}
