package workflow_test

import (
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/monograph-cms/monograph/internal/cms"
	wf "github.com/monograph-cms/monograph/internal/workflow"
)

var (
	propSeed      = flag.Uint64("workflow.seed", 0, "run only the property-test sequence with this seed")
	propSequences = flag.Int("workflow.sequences", 5000, "number of random sequences in the property test")
)

const (
	propBaseSeed = 20250301 // sequence i uses seed propBaseSeed+i: reproducible, and varied
	propMaxSteps = 40
)

// TestPropertyRandomSequences runs thousands of random command sequences by random actors
// and checks after every step, against a model that tracks revisions, authorship and
// approvals by itself (never through the package's own fields), that nothing goes live
// unless a reviewer who wrote none of it since the last signoff approved that exact
// revision and content; and that Apply never touches its input.
func TestPropertyRandomSequences(t *testing.T) {
	seeds := make([]uint64, 0, *propSequences)
	if *propSeed != 0 {
		seeds = append(seeds, *propSeed)
	} else {
		if testing.Short() {
			*propSequences = min(*propSequences, 500)
		}
		for i := range *propSequences {
			seeds = append(seeds, propBaseSeed+uint64(i))
		}
	}
	stats := map[string]int{}
	for _, seed := range seeds {
		if trace, err := runSequence(seed, stats); err != nil {
			t.Fatalf("seed %d: %v\nreplay with: go test ./internal/workflow/ -run 'TestPropertyRandomSequences$' -workflow.seed=%d -v\ntrace:\n%s",
				seed, err, seed, strings.Join(trace, "\n"))
		}
	}
	if *propSeed != 0 {
		t.Logf("outcomes: %v", stats)
		return
	}
	// The run must have exercised what it claims to check; otherwise the properties above
	// hold vacuously.
	for _, k := range []string{
		"approve:ok", "approve:self_approval", "approve:forbidden", "approve:revision_not_latest",
		"publish:ok", "schedule:ok", "publish:approval_missing", "publish:approval_stale", "publish:invalid_state",
		"scheduled_publish:published", "scheduled_publish:invalid_state",
		"save:ok", "save:invalid", "submit:check_failed", "unpublish:ok", "unpublish:invalid_state",
		"request_changes:ok", "live-after-later-save",
	} {
		if stats[k] < 20 {
			t.Errorf("outcome %q happened %d times; the generator no longer exercises it", k, stats[k])
		}
	}
	keys := make([]string, 0, len(stats))
	for k := range stats {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, "%s=%d ", k, stats[k])
	}
	t.Logf("%d sequences; outcomes: %s", len(seeds), b.String())
}

// model is the test's own account of a page's history.
type model struct {
	revHash map[int]string  // every revision ever saved and its content hash
	authors map[string]bool // who authored a revision since the last approval or publication
	// approvals maps each approval the package granted to whether it was legitimate by the
	// model's account: a reviewer, on the latest revision and its hash, not an author.
	approvals map[approvalKey]bool
	latest    *approvalKey // the last approval granted, if any
	latestDue time.Time    // its nextReviewDue
}

type approvalKey struct {
	revision int
	hash     string
	reviewer string
	signedAt int64
}

func keyOf(a wf.Approval) approvalKey {
	return approvalKey{a.Revision, a.ContentHash, a.Reviewer.ID, a.SignedAt.UnixNano()}
}

type generator struct {
	r     *rand.Rand
	users []cms.Principal
}

func (g *generator) randomRoles() []cms.Role {
	var roles []cms.Role
	for _, r := range cms.AllRoles {
		if g.r.IntN(2) == 0 {
			roles = append(roles, r)
		}
	}
	return roles
}

func (g *generator) actor() cms.Principal {
	if g.r.IntN(50) == 0 {
		return cms.Principal{} // nobody: every command must refuse
	}
	i := g.r.IntN(len(g.users))
	if g.r.IntN(20) == 0 { // roles change between requests
		g.users[i].Roles = g.randomRoles()
	}
	u := g.users[i]
	u.Roles = slices.Clone(u.Roles)
	return u
}

func (g *generator) hash(m *model) string {
	if len(m.revHash) > 0 && g.r.IntN(4) == 0 {
		// Revert to the words of an earlier revision: same hash, new revision number.
		return m.revHash[1+g.r.IntN(len(m.revHash))]
	}
	return fmt.Sprintf("sha256:%016x%016x", g.r.Uint64(), g.r.Uint64())
}

func (g *generator) revision(p wf.Page) int {
	if g.r.IntN(7) == 0 {
		return g.r.IntN(p.Revision + 2)
	}
	return p.Revision
}

// command returns a random command and the time to apply it at. Half the time it picks
// what the page's state invites (submit a draft, approve a page in review, wait for a
// schedule), so that sequences get deep enough to publish; otherwise anything, by anyone.
func (g *generator) command(p wf.Page, m *model, now time.Time) (wf.Command, time.Time) {
	n := g.r.IntN(100)
	if g.r.IntN(2) == 0 {
		switch p.State {
		case wf.StateDraft, wf.StateChangesRequested:
			n = 20 // submit
		case wf.StateInReview:
			n = 45 // approve
			if g.r.IntN(5) == 0 {
				n = 38 // request changes
			}
		case wf.StateApproved:
			n = 67 // publish or schedule
		case wf.StateScheduled:
			n = 85 // run the schedule, often when due
			if g.r.IntN(2) == 0 {
				now = p.ScheduledAt.Add(time.Duration(g.r.IntN(3)) * time.Millisecond)
			}
		}
	}
	switch {
	case n < 20:
		c := wf.Save{Actor: g.actor(), Revision: p.Revision + 1, ContentHash: g.hash(m)}
		switch g.r.IntN(30) {
		case 0:
			c.Revision = p.Revision
		case 1:
			c.ContentHash = ""
		}
		return c, now
	case n < 38:
		c := wf.Submit{Actor: g.actor(), Note: "note"}
		if g.r.IntN(10) == 0 {
			c.BlockingChecks = []string{"references: at least one is required"}
		}
		return c, now
	case n < 45:
		c := wf.RequestChanges{Actor: g.signer(), Revision: g.revision(p), Comment: "please fix"}
		if g.r.IntN(10) == 0 {
			c.Comment = ""
		}
		return c, now
	case n < 67:
		return wf.Approve{Actor: g.signer(), Revision: g.revision(p), DefaultReviewIntervalDays: g.r.IntN(400)}, now
	case n < 85:
		c := wf.Publish{Actor: g.actor()}
		switch g.r.IntN(5) {
		case 0, 1:
		case 2:
			c.At = ptr(now.Add(-time.Duration(g.r.IntN(180)) * time.Minute))
		default:
			c.At = ptr(now.Add(time.Duration(1+g.r.IntN(180)) * time.Minute))
		}
		return c, now
	case n < 93:
		return wf.RunSchedule{PublisherActive: g.r.IntN(4) != 0}, now
	default:
		c := wf.Unpublish{Actor: g.actor(), Reason: "withdrawn"}
		if g.r.IntN(10) == 0 {
			c.Reason = ""
		}
		return c, now
	}
}

// signer is the actor for a signing command: more often than chance, someone who holds the
// reviewer role (possibly one who wrote the latest changes).
func (g *generator) signer() cms.Principal {
	if g.r.IntN(3) > 0 {
		for _, i := range g.r.Perm(len(g.users)) {
			if g.users[i].Has(cms.RoleReviewer) {
				u := g.users[i]
				u.Roles = slices.Clone(u.Roles)
				return u
			}
		}
	}
	return g.actor()
}

// runSequence runs one random sequence; it returns the step trace and the first property
// violated.
func runSequence(seed uint64, stats map[string]int) ([]string, error) {
	g := &generator{r: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
	for i := range 2 + g.r.IntN(4) {
		g.users = append(g.users, cms.Principal{UserID: fmt.Sprintf("u%d", i), Name: fmt.Sprintf("User %d", i), Roles: g.randomRoles()})
	}
	m := &model{revHash: map[int]string{}, authors: map[string]bool{}, approvals: map[approvalKey]bool{}}
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(g.r.IntN(1e6)) * time.Second)

	creator := g.users[g.r.IntN(len(g.users))]
	firstHash := g.hash(m)
	p, _, err := wf.NewPage(creator, 1, firstHash)
	if err != nil {
		return nil, err
	}
	m.revHash[1] = firstHash
	m.authors[creator.UserID] = true
	var trace []string

	steps := 1 + g.r.IntN(propMaxSteps)
	for step := range steps {
		now = now.Add(time.Duration(g.r.IntN(90)) * time.Minute)
		var cmd wf.Command
		cmd, now = g.command(p, m, now)
		want := predict(p, m, cmd, now)

		before := snapshot(p)
		q, ev, err := wf.Apply(p, cmd, now)
		code := cms.ErrorCode(err)
		trace = append(trace, fmt.Sprintf("%2d %s %s %+v -> %q %s %v", step, now.Format(time.RFC3339), p.State, cmd, code, ev.Action, ev.Data))

		if !reflect.DeepEqual(before, p) {
			return trace, fmt.Errorf("Apply mutated its input:\nbefore %+v\nafter  %+v", before, p)
		}
		if want != "?" && string(code) != want {
			return trace, fmt.Errorf("outcome %q, the model expected %q", code, or(want, "success"))
		}
		name := commandName(cmd, ev)
		if err != nil {
			stats[name+":"+string(code)]++
			var e *cms.Error
			if !errors.As(err, &e) || e.Code == cms.CodeInternal {
				return trace, fmt.Errorf("unexpected error %v", err)
			}
			if !reflect.DeepEqual(q, wf.Page{}) || !reflect.DeepEqual(ev, wf.Event{}) {
				return trace, fmt.Errorf("a failed Apply returned page %+v and event %+v", q, ev)
			}
			continue
		}
		stats[name+":ok"]++
		if outcome, ok := ev.Data["outcome"].(string); ok {
			stats[name+":"+outcome]++
		}
		if err := sharesMemory(p, q); err != nil {
			return trace, err
		}

		// Update the model from the command, not from the package's fields.
		switch c := cmd.(type) {
		case wf.Save:
			m.revHash[c.Revision] = c.ContentHash
			m.authors[c.Actor.UserID] = true
		case wf.Approve:
			key := keyOf(*q.Approval)
			legit := c.Actor.Has(cms.RoleReviewer) && !m.authors[c.Actor.UserID] &&
				key.revision == p.Revision && key.hash == m.revHash[p.Revision] && key.reviewer == c.Actor.UserID
			if !legit {
				return trace, fmt.Errorf("approval granted that the model refuses: %+v by %+v, authors %v", key, c.Actor, m.authors)
			}
			m.approvals[key] = true
			m.latest = &key
			m.latestDue = q.Approval.NextReviewDue
			clear(m.authors)
		case wf.Unpublish:
			m.latest = nil // taking a page down voids its approval
		}
		published := ev.Action == wf.ActionPublish || (ev.Action == wf.ActionScheduledPublish && ev.Data["outcome"] == "published")
		if published {
			clear(m.authors)
			if q.Live == nil || q.Live.Revision != p.Revision || q.Live.ContentHash != m.revHash[p.Revision] {
				return trace, fmt.Errorf("publish of revision %d put %+v live", p.Revision, q.Live)
			}
		}
		liveMayChange := published || ev.Action == wf.ActionUnpublish
		if !liveMayChange && !reflect.DeepEqual(p.Live, q.Live) {
			return trace, fmt.Errorf("%s changed the live revision from %+v to %+v", ev.Action, p.Live, q.Live)
		}
		p = q

		// The properties, after every successful step.
		if err := wf.CheckInvariant(p); err != nil {
			return trace, err
		}
		if l := p.Live; l != nil {
			if l.Revision < p.Revision {
				stats["live-after-later-save"]++
			}
			h, ok := m.revHash[l.Revision]
			switch {
			case !ok:
				return trace, fmt.Errorf("live revision %d was never saved", l.Revision)
			case l.ContentHash != h:
				return trace, fmt.Errorf("live revision %d has hash %s, but that revision's content is %s", l.Revision, l.ContentHash, h)
			case l.Approval.Revision != l.Revision || l.Approval.ContentHash != h:
				return trace, fmt.Errorf("live revision %d (%s) carries an approval of revision %d (%s)",
					l.Revision, h, l.Approval.Revision, l.Approval.ContentHash)
			case !m.approvals[keyOf(l.Approval)]:
				return trace, fmt.Errorf("live revision %d carries an approval the model never saw granted legitimately: %+v", l.Revision, l.Approval)
			}
		}
	}
	return trace, nil
}

// predict returns the error code the model expects ("" for success), or "?" where the model
// does not predict and only the properties are checked. Predictions cover the rules the
// product promises: roles for signing, the latest revision, separation of duties, and the
// approval that no role bypasses. The state checks are the transition table's, tested on
// their own.
func predict(p wf.Page, m *model, cmd wf.Command, now time.Time) string {
	stateOK := func(a wf.Action) bool { _, ok := wf.Next(p.State, a); return ok }
	switch c := cmd.(type) {
	case wf.Save:
		switch {
		case c.Actor.UserID == "":
			return string(cms.CodeUnauthorized)
		case c.Revision <= p.Revision || c.ContentHash == "":
			return string(cms.CodeInvalid)
		}
		return ""
	case wf.Approve:
		switch {
		case c.Actor.UserID == "":
			return string(cms.CodeUnauthorized)
		case !c.Actor.Has(cms.RoleReviewer):
			return string(cms.CodeForbidden)
		case c.Revision != p.Revision:
			return string(cms.CodeRevisionNotLatest)
		case p.State != wf.StateInReview:
			return string(cms.CodeInvalidState)
		case m.authors[c.Actor.UserID]:
			return string(cms.CodeSelfApproval)
		}
		return ""
	case wf.Publish:
		switch {
		case c.Actor.UserID == "":
			return string(cms.CodeUnauthorized)
		case m.latest == nil:
			return string(cms.CodeApprovalMissing)
		case m.latest.revision != p.Revision || m.latest.hash != m.revHash[p.Revision]:
			return string(cms.CodeApprovalStale)
		case now.After(m.latestDue):
			return string(cms.CodeApprovalExpired)
		case c.At != nil && c.At.After(now):
			if !stateOK(wf.ActionSchedule) {
				return string(cms.CodeInvalidState)
			}
		case !stateOK(wf.ActionPublish):
			return string(cms.CodeInvalidState)
		}
		return ""
	case wf.RunSchedule:
		// Within the package's own flows a schedule is never stale (a save cancels it), so
		// a due schedule always publishes.
		if p.State != wf.StateScheduled || p.ScheduledAt.After(now) {
			return string(cms.CodeInvalidState)
		}
		return ""
	}
	return "?"
}

// sharesMemory reports an error when the result of Apply shares a slice or pointer with its
// input, which would let a later change to one silently change the other.
func sharesMemory(in, out wf.Page) error {
	if len(in.AuthorsSinceSignoff) > 0 && cap(out.AuthorsSinceSignoff) > 0 &&
		&in.AuthorsSinceSignoff[:1][0] == &out.AuthorsSinceSignoff[:1][0] {
		return errors.New("result shares AuthorsSinceSignoff with the input")
	}
	same := func(a, b any) bool {
		va, vb := reflect.ValueOf(a), reflect.ValueOf(b)
		return !va.IsNil() && va.Pointer() == vb.Pointer()
	}
	if same(in.Approval, out.Approval) || same(in.Live, out.Live) || same(in.ScheduledAt, out.ScheduledAt) ||
		same(in.ScheduledBy, out.ScheduledBy) || same(in.Unpublished, out.Unpublished) {
		return errors.New("result shares a pointer with the input")
	}
	return nil
}

func commandName(cmd wf.Command, ev wf.Event) string {
	if ev.Action != "" {
		return string(ev.Action)
	}
	switch cmd.(type) {
	case wf.Save:
		return "save"
	case wf.Submit:
		return "submit"
	case wf.RequestChanges:
		return "request_changes"
	case wf.Approve:
		return "approve"
	case wf.Publish:
		return "publish"
	case wf.RunSchedule:
		return "scheduled_publish"
	case wf.Unpublish:
		return "unpublish"
	}
	return fmt.Sprintf("%T", cmd)
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
