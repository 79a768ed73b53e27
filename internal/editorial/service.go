package editorial

import (
	"context"
	"fmt"
	"log/slog"
	"regexp"
	"time"
	"unicode/utf8"

	"github.com/monograph-cms/monograph/internal/cms"
	"github.com/monograph-cms/monograph/internal/content"
	"github.com/monograph-cms/monograph/internal/locale"
	"github.com/monograph-cms/monograph/internal/workflow"
)

// Reauthenticator re-checks a user's password for an electronic signature.
type Reauthenticator interface {
	// ReauthenticatePassword returns cms.CodeUnauthorized when the password is wrong, or
	// cms.CodeRateLimited after too many failures.
	ReauthenticatePassword(ctx context.Context, userID, password string) error
}

// Config holds the editorial settings.
type Config struct {
	// DefaultReviewIntervalDays is the time between medical reviews unless a page says.
	DefaultReviewIntervalDays int
	// CheckSeverities says which pre-review checks warn and which block submission.
	CheckSeverities map[string]content.Severity
}

// Service runs authoring and sign-off.
type Service struct {
	cfg    Config
	store  Store
	clock  cms.Clock
	reauth Reauthenticator
	log    *slog.Logger

	// OnLiveChange, when set, is called after a change of what is live (publish,
	// unpublish) is stored; delivery refreshes its cache from it.
	OnLiveChange func(LivePage)
	// OnOutbox, when set, is called after a change that handed events to the webhook
	// outbox is stored, so the dispatcher can send them at once.
	OnOutbox func()
	// Media is the image library (media.go), set by NewMediaLibrary: saves record the
	// images they use through it. Without it, content using images is refused.
	Media *MediaLibrary
	// SnapshotKey seals the live snapshots this service derives (LiveSnapshot.Seal), so a
	// start loads a sealed snapshot as is instead of re-deriving every live page. Without
	// it nothing is sealed and every start re-derives.
	SnapshotKey []byte
	// Accounts tells the rules about users (who may still publish a schedule, who signed
	// an imported approval). Without it, every scheduled publication is cancelled and
	// imports naming signers are refused: the rules fail closed.
	Accounts Accounts
	// Locales are the configured languages (internal/locale): the first is the source of
	// every translation (translations.go).
	Locales locale.Set

	// sweep remembers when the translations sweep last ran (translations_sweep.go).
	sweep translationSweep
}

// Accounts answers the editorial rules' questions about users.
type Accounts interface {
	// Account returns a user's roles and whether the account is enabled; found is false
	// for an id no account has.
	Account(ctx context.Context, userID string) (roles []cms.Role, enabled, found bool, err error)
	// MayPublish reports whether these roles may publish pages (the authorization policy's
	// answer, so the rule is written once).
	MayPublish(roles []cms.Role) bool
}

// NewService returns a Service.
func NewService(cfg Config, store Store, clock cms.Clock, reauth Reauthenticator, log *slog.Logger) *Service {
	if cfg.DefaultReviewIntervalDays <= 0 {
		cfg.DefaultReviewIntervalDays = workflow.DefaultReviewIntervalDays
	}
	if cfg.CheckSeverities == nil {
		cfg.CheckSeverities = content.DefaultCheckSeverities()
	}
	if log == nil {
		log = slog.Default()
	}
	return &Service{cfg: cfg, store: store, clock: clock, reauth: reauth, log: log}
}

var slugPattern = regexp.MustCompile(`^[a-z0-9]+(?:-[a-z0-9]+)*$`)

// ValidateSlug checks the slug rules of docs/api.md.
func ValidateSlug(slug string) error {
	switch {
	case slug == "":
		return cms.InvalidField("slug", "required")
	case len(slug) > 100:
		return cms.InvalidField("slug", "at most 100 characters")
	case !slugPattern.MatchString(slug):
		return cms.InvalidField("slug", "lowercase letters, digits and single hyphens between them (e.g. ketamine-hydrochloride)")
	}
	return nil
}

// prepare normalises and validates content and returns its hash.
func prepare(c *content.Content) (string, error) {
	c.Normalize()
	return c.ValidateAndHash()
}

func person(p cms.Principal) Person { return Person{ID: p.UserID, Name: p.Name} }

// Create makes a page with its first revision. Errors: CodeInvalid naming each field,
// CodeSlugTaken.
func (s *Service) Create(ctx context.Context, actor cms.Principal, slug string, c content.Content, note string) (Page, error) {
	var fields []cms.FieldError
	if err := checkLength("note", note, maxNote); err != nil {
		fields = append(fields, err.(*cms.Error).Fields...)
	}
	if err := ValidateSlug(slug); err != nil {
		fields = append(fields, err.(*cms.Error).Fields...)
	}
	c.TranslationOf = nil // server-set, on translations only (translations.go)
	id := cms.NewID()
	if err := s.attachMedia(ctx, id, &c); err != nil {
		return Page{}, err
	}
	hash, err := prepare(&c)
	if err != nil {
		if e, ok := err.(*cms.Error); ok && e.Code == cms.CodeInvalid {
			fields = append(fields, e.Fields...)
		} else {
			return Page{}, err
		}
	}
	if len(fields) > 0 {
		return Page{}, cms.Invalid(fields...)
	}
	now := s.clock.Now()
	wp, ev, err := workflow.NewPage(actor, 1, hash)
	if err != nil {
		return Page{}, err
	}
	p := Page{
		ID: id, Slug: slug, Version: 1, Content: c, Workflow: wp,
		CreatedAt: now, CreatedBy: person(actor), UpdatedAt: now, UpdatedBy: person(actor),
	}
	ch := &Change{Page: p, Create: true, Revisions: []Revision{s.newRevision(p.ID, 1, c, hash, actor, now, note)}}
	ch.appendEventAs(ev, actor, actor.Name, now)
	if err := s.store.Commit(ctx, ch); err != nil {
		if cms.IsCode(err, cms.CodeConflict) || cms.IsCode(err, cms.CodeSlugTaken) {
			return Page{}, &cms.Error{Code: cms.CodeSlugTaken, Message: "the slug " + slug + " is already used by another page", Fields: []cms.FieldError{{Field: "slug", Message: "already taken"}}}
		}
		return Page{}, err
	}
	s.committed(ch)
	return ch.Page, nil
}

func (s *Service) newRevision(pageID string, n int, c content.Content, hash string, actor cms.Principal, now time.Time, note string) Revision {
	return Revision{
		ID: RevisionID(pageID, n), PageID: pageID, Number: n, Content: c, ContentHash: hash,
		Author: person(actor), CreatedAt: now, Note: note, WriteID: cms.NewID(),
	}
}

// Get returns a page; CodeNotFound for an unknown or malformed id.
func (s *Service) Get(ctx context.Context, id string) (Page, error) {
	if !cms.ValidID(id) {
		return Page{}, cms.Errorf(cms.CodeNotFound, "page not found")
	}
	return s.store.PageByID(ctx, id)
}

// state returns a page without its working copy's content; CodeNotFound for an unknown or
// malformed id.
func (s *Service) state(ctx context.Context, id string) (Page, error) {
	if !cms.ValidID(id) {
		return Page{}, cms.Errorf(cms.CodeNotFound, "page not found")
	}
	return s.store.PageState(ctx, id)
}

// versionConflict is the 412 answer carrying the current version.
func versionConflict(current int) error {
	return &cms.Error{
		Code:    cms.CodeVersionConflict,
		Message: "the page was changed since you loaded it (your If-Match is stale); reload it, merge, and save again",
		Data:    map[string]any{"currentVersion": current},
	}
}

// SaveContent writes new content as a new revision, if expectVersion is the page's version.
// Identical content makes no revision and returns the page unchanged. Errors: CodeInvalid,
// CodeNotFound, CodeVersionConflict (with the current version).
func (s *Service) SaveContent(ctx context.Context, actor cms.Principal, id string, expectVersion int, c content.Content, note string) (Page, bool, error) {
	if err := checkLength("X-Revision-Note", note, maxNote); err != nil {
		return Page{}, false, err
	}
	if cms.ValidID(id) {
		if err := s.attachMedia(ctx, id, &c); err != nil {
			return Page{}, false, err
		}
	}
	hash, err := prepare(&c)
	if err != nil {
		return Page{}, false, err
	}
	for attempt := 0; ; attempt++ {
		// The content it replaces is not read at all.
		p, err := s.state(ctx, id)
		if err != nil {
			return Page{}, false, err
		}
		if p.Version != expectVersion {
			return Page{}, false, versionConflict(p.Version)
		}
		hash = bindTranslation(p, &c, hash) // the link is the server's, never the client's
		if hash == p.Workflow.ContentHash {
			p.Content = c // the same content, by its hash
			return p, false, nil
		}
		ch := &Change{ExpectVersion: p.Version, ExpectSeq: p.Audit.Seq}
		now := s.clock.Now()
		n := p.Workflow.Revision + 1
		wp, ev, err := workflow.Apply(p.Workflow, workflow.Save{Actor: actor, Revision: n, ContentHash: hash}, now)
		if err != nil {
			return Page{}, false, err
		}
		ch.Revisions = []Revision{s.newRevision(p.ID, n, c, hash, actor, now, note)}
		p.Workflow, p.Content = wp, c
		p.Version++
		p.UpdatedAt, p.UpdatedBy = now, person(actor)
		ch.Page = p
		ch.appendEventAs(withData(ev, "contentHash", hash), actor, actor.Name, now)
		err = s.store.Commit(ctx, ch)
		if cms.IsCode(err, cms.CodeVersionConflict) && attempt < 3 {
			continue // re-read: if only the audit head moved, the save still applies
		}
		if err != nil {
			return Page{}, false, err
		}
		s.committed(ch)
		return ch.Page, true, nil
	}
}

func withData(ev workflow.Event, k string, v any) workflow.Event {
	if ev.Data == nil {
		ev.Data = map[string]any{}
	}
	if _, ok := ev.Data[k]; !ok {
		ev.Data[k] = v
	}
	return ev
}

// mutate runs change on a fresh copy of the page and stores the result as one Change,
// retrying when only the audit head moved. ifMatch, when set, must equal the page's version
// (412 otherwise). bumpVersion is false for audit-only appends.
func (s *Service) mutate(ctx context.Context, id string, ifMatch *int, bumpVersion bool, change func(c *Change, now time.Time) error) (Page, error) {
	for attempt := 0; ; attempt++ {
		p, err := s.Get(ctx, id)
		if err != nil {
			return Page{}, err
		}
		if ifMatch != nil && p.Version != *ifMatch {
			return Page{}, versionConflict(p.Version)
		}
		ch := &Change{Page: p, ExpectVersion: p.Version, ExpectSeq: p.Audit.Seq}
		now := s.clock.Now()
		if err := change(ch, now); err != nil {
			return Page{}, err
		}
		if bumpVersion {
			ch.Page.Version++
		}
		err = s.commit(ctx, ch) // with the translations a publication makes outdated
		if cms.IsCode(err, cms.CodeVersionConflict) && attempt < 5 {
			continue
		}
		if err != nil {
			return Page{}, err
		}
		s.committed(ch)
		return ch.Page, nil
	}
}

// committed tells the hooks about a stored change.
func (s *Service) committed(ch *Change) {
	s.recordMediaUsage(ch)
	if len(ch.Outbox) > 0 && s.OnOutbox != nil {
		s.OnOutbox()
	}
	if ch.LiveChange() && s.OnLiveChange != nil {
		s.OnLiveChange(ch.Page.LivePage(ch.Live))
	}
}

// applyWorkflow applies cmd to the page, records the event, and keeps the editorial
// fields that follow from the workflow (live snapshot, baseline, outbox) in step.
func (s *Service) applyWorkflow(ctx context.Context, c *Change, cmd workflow.Command, actor cms.Principal, now time.Time) error {
	p := &c.Page
	before := p.Workflow
	if err := s.checkMediaGate(ctx, cmd, p.Content); err != nil {
		return err // an image deleted since the save is not sent to review or signed (media.go)
	}
	wp, ev, err := workflow.Apply(p.Workflow, cmd, now)
	if err != nil {
		return err
	}
	if err := workflow.CheckInvariant(wp); err != nil {
		return err // fail closed on a rule bug rather than publish
	}
	p.Workflow = wp
	if actor.UserID != "" {
		p.UpdatedAt, p.UpdatedBy = now, person(actor)
	}
	if wp.Approval != nil && (before.Approval == nil || *wp.Approval != *before.Approval) {
		p.ReviewBaseline = wp.Approval.Revision
	}
	switch {
	case wp.Live != nil && (before.Live == nil || wp.Live.PublishedAt != before.Live.PublishedAt):
		p.ReviewBaseline = wp.Live.Revision
		snap, err := s.signedSnapshot(ctx, p.ID, wp.Live)
		if err != nil {
			return err
		}
		if err := s.checkLiveMedia(ctx, snap); err != nil {
			return err // never live with an image the library no longer holds (media.go)
		}
		c.Live = snap
		p.ReviewDueNotified = nil
		c.Outbox = append(c.Outbox, OutboxEvent{ID: cms.NewID(), Event: EventPublished, PageID: p.ID, Slug: p.Slug, Revision: wp.Live.Revision, At: now})
		if err := s.outdateTranslations(ctx, c, now); err != nil {
			return err
		}
	case wp.Live == nil && before.Live != nil:
		c.Unpublish = true
		c.Outbox = append(c.Outbox, OutboxEvent{ID: cms.NewID(), Event: EventUnpublished, PageID: p.ID, Slug: p.Slug, Revision: before.Live.Revision, At: now})
	}
	name := actor.Name
	if ev.Actor == workflow.SystemActor {
		name = "Scheduler"
	}
	c.appendEventAs(ev, actor, name, now)
	return nil
}

// Limits of the free texts that go into the permanent audit trail.
const (
	maxNote    = 2000
	maxComment = 5000
	maxReason  = 2000
)

// checkLength refuses an over-long free text, or one holding invisible characters (a
// comment signed into the permanent record must show what it says), naming the field.
func checkLength(field, text string, max int) error {
	if utf8.RuneCountInString(text) > max {
		return cms.InvalidField(field, fmt.Sprintf("at most %d characters", max))
	}
	return content.CheckVisibleText(field, text)
}

// Submit sends the page to medical review. Blocking pre-review checks refuse it (422).
func (s *Service) Submit(ctx context.Context, actor cms.Principal, id string, ifMatch *int, note string) (Page, error) {
	if err := checkLength("note", note, maxNote); err != nil {
		return Page{}, err
	}
	return s.mutate(ctx, id, ifMatch, true, func(c *Change, now time.Time) error {
		var blocking []string
		for _, r := range append(content.RunChecks(c.Page.Content, s.cfg.CheckSeverities), s.mediaChecks(ctx, c.Page.Content)...) {
			if r.Severity == content.SeverityBlocker {
				blocking = append(blocking, r.ID)
			}
		}
		return s.applyWorkflow(ctx, c, workflow.Submit{Actor: actor, Note: note, BlockingChecks: blocking}, actor, now)
	})
}

// RequestChanges sends the page back to its writers with a comment.
func (s *Service) RequestChanges(ctx context.Context, actor cms.Principal, id string, ifMatch *int, revision int, comment string) (Page, error) {
	if err := checkLength("comment", comment, maxComment); err != nil {
		return Page{}, err
	}
	return s.mutate(ctx, id, ifMatch, true, func(c *Change, now time.Time) error {
		return s.applyWorkflow(ctx, c, workflow.RequestChanges{Actor: actor, Revision: revision, Comment: comment}, actor, now)
	})
}

// Approve is the electronic signature: the reviewer's password is checked again first; a
// wrong one is recorded in the page's audit chain and answered 401, changing nothing else.
func (s *Service) Approve(ctx context.Context, actor cms.Principal, id string, ifMatch *int, revision int, password, comment string) (Page, error) {
	if password == "" {
		return Page{}, cms.InvalidField("password", "required: signing asks for your password again")
	}
	if err := checkLength("comment", comment, maxComment); err != nil {
		return Page{}, err
	}
	if _, err := s.Get(ctx, id); err != nil {
		return Page{}, err
	}
	if err := s.reauth.ReauthenticatePassword(ctx, actor.UserID, password); err != nil {
		if cms.IsCode(err, cms.CodeUnauthorized) || cms.IsCode(err, cms.CodeRateLimited) {
			s.recordAuditOnly(ctx, id, workflow.Event{
				Action: workflow.ActionSignatureFailed, Actor: actor.UserID, Revision: revision,
				Data: map[string]any{"reason": string(cms.ErrorCode(err))},
			}, actor)
		}
		if cms.IsCode(err, cms.CodeUnauthorized) {
			// Its own code: the signature failed, the session is fine (a client must not
			// sign the reviewer out over a mistyped password).
			return Page{}, &cms.Error{Code: cms.CodeSignatureFailed,
				Message: "the password is not correct; nothing was signed", Err: err}
		}
		return Page{}, err
	}
	return s.mutate(ctx, id, ifMatch, true, func(c *Change, now time.Time) error {
		author := ""
		if revision == c.Page.Workflow.Revision {
			r, err := s.store.Revision(ctx, id, revision)
			if err != nil {
				return err
			}
			author = r.Author.ID
		}
		cmd := workflow.Approve{
			Actor: actor, Revision: revision, Comment: comment, DefaultReviewIntervalDays: s.cfg.DefaultReviewIntervalDays,
			RevisionAuthor: author,
		}
		if t := c.Page.Translation; t != nil {
			langs, err := s.languagesOf(ctx, actor.UserID)
			if err != nil {
				return err
			}
			cmd.Locale, cmd.Languages = t.Locale, langs
		}
		return s.applyWorkflow(ctx, c, cmd, actor, now)
	})
}

// Publish puts the approved latest revision live now, or schedules it.
func (s *Service) Publish(ctx context.Context, actor cms.Principal, id string, ifMatch *int, at *time.Time) (Page, error) {
	return s.mutate(ctx, id, ifMatch, true, func(c *Change, now time.Time) error {
		return s.applyWorkflow(ctx, c, workflow.Publish{Actor: actor, At: at}, actor, now)
	})
}

// Unpublish takes the live revision down at once.
func (s *Service) Unpublish(ctx context.Context, actor cms.Principal, id string, ifMatch *int, reason string) (Page, error) {
	if err := checkLength("reason", reason, maxReason); err != nil {
		return Page{}, err
	}
	return s.mutate(ctx, id, ifMatch, true, func(c *Change, now time.Time) error {
		return s.applyWorkflow(ctx, c, workflow.Unpublish{Actor: actor, Reason: reason}, actor, now)
	})
}

// SetReviewInterval sets the page's own number of days between medical reviews (0 = the
// configured default). It takes effect at the next approval: a signature already given
// keeps the due date it was given with.
func (s *Service) SetReviewInterval(ctx context.Context, actor cms.Principal, id string, ifMatch *int, days int) (Page, error) {
	if days < 0 || days > 3650 {
		return Page{}, cms.InvalidField("reviewIntervalDays", "between 1 and 3650 days, or 0 for the default")
	}
	return s.mutate(ctx, id, ifMatch, true, func(c *Change, now time.Time) error {
		c.Page.Workflow.ReviewIntervalDays = days
		c.Page.UpdatedAt, c.Page.UpdatedBy = now, person(actor)
		c.appendEventAs(workflow.Event{
			Action: "settings", Actor: actor.UserID, Revision: c.Page.Workflow.Revision,
			Data: map[string]any{"reviewIntervalDays": days},
		}, actor, actor.Name, now)
		return nil
	})
}

// RecordDenied notes that authorization refused a workflow action on a page. It is logged
// (with the request id), not appended to the page's chain: the chain is the permanent record
// of what was done to the page, and anyone with a login could otherwise grow it without
// bound by repeating a refused request.
func (s *Service) RecordDenied(ctx context.Context, actor cms.Principal, id, action string) {
	s.log.Warn("access denied", "pageId", id, "attempted", action, "actor", actor.UserID,
		"roles", actor.Roles, "requestId", actor.RequestID)
}

func (s *Service) recordAuditOnly(ctx context.Context, id string, ev workflow.Event, actor cms.Principal) {
	_, err := s.mutate(ctx, id, nil, false, func(c *Change, now time.Time) error {
		if ev.Revision == 0 {
			ev.Revision = c.Page.Workflow.Revision
		}
		c.appendEventAs(ev, actor, actor.Name, now)
		return nil
	})
	if err != nil && !cms.IsCode(err, cms.CodeNotFound) {
		s.log.Error("audit: could not record event", "action", ev.Action, "pageId", id, "error", err)
	}
}
