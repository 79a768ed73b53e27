// Package workflow holds the editorial rules of a medication page: its states, the one table
// of allowed transitions, the electronic signature (approval) and the separation-of-duties
// rule, and the checks that keep unapproved words away from readers.
//
// The package is pure: no HTTP, no store, no clock. The caller loads a page, maps it to a
// Page, calls Apply with a Command and the current time, persists the returned Page in one
// conditional update and appends the returned Event to the page's audit chain. Because Apply
// decides everything from its arguments, every rule here is tested without a server.
package workflow

import (
	"slices"
	"strings"
)

// State is the workflow state of a page's working copy (its latest revision). The live,
// published revision is tracked separately (Page.Live): a page can be live at revision 4
// while revision 6 is a draft.
type State string

// The states of the working copy.
const (
	StateDraft            State = "draft"
	StateInReview         State = "in_review"
	StateChangesRequested State = "changes_requested"
	StateApproved         State = "approved"
	StateScheduled        State = "scheduled"
	StatePublished        State = "published"
)

// States lists every state in workflow order, for validation and exhaustive tests.
var States = []State{
	StateDraft, StateInReview, StateChangesRequested, StateApproved, StateScheduled, StatePublished,
}

// Valid reports whether s is a known state.
func (s State) Valid() bool { return slices.Contains(States, s) }

// Action names something done to a page. The state-changing actions appear in the
// transition table; the audit-only actions never change state and exist so that the caller
// records them with the same vocabulary.
type Action string

// The state-changing actions.
const (
	ActionSave             Action = "save"              // a new revision was written
	ActionSubmit           Action = "submit"            // the writer asks for review
	ActionRequestChanges   Action = "request_changes"   // the reviewer sends it back
	ActionApprove          Action = "approve"           // the reviewer's electronic signature
	ActionPublish          Action = "publish"           // the approved revision goes live now
	ActionSchedule         Action = "schedule"          // the approved revision goes live later
	ActionUnpublish        Action = "unpublish"         // the live revision is taken down
	ActionScheduledPublish Action = "scheduled_publish" // the scheduler acting on a schedule
	// ActionScheduleCancelled is the scheduler cancelling a schedule whose editor may no
	// longer publish.
	ActionScheduleCancelled Action = "schedule_cancelled"
)

// The audit-only actions: recorded by the caller, never passed through the transition table.
const (
	ActionCreate          Action = "create"           // the page and its first revision were created
	ActionSignatureFailed Action = "signature_failed" // an approval's password re-check failed
	ActionAccessDenied    Action = "access_denied"    // authorization refused an action on the page
)

// Actions lists every action, state-changing first, for validation and exhaustive tests.
var Actions = []Action{
	ActionSave, ActionSubmit, ActionRequestChanges, ActionApprove, ActionPublish,
	ActionSchedule, ActionUnpublish, ActionScheduledPublish, ActionScheduleCancelled,
	ActionCreate, ActionSignatureFailed, ActionAccessDenied,
}

// Valid reports whether a is a known action.
func (a Action) Valid() bool { return slices.Contains(Actions, a) }

// Transition is one row of the transition table: action Action is allowed from state From
// and leads to state To.
type Transition struct {
	From   State
	Action Action
	To     State
}

// transitions is THE table: the only place that says which action is allowed from which
// state. Commands consult it through Next; data checks (roles, revisions, approvals,
// authorship) come on top and can only refuse more, never allow more.
var transitions = []Transition{
	// A save makes a new revision, so whatever was reviewed or approved no longer describes
	// the working copy: it goes back to draft from everywhere.
	{StateDraft, ActionSave, StateDraft},
	{StateInReview, ActionSave, StateDraft},
	{StateChangesRequested, ActionSave, StateDraft},
	{StateApproved, ActionSave, StateDraft},
	{StateScheduled, ActionSave, StateDraft},
	{StatePublished, ActionSave, StateDraft},

	{StateDraft, ActionSubmit, StateInReview},
	{StateChangesRequested, ActionSubmit, StateInReview},
	// The periodic medical review of unchanged live text: the published revision goes back
	// to a reviewer, whose new signature (and new nextReviewDue) takes effect when it is
	// published again. The live revision stays live meanwhile.
	{StatePublished, ActionSubmit, StateInReview},

	{StateInReview, ActionRequestChanges, StateChangesRequested},
	{StateInReview, ActionApprove, StateApproved},

	// Publishing now from scheduled replaces the schedule; scheduling again moves it.
	{StateApproved, ActionPublish, StatePublished},
	{StateScheduled, ActionPublish, StatePublished},
	{StateApproved, ActionSchedule, StateScheduled},
	{StateScheduled, ActionSchedule, StateScheduled},
	{StateScheduled, ActionScheduledPublish, StatePublished},

	// A schedule whose editor may no longer publish when it falls due is cancelled by the
	// scheduler: the approval stands, an active editor must publish it.
	{StateScheduled, ActionScheduleCancelled, StateApproved},

	// Unpublish is about the live revision, which is independent of the working copy, so it
	// is allowed in every state (Apply additionally requires something to be live). It voids
	// the approval and sends the working copy back to draft from everywhere: a page taken
	// down (often for a medical error) must never go back up with one click and no new
	// review, and a pending schedule is cancelled so it cannot reappear by itself either.
	{StateDraft, ActionUnpublish, StateDraft},
	{StateInReview, ActionUnpublish, StateDraft},
	{StateChangesRequested, ActionUnpublish, StateDraft},
	{StateApproved, ActionUnpublish, StateDraft},
	{StateScheduled, ActionUnpublish, StateDraft},
	{StatePublished, ActionUnpublish, StateDraft},
}

type edge struct {
	from   State
	action Action
}

// index is the table keyed for lookup; it is derived from transitions and never written to
// after package initialisation.
var index = func() map[edge]State {
	m := make(map[edge]State, len(transitions))
	for _, t := range transitions {
		if _, dup := m[edge{t.From, t.Action}]; dup {
			panic("workflow: duplicate transition " + string(t.From) + " --" + string(t.Action) + "->")
		}
		m[edge{t.From, t.Action}] = t.To
	}
	return m
}()

// Next returns the state that action a leads to from state from, and whether the table
// allows it at all. Audit-only actions and unknown states or actions are never allowed.
func Next(from State, a Action) (State, bool) {
	to, ok := index[edge{from, a}]
	return to, ok
}

// Transitions returns a copy of the transition table, in its declared order (for
// documentation, the admin UI, and tests).
func Transitions() []Transition { return slices.Clone(transitions) }

// Allowed returns the actions the table allows from state s, in table order.
func Allowed(s State) []Action {
	var out []Action
	for _, t := range transitions {
		if t.From == s && !slices.Contains(out, t.Action) {
			out = append(out, t.Action)
		}
	}
	return out
}

// AllowedFrom returns the states from which the table allows action a, in table order.
func AllowedFrom(a Action) []State {
	var out []State
	for _, t := range transitions {
		if t.Action == a {
			out = append(out, t.From)
		}
	}
	return out
}

// joinStates renders states for human-readable messages: "draft or changes_requested".
func joinStates(ss []State) string {
	parts := make([]string, len(ss))
	for i, s := range ss {
		parts[i] = string(s)
	}
	switch len(parts) {
	case 0:
		return "no state"
	case 1:
		return parts[0]
	}
	return strings.Join(parts[:len(parts)-1], ", ") + " or " + parts[len(parts)-1]
}
