package editorial_test

import (
	"testing"

	"github.com/monograph-cms/monograph/internal/cms"
	"github.com/monograph-cms/monograph/internal/content"
	"github.com/monograph-cms/monograph/internal/editorial"
	"github.com/monograph-cms/monograph/internal/media"
	"github.com/monograph-cms/monograph/internal/media/mediatest"
	"github.com/monograph-cms/monograph/internal/teststore"
)

// "Used by" is recorded after each commit; a recorder that runs late, after a newer save
// of the same page recorded its images, does not put the older list back.
func TestMediaUsageRecordedInOrder(t *testing.T) {
	store := teststore.MustOpen(t)
	svc := editorial.NewService(editorial.Config{}, store, cms.SystemClock{}, noReauth{}, nil)
	lib := editorial.NewMediaLibrary(svc, store, media.DefaultLimits)
	ctx := t.Context()
	upload := func(seed uint8) editorial.AssetView {
		v, _, err := lib.Upload(ctx, benchWriter, mediatest.PNG(mediatest.Picture(40, 30, seed)), media.Meta{Alt: "Image"})
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	a, b := upload(1), upload(2)
	c := sampleContent(t)
	c.Images = []content.Image{{Asset: a.ID}}
	first, err := svc.Create(ctx, benchWriter, "ordered", c, "")
	if err != nil {
		t.Fatal(err)
	}
	c.Images = []content.Image{{Asset: b.ID}}
	second, _, err := svc.SaveContent(ctx, benchWriter, first.ID, first.Version, c, "")
	if err != nil {
		t.Fatal(err)
	}
	// The create's recorder, replayed after the save's.
	editorial.RecordMediaUsage(svc, &editorial.Change{Page: first, Revisions: []editorial.Revision{{}}})
	use, err := store.MediaUsage(ctx, []string{a.ID, b.ID})
	if err != nil {
		t.Fatal(err)
	}
	if len(use[a.ID]) != 0 || len(use[b.ID]) != 1 || use[b.ID][0].PageID != second.ID {
		t.Fatalf("usage after a late recorder: %v", use)
	}
}
