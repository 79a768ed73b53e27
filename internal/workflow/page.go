package workflow

import (
	"fmt"
	"slices"
	"time"

	"github.com/monograph-cms/monograph/internal/cms"
)

// MeaningApproved is the meaning recorded with every approval: what the signer attests to.
// It is part of the electronic-signature record, so it is a constant, not a setting.
const MeaningApproved = "medically reviewed and approved"

// DefaultReviewIntervalDays is used when neither the page nor the caller sets an interval
// between medical reviews.
const DefaultReviewIntervalDays = 365

// SystemActor is the Event.Actor of actions taken by the scheduler rather than a person.
const SystemActor = "system"

// Page is the workflow facts of one page. The caller maps its stored document to a Page and
// back; everything else about the page (slug, content, timestamps) is not the workflow's
// business. The JSON names match the page JSON of the HTTP API where they overlap.
type Page struct {
	State State `json:"state"`
	// Revision is the number of the latest revision (the working copy); 0 means none yet.
	Revision int `json:"revision"`
	// ContentHash is "sha256:…" of the latest revision's canonical content.
	ContentHash string `json:"contentHash"`
	// AuthorsSinceSignoff lists the user ids who authored a revision since the last
	// approval or publication: none of them may approve (separation of duties).
	AuthorsSinceSignoff []string `json:"authorsSinceSignoff,omitempty"`
	// Approval is the latest signature. It is kept after later saves, so that publish can
	// say "stale" rather than "missing"; it counts only while it names the latest revision
	// and hash.
	Approval *Approval `json:"approval"`
	// Live is the published revision, independent of State; nil when nothing is live.
	Live *Live `json:"live"`
	// ScheduledAt is when the scheduler will publish; set exactly while State is scheduled.
	ScheduledAt *time.Time `json:"scheduledAt"`
	// ScheduledBy is who scheduled the publication, recorded as the publisher when the
	// scheduler acts later; set exactly while State is scheduled.
	ScheduledBy *Signer `json:"scheduledBy,omitempty"`
	// ReviewIntervalDays overrides the days between medical reviews for this page; 0 means
	// the default given with the Approve command.
	ReviewIntervalDays int `json:"reviewIntervalDays,omitempty"`
	// Unpublished records the last unpublication, so delivery can answer 410 Gone rather
	// than 404; cleared by the next publication.
	Unpublished *Unpublished `json:"unpublished,omitempty"` // ChangesRequestedOn is the revision a reviewer last sent back: submitting again needs
	// a newer one, so a second reviewer is never asked to sign what the first refused.
	ChangesRequestedOn int `json:"changesRequestedOn,omitempty"`
}

// Signer identifies a person in a signature or publication record, as they were at the time
// (a later change of name or credentials does not rewrite history).
type Signer struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Credentials string `json:"credentials"`
}

// Approval is the electronic signature of a medical reviewer on one exact revision.
type Approval struct {
	Revision    int    `json:"revision"`
	ContentHash string `json:"contentHash"`
	Reviewer    Signer `json:"reviewer"`
	// SignedAt is the time of signature, in UTC.
	SignedAt time.Time `json:"signedAt"`
	// Meaning is what the signature attests to: MeaningApproved.
	Meaning string `json:"meaning"`
	Comment string `json:"comment"`
	// NextReviewDue is when the content must be medically reviewed again.
	NextReviewDue time.Time `json:"nextReviewDue"`
}

// Live is the published revision of a page and the approval it was published under.
type Live struct {
	Revision    int       `json:"revision"`
	ContentHash string    `json:"contentHash"`
	Approval    Approval  `json:"approval"`
	PublishedAt time.Time `json:"publishedAt"`
	PublishedBy Signer    `json:"publishedBy"`
}

// Unpublished records who took a page's live revision down, when and why.
type Unpublished struct {
	// Revision is the revision that was live.
	Revision int       `json:"revision"`
	At       time.Time `json:"at"`
	By       Signer    `json:"by"`
	Reason   string    `json:"reason"`
}

// ReviewOverdue reports whether the medical review recorded by a is past due at now. A nil
// approval is not overdue (there is nothing to re-review); a zero due date is overdue, so
// that missing data is flagged rather than hidden.
func ReviewOverdue(a *Approval, now time.Time) bool {
	return a != nil && now.After(a.NextReviewDue)
}

// Reviewer is the public face of a signer: what readers see in "medically reviewed by".
type Reviewer struct {
	Name        string `json:"name"`
	Credentials string `json:"credentials"`
}

// MedicalReview is the delivery API's "medically reviewed by" attestation of a live page.
type MedicalReview struct {
	Reviewer      Reviewer  `json:"reviewer"`
	ReviewedAt    time.Time `json:"reviewedAt"`
	NextReviewDue time.Time `json:"nextReviewDue"`
	Overdue       bool      `json:"overdue"`
}

// MedicalReview returns the attestation of the live revision at time now. Overdue pages stay
// live; the flag tells readers and reviewers.
func (l *Live) MedicalReview(now time.Time) MedicalReview {
	return MedicalReview{
		Reviewer:      Reviewer{Name: l.Approval.Reviewer.Name, Credentials: l.Approval.Reviewer.Credentials},
		ReviewedAt:    l.Approval.SignedAt,
		NextReviewDue: l.Approval.NextReviewDue,
		Overdue:       ReviewOverdue(&l.Approval, now),
	}
}

// matches reports whether a is a signature on exactly revision rev with content hash hash.
// Both must match: a revert to old content makes a new revision with an old hash, and the
// reviewer signed a revision, not just a text.
func (a *Approval) matches(rev int, hash string) bool {
	return a != nil && a.Revision == rev && a.ContentHash == hash
}

// Clone returns a deep copy of p: no slice or pointer is shared with p, so changing one never
// changes the other.
func (p Page) Clone() Page {
	q := p
	q.AuthorsSinceSignoff = slices.Clone(p.AuthorsSinceSignoff)
	q.Approval = clonePtr(p.Approval)
	q.Live = clonePtr(p.Live)
	q.ScheduledAt = clonePtr(p.ScheduledAt)
	q.ScheduledBy = clonePtr(p.ScheduledBy)
	q.Unpublished = clonePtr(p.Unpublished)
	return q
}

func clonePtr[T any](p *T) *T {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}

// CheckInvariant reports the first rule that p breaks, as a *cms.Error with CodeInternal
// (the detail is in its Err, for the log only). Apply maintains these rules; the caller may
// check a page before persisting it, to fail closed on a bug rather than publish.
//
// The separation-of-duties rule depends on who authored what, which a Page does not
// remember beyond the last signoff; the part visible here is that an approval matching the
// latest revision leaves no author pending.
func CheckInvariant(p Page) error {
	if err := checkInvariant(p); err != nil {
		return &cms.Error{Code: cms.CodeInternal, Message: "page workflow invariant violated", Err: err}
	}
	return nil
}

func checkInvariant(p Page) error {
	if !p.State.Valid() {
		return fmt.Errorf("unknown state %q", p.State)
	}
	if p.Revision < 0 || (p.Revision > 0) == (p.ContentHash == "") {
		return fmt.Errorf("revision %d with content hash %q", p.Revision, p.ContentHash)
	}
	if l := p.Live; l != nil {
		if l.ContentHash == "" || l.Revision <= 0 || l.Revision > p.Revision {
			return fmt.Errorf("live revision %d (%q) with latest revision %d", l.Revision, l.ContentHash, p.Revision)
		}
		if !l.Approval.matches(l.Revision, l.ContentHash) {
			return fmt.Errorf("live revision %d (%s) published under an approval of revision %d (%s)",
				l.Revision, l.ContentHash, l.Approval.Revision, l.Approval.ContentHash)
		}
		if l.Approval.Reviewer.ID == "" || l.Approval.Meaning != MeaningApproved {
			return fmt.Errorf("live revision %d published under an incomplete signature", l.Revision)
		}
		if p.Unpublished != nil {
			return fmt.Errorf("live revision %d while recorded as unpublished", l.Revision)
		}
	}
	if a := p.Approval; a != nil {
		if a.Revision > p.Revision || a.Reviewer.ID == "" || a.Meaning != MeaningApproved {
			return fmt.Errorf("approval of revision %d (latest %d) by %q meaning %q", a.Revision, p.Revision, a.Reviewer.ID, a.Meaning)
		}
		if a.matches(p.Revision, p.ContentHash) && len(p.AuthorsSinceSignoff) > 0 {
			return fmt.Errorf("authors %v pending on an approved latest revision", p.AuthorsSinceSignoff)
		}
	}
	switch p.State {
	case StateApproved, StateScheduled, StatePublished:
		if !p.Approval.matches(p.Revision, p.ContentHash) {
			return fmt.Errorf("state %s without an approval of the latest revision %d", p.State, p.Revision)
		}
	}
	if p.State == StatePublished && (p.Live == nil || p.Live.Revision != p.Revision) {
		return fmt.Errorf("state published but the latest revision %d is not live", p.Revision)
	}
	if scheduled := p.State == StateScheduled; scheduled != (p.ScheduledAt != nil) || scheduled != (p.ScheduledBy != nil) {
		return fmt.Errorf("state %s with scheduledAt %v and scheduledBy %v", p.State, p.ScheduledAt, p.ScheduledBy)
	}
	return nil
}
