package editorial_test

import (
	"testing"

	"github.com/monograph-cms/monograph/internal/cms"
	"github.com/monograph-cms/monograph/internal/editorial"
	"github.com/monograph-cms/monograph/internal/teststore"
)

// A snapshot sealed at publication survives the store's round trip and is taken as is at
// the next start; one whose bytes changed in the store is derived anew from its revision.
func TestDeriveLiveTakesOnlySealedSnapshots(t *testing.T) {
	store := teststore.MustOpen(t)
	svc := editorial.NewService(editorial.Config{}, store, cms.SystemClock{}, noReauth{}, nil)
	svc.SnapshotKey = []byte("0123456789abcdef0123456789abcdef")
	ctx := t.Context()
	writer := benchWriter
	reviewer := cms.Principal{UserID: "rev1", Name: "Rita Reviewer", Credentials: "MD", Roles: []cms.Role{cms.RoleReviewer}}
	editor := cms.Principal{UserID: "ed1", Name: "Ed Editor", Roles: []cms.Role{cms.RoleEditor}}
	p, err := svc.Create(ctx, writer, "sealed", sampleContent(t), "")
	if err != nil {
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
