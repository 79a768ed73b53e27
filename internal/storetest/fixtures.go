package storetest

import (
	"crypto/sha256"
	"encoding/base32"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/monograph-cms/monograph/internal/auth"
	"github.com/monograph-cms/monograph/internal/cms"
	"github.com/monograph-cms/monograph/internal/content"
	"github.com/monograph-cms/monograph/internal/editorial"
	"github.com/monograph-cms/monograph/internal/reviews"
	"github.com/monograph-cms/monograph/internal/webhook"
	"github.com/monograph-cms/monograph/internal/workflow"
)

// Base is the instant the suite's clock starts at. Every time in the suite is Base plus an
// offset (At), so runs are repeatable.
var Base = time.Date(2025, time.March, 3, 9, 0, 0, 0, time.UTC)

// At returns Base+d in UTC, truncated to the millisecond: a time as the services store it.
func At(d time.Duration) time.Time { return Base.Add(d).UTC().Truncate(time.Millisecond) }

var idEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// ID returns a fixed id for name, in the form cms.NewID makes (cms.ValidID accepts it):
// tests name their records and get the same id on every run.
func ID(name string) string {
	sum := sha256.Sum256([]byte(name))
	return idEncoding.EncodeToString(sum[:12])
}

// The people of the fixtures: a writer authors revisions, a reviewer signs, an editor
// publishes.
var (
	Writer = cms.Principal{
		UserID: ID("user/writer"), Email: "wendy.writer@example.org", Name: "Wendy Writer",
		Roles: []cms.Role{cms.RoleWriter},
	}
	Reviewer = cms.Principal{
		UserID: ID("user/reviewer"), Email: "rita.reviewer@example.org", Name: "Rita Reviewer",
		Credentials: "PharmD", Roles: []cms.Role{cms.RoleReviewer},
	}
	Editor = cms.Principal{
		UserID: ID("user/editor"), Email: "ed.editor@example.org", Name: "Ed Editor",
		Roles: []cms.Role{cms.RoleEditor},
	}
)

// Person returns p as pages and revisions record people.
func Person(p cms.Principal) editorial.Person { return editorial.Person{ID: p.UserID, Name: p.Name} }

// Content returns valid, normalized content of a page about the drug title (also its
// drug name), with the long fields summaries leave out: a section body, a clinical use, a
// reference.
func Content(title string) content.Content {
	c := content.Content{
		Title:   title,
		Summary: title + " in short: what it is and what it is used for.",
		Drug: content.Drug{
			Name: title, DrugClasses: []string{"example class"},
			ControlledStatus: []content.ControlledStatus{{Jurisdiction: "US", Schedule: "CIII"}},
		},
		Sections: []content.Section{
			{Key: content.SectionOverview, Title: "Overview", Body: "**" + title + "** is described here at length.\n\nA second paragraph."},
			{Key: content.SectionRisks, Title: "Risks", Body: "- one risk\n- another risk"},
		},
		ClinicalUses:    []content.ClinicalUse{{Name: "Anaesthesia", Description: "Used *in hospital*.", Status: content.UseApproved}},
		Routes:          []string{"intravenous"},
		SideEffects:     content.SideEffects{Common: []string{"nausea"}, Serious: []string{"confusion"}},
		PatientGuidance: []string{"Ask your pharmacist."},
		References:      []content.Reference{{Title: "A reference", URL: "https://example.org/ref", Publisher: "Example Press", Year: 2024}},
		Disclaimer:      "Information only, not medical advice.",
		Tags:            []string{"example"},
	}
	return c.Normalized()
}

// NewRevision returns revision n of a page as the service writes it.
func NewRevision(pageID string, n int, c content.Content, author cms.Principal, at time.Time, note string) editorial.Revision {
	hash := content.Hash(c)
	return editorial.Revision{
		ID: editorial.RevisionID(pageID, n), PageID: pageID, Number: n, Content: c, ContentHash: hash,
		Author: Person(author), CreatedAt: at, Note: note, WriteID: ID(fmt.Sprintf("write/%s/%d/%s", pageID, n, hash)),
	}
}

// LinkEvent appends a workflow event to c.Events as the next link of c.Page's audit chain
// and moves the page's chain head to it, exactly as the editorial service does: Seq is the
// head's plus one, PrevHash the head's hash (GenesisHash for the first), ID is EventID, and
// Hash is AuditEvent.ComputeHash. It returns the event.
func LinkEvent(c *editorial.Change, ev workflow.Event, actorName string, at time.Time) editorial.AuditEvent {
	data := "{}"
	if len(ev.Data) > 0 {
		if b, err := json.Marshal(ev.Data); err == nil {
			data = string(b)
		}
	}
	p := &c.Page
	prev := p.Audit.Hash
	if prev == "" {
		prev = editorial.GenesisHash
	}
	e := editorial.AuditEvent{
		Seq: p.Audit.Seq + 1, At: at.UTC().Truncate(time.Millisecond), Actor: ev.Actor, ActorName: actorName,
		Action: string(ev.Action), PageID: p.ID, Revision: ev.Revision, Data: data, PrevHash: prev,
	}
	e.ID = editorial.EventID(p.ID, e.Seq)
	e.Hash = e.ComputeHash()
	p.Audit = editorial.AuditHead{Seq: e.Seq, Hash: e.Hash}
	c.Events = append(c.Events, e)
	return e
}

// NewPage returns the Change creating a page as the service does: version 1, state draft,
// revision 1 with content c authored by Writer, and the create event as the first link of
// its chain.
func NewPage(tb testing.TB, id, slug string, c content.Content, at time.Time) *editorial.Change {
	tb.Helper()
	wp, ev, err := workflow.NewPage(Writer, 1, content.Hash(c))
	if err != nil {
		tb.Fatalf("storetest: new page %s: %v", slug, err)
	}
	p := editorial.Page{
		ID: id, Slug: slug, Version: 1, Content: c, Workflow: wp,
		CreatedAt: at, CreatedBy: Person(Writer), UpdatedAt: at, UpdatedBy: Person(Writer),
	}
	ch := &editorial.Change{Page: p, Create: true, Revisions: []editorial.Revision{NewRevision(id, 1, c, Writer, at, "first draft")}}
	LinkEvent(ch, ev, Writer.Name, at)
	return ch
}

// Next returns the start of a change of p (a page as read from the store): a copy of p
// sharing nothing mutable with it, at the next version, expected at p's version and audit
// head. An audit-only change (the service's access_denied, review_due) keeps the version:
// set c.Page.Version back to p.Version.
func Next(p editorial.Page) *editorial.Change {
	q := p
	q.Workflow = p.Workflow.Clone()
	if p.ReviewDueNotified != nil {
		t := *p.ReviewDueNotified
		q.ReviewDueNotified = &t
	}
	q.SearchShared = 0
	q.Version++
	return &editorial.Change{Page: q, ExpectVersion: p.Version, ExpectSeq: p.Audit.Seq}
}

// Save adds to ch a new revision with content c authored by Writer at time at, as the
// service's save does: the workflow's save (the page goes back to draft), the revision,
// the working copy, and the save event.
func Save(tb testing.TB, ch *editorial.Change, c content.Content, at time.Time) {
	tb.Helper()
	p := &ch.Page
	n := p.Workflow.Revision + 1
	hash := content.Hash(c)
	wp, ev, err := workflow.Apply(p.Workflow, workflow.Save{Actor: Writer, Revision: n, ContentHash: hash}, at)
	if err != nil {
		tb.Fatalf("storetest: save page %s: %v", p.Slug, err)
	}
	ch.Revisions = append(ch.Revisions, NewRevision(p.ID, n, c, Writer, at, fmt.Sprintf("revision %d", n)))
	p.Workflow, p.Content = wp, c
	p.UpdatedAt, p.UpdatedBy = at, Person(Writer)
	LinkEvent(ch, ev, Writer.Name, at)
}

// SaveChange returns the change saving content c as p's next revision.
func SaveChange(tb testing.TB, p editorial.Page, c content.Content, at time.Time) *editorial.Change {
	tb.Helper()
	ch := Next(p)
	Save(tb, ch, c, at)
	return ch
}

// apply applies one workflow command to ch as the service's applyWorkflow does: the new
// facts, the review baseline, the live snapshot and outbox event of a publication or an
// unpublication, and the event.
func apply(tb testing.TB, ch *editorial.Change, actor cms.Principal, cmd workflow.Command, at time.Time) {
	tb.Helper()
	p := &ch.Page
	before := p.Workflow
	wp, ev, err := workflow.Apply(p.Workflow, cmd, at)
	if err != nil {
		tb.Fatalf("storetest: %T on page %s: %v", cmd, p.Slug, err)
	}
	if err := workflow.CheckInvariant(wp); err != nil {
		tb.Fatalf("storetest: %T on page %s: %v", cmd, p.Slug, err)
	}
	p.Workflow = wp
	p.UpdatedAt, p.UpdatedBy = at, Person(actor)
	if wp.Approval != nil && (before.Approval == nil || *wp.Approval != *before.Approval) {
		p.ReviewBaseline = wp.Approval.Revision
	}
	switch {
	case wp.Live != nil && (before.Live == nil || !wp.Live.PublishedAt.Equal(before.Live.PublishedAt)):
		p.ReviewBaseline = wp.Live.Revision
		ch.Live = &editorial.LiveSnapshot{
			Revision: wp.Live.Revision, ContentHash: wp.Live.ContentHash, Rendered: content.Render(p.Content),
			Approval: wp.Live.Approval, PublishedAt: wp.Live.PublishedAt, PublishedBy: wp.Live.PublishedBy,
		}
		ch.Unpublish = false
		p.ReviewDueNotified = nil
		ch.Outbox = append(ch.Outbox, OutboxEvent(*p, editorial.EventPublished, wp.Live.Revision, at))
	case wp.Live == nil && before.Live != nil:
		ch.Live, ch.Unpublish = nil, true
		ch.Outbox = append(ch.Outbox, OutboxEvent(*p, editorial.EventUnpublished, before.Live.Revision, at))
	}
	LinkEvent(ch, ev, actor.Name, at)
}

// Submit adds to ch the writer's submission for review.
func Submit(tb testing.TB, ch *editorial.Change, at time.Time) {
	tb.Helper()
	apply(tb, ch, Writer, workflow.Submit{Actor: Writer}, at)
}

// Approve adds to ch the reviewer's signature on the latest revision; its next review is
// due 365 days (workflow.DefaultReviewIntervalDays) later unless the page sets another
// interval.
func Approve(tb testing.TB, ch *editorial.Change, at time.Time) {
	tb.Helper()
	apply(tb, ch, Reviewer, workflow.Approve{Actor: Reviewer, Revision: ch.Page.Workflow.Revision, Comment: "checked"}, at)
}

// Publish makes ch put the page's latest revision live at time at: submitted and approved
// first unless it is approved already, then published by Editor, with the live snapshot
// and the page.published outbox event.
func Publish(tb testing.TB, ch *editorial.Change, at time.Time) {
	tb.Helper()
	if s := ch.Page.Workflow.State; s != workflow.StateApproved && s != workflow.StateScheduled {
		Submit(tb, ch, at)
		Approve(tb, ch, at)
	}
	apply(tb, ch, Editor, workflow.Publish{Actor: Editor}, at)
}

// Schedule makes ch schedule the page's latest revision for publication at when (after
// at), submitted and approved first unless it is approved already.
func Schedule(tb testing.TB, ch *editorial.Change, when, at time.Time) {
	tb.Helper()
	if s := ch.Page.Workflow.State; s != workflow.StateApproved && s != workflow.StateScheduled {
		Submit(tb, ch, at)
		Approve(tb, ch, at)
	}
	apply(tb, ch, Editor, workflow.Publish{Actor: Editor, At: &when}, at)
}

// Unpublish makes ch take the page's live revision down, with the page.unpublished outbox
// event.
func Unpublish(tb testing.TB, ch *editorial.Change, reason string, at time.Time) {
	tb.Helper()
	apply(tb, ch, Editor, workflow.Unpublish{Actor: Editor, Reason: reason}, at)
}

// PublishChange returns the change publishing p's latest revision (see Publish).
func PublishChange(tb testing.TB, p editorial.Page, at time.Time) *editorial.Change {
	tb.Helper()
	ch := Next(p)
	Publish(tb, ch, at)
	return ch
}

// UnpublishChange returns the change taking p's live revision down.
func UnpublishChange(tb testing.TB, p editorial.Page, reason string, at time.Time) *editorial.Change {
	tb.Helper()
	ch := Next(p)
	Unpublish(tb, ch, reason, at)
	return ch
}

// OutboxEvent returns a webhook notification about p, with an id fixed by the page, its
// next audit seq and the event name.
func OutboxEvent(p editorial.Page, event string, revision int, at time.Time) editorial.OutboxEvent {
	return editorial.OutboxEvent{
		ID: ID(fmt.Sprintf("outbox/%s/%d/%s", p.ID, p.Audit.Seq+1, event)), Event: event,
		PageID: p.ID, Slug: p.Slug, Revision: revision, At: at,
	}
}

// MustCommit commits ch and returns the page as stored (ch.Page, with the LiveSeq the
// store wrote into it).
func MustCommit(tb testing.TB, s editorial.Store, ch *editorial.Change) editorial.Page {
	tb.Helper()
	if err := s.Commit(tb.Context(), ch); err != nil {
		tb.Fatalf("commit of page %s (version %d): %v", ch.Page.Slug, ch.Page.Version, err)
	}
	return ch.Page
}

// MustCreate creates the page slug (id ID("page/"+slug)) about the drug title at time at.
func MustCreate(tb testing.TB, s editorial.Store, slug, title string, at time.Time) editorial.Page {
	tb.Helper()
	return MustCommit(tb, s, NewPage(tb, ID("page/"+slug), slug, Content(title), at))
}

// MustSave saves content c as p's next revision.
func MustSave(tb testing.TB, s editorial.Store, p editorial.Page, c content.Content, at time.Time) editorial.Page {
	tb.Helper()
	return MustCommit(tb, s, SaveChange(tb, p, c, at))
}

// MustPublish publishes p's latest revision (see Publish).
func MustPublish(tb testing.TB, s editorial.Store, p editorial.Page, at time.Time) editorial.Page {
	tb.Helper()
	return MustCommit(tb, s, PublishChange(tb, p, at))
}

// MustUnpublish takes p's live revision down.
func MustUnpublish(tb testing.TB, s editorial.Store, p editorial.Page, reason string, at time.Time) editorial.Page {
	tb.Helper()
	return MustCommit(tb, s, UnpublishChange(tb, p, reason, at))
}

// MustSchedule schedules p's latest revision for publication at when.
func MustSchedule(tb testing.TB, s editorial.Store, p editorial.Page, when, at time.Time) editorial.Page {
	tb.Helper()
	ch := Next(p)
	Schedule(tb, ch, when, at)
	return MustCommit(tb, s, ch)
}

// MustPage reads a page.
func MustPage(tb testing.TB, s editorial.Store, id string) editorial.Page {
	tb.Helper()
	p, err := s.PageByID(tb.Context(), id)
	if err != nil {
		tb.Fatalf("read page %s: %v", id, err)
	}
	return p
}

// User returns a user with this (normalised) email, id ID("user/"+email), created at at.
func User(email string, at time.Time) auth.User {
	return auth.User{
		ID: ID("user/" + email), Email: email, Name: "User " + email, Roles: []cms.Role{cms.RoleWriter},
		Credentials: "MD", PasswordHash: "$argon2id$v=19$m=65536,t=3,p=2$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
		CreatedAt: at, UpdatedAt: at,
	}
}

// RefreshToken returns an unspent, unrevoked refresh token record of family whose token
// string is token.
func RefreshToken(token, family string, created, expires time.Time) auth.RefreshToken {
	return auth.RefreshToken{
		Hash: auth.HashRefreshToken(token), FamilyID: family, UserID: Writer.UserID,
		CreatedAt: created, ExpiresAt: expires,
	}
}

// Webhook returns a webhook subscribed to every event, id ID("webhook/"+name), created
// (and its secret made) at at.
func Webhook(name string, at time.Time) webhook.Webhook {
	return webhook.Webhook{
		ID: ID("webhook/" + name), URL: "https://example.org/hooks/" + name, Events: append([]string(nil), webhook.Events...),
		Description: "site " + name, CreatedAt: at, CreatedBy: Editor.UserID, SecretRotatedAt: at,
		SealedSecret: []byte("sealed:" + name), KeyID: "key-1",
	}
}

// Delivery returns the pending delivery of event ev to webhook w, made at at, as the
// dispatcher's fan-out makes it.
func Delivery(w webhook.Webhook, ev editorial.OutboxEvent, at time.Time) webhook.Delivery {
	return webhook.Delivery{
		ID: webhook.DeliveryID(w.ID, ev.ID), WebhookID: w.ID, EventID: ev.ID, Event: ev.Event,
		Slug: ev.Slug, Revision: ev.Revision, OccurredAt: ev.At, Status: webhook.StatusPending,
		CreatedAt: at, UpdatedAt: at, NextAttemptAt: at,
	}
}

// Review returns a pending reader review of the page slug, id ID("review/"+name).
func Review(name, slug string, rating int, at time.Time) reviews.Review {
	return reviews.Review{
		ID: ID("review/" + name), Slug: slug, Name: "Reader " + name, Rating: rating,
		Body: "Helpful page.\nThanks <b>" + name + "</b>.", State: reviews.StatePending,
		ClientHash: fmt.Sprintf("%x", sha256.Sum256([]byte(name)))[:32], CreatedAt: at,
	}
}
