package editorial_test

import (
	"strings"
	"testing"

	"github.com/monograph-cms/monograph/internal/cms"
	"github.com/monograph-cms/monograph/internal/content"
	"github.com/monograph-cms/monograph/internal/editorial"
	"github.com/monograph-cms/monograph/internal/teststore"
)

// publishSealed publishes c through the workflow on a service that seals its snapshots
// and returns the service and the page as the store hands it to delivery.
func publishSealed(t *testing.T, slug string, c content.Content) (*editorial.Service, editorial.LivePage) {
	t.Helper()
	store := teststore.MustOpen(t)
	svc := editorial.NewService(editorial.Config{}, store, cms.SystemClock{}, noReauth{}, nil)
	svc.SnapshotKey = []byte("0123456789abcdef0123456789abcdef")
	ctx := t.Context()
	writer := benchWriter
	reviewer := cms.Principal{UserID: "rev1", Name: "Rita Reviewer", Credentials: "MD", Roles: []cms.Role{cms.RoleReviewer}}
	editor := cms.Principal{UserID: "ed1", Name: "Ed Editor", Roles: []cms.Role{cms.RoleEditor}}
	p, err := svc.Create(ctx, writer, slug, c, "")
	if err != nil {
		if ce, ok := err.(*cms.Error); ok {
			t.Fatalf("%v %+v", err, ce.Fields)
		}
		t.Fatal(err)
	}
	for _, step := range []func() (editorial.Page, error){
		func() (editorial.Page, error) { return svc.Submit(ctx, writer, p.ID, nil, "") },
		func() (editorial.Page, error) {
			return svc.Approve(ctx, reviewer, p.ID, nil, p.Workflow.Revision, "pw", "")
		},
		func() (editorial.Page, error) { return svc.Publish(ctx, editor, p.ID, nil, nil) },
	} {
		if p, err = step(); err != nil {
			t.Fatal(err)
		}
	}
	stored, err := store.LiveSnapshot(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if stored.Snapshot == nil || stored.Snapshot.Seal == "" {
		t.Fatalf("no seal stored: %+v", stored.Snapshot)
	}
	return svc, stored
}

// A snapshot sealed at publication survives the store's round trip and is taken as is at
// the next start; one whose bytes changed in the store is derived anew from its revision.
func TestDeriveLiveTakesOnlySealedSnapshots(t *testing.T) {
	svc, stored := publishSealed(t, "sealed", sampleContent(t))
	ctx := t.Context()
	got, err := svc.DeriveLive(ctx, stored)
	if err != nil || got.Snapshot != stored.Snapshot {
		t.Fatalf("a sealed snapshot was not taken as is (%v)", err)
	}
	forged := stored
	snap := *stored.Snapshot
	snap.Rendered.Title = "Forged"
	forged.Snapshot = &snap
	got, err = svc.DeriveLive(ctx, forged)
	if err != nil || got.Snapshot == forged.Snapshot || got.Snapshot.Rendered.Title == "Forged" {
		t.Fatalf("an edited snapshot was served: %v %+v", err, got.Snapshot)
	}
}

// The store reads snapshots back with a faster JSON decoder than the one that sealed them
// (internal/sqlitestore/live_decode.go); text that JSON escapes in several ways (HTML,
// quotes, backslashes, astral characters, escapes written out in the text) must still decode to the very value that was sealed, or every start
// would derive such pages anew.
func TestSealHoldsForTextJSONEscapes(t *testing.T) {
	c := sampleContent(t)
	tricky := "<b>&amp;</b> \"quoted\" back\\slash \\u003c \\n é ñ 漢字 😀 ﷺ </script> \U0001D11E"
	c.Summary = strings.ReplaceAll(c.Summary, ".", ". "+tricky+" ")
	c.Sections[0].Body += "\n\n" + tricky + "\n\n`code <x> & \"y\"` and [a link](https://example.org/?a=1&b=<2>)"
	c.Drug.BrandNames = append(c.Drug.BrandNames, "Brand™ “curly” ‘quotes’")
	svc, stored := publishSealed(t, "escapes", c)
	got, err := svc.DeriveLive(t.Context(), stored)
	if err != nil || got.Snapshot != stored.Snapshot {
		t.Fatalf("the sealed snapshot of escaped text was not taken as is (%v)", err)
	}
	if !strings.Contains(got.Snapshot.Rendered.Summary, "😀") || !strings.Contains(got.Snapshot.Rendered.Summary, `\u003c`) {
		t.Fatalf("summary decoded as %q", got.Snapshot.Rendered.Summary)
	}
}
