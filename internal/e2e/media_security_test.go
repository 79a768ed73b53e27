package e2e

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"image"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/monograph-cms/monograph/internal/app"
	"github.com/monograph-cms/monograph/internal/cms"
	"github.com/monograph-cms/monograph/internal/media"
	"github.com/monograph-cms/monograph/internal/media/mediatest"
)

// previewOf asks for a preview token of page id and returns the token and the preview body.
func (tm *team) previewOf(tb testing.TB, id string) (string, *Resp) {
	tb.Helper()
	tok := tm.writer.Do(tb, "POST", pagesPath+"/"+id+"/preview-token", nil)
	MustStatus(tb, tok, 200)
	var pt struct {
		Token string `json:"token"`
	}
	tok.Decode(tb, &pt)
	pv := tm.s.Anon().Do(tb, "GET", "/api/v1/preview/pages/"+id+"?token="+pt.Token, nil)
	MustStatus(tb, pv, 200)
	return pt.Token, pv
}

// TestMediaPreviewTokenStaysOnThisServer: the preview points only this server's own image
// URLs at its token-checked route. A /media/ path inside an absolute URL to another host,
// or in the Markdown source, is left alone: the token is never handed to a third party,
// and the source fields are what the writer wrote.
func TestMediaPreviewTokenStaysOnThisServer(t *testing.T) {
	t.Parallel()
	s := MustStart(t)
	tm := signIn(t, s)
	a := tm.writer.mustUpload(t, mediatest.PNG(mediatest.Picture(700, 300, 41)), map[string]string{"alt": "Pen technique"})
	body := "![x](https://evil.example/media/" + a.SHA256 + "/640.webp)\n\n" +
		"![pen](asset:" + a.ID + ")\n\n" +
		"See https://evil.example/media/" + a.SHA256 + "/320.webp and `src=\"/media/" + a.SHA256 + "/320.webp\"` or /media/" + a.SHA256 + "/640.webp."
	c := Content("Leaky")
	c["images"] = []map[string]any{{"asset": a.ID}}
	c["sections"] = []map[string]any{{"key": "overview", "title": "Overview", "body": body}}
	c["disclaimer"] = "![y](https://evil.example/media/" + a.SHA256 + "/original.png)"
	p := tm.writer.Create(t, "leaky", c)

	token, pv := tm.previewOf(t, p.ID)
	own := regexp.MustCompile(`^/api/v1/preview/pages/` + p.ID + `/media/` + a.SHA256 + `/(?:original\.png|[0-9]+\.webp)\?token=$`)
	raw := string(pv.Body)
	for i := strings.Index(raw, token); i >= 0; {
		start := strings.LastIndexAny(raw[:i], "\" ,(") + 1
		if !own.MatchString(raw[start:i]) {
			t.Fatalf("the preview token appears outside this server's preview image URLs: …%s…", raw[max(0, start-40):i])
		}
		j := strings.Index(raw[i+len(token):], token)
		if j < 0 {
			break
		}
		i += len(token) + j
	}
	if strings.Contains(raw, "evil.example/api/") {
		t.Fatal("an absolute URL to another host was rewritten")
	}
	var got struct {
		Sections []struct {
			Body string `json:"body"`
			HTML string `json:"html"`
		} `json:"sections"`
		Disclaimer string `json:"disclaimer"`
		Images     []struct {
			Src    string `json:"src"`
			SrcSet string `json:"srcset"`
		} `json:"images"`
	}
	if err := json.Unmarshal(pv.Body, &got); err != nil {
		t.Fatal(err)
	}
	if got.Sections[0].Body != body || got.Disclaimer != c["disclaimer"] {
		t.Fatalf("the Markdown source changed in the preview:\n%q\nwant\n%q", got.Sections[0].Body, body)
	}
	// This server's images do go through the preview route.
	if !own.MatchString(strings.TrimSuffix(got.Images[0].Src, token)) || strings.Count(got.Images[0].SrcSet, "token="+token) != 3 {
		t.Fatalf("the page's images are not served through the preview: %+v", got.Images)
	}
	if !strings.Contains(got.Sections[0].HTML, `src="/api/v1/preview/pages/`+p.ID+`/media/`+a.SHA256+`/640.webp?token=`+token+`"`) {
		t.Fatalf("the Markdown image is not served through the preview: %s", got.Sections[0].HTML)
	}
	if !strings.Contains(got.Sections[0].HTML, `src="https://evil.example/media/`+a.SHA256+`/640.webp"`) {
		t.Fatalf("the absolute URL was changed: %s", got.Sections[0].HTML)
	}
}

// TestMediaTallImageRefused: a tall narrow PNG (20 KB, 5.6 megapixels) that WebP cannot
// encode and whose scaling would take hundreds of MB is refused from its header with 400
// naming the file, not a 500 after the allocations, and nothing is stored.
func TestMediaTallImageRefused(t *testing.T) {
	s := MustStart(t)
	tm := signIn(t, s)
	tall := mediatest.PNG(image.NewGray(image.Rect(0, 0, 330, 17000)))
	before := storedMediaFiles(t, s) // the demo's image
	var r *Resp
	if alloc := allocated(func() {
		r = tm.writer.upload(t, tall, "chart.png", "image/png", map[string]string{"alt": "A tall chart"})
	}); alloc > 8<<20 {
		t.Errorf("refusing the tall image allocated %d MiB", alloc>>20)
	}
	MustProblem(t, r, 400, "image_too_large", "file")
	if files := storedMediaFiles(t, s); len(files) != len(before) {
		t.Fatalf("files left behind: %v", files)
	}
}

// TestMediaDeleteRacesPageCreate: a page created while its image is deleted either keeps
// the image (the deletion answers 409) or is refused (400): never a page, in the working
// copy and later live, that names an image the library no longer has.
func TestMediaDeleteRacesPageCreate(t *testing.T) {
	t.Parallel()
	s := MustStart(t)
	tm := signIn(t, s)
	kept, refused := 0, 0
	for i := range 40 {
		a := tm.writer.mustUpload(t, mediatest.PNG(mediatest.Picture(64, 48, uint8(100+i))), map[string]string{"alt": "Race " + strconv.Itoa(i)})
		c := Content("Race " + strconv.Itoa(i))
		c["images"] = []map[string]any{{"asset": a.ID}}
		var created, deleted *Resp
		var wg sync.WaitGroup
		wg.Go(func() {
			created = tm.writer.Do(t, "POST", pagesPath, map[string]any{"slug": "race-" + strconv.Itoa(i), "content": c})
		})
		wg.Go(func() { deleted = tm.editor.Do(t, "DELETE", mediaPath+"/"+a.ID, nil) })
		wg.Wait()
		switch {
		case created.Status == 201 && deleted.Status == 409:
			kept++
		case created.Status == 400 && (deleted.Status == 204 || deleted.Status == 409):
			// (Both refused: on MongoDB a deletion that sees the save's reservation after
			// removing the asset puts it back.)
			MustProblem(t, created, 400, "invalid", "content.images[0].asset")
			refused++
		default:
			t.Fatalf("round %d: create %d, delete %d: a page names an image the library no longer has\n%s\n%s", i, created.Status, deleted.Status, created, deleted)
		}
	}
	t.Logf("%d pages kept their image, %d creates were refused", kept, refused)
}

// TestMediaMissingImageNeverGoesLive: should an image vanish from under a page all the
// same (a store without transactions, a restore of a data dir without its media), the page
// is not sent to review, not signed and not published with it; each refusal names the field.
func TestMediaMissingImageNeverGoesLive(t *testing.T) {
	t.Parallel()
	s := MustStart(t)
	tm := signIn(t, s)
	ctx := t.Context()
	page := func(slug string, seed uint8) (Page, assetJSON) {
		a := tm.writer.mustUpload(t, mediatest.PNG(mediatest.Picture(64, 48, seed)), map[string]string{"alt": "Image of " + slug})
		c := Content(slug)
		c["images"] = []map[string]any{{"asset": a.ID}}
		return tm.writer.Create(t, slug, c), a
	}
	// vanish deletes the asset as though no page used it.
	vanish := func(p Page, a assetJSON) {
		for _, kind := range []string{"working", "live"} {
			if err := s.App.Store.SetMediaUsage(ctx, p.ID, kind, nil, s.Clock.Now()); err != nil {
				t.Fatal(err)
			}
		}
		MustStatus(t, tm.editor.Do(t, "DELETE", mediaPath+"/"+a.ID, nil), 204)
	}
	draft, da := page("vanished-draft", 201)
	review, ra := page("vanished-review", 202)
	review = tm.writer.MustAction(t, review.ID, "submit", nil)
	signed, sa := page("vanished-signed", 203)
	signed = tm.reviewer.Approve(t, tm.writer.MustAction(t, signed.ID, "submit", nil))
	vanish(draft, da)
	vanish(review, ra)
	vanish(signed, sa)
	MustProblem(t, tm.writer.Action(t, draft.ID, "submit", nil), 400, "invalid", "content.images[0].asset")
	MustProblem(t, tm.reviewer.Action(t, review.ID, "approve", map[string]any{"revision": review.Revision, "password": app.DemoPassword}), 400, "invalid", "content.images[0].asset")
	MustProblem(t, tm.editor.Action(t, signed.ID, "publish", nil), 400, "invalid", "content.assets")
	MustStatus(t, s.Anon().Do(t, "GET", "/api/v1/pages/vanished-signed", nil), 404)
}

// runMain runs the monograph command line in this process (export, import), with the
// test's environment minus anything that would point it elsewhere than its flags say.
func runMain(tb testing.TB, args ...string) (string, error) {
	tb.Helper()
	var out, errOut bytes.Buffer
	getenv := func(k string) string {
		if k == "MONGODB_URI" || strings.HasPrefix(k, "MONOGRAPH_") {
			return ""
		}
		return os.Getenv(k)
	}
	err := app.Main(tb.Context(), args, strings.NewReader(""), &out, &errOut, getenv)
	return out.String() + errOut.String(), err
}

// TestMediaImportKeepsTheLocalCopyAndChecksTheFiles: a page imported with an image the
// library already holds under another id (the same bytes are one asset) keeps that image —
// deleting the local asset is refused while the live page serves its files — and an
// export edited to carry something else than an image under matching hashes is refused.
func TestMediaImportKeepsTheLocalCopyAndChecksTheFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	src, dst, exp := filepath.Join(dir, "src"), filepath.Join(dir, "dst"), filepath.Join(dir, "export")
	s := MustStart(t, WithDataDir(src), WithConfig(embeddedOnly))
	url, want := demoImage(t, s)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if out, err := runMain(t, "export", "--data", src, exp); err != nil {
		t.Fatalf("export: %v\n%s", err, out)
	}
	// The destination has the demo's image already, uploaded under an id of its own.
	upload, err := os.ReadFile(filepath.Join("..", "app", "samples", "ketamine-nmda.png"))
	if err != nil {
		t.Fatal(err)
	}
	d := MustStart(t, WithDataDir(dst), WithConfig(embeddedOnly), WithoutDemo())
	local, _, err := d.App.Pages.Media.Upload(t.Context(), cms.Principal{UserID: "operator"}, upload, media.Meta{Alt: "NMDA receptor"})
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}

	// An export edited so that a variant is not an image, its hash and size made to match.
	bad := filepath.Join(dir, "bad-export")
	if err := os.CopyFS(bad, os.DirFS(exp)); err != nil {
		t.Fatal(err)
	}
	records, _ := filepath.Glob(filepath.Join(bad, "media", "*", "asset.json"))
	if len(records) != 1 {
		t.Fatalf("exported assets %v", records)
	}
	var a map[string]any
	b, _ := os.ReadFile(records[0])
	if err := json.Unmarshal(b, &a); err != nil {
		t.Fatal(err)
	}
	html := []byte("<!doctype html><script>alert(document.cookie)</script>")
	f := a["files"].([]any)[1].(map[string]any)
	sum := sha256.Sum256(html)
	f["sha256"], f["bytes"] = hex.EncodeToString(sum[:]), len(html)
	_ = os.WriteFile(filepath.Join(filepath.Dir(records[0]), f["name"].(string)), html, 0o644)
	b, _ = json.Marshal(a)
	_ = os.WriteFile(records[0], b, 0o644)
	if out, err := runMain(t, "import", "--with-accounts", "--data", filepath.Join(dir, "bad"), bad); err == nil || !strings.Contains(err.Error(), "not an image") {
		t.Fatalf("import of an export carrying HTML as an image: %v\n%s", err, out)
	}

	if out, err := runMain(t, "import", "--with-accounts", "--data", dst, exp); err != nil {
		t.Fatalf("import: %v\n%s", err, out)
	}
	d = MustStart(t, WithDataDir(dst), WithConfig(embeddedOnly), WithoutDemo())
	gotURL, got := demoImage(t, d)
	if gotURL != url || !bytes.Equal(got, want) {
		t.Fatalf("the imported page's image is %s (%d bytes), was %s (%d bytes)", gotURL, len(got), url, len(want))
	}
	err = d.App.Pages.Media.Delete(t.Context(), cms.Principal{UserID: "operator"}, local.ID)
	if !cms.IsCode(err, media.CodeAssetInUse) {
		t.Fatalf("deleting the library's copy of a live imported page's image: %v", err)
	}
	v, err := d.App.Pages.Media.Get(t.Context(), local.ID)
	if err != nil || len(v.UsedBy) != 1 || v.UsedBy[0].Slug != "ketamine" || !v.UsedBy[0].Live {
		t.Fatalf("used by %+v (%v)", v.UsedBy, err)
	}
	if _, got := demoImage(t, d); !bytes.Equal(got, want) {
		t.Fatal("the live image changed")
	}
}
