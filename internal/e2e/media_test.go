package e2e

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"mime/multipart"
	"net/textproto"
	"os"
	"path/filepath"
	"regexp"
	"runtime/metrics"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/monograph-cms/monograph/internal/media/mediatest"
)

const mediaPath = "/api/v1/manage/media"

// assetJSON is the asset JSON (the fields these tests read).
type assetJSON struct {
	ID             string `json:"id"`
	SHA256         string `json:"sha256"`
	Type           string `json:"type"`
	Width          int    `json:"width"`
	Height         int    `json:"height"`
	Bytes          int64  `json:"bytes"`
	Alt            string `json:"alt"`
	Decorative     bool   `json:"decorative"`
	Credit         string `json:"credit"`
	LicenseExpires string `json:"licenseExpires"`
	Files          []struct {
		Name   string `json:"name"`
		Type   string `json:"type"`
		Width  int    `json:"width"`
		SHA256 string `json:"sha256"`
	} `json:"files"`
	UsedBy []struct {
		PageID  string `json:"pageId"`
		Slug    string `json:"slug"`
		Working bool   `json:"working"`
		Live    bool   `json:"live"`
	} `json:"usedBy"`
}

// upload posts a multipart upload: the file under filename with the declared content
// type, and the form fields.
func (c *Client) upload(tb testing.TB, data []byte, filename, contentType string, fields map[string]string) *Resp {
	tb.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	for k, v := range fields {
		_ = w.WriteField(k, v)
	}
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="file"; filename=%q`, filename))
	h.Set("Content-Type", contentType)
	part, _ := w.CreatePart(h)
	_, _ = part.Write(data)
	_ = w.Close()
	return c.Do(tb, "POST", mediaPath, Raw(body.Bytes()), "Content-Type", w.FormDataContentType())
}

func (c *Client) mustUpload(tb testing.TB, data []byte, fields map[string]string) assetJSON {
	tb.Helper()
	r := c.upload(tb, data, "image.png", "image/png", fields)
	if r.Status != 201 && r.Status != 200 {
		tb.Fatalf("upload: %s", r)
	}
	var a assetJSON
	r.Decode(tb, &a)
	return a
}

// storedMediaFiles lists the files under the embedded store's media directory (nil on
// MongoDB, whose files are in GridFS).
func storedMediaFiles(tb testing.TB, s *Server) []string {
	tb.Helper()
	if os.Getenv("MONGODB_URI") != "" {
		return nil
	}
	var out []string
	_ = filepath.WalkDir(filepath.Join(s.DataDir, "media"), func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			out = append(out, p)
		}
		return nil
	})
	return out
}

// allocated runs f and returns the bytes the process allocated meanwhile (the server runs
// in this process, so its handling of the request is in it): an upper bound of how much
// the heap could have grown.
func allocated(f func()) uint64 {
	sample := []metrics.Sample{{Name: "/gc/heap/allocs:bytes"}}
	metrics.Read(sample)
	before := sample[0].Value.Uint64()
	f()
	metrics.Read(sample)
	return sample[0].Value.Uint64() - before
}

// TestMediaUploadChecksTheBytes: an upload's type comes from its bytes, its metadata is
// gone from every stored file, and every refusal has its status and leaves no file behind
// — with the memory of a refused bomb bounded.
func TestMediaUploadChecksTheBytes(t *testing.T) {
	s := MustStart(t)
	tm := signIn(t, s)

	// A PNG with GPS EXIF, a text comment and XMP: accepted, and no stored file keeps any.
	gps := mediatest.PNGWithGPS(900, 600)
	r := tm.writer.upload(t, gps, "holiday.png", "image/png", map[string]string{"alt": "Inhaler technique, step 1", "credit": "Monograph", "license": "CC-BY-4.0"})
	MustStatus(t, r, 201)
	var a assetJSON
	r.Decode(t, &a)
	sum := sha256.Sum256(gps)
	if a.SHA256 != hex.EncodeToString(sum[:]) || a.Type != "image/png" || a.Width != 900 || a.Height != 600 || a.Alt != "Inhaler technique, step 1" {
		t.Fatalf("asset %+v", a)
	}
	var names []string
	for _, f := range a.Files {
		names = append(names, f.Name)
		fr := tm.writer.Do(t, "GET", mediaPath+"/"+a.ID+"/files/"+f.Name, nil)
		MustStatus(t, fr, 200)
		for _, marker := range []string{"GPS", "Exif", "xmpmeta", "eXIf", "tEXt"} {
			if bytes.Contains(fr.Body, []byte(marker)) {
				t.Errorf("%s still carries %q", f.Name, marker)
			}
		}
	}
	if got := strings.Join(names, ","); got != "original.png,640.webp,320.webp" {
		t.Fatalf("files %s", got)
	}
	for _, p := range storedMediaFiles(t, s) {
		b, _ := os.ReadFile(p)
		if bytes.Contains(b, []byte("GPS")) {
			t.Errorf("stored file %s carries GPS", p)
		}
	}
	before := storedMediaFiles(t, s)

	// The same bytes again are the same asset.
	r = tm.writer.upload(t, gps, "again.png", "image/png", map[string]string{"alt": "again"})
	MustStatus(t, r, 200)
	var again assetJSON
	r.Decode(t, &again)
	if again.ID != a.ID || again.Alt != a.Alt {
		t.Fatalf("a second upload of the same bytes made %+v", again)
	}

	// A PNG renamed .jpg and declared image/jpeg is a PNG: the name and the declared type
	// are never believed.
	renamed := mediatest.PNG(mediatest.Picture(120, 80, 11))
	r = tm.writer.upload(t, renamed, "photo.jpg", "image/jpeg", map[string]string{"alt": "renamed"})
	MustStatus(t, r, 201)
	var ren assetJSON
	r.Decode(t, &ren)
	if ren.Type != "image/png" || ren.Files[0].Name != "original.png" {
		t.Fatalf("a PNG named .jpg was stored as %s %s", ren.Type, ren.Files[0].Name)
	}
	before = storedMediaFiles(t, s)

	// Refusals: each with its status and code, none leaving a file.
	big := make([]byte, 10<<20+1)
	_, _ = rand.Read(big)
	copy(big, mediatest.PNG(mediatest.Picture(2, 2, 1)))
	var bombAlloc uint64
	for _, tc := range []struct {
		name, filename, ct string
		data               []byte
		fields             map[string]string
		status             int
		code, field        string
	}{
		{"svg with a script", "chart.svg", "image/svg+xml", []byte(mediatest.SVGWithScript), map[string]string{"alt": "x"}, 415, "unsupported_media", "file"},
		{"svg named .png, declared image/png", "chart.png", "image/png", []byte(mediatest.SVGWithScript), map[string]string{"alt": "x"}, 415, "unsupported_media", "file"},
		{"html declared image/jpeg", "x.jpg", "image/jpeg", []byte("<html><script>alert(1)</script></html>"), map[string]string{"alt": "x"}, 415, "unsupported_media", "file"},
		{"20,000×20,000 PNG bomb", "bomb.png", "image/png", mediatest.PNGBomb(20000, 20000), map[string]string{"alt": "x"}, 400, "image_too_large", "file"},
		{"truncated JPEG", "cut.jpg", "image/jpeg", mediatest.TruncatedJPEG(800, 600), map[string]string{"alt": "x"}, 400, "invalid", "file"},
		{"over 10 MiB", "big.png", "image/png", big, map[string]string{"alt": "x"}, 413, "too_large", ""},
		{"no alt text", "pic.png", "image/png", mediatest.PNG(mediatest.Picture(50, 50, 4)), map[string]string{"caption": "x"}, 400, "invalid", "alt"},
		{"an unknown field", "pic.png", "image/png", mediatest.PNG(mediatest.Picture(50, 50, 4)), map[string]string{"alt": "x", "path": "/etc"}, 400, "invalid", "path"},
	} {
		var r *Resp
		alloc := allocated(func() { r = tm.writer.upload(t, tc.data, tc.filename, tc.ct, tc.fields) })
		MustProblem(t, r, tc.status, tc.code, tc.field)
		if strings.Contains(tc.name, "bomb") {
			bombAlloc = alloc
		}
		if after := storedMediaFiles(t, s); len(after) != len(before) {
			t.Fatalf("%s left files behind: %v", tc.name, after)
		}
	}
	// Decoding the bomb would take 1.6 GB; its header is refused with little more than
	// the request itself.
	if bombAlloc > 8<<20 {
		t.Fatalf("refusing the bomb allocated %d MiB", bombAlloc>>20)
	}
	t.Logf("allocated while refusing the 20,000×20,000 PNG bomb (client and server): %.2f MiB", float64(bombAlloc)/(1<<20))

	// A multipart body without a file, a JSON body, a reviewer: refused.
	MustProblem(t, tm.writer.Do(t, "POST", mediaPath, map[string]any{"alt": "x"}), 415, "unsupported_media", "")
	MustStatus(t, tm.reviewer.upload(t, renamed, "x.png", "image/png", map[string]string{"alt": "x"}), 403)

	// Decorative images need no alt text; alt and decorative together are refused.
	r = tm.writer.upload(t, mediatest.PNG(mediatest.Picture(40, 40, 8)), "rule.png", "image/png", map[string]string{"decorative": "true"})
	MustStatus(t, r, 201)
	MustProblem(t, tm.writer.upload(t, mediatest.PNG(mediatest.Picture(40, 40, 9)), "r.png", "image/png", map[string]string{"decorative": "true", "alt": "x"}), 400, "invalid", "decorative")

	// List, search, PATCH, and the audit trail of each (actor and sha256).
	list := tm.reviewer.Do(t, "GET", mediaPath+"?q=inhaler", nil)
	MustStatus(t, list, 200)
	var found struct {
		Data []assetJSON `json:"data"`
	}
	list.Decode(t, &found)
	if len(found.Data) != 1 || found.Data[0].ID != a.ID {
		t.Fatalf("search: %s", list)
	}
	MustProblem(t, tm.writer.Do(t, "PATCH", mediaPath+"/"+a.ID, map[string]any{"alt": ""}), 400, "invalid", "alt")
	MustProblem(t, tm.writer.Do(t, "PATCH", mediaPath+"/"+a.ID, map[string]any{"licenseExpires": "next year"}), 400, "invalid", "licenseExpires")
	MustProblem(t, tm.writer.Do(t, "PATCH", mediaPath+"/"+a.ID, map[string]any{"$set": "x"}), 400, "invalid", "")
	p := tm.writer.Do(t, "PATCH", mediaPath+"/"+a.ID, map[string]any{"credit": "NHS England", "licenseExpires": "2031-01-31"})
	MustStatus(t, p, 200)
	stored := func(sha string) bool {
		return slices.ContainsFunc(storedMediaFiles(t, s), func(p string) bool { return filepath.Base(p) == sha })
	}
	if os.Getenv("MONGODB_URI") == "" && !stored(ren.Files[0].SHA256) {
		t.Fatal("the renamed PNG's file is not under the data dir")
	}
	MustStatus(t, tm.editor.Do(t, "DELETE", mediaPath+"/"+ren.ID, nil), 204)
	MustStatus(t, tm.editor.Do(t, "GET", mediaPath+"/"+ren.ID, nil), 404)
	audit := tm.admin.Do(t, "GET", "/api/v1/manage/audit?scope=accounts", nil)
	MustStatus(t, audit, 200)
	for _, want := range []string{`"media.uploaded"`, `"media.updated"`, `"media.deleted"`, a.SHA256, tm.writer.User.ID, tm.editor.User.ID} {
		if !bytes.Contains(audit.Body, []byte(want)) {
			t.Fatalf("the audit trail lacks %s: %s", want, audit)
		}
	}
	if stored(ren.Files[0].SHA256) {
		t.Fatal("the deleted asset's file remains under the data dir")
	}
}

// mediaURL finds the first /media/ URL of the asset sha in a body.
func mediaURLs(body []byte, sha string) []string {
	return regexp.MustCompile(`/media/`+sha+`/[a-z0-9]+\.(?:png|jpg|webp)`).FindAllString(string(body), -1)
}

// TestMediaOnlyLiveAndSigned: a page's new image is not public while in review but shows
// in its preview; once signed and published it is served immutable; replacing the image
// leaves the live page on the old pixels until a new signature is published.
func TestMediaOnlyLiveAndSigned(t *testing.T) {
	t.Parallel()
	s := MustStart(t)
	tm := signIn(t, s)
	anon := s.Anon()
	diagram := tm.writer.mustUpload(t, mediatest.PNG(mediatest.Picture(800, 450, 21)), map[string]string{"alt": "Nasal spray technique", "credit": "Monograph"})

	// Unknown assets are refused naming the field.
	c := Content("Esketamine")
	c["images"] = []map[string]any{{"asset": "aaaaaaaaaaaaaaaaaaaa"}}
	MustProblem(t, tm.writer.Do(t, "POST", pagesPath, map[string]any{"slug": "esketamine", "content": c}), 400, "invalid", "content.images[0].asset")
	c = Content("Esketamine")
	c["sections"] = []map[string]any{{"key": "administration", "title": "How to use", "body": "![spray](asset:aaaaaaaaaaaaaaaaaaaa)"}}
	MustProblem(t, tm.writer.Do(t, "POST", pagesPath, map[string]any{"slug": "esketamine", "content": c}), 400, "invalid", "content.sections[0].body")

	// The page records the asset's sha256; a client's forged record is replaced.
	c = Content("Esketamine")
	c["images"] = []map[string]any{{"asset": diagram.ID, "caption": "Two sprays, one per nostril"}}
	c["sections"] = []map[string]any{{"key": "administration", "title": "How to use", "body": "Tilt the head back.\n\n![Nasal spray technique](asset:" + diagram.ID + ")"}}
	c["assets"] = []map[string]any{{"asset": diagram.ID, "sha256": strings.Repeat("0", 64), "files": "x", "type": "image/png", "width": 1, "height": 1}}
	p := tm.writer.Create(t, "esketamine", c)
	assets, _ := p.Content["assets"].([]any)
	if len(assets) != 1 || assets[0].(map[string]any)["sha256"] != diagram.SHA256 {
		t.Fatalf("recorded assets %v", p.Content["assets"])
	}
	MustProblem(t, tm.editor.Do(t, "DELETE", mediaPath+"/"+diagram.ID, nil), 409, "asset_in_use", "")

	// In review: not public, visible through the preview link.
	p = tm.writer.MustAction(t, p.ID, "submit", nil)
	for _, name := range []string{"original.png", "640.webp", "320.webp"} {
		MustStatus(t, anon.Do(t, "GET", "/media/"+diagram.SHA256+"/"+name, nil), 404)
	}
	tok := tm.writer.Do(t, "POST", pagesPath+"/"+p.ID+"/preview-token", nil)
	MustStatus(t, tok, 200)
	var pt struct {
		Token string `json:"token"`
	}
	tok.Decode(t, &pt)
	pv := anon.Do(t, "GET", "/api/v1/preview/pages/"+p.ID+"?token="+pt.Token, nil)
	MustStatus(t, pv, 200)
	previewURL := regexp.MustCompile(`/api/v1/preview/pages/[a-z2-7]+/media/` + diagram.SHA256 + `/640\.webp\?token=[A-Za-z0-9._-]+`).FindString(string(pv.Body))
	if previewURL == "" || len(mediaURLs(pv.Body, diagram.SHA256)) != len(regexp.MustCompile(`/preview/pages/[a-z2-7]+/media/`).FindAllString(string(pv.Body), -1)) {
		t.Fatalf("preview image URLs not rewritten: %s", pv)
	}
	img := anon.Do(t, "GET", previewURL, nil)
	MustStatus(t, img, 200)
	if img.Header.Get("Content-Type") != "image/webp" || !strings.Contains(img.Header.Get("Cache-Control"), "no-store") {
		t.Fatalf("preview image headers %v", img.Header)
	}
	MustStatus(t, anon.Do(t, "GET", strings.Replace(previewURL, pt.Token, "forged", 1), nil), 401)

	// Signed and published: served immutable, with a strong ETag.
	p = tm.reviewer.Approve(t, p)
	p = tm.editor.MustAction(t, p.ID, "publish", nil)
	page := anon.Do(t, "GET", "/api/v1/pages/esketamine", nil)
	MustStatus(t, page, 200)
	var dp struct {
		Sections []struct {
			HTML string `json:"html"`
		} `json:"sections"`
		Images []struct {
			Src, SrcSet, Alt, Caption, Credit string
			Width, Height                     int
		} `json:"images"`
	}
	page.Decode(t, &dp)
	if len(dp.Images) != 1 || dp.Images[0].Width != 800 || dp.Images[0].Height != 450 || dp.Images[0].Alt != "Nasal spray technique" ||
		dp.Images[0].Credit != "Monograph" || !strings.Contains(dp.Images[0].SrcSet, "320w") || !strings.HasPrefix(dp.Images[0].Src, "/media/"+diagram.SHA256+"/") {
		t.Fatalf("page images %+v", dp.Images)
	}
	html := dp.Sections[0].HTML
	for _, want := range []string{`src="/media/` + diagram.SHA256 + `/640.webp"`, `srcset="`, `sizes="`, `width="800"`, `height="450"`, `alt="Nasal spray technique"`, `loading="lazy"`} {
		if !strings.Contains(html, want) {
			t.Fatalf("section HTML lacks %s: %s", want, html)
		}
	}
	ld := anon.Do(t, "GET", "/api/v1/pages/esketamine?format=jsonld", nil)
	if !strings.Contains(string(ld.Body), `"image":["`) || len(mediaURLs(ld.Body, diagram.SHA256)) != 1 {
		t.Fatalf("JSON-LD without the image: %s", ld)
	}
	live := anon.Do(t, "GET", "/media/"+diagram.SHA256+"/640.webp", nil)
	MustStatus(t, live, 200)
	etag := live.Header.Get("ETag")
	if live.Header.Get("Cache-Control") != "public, max-age=31536000, immutable" || !strings.HasPrefix(etag, `"`) ||
		live.Header.Get("X-Content-Type-Options") != "nosniff" || live.Header.Get("Content-Type") != "image/webp" {
		t.Fatalf("live image headers %v", live.Header)
	}
	MustStatus(t, anon.Do(t, "GET", "/media/"+diagram.SHA256+"/640.webp", nil, "If-None-Match", etag), 304)
	MustStatus(t, anon.Do(t, "GET", "/media/"+diagram.SHA256+"/1280.webp", nil), 404) // never upscaled
	MustStatus(t, anon.Do(t, "GET", "/media/"+diagram.SHA256+"/../../etc/passwd", nil), 404)
	oldBytes := live.Body

	// A new picture replaces it: an edit, back to draft; the live page keeps the old pixels.
	photo := tm.writer.mustUpload(t, mediatest.PNG(mediatest.Picture(800, 450, 99)), map[string]string{"alt": "Nasal spray technique, new"})
	c["images"] = []map[string]any{{"asset": photo.ID}}
	c["sections"] = []map[string]any{{"key": "administration", "title": "How to use", "body": "![Nasal spray technique](asset:" + photo.ID + ")"}}
	delete(c, "assets")
	cur := tm.writer.Page(t, p.ID)
	p = tm.writer.MustSave(t, p.ID, cur.Version, c)
	if p.State != "draft" || p.Approval != nil && p.Approval.Revision == p.Revision {
		t.Fatalf("replacing the image needs a new signature: state %s", p.State)
	}
	diff := tm.reviewer.Do(t, "GET", pagesPath+"/"+p.ID+"/diff?from=1&to="+strconv.Itoa(p.Revision), nil)
	MustStatus(t, diff, 200)
	for _, want := range []string{`"images[0].asset"`, diagram.SHA256, photo.SHA256} {
		if !strings.Contains(string(diff.Body), want) {
			t.Fatalf("the reviewer's diff does not show the new picture (%s): %s", want, diff)
		}
	}
	page = anon.Do(t, "GET", "/api/v1/pages/esketamine", nil)
	if len(mediaURLs(page.Body, photo.SHA256)) != 0 || len(mediaURLs(page.Body, diagram.SHA256)) == 0 {
		t.Fatalf("the live page changed images before a new signature: %s", page)
	}
	MustStatus(t, anon.Do(t, "GET", "/media/"+photo.SHA256+"/640.webp", nil), 404)
	if again := anon.Do(t, "GET", "/media/"+diagram.SHA256+"/640.webp", nil); !bytes.Equal(again.Body, oldBytes) {
		t.Fatal("the live image's bytes changed")
	}
	MustProblem(t, tm.writer.Do(t, "POST", pagesPath+"/"+p.ID+"/publish", nil), 403, "forbidden", "")
	MustProblem(t, tm.editor.Action(t, p.ID, "publish", nil), 422, "approval_stale", "")

	// Signed and published again: the new pixels are live, the old ones no longer served.
	p = tm.writer.MustAction(t, p.ID, "submit", nil)
	p = tm.reviewer.Approve(t, p)
	tm.editor.MustAction(t, p.ID, "publish", nil)
	MustStatus(t, anon.Do(t, "GET", "/media/"+photo.SHA256+"/640.webp", nil), 200)
	MustStatus(t, anon.Do(t, "GET", "/media/"+diagram.SHA256+"/640.webp", nil), 404)
	MustStatus(t, tm.editor.Do(t, "DELETE", mediaPath+"/"+diagram.ID, nil), 204)
	got := tm.writer.Do(t, "GET", mediaPath+"/"+photo.ID, nil)
	var used assetJSON
	got.Decode(t, &used)
	if len(used.UsedBy) != 1 || used.UsedBy[0].Slug != "esketamine" || !used.UsedBy[0].Live || !used.UsedBy[0].Working {
		t.Fatalf("usedBy %s", got)
	}
}

// TestMediaLicenceChecks: an image whose licence ends within 30 days warns; an expired one
// blocks submission.
func TestMediaLicenceChecks(t *testing.T) {
	t.Parallel()
	s := MustStart(t)
	tm := signIn(t, s)
	now := s.Clock.Now()
	soon := tm.writer.mustUpload(t, mediatest.PNG(mediatest.Picture(60, 40, 1)), map[string]string{"alt": "a", "licenseExpires": now.AddDate(0, 0, 10).Format(time.DateOnly)})
	gone := tm.writer.mustUpload(t, mediatest.PNG(mediatest.Picture(60, 40, 2)), map[string]string{"alt": "b", "licenseExpires": now.AddDate(0, 0, -1).Format(time.DateOnly)})
	c := Content("Licensed")
	c["images"] = []map[string]any{{"asset": soon.ID}}
	p := tm.writer.Create(t, "licensed", c)
	checks := tm.writer.Do(t, "GET", pagesPath+"/"+p.ID, nil) // the page JSON carries its checks
	if !bytes.Contains(checks.Body, []byte("image_license_expiring")) {
		t.Fatalf("no licence warning: %s", checks)
	}
	c["images"] = []map[string]any{{"asset": soon.ID}, {"asset": gone.ID}}
	p = tm.writer.MustSave(t, p.ID, p.Version, c)
	MustProblem(t, tm.writer.Action(t, p.ID, "submit", nil), 422, "check_failed", "")
	tm.writer.Do(t, "PATCH", mediaPath+"/"+gone.ID, map[string]any{"licenseExpires": now.AddDate(2, 0, 0).Format(time.DateOnly)})
	tm.writer.MustAction(t, p.ID, "submit", nil)
}

// demoImage returns the URL of the demo ketamine page's first image and its bytes.
func demoImage(tb testing.TB, s *Server) (string, []byte) {
	tb.Helper()
	page := s.Anon().Do(tb, "GET", "/api/v1/pages/ketamine", nil)
	MustStatus(tb, page, 200)
	var dp struct {
		Images []struct {
			Src, Alt string
		} `json:"images"`
	}
	page.Decode(tb, &dp)
	if len(dp.Images) != 1 || dp.Images[0].Alt == "" {
		tb.Fatalf("the demo ketamine page has images %+v", dp.Images)
	}
	img := s.Anon().Do(tb, "GET", dp.Images[0].Src, nil)
	MustStatus(tb, img, 200)
	return dp.Images[0].Src, img.Body
}

// TestMediaSurvivesExportImportAndBackup: the demo's signed image travels with its page
// through export and import, and through a backup, and is served from the new store
// byte for byte.
func TestMediaSurvivesExportImportAndBackup(t *testing.T) {
	t.Parallel()
	skipOnMongoRun(t)
	if testing.Short() {
		t.Skip("runs the binary")
	}
	dir := t.TempDir()
	src := filepath.Join(dir, "src")
	s := MustStart(t, WithDataDir(src), WithConfig(embeddedOnly))
	url, want := demoImage(t, s)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	exp := filepath.Join(dir, "export")
	if err, _, stderr := runBinary(t, "", "export", "--data", src, exp); err != nil {
		t.Fatalf("export: %v\n%s", err, stderr)
	}
	// An edited image file is refused, and nothing is imported.
	files, _ := filepath.Glob(filepath.Join(exp, "media", "*", "original.png"))
	if len(files) != 1 {
		t.Fatalf("exported image files %v", files)
	}
	orig, _ := os.ReadFile(files[0])
	_ = os.WriteFile(files[0], append(bytes.Clone(orig), 0), 0o644)
	if err, _, stderr := runBinary(t, "", "import", "--with-accounts", "--data", filepath.Join(dir, "bad"), exp); err == nil || !strings.Contains(stderr, "do not match") {
		t.Fatalf("import of an edited image: %v\n%s", err, stderr)
	}
	_ = os.WriteFile(files[0], orig, 0o644)
	dst := filepath.Join(dir, "dst")
	if err, _, stderr := runBinary(t, "", "import", "--with-accounts", "--data", dst, exp); err != nil {
		t.Fatalf("import: %v\n%s", err, stderr)
	}
	backup := filepath.Join(dir, "dst.db")
	if err, out, stderr := runBinary(t, "", "backup", backup, "--data", dst); err != nil || !strings.Contains(out, "image files") {
		t.Fatalf("backup: %v\n%s%s", err, out, stderr)
	}
	restored := restore(t, backup, dst, filepath.Join(dir, "restored"))
	if err := os.Rename(backup+".media", filepath.Join(restored, "media")); err != nil {
		t.Fatal(err)
	}
	r := MustStart(t, WithDataDir(restored), WithConfig(embeddedOnly))
	gotURL, got := demoImage(t, r)
	if gotURL != url || !bytes.Equal(got, want) {
		t.Fatalf("after export, import and backup the image is %s (%d bytes), was %s (%d bytes)", gotURL, len(got), url, len(want))
	}
}
