package e2e

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/monograph-cms/monograph/internal/media"
	"github.com/monograph-cms/monograph/internal/media/mediatest"
)

// liveMediaURL is an image URL in a delivered page.
var liveMediaURL = regexp.MustCompile(`/media/([0-9a-f]{64})/((?:original|[0-9]+)\.(?:png|jpg|webp))`)

// Issue 14, Must show: random sequences of saves with images, image replacements, forged
// asset records, submissions, signatures, publications, unpublications, metadata edits,
// uploads and deletions never make the public /media/ serve image bytes that the live
// revision's signature does not name — every image URL of a live page is an asset whose
// sha256 and files digest are recorded in the signed revision, its bytes hash to the
// recorded file hash, and no other asset is served at all. Seeded (-prop.seed), ≤ 20 s.
func TestPropertyLiveImagesAreSigned(t *testing.T) {
	t.Parallel()
	seed := *propSeed
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	t.Logf("seed %d (rerun with -prop.seed=%d)", seed, seed)
	rng := rand.New(rand.NewPCG(seed, 14))
	budget := propertyBudget(15 * time.Second)
	if testing.Short() {
		budget = 4 * time.Second
	}
	s := MustStart(t)
	tm := signIn(t, s)
	anon := s.Anon()

	assets := map[string]string{} // id → sha256 of every asset ever uploaded
	var pool []string             // ids not deleted
	uploads := 0
	upload := func() {
		uploads++
		a := tm.writer.mustUpload(t, mediatest.PNG(mediatest.Picture(200+rng.IntN(500), 100+rng.IntN(200), uint8(uploads))),
			map[string]string{"alt": "Figure " + strconv.Itoa(uploads), "credit": "Lab " + strconv.Itoa(uploads)})
		assets[a.ID] = a.SHA256
		pool = append(pool, a.ID)
	}
	for range 3 {
		upload()
	}
	type pageRef struct{ id, slug string }
	var pages []pageRef
	pick := func() string { return pool[rng.IntN(len(pool))] }
	content := func(title string) map[string]any {
		c := Content(title)
		if len(pool) == 0 {
			return c
		}
		var imgs []map[string]any
		for range rng.IntN(3) {
			imgs = append(imgs, map[string]any{"asset": pick()})
		}
		if len(imgs) > 0 {
			c["images"] = imgs
		}
		if rng.IntN(2) == 0 {
			c["sections"] = []map[string]any{{"key": "administration", "title": "Use", "body": "![Figure](asset:" + pick() + ")"}}
		}
		if rng.IntN(4) == 0 { // a forged record: the server must replace it
			c["assets"] = []map[string]any{{"asset": pick(), "sha256": strings.Repeat("a", 64), "files": strings.Repeat("b", 64), "type": "image/png", "width": 9, "height": 9}}
		}
		return c
	}

	served := 0 // live image URLs checked
	checkLive := func(step string) {
		signed := map[string]string{} // live sha256 → files digest, over every live page
		for _, p := range pages {
			mp := tm.editor.Page(t, p.id)
			if mp.Live == nil {
				continue
			}
			rev := tm.editor.Do(t, "GET", pagesPath+"/"+p.id+"/revisions/"+strconv.Itoa(mp.Live.Revision), nil)
			MustStatus(t, rev, 200)
			var r struct {
				ContentHash string `json:"contentHash"`
				Content     struct {
					Assets []struct{ Asset, SHA256, Files string } `json:"assets"`
				} `json:"content"`
			}
			rev.Decode(t, &r)
			if r.ContentHash != mp.Live.ContentHash {
				t.Fatalf("%s: live revision %d's hash is not the live hash", step, mp.Live.Revision)
			}
			names := map[string]string{}
			for _, a := range r.Content.Assets {
				names[a.SHA256] = a.Files
				signed[a.SHA256] = a.Files
			}
			body := anon.Do(t, "GET", "/api/v1/pages/"+p.slug, nil)
			MustStatus(t, body, 200)
			for _, m := range liveMediaURL.FindAllStringSubmatch(string(body.Body), -1) {
				digest, ok := names[m[1]]
				if !ok {
					t.Fatalf("%s: page %s shows image %s, which its signed revision does not name", step, p.slug, m[1])
				}
				img := anon.Do(t, "GET", m[0], nil)
				MustStatus(t, img, 200)
				list := tm.editor.Do(t, "GET", mediaPath+"?q="+m[1], nil)
				var found struct {
					Data []struct {
						Files []media.File `json:"files"`
					} `json:"data"`
				}
				list.Decode(t, &found)
				if len(found.Data) != 1 || media.FilesDigest(found.Data[0].Files) != digest {
					t.Fatalf("%s: the asset %s's files are not those the signature names", step, m[1])
				}
				sum := sha256.Sum256(img.Body)
				ok = false
				for _, f := range found.Data[0].Files {
					ok = ok || f.Name == m[2] && f.SHA256 == hex.EncodeToString(sum[:])
				}
				if !ok {
					t.Fatalf("%s: %s served bytes that are not the recorded file", step, m[0])
				}
				served++
			}
		}
		for id, sha := range assets {
			if _, live := signed[sha]; live {
				continue
			}
			if r := anon.Do(t, "GET", "/media/"+sha+"/original.png", nil); r.Status != 404 {
				t.Fatalf("%s: asset %s, named by no live signed revision, is served: %d", step, id, r.Status)
			}
		}
	}

	deadline := time.Now().Add(budget)
	steps := 0
	// Past the budget, pages go on until the run has done enough to mean something (a test
	// sharing the machine may leave the budget too short for that), but never without end.
	for n := 0; time.Now().Before(deadline) || ((steps < 10 || served == 0) && n < 20); n++ {
		slug := fmt.Sprintf("img-prop-%d", n)
		p := tm.writer.Create(t, slug, content("Drug "+strconv.Itoa(n)))
		pages = append(pages, pageRef{p.ID, slug})
		for range 6 + rng.IntN(6) {
			steps++
			cur := tm.editor.Page(t, p.ID)
			var what string
			choice := rng.IntN(9)
			if rng.IntN(5) < 3 { // mostly the natural next step, so pages go live with images
				choice = map[string]int{"draft": 2, "changes_requested": 0, "in_review": 3, "approved": 4, "published": 0}[cur.State]
			}
			switch choice {
			case 0, 1:
				what = "save"
				tm.writer.Save(t, p.ID, cur.Version, content("Drug "+strconv.Itoa(n)+" v"+strconv.Itoa(steps)))
			case 2:
				what = "submit"
				tm.writer.Action(t, p.ID, "submit", nil)
			case 3:
				what = "approve"
				tm.reviewer.Action(t, p.ID, "approve", map[string]any{"revision": cur.Revision, "password": "monograph-demo"})
			case 4:
				what = "publish"
				tm.editor.Action(t, p.ID, "publish", nil)
			case 5:
				what = "unpublish"
				tm.editor.Action(t, p.ID, "unpublish", map[string]any{"reason": "property test"})
			case 6:
				what = "upload"
				upload()
			case 7:
				what = "delete"
				if len(pool) > 1 {
					i := rng.IntN(len(pool))
					if r := tm.editor.Do(t, "DELETE", mediaPath+"/"+pool[i], nil); r.Status == 204 {
						pool = append(pool[:i], pool[i+1:]...)
					} else if r.Status != 409 {
						t.Fatalf("delete: %s", r)
					}
				}
			case 8:
				what = "patch"
				tm.writer.Do(t, "PATCH", mediaPath+"/"+pick(), map[string]any{"credit": "Credit " + strconv.Itoa(steps)})
			}
			checkLive(fmt.Sprintf("page %s step %d (%s)", slug, steps, what))
		}
	}
	t.Logf("%d pages, %d steps, %d uploads, %d live image URLs checked", len(pages), steps, uploads, served)
	if steps < 10 || served == 0 {
		t.Fatalf("a vacuous run: %d steps, %d live images", steps, served)
	}
}
