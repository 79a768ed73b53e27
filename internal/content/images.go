package content

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Image places a library image (docs/media.md) on the page: the asset's id, and the alt
// text and caption for this page (the asset's own are used when these are empty).
type Image struct {
	Asset   string `json:"asset"`
	Alt     string `json:"alt,omitempty"`
	Caption string `json:"caption,omitempty"`
}

// AssetRef records, in the content a reviewer signs, the exact image an asset id stood for
// when the revision was saved: its sha256 and the digest of the files served for it, its
// format and size, and the alt text and credit it had. The server sets it at every save
// (a client's value is replaced), so the signature covers the exact pixels, and replacing
// a picture is an edit that needs a new signature.
type AssetRef struct {
	Asset  string `json:"asset"`
	SHA256 string `json:"sha256"`
	// Files is media.FilesDigest of the asset's stored files.
	Files  string `json:"files"`
	Type   string `json:"type"`
	Width  int    `json:"width"`
	Height int    `json:"height"`
	// Variants are the widths of the responsive WebP variants, smallest first.
	Variants   []int  `json:"variants,omitempty"`
	Alt        string `json:"alt,omitempty"`
	Decorative bool   `json:"decorative,omitempty"`
	Credit     string `json:"credit,omitempty"`
}

// Image limits.
const (
	MaxImages     = 100
	MaxImageAlt   = 1000
	MaxImageTitle = 2000
)

// assetLink finds `![alt](asset:<id>)` destinations in Markdown: a linear scan (RE2).
var assetLink = regexp.MustCompile(`\]\(\s*<?asset:([a-z2-7]{20})`)

// AssetUse is one place content uses an asset, with the field path that names it.
type AssetUse struct {
	Asset string
	Field string
}

// AssetUses lists every asset c uses — its images, then `asset:` links in Markdown fields —
// in order of appearance, with the field of each.
func (c Content) AssetUses() []AssetUse {
	var out []AssetUse
	for i, im := range c.Images {
		out = append(out, AssetUse{Asset: im.Asset, Field: index("content.images", i) + ".asset"})
	}
	md := func(field, src string) {
		if !strings.Contains(src, "asset:") {
			return
		}
		for _, m := range assetLink.FindAllStringSubmatch(src, -1) {
			out = append(out, AssetUse{Asset: m[1], Field: field})
		}
	}
	for i, s := range c.Sections {
		md(index("content.sections", i)+".body", s.Body)
	}
	for i, u := range c.ClinicalUses {
		md(index("content.clinicalUses", i)+".description", u.Description)
	}
	md("content.disclaimer", c.Disclaimer)
	return out
}

// AssetIDs returns the distinct asset ids c uses, sorted.
func (c Content) AssetIDs() []string {
	var ids []string
	for _, u := range c.AssetUses() {
		ids = append(ids, u.Asset)
	}
	slices.Sort(ids)
	return slices.Compact(ids)
}

// normImages returns a normalized copy of images (nil stays nil: the field is omitted
// from the canonical form when empty, so pages without images hash as before).
func normImages(images []Image) []Image {
	if len(images) == 0 {
		return nil
	}
	out := make([]Image, len(images))
	for i, im := range images {
		out[i] = Image{Asset: line(im.Asset), Alt: line(im.Alt), Caption: line(im.Caption)}
	}
	return out
}

// copyAssets returns a copy of refs (nil when empty).
func copyAssets(refs []AssetRef) []AssetRef {
	if len(refs) == 0 {
		return nil
	}
	out := make([]AssetRef, len(refs))
	for i, r := range refs {
		out[i] = r
		out[i].Variants = slices.Clone(r.Variants)
	}
	return out
}

// validateImages checks the images list; the assets' existence is the server's check at
// save (editorial), which also sets Assets.
func (v *validator) images(c Content) {
	v.count("content.images", len(c.Images), MaxImages)
	for i, im := range c.Images {
		p := index("content.images", i)
		if !validAssetID(im.Asset) {
			v.add(p+".asset", "must be the id of an image in the media library")
		}
		v.text(p+".alt", im.Alt, MaxImageAlt, single)
		v.text(p+".caption", im.Caption, MaxImageTitle, single)
	}
	if len(c.Assets) > 2*MaxImages+MaxSections {
		v.add("content.assets", "too many assets")
	}
}

func validAssetID(s string) bool {
	return len(s) == 20 && strings.Trim(s, "abcdefghijklmnopqrstuvwxyz234567") == ""
}

// MediaPrefix is the path under which delivery serves image files: /media/<sha256>/<name>.
const MediaPrefix = "/media/"

// URL returns the path of one of r's files: "original" or a variant width.
func (r AssetRef) URL(name string) string { return MediaPrefix + r.SHA256 + "/" + name }

// OriginalName is the name of r's re-encoded original file.
func (r AssetRef) OriginalName() string {
	switch r.Type {
	case "image/jpeg":
		return "original.jpg"
	case "image/png":
		return "original.png"
	}
	return "original.webp"
}

// Src is the default URL of r (the 640 variant when there is one, else the largest
// variant, else the original) and SrcSet lists every file with its width.
func (r AssetRef) Src() string {
	best := ""
	for _, w := range r.Variants {
		if w <= 640 || best == "" {
			best = strconv.Itoa(w) + ".webp"
		}
	}
	if best == "" {
		return r.URL(r.OriginalName())
	}
	return r.URL(best)
}

// SrcSet is the srcset attribute of r: every variant and the original, by width.
func (r AssetRef) SrcSet() string {
	var parts []string
	for _, w := range r.Variants {
		parts = append(parts, fmt.Sprintf("%s %dw", r.URL(strconv.Itoa(w)+".webp"), w))
	}
	parts = append(parts, fmt.Sprintf("%s %dw", r.URL(r.OriginalName()), r.Width))
	return strings.Join(parts, ", ")
}

// ImageSizes is the sizes attribute of rendered images: the full width of a phone,
// at most 800 CSS pixels (the width of a page's text column) elsewhere.
const ImageSizes = "(max-width: 800px) 100vw, 800px"

// RenderedImage is an image of a delivered page (docs/api.md "Media").
type RenderedImage struct {
	Asset   string `json:"asset"`
	Src     string `json:"src"`
	SrcSet  string `json:"srcset"`
	Sizes   string `json:"sizes"`
	Width   int    `json:"width"`
	Height  int    `json:"height"`
	Alt     string `json:"alt"`
	Caption string `json:"caption"`
	Credit  string `json:"credit"`
}

// MediaRef names one image file set a delivered page uses: delivery serves an asset's
// files only while a live page lists it, and only bytes whose files digest matches.
type MediaRef struct {
	Asset  string `json:"asset"`
	SHA256 string `json:"sha256"`
	Files  string `json:"files"`
}

// renderImages returns the delivered images of c and every asset it uses.
func renderImages(c Content) ([]RenderedImage, []MediaRef) {
	if len(c.Assets) == 0 {
		return nil, nil
	}
	refs := assetMap(c.Assets)
	var out []RenderedImage
	for _, im := range c.Images {
		r, ok := refs[im.Asset]
		if !ok {
			continue
		}
		alt := im.Alt
		if alt == "" && !r.Decorative {
			alt = r.Alt
		}
		out = append(out, RenderedImage{
			Asset: im.Asset, Src: r.Src(), SrcSet: r.SrcSet(), Sizes: ImageSizes,
			Width: r.Width, Height: r.Height, Alt: alt, Caption: im.Caption, Credit: r.Credit,
		})
	}
	var used []MediaRef
	for _, r := range c.Assets {
		used = append(used, MediaRef{Asset: r.Asset, SHA256: r.SHA256, Files: r.Files})
	}
	return out, used
}

func assetMap(refs []AssetRef) map[string]AssetRef {
	m := make(map[string]AssetRef, len(refs))
	for _, r := range refs {
		m[r.Asset] = r
	}
	return m
}

// Pre-review checks of the images' licences (docs/media.md): one expiring within
// LicenseWarnDays warns, an expired one blocks (by default).
const (
	CheckImageLicenseExpiring = "image_license_expiring"
	CheckImageLicenseExpired  = "image_license_expired"
	LicenseWarnDays           = 30
)

// ImageLicenseChecks checks the licences of the assets c uses: expires maps an asset id to
// the last day its licence covers (assets without an expiry are absent). The first field
// using each asset is named. Severities as in RunChecks.
func ImageLicenseChecks(c Content, expires map[string]time.Time, now time.Time, severities map[string]Severity) []CheckResult {
	var out []CheckResult
	seen := map[string]bool{}
	for _, u := range c.AssetUses() {
		end, ok := expires[u.Asset]
		if !ok || seen[u.Asset] {
			continue
		}
		seen[u.Asset] = true
		id, msg := "", ""
		switch day := end.AddDate(0, 0, 1); {
		case !now.Before(day):
			id, msg = CheckImageLicenseExpired, "The licence of this image ended on "+end.Format(time.DateOnly)+"; replace the image or renew the licence."
		case now.AddDate(0, 0, LicenseWarnDays).After(day):
			id, msg = CheckImageLicenseExpiring, "The licence of this image ends on "+end.Format(time.DateOnly)+", within 30 days."
		default:
			continue
		}
		sev, ok := severities[id]
		if !ok || sev == "" {
			sev = DefaultCheckSeverities()[id]
		}
		out = append(out, CheckResult{ID: id, Severity: sev, Message: msg, Field: u.Field})
	}
	return out
}

// DiffImages lists what changed in the images between two contents, for reviewers, in the
// shape of Diff: "images[i].asset" (From and To carry the asset id, its sha256 and the file
// to show, so old and new pictures can be put side by side), "images[i].alt" and
// ".caption"; and "assets[<id>]" added or removed, which covers images placed in Markdown
// too (whose `asset:` links also show in the Markdown's line diff).
func DiffImages(from, to Content) []Change {
	a, b := from.Normalized(), to.Normalized()
	d := &differ{changes: []Change{}}
	ra, rb := assetMap(a.Assets), assetMap(b.Assets)
	shown := func(refs map[string]AssetRef, id string) map[string]any {
		r := refs[id]
		file := r.OriginalName()
		if src := r.Src(); src != r.URL(file) {
			file = src[strings.LastIndexByte(src, '/')+1:]
		}
		return map[string]any{"asset": id, "sha256": r.SHA256, "file": file}
	}
	positional(d, "images", a.Images, b.Images, func(p string, x, y Image) {
		if x.Asset != y.Asset || ra[x.Asset].SHA256 != rb[y.Asset].SHA256 {
			d.add(Change{Field: p + ".asset", Kind: ChangeChanged, From: shown(ra, x.Asset), To: shown(rb, y.Asset)})
		}
		scalar(d, p+".alt", x.Alt, y.Alt)
		scalar(d, p+".caption", x.Caption, y.Caption)
	})
	for _, r := range b.Assets {
		if _, ok := ra[r.Asset]; !ok {
			d.add(Change{Field: "assets[" + r.Asset + "]", Kind: ChangeAdded, To: shown(rb, r.Asset)})
		}
	}
	for _, r := range a.Assets {
		if _, ok := rb[r.Asset]; !ok {
			d.add(Change{Field: "assets[" + r.Asset + "]", Kind: ChangeRemoved, From: shown(ra, r.Asset)})
		}
	}
	return d.changes
}
