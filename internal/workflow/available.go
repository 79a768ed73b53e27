package workflow

import (
	"time"

	"github.com/monograph-cms/monograph/internal/cms"
)

// ActionAvailability says whether one workflow action is open to a user on a page now and,
// when it is not, why: the code and message the action would be refused with.
type ActionAvailability struct {
	Action  Action   `json:"action"`
	Allowed bool     `json:"allowed"`
	Reason  cms.Code `json:"reason,omitempty"`
	Message string   `json:"message,omitempty"`
}

// Asker is who asks what they may do, with the facts about them that the rules need beyond
// the Page.
type Asker struct {
	Actor cms.Principal
	// LatestAuthor is the user id of the latest revision's author: nobody signs what they
	// wrote. The caller may leave it empty where approve is refused anyway (the page is not
	// in review, or the actor is no reviewer).
	LatestAuthor string
	// PasswordChangeRequired is set while the actor's password is one someone else chose:
	// their signatures are refused until they choose their own.
	PasswordChangeRequired bool
	// BlockingChecks are the ids of the working copy's failing blocking pre-review checks.
	BlockingChecks []string
	// Locale is the page's locale when it is a translation ("" otherwise), and Languages
	// the actor's: approve is refused with CodeLanguageNotCovered unless they cover it.
	Locale    string
	Languages []string
}

// ActionCancelSchedule is the action a person takes to call off a scheduled publication: it
// is the table's schedule_cancelled, which the scheduler also takes by itself.
const ActionCancelSchedule = ActionScheduleCancelled

// UserActions are the workflow actions a person may take on a page, in the order an admin
// screen shows them. The scheduler's own action and the audit-only ones are not among them.
var UserActions = []Action{
	ActionSave, ActionSubmit, ActionRequestChanges, ActionApprove,
	ActionPublish, ActionSchedule, ActionCancelSchedule, ActionUnpublish,
}

// Available returns, for each of UserActions, whether the asker may take it on p at now
// and, if not, the refusal Apply would give. It asks Apply itself with a well-formed command
// (a comment, a reason, the latest revision), so the answer cannot drift from the rules:
// what it allows Apply accepts, given the input a person must still type. It checks the
// workflow only; the caller adds the route's authorization.
//
// On top of Apply, approve is refused with CodePasswordChangeRequired while the asker's
// password is one someone else chose (the signature's password check refuses it then).
func Available(p Page, a Asker, now time.Time) []ActionAvailability {
	out := make([]ActionAvailability, 0, len(UserActions))
	for _, act := range UserActions {
		err := tryAction(p, a, act, now)
		if err == nil && act == ActionApprove && a.PasswordChangeRequired {
			err = cms.Errorf(cms.CodePasswordChangeRequired,
				"your password was set by someone else: choose your own before signing")
		}
		av := ActionAvailability{Action: act, Allowed: err == nil}
		if err != nil {
			av.Reason = cms.ErrorCode(err)
			av.Message = errorMessage(err)
		}
		out = append(out, av)
	}
	return out
}

// availabilityPlaceholder stands for the free text (comment, reason) a person types with the
// action: its absence is a form error, not a refusal of the action.
const availabilityPlaceholder = "(to be written)"

// tryAction runs act through Apply on a copy of p and returns Apply's refusal, if any.
func tryAction(p Page, a Asker, act Action, now time.Time) error {
	var cmd Command
	switch act {
	case ActionSave:
		cmd = Save{Actor: a.Actor, Revision: p.Revision + 1, ContentHash: "sha256:next"}
	case ActionSubmit:
		cmd = Submit{Actor: a.Actor, BlockingChecks: a.BlockingChecks}
	case ActionRequestChanges:
		cmd = RequestChanges{Actor: a.Actor, Revision: p.Revision, Comment: availabilityPlaceholder}
	case ActionApprove:
		cmd = Approve{Actor: a.Actor, Revision: p.Revision, RevisionAuthor: a.LatestAuthor, Locale: a.Locale, Languages: a.Languages}
	case ActionPublish:
		cmd = Publish{Actor: a.Actor}
	case ActionSchedule:
		// Any time after now schedules; a minute is as good as a month.
		at := now.Add(time.Minute)
		cmd = Publish{Actor: a.Actor, At: &at}
	case ActionCancelSchedule:
		cmd = CancelSchedule{Actor: a.Actor}
	case ActionUnpublish:
		cmd = Unpublish{Actor: a.Actor, Reason: availabilityPlaceholder}
	default:
		return cms.Errorf(cms.CodeInternal, "no availability for %s", act)
	}
	_, _, err := Apply(p.Clone(), cmd, now)
	return err
}

// errorMessage is err's message for people: a *cms.Error's Message without its wrapped
// detail, which is for the log.
func errorMessage(err error) string {
	if e, ok := err.(*cms.Error); ok {
		return e.Message
	}
	return "not allowed"
}
