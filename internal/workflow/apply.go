package workflow

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/monograph-cms/monograph/internal/cms"
)

// Command is one thing asked of a page: Save, Submit, RequestChanges, Approve, Publish,
// RunSchedule or Unpublish. The set is closed so that Apply can be exhaustive.
type Command interface {
	isCommand()
}

// Save records that a new revision was written (the caller has stored it). The page returns
// to draft from any state, a pending schedule is cancelled (it was for older content), and
// the actor becomes one of the authors who may not approve this round. The approval is kept,
// now stale; the live revision is untouched.
type Save struct {
	Actor cms.Principal
	// Revision is the new revision's number; it must be greater than the page's.
	Revision int
	// ContentHash is "sha256:…" of the new revision's canonical content.
	ContentHash string
}

// Submit asks for medical review: draft or changes_requested → in_review. BlockingChecks are
// the failures of the caller's pre-review content checks; any one of them refuses the
// submission with CodeCheckFailed.
type Submit struct {
	Actor          cms.Principal
	Note           string
	BlockingChecks []string
}

// RequestChanges is a reviewer sending the latest revision back: in_review →
// changes_requested, with a required comment.
type RequestChanges struct {
	Actor    cms.Principal
	Revision int
	Comment  string
}

// Approve is a reviewer's electronic signature on the latest revision: in_review →
// approved. The caller re-checks the reviewer's password before calling Apply.
// DefaultReviewIntervalDays is the configured interval until the next medical review, used
// when the page sets none (0 means DefaultReviewIntervalDays).
type Approve struct {
	Actor                     cms.Principal
	Revision                  int
	Comment                   string
	DefaultReviewIntervalDays int
	// RevisionAuthor is the user id of the latest revision's author (the caller reads it
	// from the revision). Nobody signs a revision they wrote — in particular the periodic
	// review of unchanged live text, where no author is pending since the last signoff.
	RevisionAuthor string // Locale is the page's locale when it is a translation ("" for a source page), and
	// Languages the signer's languages: a translation is signed only by a reviewer who
	// reads its language (CheckLanguage).
	Locale    string
	Languages []string
}

// Publish puts the approved latest revision live now, or schedules it when At is after now.
// Nobody, admin included, can publish a revision that no reviewer approved as it stands.
type Publish struct {
	Actor cms.Principal
	At    *time.Time
}

// RunSchedule is the scheduler acting on a page whose scheduled time has come. It re-checks
// the approval exactly as Publish does. Since nobody is waiting on an answer:
//   - Not scheduled, or not yet due: CodeInvalidState and nothing to persist. The scheduler
//     may have read the page just before someone rescheduled or saved it; an error (rather
//     than an unchanged page and an empty event) makes sure such a race never writes.
//   - Due, but the approval no longer holds (Apply itself never lets that happen, since a
//     save cancels the schedule; it guards against stored facts changed by other means): no
//     error, the page goes back to draft with the schedule cleared, and the event is
//     scheduled_publish with Data {"outcome":"refused","reason":"approval_stale"} (or
//     "approval_missing"). The refusal must be persisted and audited, and a page left
//     scheduled would be retried forever.
//   - Otherwise the page is published as by Publish, with the person who scheduled it as
//     publisher and SystemActor as the event's actor; Data["outcome"] is "published".
//   - Due, but the editor who scheduled it may no longer publish (PublisherActive false:
//     disabled, or no longer holding a role that publishes): the schedule is cancelled, the
//     page goes back to approved, and the event is schedule_cancelled.
type RunSchedule struct {
	PublisherActive bool
}

// Unpublish takes the live revision down at once, with a required reason.
type Unpublish struct {
	Actor  cms.Principal
	Reason string
}

func (Save) isCommand()           {}
func (Submit) isCommand()         {}
func (RequestChanges) isCommand() {}
func (Approve) isCommand()        {}
func (Publish) isCommand()        {}
func (RunSchedule) isCommand()    {}
func (Unpublish) isCommand()      {}

// Event is what the caller appends to the page's audit chain for one applied command; the
// caller adds the time, sequence number and hashes. Data holds only strings, ints, []string
// and map[string]any with the same, so it encodes identically to JSON and BSON and its hash
// can be recomputed after a round trip through the store.
type Event struct {
	Action Action `json:"action"`
	// Actor is the acting user's id, or SystemActor for the scheduler.
	Actor string `json:"actor"`
	// Revision is the revision the action concerns (for unpublish: the one taken down).
	Revision int            `json:"revision"`
	Data     map[string]any `json:"data,omitempty"`
}

// NewPage returns the workflow facts of a page just created with its first revision, and
// the create event. The creator counts as an author of the first revision, so they cannot be
// the one to approve it.
//
// Errors: CodeUnauthorized without an actor; CodeInvalid for a revision below 1 or an empty
// hash.
func NewPage(actor cms.Principal, revision int, contentHash string) (Page, Event, error) {
	if err := needActor(actor); err != nil {
		return Page{}, Event{}, err
	}
	if err := checkRevision(revision, contentHash, 0); err != nil {
		return Page{}, Event{}, err
	}
	p := Page{
		State:               StateDraft,
		Revision:            revision,
		ContentHash:         contentHash,
		AuthorsSinceSignoff: []string{actor.UserID},
	}
	return p, Event{
		Action:   ActionCreate,
		Actor:    actor.UserID,
		Revision: revision,
		Data:     map[string]any{"contentHash": contentHash},
	}, nil
}

// Apply applies cmd to p at time now and returns the new page facts and the event to record.
// It never modifies p (the result shares no slice or pointer with it); on error it returns
// the zero Page and Event and the caller persists nothing.
//
// Errors are *cms.Error with these codes:
//   - CodeUnauthorized: the command has no actor.
//   - CodeInvalid: a required field is missing (comment, reason), naming the field.
//   - CodeForbidden: RequestChanges or Approve by someone without the reviewer role.
//   - CodeRevisionNotLatest: the command names an older revision; Data["revision"] is the latest.
//   - CodeInvalidState: the transition table does not allow the action from the page's
//     state (Data["state"], Data["allowedFrom"]), or there is nothing live to unpublish, or
//     RunSchedule is early or the page is not scheduled.
//   - CodeCheckFailed: Submit with blocking checks (Data["checks"]).
//   - CodeSelfApproval: the approver authored a revision since the last signoff.
//   - CodeApprovalMissing, CodeApprovalStale: Publish without an approval of the latest
//     revision and its hash.
//   - CodeInternal: cmd is nil or not one of this package's commands.
//
// RunSchedule never returns the last two: a scheduled page whose approval no longer holds is
// a refusal to record, not an error (see RunSchedule).
func Apply(p Page, cmd Command, now time.Time) (Page, Event, error) {
	// BSON dates hold milliseconds: truncating here means the stored page, the audit event and
	// the API all show the same instant, and a hash over the event can be recomputed.
	now = now.UTC().Truncate(time.Millisecond)
	var (
		q   Page
		ev  Event
		err error
	)
	switch c := cmd.(type) {
	case Save:
		q, ev, err = applySave(p, c)
	case Submit:
		q, ev, err = applySubmit(p, c)
	case RequestChanges:
		q, ev, err = applyRequestChanges(p, c)
	case Approve:
		q, ev, err = applyApprove(p, c, now)
	case Publish:
		q, ev, err = applyPublish(p, c, now)
	case RunSchedule:
		q, ev, err = applyRunSchedule(p, c, now)
	case Unpublish:
		q, ev, err = applyUnpublish(p, c, now)
	case CancelSchedule:
		q, ev, err = applyCancelSchedule(p, c, now)
	default:
		err = &cms.Error{Code: cms.CodeInternal, Message: "unknown workflow command", Err: fmt.Errorf("workflow: unknown command %T", cmd)}
	}
	if err != nil {
		return Page{}, Event{}, err
	}
	// A schedule exists only in state scheduled: leaving it by any action cancels it, so no
	// scheduled publish can fire for content that changed or was taken down.
	if q.State != StateScheduled {
		q.ScheduledAt, q.ScheduledBy = nil, nil
	}
	return q, ev, nil
}

// transition asks the table; it is the only way a command changes State.
func transition(p Page, a Action) (State, error) {
	to, ok := Next(p.State, a)
	if !ok {
		from := AllowedFrom(a)
		return "", &cms.Error{
			Code: cms.CodeInvalidState,
			Message: fmt.Sprintf("cannot %s: the page is %s; %s is allowed only from %s",
				verb(a), p.State, a, joinStates(from)),
			Data: map[string]any{"state": string(p.State), "allowedFrom": stateStrings(from)},
		}
	}
	return to, nil
}

func applySave(p Page, c Save) (Page, Event, error) {
	if err := needActor(c.Actor); err != nil {
		return Page{}, Event{}, err
	}
	if err := checkRevision(c.Revision, c.ContentHash, p.Revision); err != nil {
		return Page{}, Event{}, err
	}
	to, err := transition(p, ActionSave)
	if err != nil {
		return Page{}, Event{}, err
	}
	q := p.Clone()
	q.State = to
	q.Revision = c.Revision
	q.ContentHash = c.ContentHash
	if !slices.Contains(q.AuthorsSinceSignoff, c.Actor.UserID) {
		q.AuthorsSinceSignoff = append(q.AuthorsSinceSignoff, c.Actor.UserID)
	}
	data := map[string]any{"contentHash": c.ContentHash, "previousState": string(p.State)}
	if p.ScheduledAt != nil && to != StateScheduled {
		data["cancelledSchedule"] = stamp(*p.ScheduledAt)
	}
	return q, Event{Action: ActionSave, Actor: c.Actor.UserID, Revision: c.Revision, Data: data}, nil
}

func applySubmit(p Page, c Submit) (Page, Event, error) {
	if err := needActor(c.Actor); err != nil {
		return Page{}, Event{}, err
	}
	to, err := transition(p, ActionSubmit)
	if err != nil {
		return Page{}, Event{}, err
	}
	if p.Revision == 0 {
		return Page{}, Event{}, cms.Errorf(cms.CodeInvalidState, "cannot submit: the page has no revision yet")
	}
	if p.State == StateChangesRequested && p.ChangesRequestedOn >= p.Revision {
		return Page{}, Event{}, &cms.Error{
			Code: cms.CodeNoChanges,
			Message: fmt.Sprintf("cannot submit: changes were requested on revision %d and nothing was saved since; "+
				"save the changes the reviewer asked for, then submit", p.ChangesRequestedOn),
			Data: map[string]any{"revision": p.Revision, "changesRequestedOn": p.ChangesRequestedOn},
		}
	}
	if len(c.BlockingChecks) > 0 {
		return Page{}, Event{}, &cms.Error{
			Code:    cms.CodeCheckFailed,
			Message: "cannot submit: blocking checks failed: " + strings.Join(c.BlockingChecks, "; "),
			Data:    map[string]any{"checks": slices.Clone(c.BlockingChecks)},
		}
	}
	q := p.Clone()
	q.State = to
	data := map[string]any{"contentHash": p.ContentHash}
	if note := strings.TrimSpace(c.Note); note != "" {
		data["note"] = note
	}
	return q, Event{Action: ActionSubmit, Actor: c.Actor.UserID, Revision: p.Revision, Data: data}, nil
}

func applyRequestChanges(p Page, c RequestChanges) (Page, Event, error) {
	if err := needReviewer(c.Actor, "request changes"); err != nil {
		return Page{}, Event{}, err
	}
	comment := strings.TrimSpace(c.Comment)
	if comment == "" {
		return Page{}, Event{}, cms.InvalidField("comment", "required: say what must change")
	}
	if err := needLatest(p, c.Revision); err != nil {
		return Page{}, Event{}, err
	}
	to, err := transition(p, ActionRequestChanges)
	if err != nil {
		return Page{}, Event{}, err
	}
	q := p.Clone()
	q.State = to
	q.ChangesRequestedOn = p.Revision
	return q, Event{
		Action:   ActionRequestChanges,
		Actor:    c.Actor.UserID,
		Revision: p.Revision,
		Data:     map[string]any{"comment": comment, "contentHash": p.ContentHash},
	}, nil
}

func applyApprove(p Page, c Approve, now time.Time) (Page, Event, error) {
	// The order is the brief's: who you are, what you name, where the page is, and only then
	// the rule that needs all three.
	if err := needReviewer(c.Actor, "approve"); err != nil {
		return Page{}, Event{}, err
	}
	if err := needLatest(p, c.Revision); err != nil {
		return Page{}, Event{}, err
	}
	to, err := transition(p, ActionApprove)
	if err != nil {
		return Page{}, Event{}, err
	}
	if err := CheckLanguage(c.Locale, c.Languages); err != nil {
		return Page{}, Event{}, err
	}
	if c.RevisionAuthor == c.Actor.UserID {
		return Page{}, Event{}, &cms.Error{
			Code:    cms.CodeSelfApproval,
			Message: fmt.Sprintf("you wrote revision %d; another reviewer must sign it", p.Revision),
			Data:    map[string]any{"revision": p.Revision},
		}
	}
	if slices.Contains(p.AuthorsSinceSignoff, c.Actor.UserID) {
		return Page{}, Event{}, &cms.Error{
			Code: cms.CodeSelfApproval,
			Message: "you authored a revision of this page since it was last approved or published; " +
				"another reviewer must approve it",
			Data: map[string]any{"revision": p.Revision},
		}
	}
	days := p.ReviewIntervalDays
	if days <= 0 {
		days = c.DefaultReviewIntervalDays
	}
	if days <= 0 {
		days = DefaultReviewIntervalDays
	}
	a := Approval{
		Revision:      p.Revision,
		ContentHash:   p.ContentHash,
		Reviewer:      signer(c.Actor),
		SignedAt:      now,
		Meaning:       MeaningApproved,
		Comment:       strings.TrimSpace(c.Comment),
		NextReviewDue: now.AddDate(0, 0, days),
	}
	q := p.Clone()
	q.State = to
	q.Approval = &a
	// The signoff closes the round: authors after this point are counted afresh.
	q.AuthorsSinceSignoff = nil
	data := map[string]any{
		"contentHash":   a.ContentHash,
		"reviewer":      signerData(a.Reviewer),
		"meaning":       a.Meaning,
		"signedAt":      stamp(a.SignedAt),
		"nextReviewDue": stamp(a.NextReviewDue),
	}
	if a.Comment != "" {
		data["comment"] = a.Comment
	}
	if c.Locale != "" {
		// A translation's signature records the language rule it was given under: the
		// locale signed and the signer's languages then (audit verify and import check
		// them; a later change of the signer's languages does not undo a signature).
		data["locale"] = c.Locale
		data["languages"] = append([]string{}, c.Languages...)
	}
	return q, Event{Action: ActionApprove, Actor: c.Actor.UserID, Revision: p.Revision, Data: data}, nil
}

func applyPublish(p Page, c Publish, now time.Time) (Page, Event, error) {
	if err := needActor(c.Actor); err != nil {
		return Page{}, Event{}, err
	}
	// The approval comes first, so a stale or missing approval is always reported as such,
	// whatever the state and whoever asks.
	if err := approvalHolds(p, now); err != nil {
		return Page{}, Event{}, err
	}
	if c.At != nil && c.At.UTC().Truncate(time.Millisecond).After(now) {
		at := c.At.UTC().Truncate(time.Millisecond)
		to, err := transition(p, ActionSchedule)
		if err != nil {
			return Page{}, Event{}, err
		}
		by := signer(c.Actor)
		q := p.Clone()
		q.State = to
		q.ScheduledAt = &at
		q.ScheduledBy = &by
		return q, Event{
			Action:   ActionSchedule,
			Actor:    c.Actor.UserID,
			Revision: p.Revision,
			Data:     map[string]any{"at": stamp(at), "contentHash": p.ContentHash},
		}, nil
	}
	to, err := transition(p, ActionPublish)
	if err != nil {
		return Page{}, Event{}, err
	}
	q := publish(p, to, signer(c.Actor), now)
	return q, Event{Action: ActionPublish, Actor: c.Actor.UserID, Revision: p.Revision, Data: publishData(q.Live)}, nil
}

// applyRunSchedule implements RunSchedule; its choices are documented there.
func applyRunSchedule(p Page, c RunSchedule, now time.Time) (Page, Event, error) {
	if p.State != StateScheduled {
		return Page{}, Event{}, &cms.Error{
			Code:    cms.CodeInvalidState,
			Message: fmt.Sprintf("nothing to publish on schedule: the page is %s", p.State),
			Data:    map[string]any{"state": string(p.State)},
		}
	}
	if p.ScheduledAt == nil || p.ScheduledAt.After(now) {
		msg := "the scheduled publication is not due"
		if p.ScheduledAt != nil {
			msg += " until " + stamp(*p.ScheduledAt)
		}
		return Page{}, Event{}, &cms.Error{Code: cms.CodeInvalidState, Message: msg, Data: map[string]any{"state": string(p.State)}}
	}
	scheduledAt := stamp(*p.ScheduledAt)
	if err := approvalHolds(p, now); err != nil {
		q := p.Clone()
		// Back to draft: only a new review can make this content publishable again.
		q.State = StateDraft
		return q, Event{
			Action:   ActionScheduledPublish,
			Actor:    SystemActor,
			Revision: p.Revision,
			Data: map[string]any{
				"outcome":     "refused",
				"reason":      string(cms.ErrorCode(err)),
				"scheduledAt": scheduledAt,
				"contentHash": p.ContentHash,
			},
		}, nil
	}
	if !c.PublisherActive {
		to, err := transition(p, ActionScheduleCancelled)
		if err != nil {
			return Page{}, Event{}, err
		}
		q := p.Clone()
		q.State = to
		data := map[string]any{"reason": "publisher_inactive", "scheduledAt": scheduledAt, "contentHash": p.ContentHash}
		if p.ScheduledBy != nil {
			data["scheduledBy"] = signerData(*p.ScheduledBy)
		}
		return q, Event{Action: ActionScheduleCancelled, Actor: SystemActor, Revision: p.Revision, Data: data}, nil
	}
	to, err := transition(p, ActionScheduledPublish)
	if err != nil {
		return Page{}, Event{}, err
	}
	by := Signer{ID: SystemActor, Name: "Scheduler"}
	if p.ScheduledBy != nil {
		by = *p.ScheduledBy
	}
	q := publish(p, to, by, now)
	data := publishData(q.Live)
	data["outcome"] = "published"
	data["scheduledAt"] = scheduledAt
	return q, Event{Action: ActionScheduledPublish, Actor: SystemActor, Revision: p.Revision, Data: data}, nil
}

func applyUnpublish(p Page, c Unpublish, now time.Time) (Page, Event, error) {
	if err := needActor(c.Actor); err != nil {
		return Page{}, Event{}, err
	}
	reason := strings.TrimSpace(c.Reason)
	if reason == "" {
		return Page{}, Event{}, cms.InvalidField("reason", "required: say why the page is taken down")
	}
	if p.Live == nil {
		return Page{}, Event{}, &cms.Error{
			Code:    cms.CodeInvalidState,
			Message: "cannot unpublish: the page is not live",
			Data:    map[string]any{"state": string(p.State)},
		}
	}
	to, err := transition(p, ActionUnpublish)
	if err != nil {
		return Page{}, Event{}, err
	}
	q := p.Clone()
	q.State = to
	// Taking a page down voids its approval: only a new submit and signature can put it
	// back up (the reason stays on the page for whoever picks it up).
	q.Approval = nil
	q.Live = nil
	q.Unpublished = &Unpublished{Revision: p.Live.Revision, At: now, By: signer(c.Actor), Reason: reason}
	data := map[string]any{"reason": reason, "contentHash": p.Live.ContentHash}
	if p.ScheduledAt != nil && to != StateScheduled {
		data["cancelledSchedule"] = stamp(*p.ScheduledAt)
	}
	return q, Event{Action: ActionUnpublish, Actor: c.Actor.UserID, Revision: p.Live.Revision, Data: data}, nil
}

// publish returns p with its latest revision live under its approval, which the caller has
// checked.
func publish(p Page, to State, by Signer, now time.Time) Page {
	q := p.Clone()
	q.State = to
	q.Live = &Live{
		Revision:    p.Revision,
		ContentHash: p.ContentHash,
		Approval:    *p.Approval,
		PublishedAt: now,
		PublishedBy: by,
	}
	q.Unpublished = nil
	// A publication is a signoff too: authorship is counted afresh from here.
	q.AuthorsSinceSignoff = nil
	return q
}

func publishData(l *Live) map[string]any {
	return map[string]any{
		"contentHash":      l.ContentHash,
		"approvalRevision": l.Approval.Revision,
		"reviewer":         signerData(l.Approval.Reviewer),
		"signedAt":         stamp(l.Approval.SignedAt),
		"publishedBy":      signerData(l.PublishedBy),
	}
}

// approvalHolds is the one rule no role bypasses: the latest revision, by number and hash,
// carries a signature.
func approvalHolds(p Page, now time.Time) error {
	if p.Approval == nil {
		return &cms.Error{
			Code:    cms.CodeApprovalMissing,
			Message: "cannot publish: no reviewer has approved this page",
			Data:    map[string]any{"revision": p.Revision},
		}
	}
	if !p.Approval.matches(p.Revision, p.ContentHash) {
		return &cms.Error{
			Code: cms.CodeApprovalStale,
			Message: fmt.Sprintf("cannot publish: the approval is for revision %d, but the latest revision is %d; "+
				"it must be reviewed and approved again", p.Approval.Revision, p.Revision),
			Data: map[string]any{"revision": p.Revision, "approvedRevision": p.Approval.Revision},
		}
	}
	if now.After(p.Approval.NextReviewDue) {
		return &cms.Error{
			Code: cms.CodeApprovalExpired,
			Message: fmt.Sprintf("cannot publish: the approval's next medical review was due %s; "+
				"submit the page for review again", stamp(p.Approval.NextReviewDue)),
			Data: map[string]any{"revision": p.Revision, "nextReviewDue": stamp(p.Approval.NextReviewDue)},
		}
	}
	return nil
}

func needActor(a cms.Principal) error {
	if a.UserID == "" {
		return cms.Errorf(cms.CodeUnauthorized, "the action needs an authenticated user")
	}
	return nil
}

// needReviewer repeats the route's authorization for the two signing actions, so that a
// mistake in the policy files cannot let a non-reviewer judge medical content.
func needReviewer(a cms.Principal, what string) error {
	if err := needActor(a); err != nil {
		return err
	}
	if !a.Has(cms.RoleReviewer) {
		return cms.Errorf(cms.CodeForbidden, "only a medical reviewer may %s", what)
	}
	return nil
}

func needLatest(p Page, rev int) error {
	if rev != p.Revision {
		return &cms.Error{
			Code:    cms.CodeRevisionNotLatest,
			Message: fmt.Sprintf("revision %d is not the latest; the latest is %d", rev, p.Revision),
			Data:    map[string]any{"revision": p.Revision},
		}
	}
	return nil
}

// checkRevision guards the caller's bookkeeping: revision numbers only grow, so a signature
// on revision N can never come to describe different content numbered N.
func checkRevision(rev int, hash string, latest int) error {
	if rev <= latest || rev < 1 {
		return cms.InvalidField("revision", fmt.Sprintf("must be greater than %d", latest))
	}
	if hash == "" {
		return cms.InvalidField("contentHash", "required")
	}
	return nil
}

func signer(a cms.Principal) Signer {
	return Signer{ID: a.UserID, Name: a.Name, Credentials: a.Credentials}
}

func signerData(s Signer) map[string]any {
	return map[string]any{"id": s.ID, "name": s.Name, "credentials": s.Credentials}
}

// stamp renders a time for event data: RFC 3339 in UTC, as everywhere in the API.
func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

func stateStrings(ss []State) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = string(s)
	}
	return out
}

// verb renders an action for messages ("request changes", not "request_changes").
func verb(a Action) string { return strings.ReplaceAll(string(a), "_", " ") }
