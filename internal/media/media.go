// Package media is the image library's domain: what an uploaded file is (from its bytes
// only), whether it may be decoded at all (limits read from the header before any pixel is
// decoded), and the files stored for it (the original re-encoded without metadata, and
// responsive variants). It also declares the Store that keeps assets and their files. It
// imports nothing of HTTP or of a database (docs/media.md).
package media

import (
	"crypto/sha256"
	"encoding/hex"
	"sort"
	"strings"
	"time"
)

// Type is an accepted image format, detected from the bytes.
type Type string

// Accepted formats. GIF is not among them: animation cannot be re-encoded without loss by
// the standard library, and medication pages have no use for it.
const (
	JPEG Type = "image/jpeg"
	PNG  Type = "image/png"
	WebP Type = "image/webp"
)

// Ext is the file extension of the type, without the dot.
func (t Type) Ext() string {
	switch t {
	case JPEG:
		return "jpg"
	case PNG:
		return "png"
	case WebP:
		return "webp"
	}
	return ""
}

// TypeOfName returns the content type of a stored file's name ("640.webp" → WebP).
func TypeOfName(name string) Type {
	switch name[strings.LastIndexByte(name, '.')+1:] {
	case "jpg":
		return JPEG
	case "png":
		return PNG
	case "webp":
		return WebP
	}
	return ""
}

// Asset is one image in the library: identified by the sha256 of the bytes uploaded
// (identical uploads are one asset), described by metadata the writers edit.
type Asset struct {
	ID string `json:"id"`
	// SHA256 is the lowercase hex sha256 of the uploaded bytes: the asset's identity and the
	// first part of its public URLs.
	SHA256 string `json:"sha256"`
	Type   Type   `json:"type"`
	Width  int    `json:"width"`
	Height int    `json:"height"`
	// Bytes is the size of the upload.
	Bytes int64 `json:"bytes"`
	Meta
	// Files are what is stored and served: the re-encoded original and the variants.
	Files     []File    `json:"files"`
	CreatedAt time.Time `json:"createdAt"`
	CreatedBy string    `json:"createdBy"`
	UpdatedAt time.Time `json:"updatedAt"`
}

// Meta is what writers say about an image; PATCH changes it.
type Meta struct {
	Alt        string `json:"alt"`
	Decorative bool   `json:"decorative"`
	Caption    string `json:"caption"`
	Credit     string `json:"credit"`
	License    string `json:"license"`
	SourceURL  string `json:"sourceUrl"`
	// LicenseExpires is the day the licence ends ("" for none), as YYYY-MM-DD.
	LicenseExpires string `json:"licenseExpires"`
}

// File is one stored rendition of an asset.
type File struct {
	// Name is "original.<ext>" or "<width>.<ext>".
	Name   string `json:"name"`
	Type   Type   `json:"type"`
	Width  int    `json:"width"`
	Height int    `json:"height"`
	Bytes  int64  `json:"bytes"`
	// SHA256 is the hex sha256 of the stored bytes: checked before they are first served.
	SHA256 string `json:"sha256"`
}

// FilesDigest is the sha256 over the names and hashes of files, in name order: what page
// content records beside the asset's sha256, so the signature covers the exact bytes served
// for every rendition (a re-encoding by another release would change it).
func FilesDigest(files []File) string {
	lines := make([]string, len(files))
	for i, f := range files {
		lines[i] = f.Name + " " + f.SHA256 + "\n"
	}
	sort.Strings(lines)
	h := sha256.New()
	for _, l := range lines {
		h.Write([]byte(l))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// File returns the file of a with this name.
func (a Asset) File(name string) (File, bool) {
	for _, f := range a.Files {
		if f.Name == name {
			return f, true
		}
	}
	return File{}, false
}

// ValidSHA256 reports whether s is 64 lowercase hex digits.
func ValidSHA256(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// ValidFileName reports whether name can be a stored file's name: "original" or digits,
// a dot, a known extension. Delivery checks it before any lookup.
func ValidFileName(name string) bool {
	base, ext, ok := strings.Cut(name, ".")
	if !ok || TypeOfName(name) == "" || strings.Contains(ext, ".") {
		return false
	}
	if base == "original" {
		return true
	}
	if base == "" || len(base) > 5 || base[0] == '0' {
		return false
	}
	for i := 0; i < len(base); i++ {
		if base[i] < '0' || base[i] > '9' {
			return false
		}
	}
	return true
}
