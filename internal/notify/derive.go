package notify

import (
	"context"
	"encoding/json"
	"slices"

	"github.com/monograph-cms/monograph/internal/auth"
	"github.com/monograph-cms/monograph/internal/cms"
	"github.com/monograph-cms/monograph/internal/editorial"
	lang "github.com/monograph-cms/monograph/internal/locale"
)

// The audit actions notifications are derived from. translation_outdated is recorded on a
// translation's chain when different source text goes live.
const (
	actionSubmit              = "submit"
	actionRequestChanges      = "request_changes"
	actionApprove             = "approve"
	actionPublish             = "publish"
	actionScheduledPublish    = "scheduled_publish"
	actionReviewDue           = "review_due"
	actionTranslationOutdated = "translation_outdated"
	actionSave                = "save"
	actionCreate              = "create"
	actionRebase              = "rebase" // a translation's save onto another source revision
)

// kindOf returns the kind of notification an event makes, if any.
func kindOf(e editorial.AuditEvent) (Kind, bool) {
	switch e.Action {
	case actionSubmit:
		return KindReviewRequested, true
	case actionRequestChanges:
		return KindChangesRequested, true
	case actionApprove:
		return KindApproved, true
	case actionPublish:
		return KindPublished, true
	case actionScheduledPublish:
		// Only a schedule that went through; a refused one is the schedule_cancelled
		// event's business.
		return KindPublished, eventData(e)["outcome"] == "published"
	case actionReviewDue:
		return KindReviewDue, true
	case actionTranslationOutdated:
		return KindTranslationOutdated, true
	}
	return "", false
}

func eventData(e editorial.AuditEvent) map[string]any {
	m := map[string]any{}
	_ = json.Unmarshal([]byte(e.Data), &m)
	return m
}

// chain is a page's audit chain up to (not including) one event.
type chain []editorial.AuditEvent

// before returns the events of the chain that precede seq.
func (c chain) before(seq int) chain {
	i := 0
	for i < len(c) && c[i].Seq < seq {
		i++
	}
	return c[:i]
}

// lastIndex returns the index of the last event with one of the actions, or -1.
func (c chain) lastIndex(actions ...string) int {
	for i := len(c) - 1; i >= 0; i-- {
		if slices.Contains(actions, c[i].Action) {
			return i
		}
	}
	return -1
}

// authorsSince returns the authors of the revisions written after index i (all when -1):
// the actors of creates, saves and rebases, as the queues count them.
func (c chain) authorsSince(i int) []string {
	var out []string
	for _, e := range c[i+1:] {
		if slices.Contains(authoringActions, e.Action) && !slices.Contains(out, e.Actor) {
			out = append(out, e.Actor)
		}
	}
	return out
}

// submitter returns the actor of the last submit, if any.
func (c chain) submitter() []string {
	if i := c.lastIndex(actionSubmit); i >= 0 {
		return []string{c[i].Actor}
	}
	return nil
}

// directory answers "who holds this role" from one read of the users per batch.
type directory struct{ users []auth.User }

func (d directory) withRole(r cms.Role) []string {
	var out []string
	for _, u := range d.users {
		if !u.Disabled && slices.Contains(u.Roles, r) {
			out = append(out, u.ID)
		}
	}
	return out
}

// reviewersFor returns the reviewers who may sign a page in locale: all of them for a
// source page (locale ""), those whose languages cover it for a translation.
func (d directory) reviewersFor(locale string) []string {
	var out []string
	for _, u := range d.users {
		if !u.Disabled && slices.Contains(u.Roles, cms.RoleReviewer) && (locale == "" || lang.Covers(u.Languages, locale)) {
			out = append(out, u.ID)
		}
	}
	return out
}

func (d directory) active(id string) bool {
	return slices.ContainsFunc(d.users, func(u auth.User) bool { return u.ID == id && !u.Disabled })
}

// recipients returns who is told about event e of a page whose chain before e is prior:
//   - changes requested: the writers of the revisions since the last approval;
//   - review requested and review due: the reviewers (of a translation: those whose
//     languages cover its locale, the only ones who may sign it);
//   - approved: the editors and whoever submitted the page;
//   - published: the authors of the revisions since the previous publication, and the
//     submitter;
//   - translation outdated: every author of the translation.
//
// Never the actor themself, never a disabled account.
func recipients(kind Kind, e editorial.AuditEvent, prior chain, dir directory, locale string) []string {
	var ids []string
	switch kind {
	case KindChangesRequested:
		ids = prior.authorsSince(prior.lastIndex(actionApprove))
	case KindReviewRequested, KindReviewDue:
		ids = dir.reviewersFor(locale)
	case KindApproved:
		ids = append(dir.withRole(cms.RoleEditor), prior.submitter()...)
	case KindPublished:
		ids = append(prior.authorsSince(prior.lastIndex(actionPublish, actionScheduledPublish)), prior.submitter()...)
	case KindTranslationOutdated:
		ids = prior.authorsSince(-1)
	}
	var out []string
	for _, id := range ids {
		if id != e.Actor && dir.active(id) && !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}

// translationLocale is a translation's locale, "" for a source page.
func translationLocale(p editorial.Page) string {
	if p.Translation == nil {
		return ""
	}
	return p.Translation.Locale
}

// derive turns a batch of log events into notifications. Chains and pages are read once
// per page per batch.
func (s *Service) derive(ctx context.Context, events []editorial.AuditEvent) ([]Notification, error) {
	var dir *directory
	chains := map[string]chain{}
	pages := map[string]editorial.Page{}
	var out []Notification
	for _, e := range events {
		kind, ok := kindOf(e)
		if !ok || e.PageID == editorial.AccountsChain {
			continue
		}
		if dir == nil {
			users, err := s.users.ListUsers(ctx)
			if err != nil {
				return nil, err
			}
			dir = &directory{users: users}
		}
		c, seen := chains[e.PageID]
		if !seen {
			evs, err := s.pages.AuditEvents(ctx, editorial.AuditFilter{PageID: e.PageID})
			if err != nil {
				return nil, err
			}
			c = evs
			chains[e.PageID] = c
			ps, err := s.pages.PageSummaries(ctx, []string{e.PageID})
			if err != nil {
				return nil, err
			}
			if len(ps) == 1 {
				pages[e.PageID] = ps[0]
			}
		}
		p := pages[e.PageID]
		comment, _ := eventData(e)["comment"].(string)
		eventID := editorial.EventID(e.PageID, e.Seq)
		for _, user := range recipients(kind, e, c.before(e.Seq), *dir, translationLocale(p)) {
			n := Notification{
				ID: NotificationID(user, eventID), UserID: user, EventID: eventID, Kind: kind,
				PageID: e.PageID, Slug: p.Slug, Title: p.Content.Title, Revision: e.Revision,
				ActorName: e.ActorName, Comment: comment, At: e.At,
			}
			if e.LogIndex != nil {
				n.LogIndex = *e.LogIndex
			}
			if s.mailer != nil {
				next := s.clock.Now()
				n.Mail = Mail{State: MailPending, NextAt: &next}
			}
			out = append(out, n)
		}
	}
	return out, nil
}
