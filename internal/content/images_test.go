package content

import (
	"strings"
	"testing"
	"time"
)

var testRef = AssetRef{
	Asset: "aaaaaaaaaaaaaaaaaaaa", SHA256: strings.Repeat("ab", 32), Files: strings.Repeat("cd", 32),
	Type: "image/png", Width: 900, Height: 600, Variants: []int{320, 640}, Alt: "A diagram", Credit: "NHS",
}

func TestAssetUsesFindsImagesAndMarkdown(t *testing.T) {
	c := Content{
		Images:       []Image{{Asset: "bbbbbbbbbbbbbbbbbbbb"}},
		Sections:     []Section{{Key: SectionOther, Body: "x ![a](asset:aaaaaaaaaaaaaaaaaaaa) y ![b]( asset:cccccccccccccccccccc )"}},
		ClinicalUses: []ClinicalUse{{Name: "u", Description: "![c](asset:aaaaaaaaaaaaaaaaaaaa)"}},
		Disclaimer:   "no images here, asset: is just a word",
	}
	var got []string
	for _, u := range c.AssetUses() {
		got = append(got, u.Field+"="+u.Asset)
	}
	want := "content.images[0].asset=bbbbbbbbbbbbbbbbbbbb content.sections[0].body=aaaaaaaaaaaaaaaaaaaa content.sections[0].body=cccccccccccccccccccc content.clinicalUses[0].description=aaaaaaaaaaaaaaaaaaaa"
	if strings.Join(got, " ") != want {
		t.Fatalf("uses %v", got)
	}
	if ids := c.AssetIDs(); strings.Join(ids, ",") != "aaaaaaaaaaaaaaaaaaaa,bbbbbbbbbbbbbbbbbbbb,cccccccccccccccccccc" {
		t.Fatalf("ids %v", ids)
	}
}

// Pages without images hash as they did before images existed (the golden-hash test holds
// the value); a page with them hashes its record, so another picture is another hash.
func TestImagesAreInTheSignedHashOnlyWhenPresent(t *testing.T) {
	c := Content{Title: "T", Drug: Drug{Name: "D"}}
	if strings.Contains(string(Canonical(c)), "images") || strings.Contains(string(Canonical(c)), "assets") {
		t.Fatalf("empty images are in the canonical form: %s", Canonical(c))
	}
	with := c
	with.Images = []Image{{Asset: testRef.Asset}}
	with.Assets = []AssetRef{testRef}
	other := with
	ref := testRef
	ref.SHA256 = strings.Repeat("ef", 32)
	other.Assets = []AssetRef{ref}
	if Hash(with) == Hash(c) || Hash(with) == Hash(other) {
		t.Fatal("the hash does not cover the image's sha256")
	}
}

func TestMarkdownAssetImageRendersResponsive(t *testing.T) {
	refs := map[string]AssetRef{testRef.Asset: testRef}
	html := renderMarkdownWith("![Pill, front](asset:aaaaaaaaaaaaaaaaaaaa)", refs)
	for _, want := range []string{
		`src="/media/` + testRef.SHA256 + `/640.webp"`,
		`srcset="/media/` + testRef.SHA256 + `/320.webp 320w, /media/` + testRef.SHA256 + `/640.webp 640w, /media/` + testRef.SHA256 + `/original.png 900w"`,
		`sizes="` + ImageSizes + `"`, `width="900"`, `height="600"`, `alt="Pill, front"`, `loading="lazy"`,
	} {
		if !strings.Contains(html, want) {
			t.Errorf("missing %s in %s", want, html)
		}
	}
	if html := renderMarkdownWith("![](asset:aaaaaaaaaaaaaaaaaaaa)", refs); !strings.Contains(html, `alt="A diagram"`) {
		t.Errorf("an image without alt text in Markdown does not take the asset's: %s", html)
	}
	for name, src := range map[string]string{
		"unknown asset":       "![x](asset:zzzzzzzzzzzzzzzzzzzz)",
		"hand-written media":  "![x](/media/" + testRef.SHA256 + "/640.webp)",
		"raw html":            `<img src="/media/` + testRef.SHA256 + `/640.webp" onerror="alert(1)">`,
		"data url":            "![x](data:image/png;base64,AAAA)",
		"srcset smuggled raw": `<img srcset="https://evil.example/x.png 1w">`,
	} {
		out := renderMarkdownWith(src, refs)
		if strings.Contains(out, "/media/") || strings.Contains(out, "srcset") || strings.Contains(out, "onerror") || strings.Contains(out, "data:") {
			t.Errorf("%s: %s", name, out)
		}
	}
}

func TestRenderGivesImages(t *testing.T) {
	c := Content{Title: "T", Drug: Drug{Name: "D"}, Images: []Image{{Asset: testRef.Asset, Caption: "Front"}}, Assets: []AssetRef{testRef}}
	r := Render(c)
	if len(r.Images) != 1 || r.Images[0].Alt != "A diagram" || r.Images[0].Credit != "NHS" || r.Images[0].Width != 900 ||
		r.Images[0].Caption != "Front" || !strings.HasSuffix(r.Images[0].SrcSet, "900w") {
		t.Fatalf("images %+v", r.Images)
	}
	if len(r.Media) != 1 || r.Media[0].SHA256 != testRef.SHA256 || r.Media[0].Files != testRef.Files {
		t.Fatalf("media %+v", r.Media)
	}
}

func TestImageLicenseChecks(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	c := Content{Images: []Image{{Asset: "aaaaaaaaaaaaaaaaaaaa"}, {Asset: "bbbbbbbbbbbbbbbbbbbb"}, {Asset: "cccccccccccccccccccc"}, {Asset: "dddddddddddddddddddd"}}}
	expires := map[string]time.Time{
		"aaaaaaaaaaaaaaaaaaaa": time.Date(2026, 3, 20, 0, 0, 0, 0, time.UTC), // within 30 days
		"bbbbbbbbbbbbbbbbbbbb": time.Date(2026, 2, 28, 0, 0, 0, 0, time.UTC), // ended yesterday
		"cccccccccccccccccccc": time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC),  // fine
		"dddddddddddddddddddd": time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC),  // its last day: still covered
	}
	got := ImageLicenseChecks(c, expires, now, nil)
	if len(got) != 3 || got[0].ID != CheckImageLicenseExpiring || got[0].Severity != SeverityWarning ||
		got[1].ID != CheckImageLicenseExpired || got[1].Severity != SeverityBlocker || got[1].Field != "content.images[1].asset" ||
		got[2].ID != CheckImageLicenseExpiring {
		t.Fatalf("checks %+v", got)
	}
}

func TestDiffImagesShowsTheOldAndNewPicture(t *testing.T) {
	other := testRef
	other.Asset, other.SHA256 = "bbbbbbbbbbbbbbbbbbbb", strings.Repeat("12", 32)
	from := Content{Images: []Image{{Asset: testRef.Asset, Caption: "Old"}}, Assets: []AssetRef{testRef}}
	to := Content{Images: []Image{{Asset: other.Asset, Caption: "New"}}, Assets: []AssetRef{other}}
	got := DiffImages(from, to)
	var fields []string
	for _, c := range got {
		fields = append(fields, c.Field+":"+c.Kind)
	}
	want := "images[0].asset:changed images[0].caption:changed assets[bbbbbbbbbbbbbbbbbbbb]:added assets[aaaaaaaaaaaaaaaaaaaa]:removed"
	if strings.Join(fields, " ") != want {
		t.Fatalf("diff %v", fields)
	}
	if f := got[0].From.(map[string]any); f["sha256"] != testRef.SHA256 || f["file"] != "640.webp" {
		t.Fatalf("from %v", f)
	}
	if len(DiffImages(from, from)) != 0 {
		t.Fatal("no change, yet a diff")
	}
}
