package editorial_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/monograph-cms/monograph/internal/cms"
	"github.com/monograph-cms/monograph/internal/content"
	"github.com/monograph-cms/monograph/internal/editorial"
	"github.com/monograph-cms/monograph/internal/locale"
	"github.com/monograph-cms/monograph/internal/storage"
	"github.com/monograph-cms/monograph/internal/teststore"
)

// These tests drive the service over the test run's real store (teststore: SQLite, or the
// MongoDB adapter with MONOGRAPH_TEST_STORE=ferretdb-server). hookedStore passes every call
// to it, and lets a test run something at one exact moment of a change (another writer's
// publication), or stop answering after a publication as a crashed process would.
type hookedStore struct {
	storage.Store
	// beforeCreate runs once, just before a translation's create is committed, and
	// beforeRevision just before a new revision of a translation is.
	beforeCreate, beforeRevision func()
	// crashAfterPublication stores only the first change of a CommitAll (the publication),
	// then fails every later call: the process stopped.
	crashAfterPublication bool
	crashed               atomic.Bool
}

var errCrashed = cms.Errorf(cms.CodeUnavailable, "the process stopped")

func (h *hookedStore) Commit(ctx context.Context, c *editorial.Change) error {
	if h.crashed.Load() {
		return errCrashed
	}
	if f := h.beforeCreate; f != nil && c.Create && c.Page.Translation != nil {
		h.beforeCreate = nil
		f()
	}
	if f := h.beforeRevision; f != nil && !c.Create && c.Page.Translation != nil && len(c.Revisions) > 0 {
		h.beforeRevision = nil
		f()
	}
	return h.Store.Commit(ctx, c)
}

func (h *hookedStore) CommitAll(ctx context.Context, cs []*editorial.Change) (int, error) {
	if h.crashed.Load() {
		return 0, errCrashed
	}
	if h.crashAfterPublication && len(cs) > 1 {
		if err := h.Store.Commit(ctx, cs[0]); err != nil {
			return 0, err
		}
		h.crashed.Store(true)
		return 1, errCrashed
	}
	return h.Store.CommitAll(ctx, cs)
}

func (h *hookedStore) PageState(ctx context.Context, id string) (editorial.Page, error) {
	if h.crashed.Load() {
		return editorial.Page{}, errCrashed
	}
	return h.Store.PageState(ctx, id)
}

func (h *hookedStore) Translations(ctx context.Context, id string) ([]editorial.Page, error) {
	if h.crashed.Load() {
		return nil, errCrashed
	}
	return h.Store.Translations(ctx, id)
}

var (
	trReviewer = cms.Principal{UserID: "rev1", Name: "Rita Reviewer", Credentials: "MD", Roles: []cms.Role{cms.RoleReviewer}}
	trEditor   = cms.Principal{UserID: "ed1", Name: "Ed Editor", Roles: []cms.Role{cms.RoleEditor}}
)

func translationService(store editorial.Store) *editorial.Service {
	svc := editorial.NewService(editorial.Config{}, store, cms.SystemClock{}, noReauth{}, slog.New(slog.DiscardHandler))
	svc.Locales = locale.MustParse("en,es")
	return svc
}

// signed saves c as a new revision of page id (when c is given), has it submitted and
// approved; it returns the page.
func signed(t *testing.T, svc *editorial.Service, id string, c *content.Content) editorial.Page {
	t.Helper()
	ctx := t.Context()
	p, err := svc.Get(ctx, id)
	if err == nil && c != nil {
		p, _, err = svc.SaveContent(ctx, benchWriter, id, p.Version, *c, "")
	}
	if err == nil {
		p, err = svc.Submit(ctx, benchWriter, id, nil, "")
	}
	if err == nil {
		p, err = svc.Approve(ctx, trReviewer, id, nil, p.Workflow.Revision, "pw", "")
	}
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// liveSource creates and publishes a source page, then saves and signs a second text of it
// (not yet published).
func liveSource(t *testing.T, svc *editorial.Service, slug string) editorial.Page {
	t.Helper()
	p, err := svc.Create(t.Context(), benchWriter, slug, sampleContent(t), "")
	if err != nil {
		t.Fatal(err)
	}
	signed(t, svc, p.ID, nil)
	if _, err := svc.Publish(t.Context(), trEditor, p.ID, nil, nil); err != nil {
		t.Fatal(err)
	}
	c := sampleContent(t)
	c.Summary = "A second text, signed and waiting for its publication."
	return signed(t, svc, p.ID, &c)
}

// outdatedOnce checks that translation id is flagged outdated with one audit event and one
// webhook in the outbox.
func outdatedOnce(t *testing.T, store storage.Store, id string) {
	t.Helper()
	ctx := t.Context()
	p, err := store.PageByID(ctx, id)
	if err != nil || p.Translation == nil || !p.Translation.Outdated {
		t.Fatalf("translation after the source's publication: %+v %v", p.Translation, err)
	}
	evs, err := store.AuditEvents(ctx, editorial.AuditFilter{PageID: id})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range evs {
		if e.Action == string(editorial.ActionTranslationOutdated) {
			n++
		}
	}
	out, err := store.PendingOutbox(ctx, 1000)
	if err != nil {
		t.Fatal(err)
	}
	m := 0
	for _, o := range out {
		if o.PageID == id && o.Event == editorial.EventTranslationOutdated {
			m++
		}
	}
	if n != 1 || m != 1 {
		t.Fatalf("%d translation_outdated audit events and %d webhooks, want one each", n, m)
	}
}

// A translation created while its source's new text is being published (after the create
// read the source, before it committed) is flagged outdated, with its audit event and
// webhook: the publication's own list of translations did not hold it.
func TestTranslationCreatedDuringSourcePublicationIsFlagged(t *testing.T) {
	store := teststore.MustOpen(t)
	h := &hookedStore{Store: store}
	svc := translationService(h)
	src := liveSource(t, svc, "ketamine-race")
	h.beforeCreate = func() {
		if _, err := svc.Publish(t.Context(), trEditor, src.ID, nil, nil); err != nil {
			t.Error(err)
		}
	}
	tr, err := svc.CreateTranslation(t.Context(), benchWriter, src.ID, "es", "ketamina-race", sampleContent(t), 0, "")
	if err != nil {
		t.Fatal(err)
	}
	if tr.Translation == nil || !tr.Translation.Outdated {
		t.Fatalf("the create answered %+v", tr.Translation)
	}
	outdatedOnce(t, store, tr.ID)
}

// A process that stops after storing a source's publication and before its translations'
// flags (MongoDB without transactions stores them one after the other) leaves them unset:
// the sweep of the scheduled jobs sets them at the next start, with the audit event and the
// webhook, once.
func TestSweepSetsFlagsAStoppedProcessLeftUnset(t *testing.T) {
	store := teststore.MustOpen(t)
	h := &hookedStore{Store: store}
	svc := translationService(h)
	src := liveSource(t, svc, "ketamine-crash")
	tr, err := svc.CreateTranslation(t.Context(), benchWriter, src.ID, "es", "ketamina-crash", sampleContent(t), 0, "")
	if err != nil || tr.Translation.Outdated {
		t.Fatalf("create: %+v %v", tr.Translation, err)
	}
	h.crashAfterPublication = true
	if _, err := svc.Publish(t.Context(), trEditor, src.ID, nil, nil); err != nil {
		t.Fatal(err)
	}
	if p, err := store.PageByID(t.Context(), tr.ID); err != nil || p.Translation.Outdated {
		t.Fatalf("the stopped process stored the flag after all: %+v %v", p.Translation, err)
	}

	restarted := translationService(store)
	if _, err := restarted.RunScheduled(t.Context()); err != nil {
		t.Fatal(err)
	}
	outdatedOnce(t, store, tr.ID)
	if n, err := restarted.SweepTranslations(t.Context()); err != nil || n != 0 {
		t.Fatalf("a second sweep changed %d translations (%v)", n, err)
	}
	outdatedOnce(t, store, tr.ID)
}

// A start with a configuration that no longer lists a locale stored translations use warns,
// naming the locale and what to do.
func TestStartWarnsOfUnconfiguredTranslationLocales(t *testing.T) {
	store := teststore.MustOpen(t)
	svc := translationService(store)
	src := liveSource(t, svc, "ketamine-locales")
	if _, err := svc.CreateTranslation(t.Context(), benchWriter, src.ID, "es", "ketamina-locales", sampleContent(t), 0, ""); err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	restarted := editorial.NewService(editorial.Config{}, store, cms.SystemClock{}, noReauth{}, slog.New(slog.NewTextHandler(&logs, nil)))
	restarted.Locales = locale.MustParse("en,cy")
	if _, err := restarted.RunScheduled(t.Context()); err != nil {
		t.Fatal(err)
	}
	if got := logs.String(); !strings.Contains(got, "locale=es translations=1") || !strings.Contains(got, "MONOGRAPH_LOCALES") {
		t.Fatalf("no warning of the unconfigured locale es: %s", got)
	}
}

// A translation rebased onto the source's live text while a newer one is being published is
// flagged outdated (the publication's list held it as outdated already, so it left it).
func TestTranslationRebasedDuringSourcePublicationIsFlagged(t *testing.T) {
	store := teststore.MustOpen(t)
	h := &hookedStore{Store: store}
	svc := translationService(h)
	src := liveSource(t, svc, "ketamine-rebase-race")
	tr, err := svc.CreateTranslation(t.Context(), benchWriter, src.ID, "es", "ketamina-rebase-race", sampleContent(t), 1, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Publish(t.Context(), trEditor, src.ID, nil, nil); err != nil { // revision 2 live
		t.Fatal(err)
	}
	c := sampleContent(t)
	c.Summary = "A third text, signed and waiting for its publication."
	signed(t, svc, src.ID, &c)
	tr, err = svc.Get(t.Context(), tr.ID)
	if err != nil || !tr.Translation.Outdated {
		t.Fatalf("before the rebase: %+v %v", tr.Translation, err)
	}
	h.beforeRevision = func() {
		if _, err := svc.Publish(t.Context(), trEditor, src.ID, nil, nil); err != nil { // revision 3 live
			t.Error(err)
		}
	}
	got, err := svc.Rebase(t.Context(), benchWriter, tr.ID, tr.Version, 2)
	if err != nil {
		t.Fatal(err)
	}
	if got.Translation.Revision != 2 || !got.Translation.Outdated {
		t.Fatalf("the rebase answered %+v", got.Translation)
	}
	p, err := store.PageByID(t.Context(), tr.ID)
	if err != nil || !p.Translation.Outdated || p.Translation.OutdatedFor != 3 {
		t.Fatalf("stored: %+v %v", p.Translation, err)
	}
}

// Two creates of a translation into the same locale racing each other (both past the check
// before the write): the store refuses the second, answered as 409 naming locale.
func TestRacingTranslationsIntoOneLocale(t *testing.T) {
	store := teststore.MustOpen(t)
	if u, ok := store.(interface{ UniqueTranslationLocales(context.Context) bool }); ok && !u.UniqueTranslationLocales(t.Context()) {
		t.Skip("this server has no partial unique indexes (FerretDB): the service's check alone holds the rule")
	}
	h := &hookedStore{Store: store}
	svc := translationService(h)
	src := liveSource(t, svc, "ketamine-twice")
	h.beforeCreate = func() {
		if _, err := svc.CreateTranslation(t.Context(), benchWriter, src.ID, "es", "ketamina-first", sampleContent(t), 0, ""); err != nil {
			t.Error(err)
		}
	}
	_, err := svc.CreateTranslation(t.Context(), benchWriter, src.ID, "es", "ketamina-second", sampleContent(t), 0, "")
	var e *cms.Error
	if !errors.As(err, &e) || e.Code != cms.CodeConflict || len(e.Fields) != 1 || e.Fields[0].Field != "locale" {
		t.Fatalf("the second Spanish translation: %v", err)
	}
	trs, err := svc.Translations(t.Context(), src.ID)
	if err != nil || len(trs) != 1 || trs[0].Slug != "ketamina-first" {
		t.Fatalf("translations: %d %v", len(trs), err)
	}
}
