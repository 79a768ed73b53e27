package notify

import (
	"context"

	"github.com/monograph-cms/monograph/internal/cms"
	"github.com/monograph-cms/monograph/internal/editorial"
)

// Notified says who was told about the caller's latest event of one action on a page.
type Notified struct {
	// Recorded is false while the event has not reached the notifications yet (the
	// verifiable log sequences it a moment after the change on MongoDB).
	Recorded bool
	// Recipients is how many notifications the event made.
	Recipients int
	Kind       Kind
}

// NotifiedAbout catches the job up and reports how many people the caller's latest event
// of action on the page notified, so the admin says "the writer will see your comment"
// only when a notification exists. action is one of the actions notifications come from.
func (s *Service) NotifiedAbout(ctx context.Context, caller cms.Principal, pageID, action string) (Notified, error) {
	if _, err := s.Step(ctx); err != nil {
		return Notified{}, err
	}
	events, err := s.pages.AuditEvents(ctx, editorial.AuditFilter{PageID: pageID})
	if err != nil {
		return Notified{}, err
	}
	var ev *editorial.AuditEvent
	for j := len(events) - 1; j >= 0; j-- {
		if events[j].Action == action && events[j].Actor == caller.UserID {
			ev = &events[j]
			break
		}
	}
	if ev == nil {
		return Notified{}, cms.Errorf(cms.CodeNotFound, "you have no %s event on this page", action)
	}
	kind, ok := kindOf(*ev)
	if !ok {
		return Notified{Recorded: true}, nil
	}
	cursor, err := s.store.NotifyCursor(ctx)
	if err != nil {
		return Notified{}, err
	}
	if ev.LogIndex == nil || *ev.LogIndex >= cursor {
		return Notified{Kind: kind}, nil
	}
	users, err := s.users.ListUsers(ctx)
	if err != nil {
		return Notified{}, err
	}
	// The job stored the notifications of every event below the cursor before moving it;
	// the recipients are the same function of the same chain.
	var loc string
	if ps, err := s.pages.PageSummaries(ctx, []string{pageID}); err != nil {
		return Notified{}, err
	} else if len(ps) == 1 {
		loc = translationLocale(ps[0])
	}
	n := len(recipients(kind, *ev, chain(events).before(ev.Seq), directory{users: users}, loc))
	return Notified{Recorded: true, Recipients: n, Kind: kind}, nil
}
