package storetest

import (
	"bytes"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/monograph-cms/monograph/internal/cms"
	"github.com/monograph-cms/monograph/internal/media"
	"github.com/monograph-cms/monograph/internal/storage"
)

// The image library's contract (media.Store): both adapters keep assets, their files and
// which pages use them with the same rules.
func mediaTests() []test {
	return []test{
		{name: "PutAssetIsReadWithItsFiles", run: testMediaRoundTrip},
		{name: "SameUploadIsOneAsset", run: testMediaDuplicate},
		{name: "ListIsNewestFirstWithQueryAndCursor", run: testMediaList},
		{name: "UpdateMetaKeepsFiles", run: testMediaUpdate},
		{name: "AssetInUseIsNotDeleted", run: testMediaInUse},
		{name: "AssetInUseBySHA256IsNotDeleted", run: testMediaInUseBySHA256},
		{name: "DeleteNeverRemovesAFileBeingStored", run: testMediaDeleteRacesPut},
		{name: "DeleteRemovesOnlyUnsharedFiles", run: testMediaDeleteShared},
	}
}

// fixtureAsset returns an asset named name whose files hold the given bytes (the file
// names "original.png", "320.webp", … in order).
func fixtureAsset(name string, at time.Time, data ...[]byte) (media.Asset, []media.Rendition) {
	upload := []byte("upload of " + name)
	a := media.Asset{
		ID: ID("asset/" + name), SHA256: media.SHA256Hex(upload), Type: media.PNG, Width: 800, Height: 600,
		Bytes: int64(len(upload)), Meta: media.Meta{Alt: "Alt of " + name, Caption: "Caption " + name, License: "CC-BY-4.0"},
		CreatedAt: at, CreatedBy: Writer.UserID, UpdatedAt: at,
	}
	names := []string{"original.png", "320.webp", "640.webp"}
	var files []media.Rendition
	for i, d := range data {
		f := media.File{Name: names[i], Type: media.TypeOfName(names[i]), Width: 800, Height: 600, Bytes: int64(len(d)), SHA256: media.SHA256Hex(d)}
		a.Files = append(a.Files, f)
		files = append(files, media.Rendition{File: f, Data: d})
	}
	return a, files
}

func putAsset(tb testing.TB, s storage.Store, a media.Asset, files []media.Rendition) {
	tb.Helper()
	must(tb, s.PutAsset(tb.Context(), a, files), "PutAsset")
}

func wantFile(tb testing.TB, s storage.Store, sha, name string, want []byte) {
	tb.Helper()
	f, got, err := s.ReadFile(tb.Context(), sha, name)
	must(tb, err, "ReadFile "+name)
	if !bytes.Equal(got, want) || f.Name != name || f.SHA256 != media.SHA256Hex(want) {
		tb.Fatalf("ReadFile %s: %d bytes %q, want %d bytes", name, len(got), f.Name, len(want))
	}
}

func testMediaRoundTrip(t *testing.T, s storage.Store) {
	a, files := fixtureAsset("diagram", At(0), []byte("original bytes"), []byte("small bytes"))
	putAsset(t, s, a, files)
	got, err := s.AssetByID(t.Context(), a.ID)
	must(t, err, "AssetByID")
	assertEqual(t, "AssetByID", got, a)
	got, err = s.AssetBySHA256(t.Context(), a.SHA256)
	must(t, err, "AssetBySHA256")
	assertEqual(t, "AssetBySHA256", got, a)
	wantFile(t, s, a.SHA256, "original.png", []byte("original bytes"))
	wantFile(t, s, a.SHA256, "320.webp", []byte("small bytes"))
	_, _, err = s.ReadFile(t.Context(), a.SHA256, "1280.webp")
	wantCode(t, err, cms.CodeNotFound, "ReadFile of a file the asset lacks")
	_, err = s.AssetByID(t.Context(), ID("asset/unknown"))
	wantCode(t, err, cms.CodeNotFound, "AssetByID of an unknown id")
	list, err := s.AssetsByID(t.Context(), []string{a.ID, ID("asset/unknown")})
	must(t, err, "AssetsByID")
	if len(list) != 1 || list[0].ID != a.ID {
		t.Fatalf("AssetsByID: %+v", list)
	}
}

func testMediaDuplicate(t *testing.T, s storage.Store) {
	a, files := fixtureAsset("pill", At(0), []byte("pill original"))
	putAsset(t, s, a, files)
	dup, dupFiles := fixtureAsset("pill", At(time.Minute), []byte("another encoding"))
	dup.ID = ID("asset/pill-again")
	wantCode(t, s.PutAsset(t.Context(), dup, dupFiles), cms.CodeConflict, "PutAsset of the same upload again")
	got, err := s.AssetBySHA256(t.Context(), a.SHA256)
	must(t, err, "AssetBySHA256")
	if got.ID != a.ID {
		t.Fatalf("the first asset was replaced: %s", got.ID)
	}
	wantFile(t, s, a.SHA256, "original.png", []byte("pill original"))
}

func testMediaList(t *testing.T, s storage.Store) {
	var ids []string
	for i, name := range []string{"inhaler", "pen", "chart", "packaging"} {
		a, files := fixtureAsset(name, At(time.Duration(i)*time.Minute), []byte("bytes of "+name))
		putAsset(t, s, a, files)
		ids = append([]string{a.ID}, ids...)
	}
	all, err := s.ListAssets(t.Context(), media.ListFilter{Limit: 10})
	must(t, err, "ListAssets")
	var got []string
	for _, a := range all {
		got = append(got, a.ID)
	}
	assertEqual(t, "ListAssets newest first", got, ids)
	page, err := s.ListAssets(t.Context(), media.ListFilter{Limit: 2})
	must(t, err, "ListAssets limit 2")
	last := page[len(page)-1]
	rest, err := s.ListAssets(t.Context(), media.ListFilter{Limit: 10, BeforeAt: &last.CreatedAt, BeforeID: last.ID})
	must(t, err, "ListAssets after the cursor")
	if len(page) != 2 || len(rest) != 2 || rest[0].ID != ids[2] {
		t.Fatalf("cursor pages: %d then %d", len(page), len(rest))
	}
	hits, err := s.ListAssets(t.Context(), media.ListFilter{Query: "ALT OF PEN", Limit: 10})
	must(t, err, "ListAssets with a query")
	if len(hits) != 1 || hits[0].ID != ID("asset/pen") {
		t.Fatalf("query: %+v", hits)
	}
	hits, err = s.ListAssets(t.Context(), media.ListFilter{Query: ".*", Limit: 10})
	must(t, err, "ListAssets with a pattern-like query")
	if len(hits) != 0 {
		t.Fatalf("a query is a literal substring, not a pattern: %d hits", len(hits))
	}
}

func testMediaUpdate(t *testing.T, s storage.Store) {
	a, files := fixtureAsset("dosing", At(0), []byte("dosing chart"))
	putAsset(t, s, a, files)
	m := media.Meta{Alt: "Dosing chart by weight", Credit: "NHS", LicenseExpires: "2030-01-31"}
	got, err := s.UpdateAssetMeta(t.Context(), a.ID, m, At(time.Hour))
	must(t, err, "UpdateAssetMeta")
	a.Meta, a.UpdatedAt = m, At(time.Hour)
	assertEqual(t, "UpdateAssetMeta", got, a)
	read, err := s.AssetByID(t.Context(), a.ID)
	must(t, err, "AssetByID")
	assertEqual(t, "AssetByID after UpdateAssetMeta", read, a)
	hits, err := s.ListAssets(t.Context(), media.ListFilter{Query: "by weight", Limit: 10})
	must(t, err, "ListAssets")
	if len(hits) != 1 {
		t.Fatalf("the new alt text is not searchable: %d hits", len(hits))
	}
	_, err = s.UpdateAssetMeta(t.Context(), ID("asset/unknown"), m, At(time.Hour))
	wantCode(t, err, cms.CodeNotFound, "UpdateAssetMeta of an unknown id")
}

// reserved makes usage refs of asset ids (no sha256 yet: a save's reservation).
func reserved(assetIDs ...string) []media.Ref {
	out := []media.Ref{}
	for _, id := range assetIDs {
		out = append(out, media.Ref{ID: id})
	}
	return out
}

func testMediaInUse(t *testing.T, s storage.Store) {
	ctx := t.Context()
	a, files := fixtureAsset("technique", At(0), []byte("technique diagram"))
	putAsset(t, s, a, files)
	// A reservation by a page being created keeps an asset although the page does not
	// exist yet (the create is between its reservation and its commit); one left by a
	// create that failed stops counting after media.ReservationTTL.
	must(t, s.AddMediaUsage(ctx, ID("page/never-created"), media.UsageWorking, reserved(a.ID), At(0)), "AddMediaUsage")
	other, otherFiles := fixtureAsset("other", At(time.Minute), []byte("other diagram"))
	putAsset(t, s, other, otherFiles)
	must(t, s.AddMediaUsage(ctx, ID("page/never-created"), media.UsageWorking, reserved(other.ID), At(0)), "AddMediaUsage")
	wantCode(t, s.DeleteAsset(ctx, other.ID, At(time.Second)), media.CodeAssetInUse, "DeleteAsset reserved by a page being created")
	must(t, s.DeleteAsset(ctx, other.ID, At(media.ReservationTTL+time.Second)), "DeleteAsset reserved by a create long gone")
	page := MustCreate(t, s, "ketamine", "Ketamine", At(0)).ID
	must(t, s.AddMediaUsage(ctx, page, media.UsageWorking, reserved(a.ID), At(0)), "AddMediaUsage")
	must(t, s.SetMediaUsage(ctx, page, media.UsageLive, []media.Ref{{ID: a.ID, SHA256: a.SHA256}}, At(0)), "SetMediaUsage live")
	use, err := s.MediaUsage(ctx, []string{a.ID})
	must(t, err, "MediaUsage")
	want := []media.Usage{{PageID: page, Kind: media.UsageLive}, {PageID: page, Kind: media.UsageWorking}, {PageID: ID("page/never-created"), Kind: media.UsageWorking}}
	slices.SortFunc(want, func(x, y media.Usage) int { return strings.Compare(x.PageID+x.Kind, y.PageID+y.Kind) })
	assertEqual(t, "MediaUsage", use[a.ID], want)
	later := At(media.ReservationTTL + time.Hour) // the stale reservation no longer counts
	wantCode(t, s.DeleteAsset(ctx, a.ID, later), media.CodeAssetInUse, "DeleteAsset of an asset in use")
	must(t, s.SetMediaUsage(ctx, page, media.UsageWorking, nil, later), "SetMediaUsage working none")
	wantCode(t, s.DeleteAsset(ctx, a.ID, later), media.CodeAssetInUse, "DeleteAsset of an asset still live")
	must(t, s.SetMediaUsage(ctx, page, media.UsageLive, []media.Ref{}, later), "SetMediaUsage live none")
	must(t, s.DeleteAsset(ctx, a.ID, later), "DeleteAsset once unused")
	_, err = s.AssetByID(ctx, a.ID)
	wantCode(t, err, cms.CodeNotFound, "AssetByID after DeleteAsset")
	_, _, err = s.ReadFile(ctx, a.SHA256, "original.png")
	wantCode(t, err, cms.CodeNotFound, "ReadFile after DeleteAsset")
	wantCode(t, s.DeleteAsset(ctx, a.ID, later), cms.CodeNotFound, "DeleteAsset twice")
}

// A page imported with an image the library holds under another id (the same upload is one
// asset) names the exported id; its use counts by sha256, so the library's asset serving
// its pixels is not deleted under it, and "used by" shows the page.
func testMediaInUseBySHA256(t *testing.T, s storage.Store) {
	ctx := t.Context()
	local, files := fixtureAsset("pill-photo", At(0), []byte("pill photo"))
	putAsset(t, s, local, files)
	page := MustCreate(t, s, "imported", "Imported", At(0)).ID
	exported := media.Ref{ID: ID("asset/exported-elsewhere"), SHA256: local.SHA256}
	must(t, s.SetMediaUsage(ctx, page, media.UsageLive, []media.Ref{exported}, At(0)), "SetMediaUsage")
	later := At(media.ReservationTTL + time.Hour)
	wantCode(t, s.DeleteAsset(ctx, local.ID, later), media.CodeAssetInUse, "DeleteAsset of an asset a page uses by sha256")
	use, err := s.MediaUsage(ctx, []string{local.ID})
	must(t, err, "MediaUsage")
	assertEqual(t, "MediaUsage by sha256", use[local.ID], []media.Usage{{PageID: page, Kind: media.UsageLive}})
	must(t, s.SetMediaUsage(ctx, page, media.UsageLive, nil, later), "SetMediaUsage none")
	must(t, s.DeleteAsset(ctx, local.ID, later), "DeleteAsset once unused")
}

// Deleting an asset while another asset with a file of the same bytes is being stored
// never removes that file from under the new asset.
func testMediaDeleteRacesPut(t *testing.T, s storage.Store) {
	ctx := t.Context()
	for i := range 12 {
		shared := []byte("shared pixels " + strconv.Itoa(i))
		a, af := fixtureAsset("first-"+strconv.Itoa(i), At(0), shared)
		b, bf := fixtureAsset("second-"+strconv.Itoa(i), At(time.Minute), shared)
		putAsset(t, s, a, af)
		var wg sync.WaitGroup
		var delErr, putErr error
		wg.Go(func() { delErr = s.DeleteAsset(ctx, a.ID, At(0)) })
		wg.Go(func() { putErr = s.PutAsset(ctx, b, bf) })
		wg.Wait()
		must(t, delErr, "DeleteAsset")
		must(t, putErr, "PutAsset")
		wantFile(t, s, b.SHA256, "original.png", shared)
	}
}

func testMediaDeleteShared(t *testing.T, s storage.Store) {
	ctx := t.Context()
	shared := []byte("the same pixels, re-encoded")
	a, af := fixtureAsset("with-exif", At(0), shared, []byte("variant a"))
	b, bf := fixtureAsset("without-exif", At(time.Minute), shared, []byte("variant b"))
	putAsset(t, s, a, af)
	putAsset(t, s, b, bf)
	must(t, s.DeleteAsset(ctx, a.ID, At(0)), "DeleteAsset")
	wantFile(t, s, b.SHA256, "original.png", shared)
	wantFile(t, s, b.SHA256, "320.webp", []byte("variant b"))
}
