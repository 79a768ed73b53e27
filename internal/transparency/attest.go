package transparency

import (
	"context"
	"encoding/json"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/monograph-cms/monograph/internal/cms"
	"github.com/monograph-cms/monograph/internal/editorial"
	"github.com/monograph-cms/monograph/internal/workflow"
)

// Attestation shows that a page's live revision is the one a reviewer signed and an editor
// published: the two events of the page's chain that did so, a signed checkpoint, and the
// proofs that both events are leaves of the checkpoint's tree. A reader checks it with the
// log's verifier key and the x/mod packages alone: tlog.CheckRecord(proof, checkpoint size,
// checkpoint root, event.logIndex, tlog.RecordHash([]byte(event.hash))).
type Attestation struct {
	Slug        string               `json:"slug"`
	Revision    int                  `json:"revision"`
	ContentHash string               `json:"contentHash"`
	Approval    editorial.AuditEvent `json:"approval"`
	Publication editorial.AuditEvent `json:"publication"`
	Checkpoint  string               `json:"checkpoint"`
	Proofs      AttestationProofs    `json:"proofs"`
}

// AttestationProofs are the inclusion proofs of the two events, base64 hashes.
type AttestationProofs struct {
	Approval    []string `json:"approval"`
	Publication []string `json:"publication"`
}

// AttestSlug returns the attestation of the revision live at slug; CodeNotFound when no
// page is live there (see SetLivePages).
func (l *Log) AttestSlug(ctx context.Context, slug string) (Attestation, error) {
	var id string
	ok := false
	if l.livePages != nil {
		id, ok = l.livePages(slug)
	}
	if !ok {
		return Attestation{}, cms.Errorf(cms.CodeNotFound, "no page is live at %s", slug)
	}
	return l.Attest(ctx, id, slug)
}

// SetLivePages sets how AttestSlug finds the page live at a slug (delivery's snapshot).
func (l *Log) SetLivePages(lookup func(slug string) (pageID string, live bool)) { l.livePages = lookup }

// Attest returns the attestation of the revision live on page pageID (at slug).
// CodeNotFound when nothing is live there; CodeUnavailable when the events are not in the
// log yet (a store that sequences in the background, a moment after the publication).
func (l *Log) Attest(ctx context.Context, pageID, slug string) (Attestation, error) {
	lp, err := l.store.LiveSnapshot(ctx, pageID)
	if err != nil {
		return Attestation{}, err
	}
	if lp.Live == nil {
		return Attestation{}, cms.Errorf(cms.CodeNotFound, "no page is live at %s", slug)
	}
	approval, publication, err := l.liveEventsOf(ctx, lp)
	if err != nil {
		return Attestation{}, err
	}
	cp, err := l.Checkpoint(ctx)
	if err != nil {
		return Attestation{}, err
	}
	a := Attestation{
		Slug: slug, Revision: lp.Live.Revision, ContentHash: lp.Live.ContentHash,
		Approval: approval, Publication: publication, Checkpoint: string(cp.Note),
	}
	for _, x := range []struct {
		e   editorial.AuditEvent
		out *[]string
	}{{approval, &a.Proofs.Approval}, {publication, &a.Proofs.Publication}} {
		if *x.e.LogIndex >= cp.Size {
			return Attestation{}, errNotLoggedYet()
		}
		p, err := tlog.ProveRecord(cp.Size, *x.e.LogIndex, HashReader(ctx, l.store))
		if err != nil {
			return Attestation{}, storeError(err)
		}
		*x.out = HashStrings(p)
	}
	return a, nil
}

// liveEventsOf returns the approval and publication events of a live page, from the cache
// while the page's publication is the one cached (its LiveSeq): a public route must not
// read a whole chain per request.
func (l *Log) liveEventsOf(ctx context.Context, lp editorial.LivePage) (approval, publication editorial.AuditEvent, err error) {
	key := attestKey{lp.ID, lp.LiveSeq}
	l.mu.Lock()
	cached, ok := l.attested[key]
	l.mu.Unlock()
	if ok {
		return cached[0], cached[1], nil
	}
	approval, publication, err = l.liveEvents(ctx, lp.ID, lp.Live)
	if err != nil {
		return approval, publication, err
	}
	if approval.LogIndex == nil || publication.LogIndex == nil {
		// Sequence them now rather than make the reader wait for the store's next round.
		if _, err := l.store.AppendLog(ctx); err != nil {
			return approval, publication, err
		}
		if approval, publication, err = l.liveEvents(ctx, lp.ID, lp.Live); err != nil {
			return approval, publication, err
		}
		if approval.LogIndex == nil || publication.LogIndex == nil {
			return approval, publication, errNotLoggedYet()
		}
	}
	l.mu.Lock()
	if len(l.attested) >= maxAttested {
		clear(l.attested) // simplest bound: the live pages' entries come back on their next request
	}
	l.attested[key] = [2]editorial.AuditEvent{approval, publication}
	l.mu.Unlock()
	return approval, publication, nil
}

// attestKey names one publication of one page.
type attestKey struct {
	pageID  string
	liveSeq int64
}

// maxAttested bounds the publications whose events are cached.
const maxAttested = 8192

func errNotLoggedYet() error {
	return cms.Errorf(cms.CodeUnavailable, "the publication is not in the verifiable log yet; try again in a few seconds")
}

// liveEvents finds, in the page's chain, the approve event that made the live approval
// and the publish or scheduled_publish event that put it live: those of the live revision
// and content hash, at the signing and publication times when one is (the service writes
// the facts and the event at one instant), else the last.
func (l *Log) liveEvents(ctx context.Context, pageID string, live *workflow.Live) (approval, publication editorial.AuditEvent, err error) {
	events, err := l.store.AuditEvents(ctx, editorial.AuditFilter{PageID: pageID})
	if err != nil {
		return approval, publication, err
	}
	var a, p match
	for _, e := range events {
		switch workflow.Action(e.Action) {
		case workflow.ActionApprove:
			if e.Revision == live.Approval.Revision && dataString(e, "contentHash") == live.Approval.ContentHash {
				a.offer(e, live.Approval.SignedAt)
			}
		case workflow.ActionPublish, workflow.ActionScheduledPublish:
			if e.Revision == live.Revision && dataString(e, "contentHash") == live.ContentHash {
				p.offer(e, live.PublishedAt)
			}
		}
	}
	if a.e == nil || p.e == nil {
		// The live facts name events the chain does not have: the store was altered.
		return approval, publication, &cms.Error{Code: cms.CodeInternal,
			Message: "the page's audit chain has no events of its live approval and publication"}
	}
	return *a.e, *p.e, nil
}

// match keeps the best event offered: the last at the wanted time, else the last.
type match struct {
	e     *editorial.AuditEvent
	timed bool
}

func (m *match) offer(e editorial.AuditEvent, at time.Time) {
	timed := e.At.Equal(at.UTC().Truncate(time.Millisecond))
	if timed || !m.timed {
		m.e, m.timed = &e, timed
	}
}

// dataString returns a string member of an event's data ("" if absent).
func dataString(e editorial.AuditEvent, key string) string {
	var m map[string]any
	if json.Unmarshal([]byte(e.Data), &m) != nil {
		return ""
	}
	s, _ := m[key].(string)
	return s
}
