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

// NotifiedAbout catches the job up and reports how many notifications the caller's latest
// event of action on the page made, so the admin says "the writer will see your comment"
// only when one was stored. It counts the stored notifications, never the people the event
// would notify now (accounts created or disabled since would make that untrue). action is
// one of the actions notifications come from.
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
	// The job stored the event's notifications before it moved the cursor past its leaf.
	n, err := s.store.EventNotifications(ctx, editorial.EventID(ev.PageID, ev.Seq))
	if err != nil {
		return Notified{}, err
	}
	return Notified{Recorded: true, Recipients: n, Kind: kind}, nil
}
