package sqlitestore_test

import (
	"context"
	"testing"

	"github.com/monograph-cms/monograph/internal/cms"
	"github.com/monograph-cms/monograph/internal/content"
	"github.com/monograph-cms/monograph/internal/editorial"
	"github.com/monograph-cms/monograph/internal/media"
	"github.com/monograph-cms/monograph/internal/media/mediatest"
	"github.com/monograph-cms/monograph/internal/sqlitestore"
	"github.com/monograph-cms/monograph/internal/storetest"
)

type noReauth struct{}

func (noReauth) ReauthenticatePassword(context.Context, string, string) error { return nil }

// TestASaveIsOneTransaction: a save writes its revision, page, audit event and the
// library's "used by" of the page together, in one transaction, so a crash can never leave
// a page whose "used by" lags behind what it stored (and every save pays for one commit,
// not two). Saves with and without images, and one that drops the last image.
func TestASaveIsOneTransaction(t *testing.T) {
	ctx := context.Background()
	s := openStore(t)
	writer := cms.Principal{UserID: "w", Name: "Writer", Roles: []cms.Role{cms.RoleWriter}}
	svc := editorial.NewService(editorial.Config{}, s, cms.SystemClock{}, noReauth{}, nil)
	lib := editorial.NewMediaLibrary(svc, s, media.DefaultLimits)
	asset, _, err := lib.Upload(ctx, writer, mediatest.PNG(mediatest.Picture(40, 30, 1)), media.Meta{Alt: "A diagram"})
	if err != nil {
		t.Fatal(err)
	}
	base := storetest.Content("Ketamine")
	c := base
	p, err := svc.Create(ctx, writer, "one-transaction", c, "")
	if err != nil {
		t.Fatal(err)
	}
	for i, images := range [][]content.Image{nil, {{Asset: asset.ID}}, {{Asset: asset.ID}}, nil} {
		c.Images = images
		c.Summary = base.Summary + " " + string(rune('a'+i))
		before := sqlitestore.WriteTransactions(s)
		if p, _, err = svc.SaveContent(ctx, writer, p.ID, p.Version, c, ""); err != nil {
			t.Fatal(err)
		}
		// A page that uses images reserves them first (editorial.attachMedia), so a
		// concurrent delete sees the reservation; the save itself is one transaction.
		want := int64(1)
		if len(images) > 0 {
			want++
		}
		if n := sqlitestore.WriteTransactions(s) - before; n != want {
			t.Errorf("save %d (%d images) took %d write transactions, want %d", i, len(images), n, want)
		}
		use, err := s.MediaUsage(ctx, []string{asset.ID})
		if err != nil {
			t.Fatal(err)
		}
		if got := len(use[asset.ID]); got != len(images) {
			t.Errorf("save %d: the image is used %d times, want %d", i, got, len(images))
		}
	}
}
