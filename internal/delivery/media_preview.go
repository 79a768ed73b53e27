package delivery

import (
	"bytes"
	"encoding/json"
	"io"
	"net/url"
	"regexp"
	"strings"
)

// A preview shows the working copy's images through its own token-checked route. Only the
// image URLs this server wrote are pointed there: the exact values of images[].src and
// .srcset, and the src and srcset attributes of the rendered HTML that start with /media/.
// Text elsewhere — the Markdown source, an absolute URL to another host whose path
// happens to contain /media/ — is never touched, so the token is never handed to anyone
// but this server, and the source a writer sees is the source they wrote.

// previewMediaFields are the paths (object keys, "[]" for array elements) of the preview
// body's values that may hold this server's image URLs, and how each is rewritten.
var previewMediaFields = map[string]func(v string, to func(string) string) string{
	"images.[].src":                   rewriteMediaURL,
	"images.[].srcset":                rewriteSrcSet,
	"sections.[].html":                rewriteMediaHTML,
	"clinicalUses.[].descriptionHtml": rewriteMediaHTML,
	"disclaimerHtml":                  rewriteMediaHTML,
}

// mediaURL is one content-addressed image URL, the whole of a value.
var mediaURL = regexp.MustCompile(`^/media/([0-9a-f]{64}/(?:original|[1-9][0-9]{0,4})\.(?:jpg|png|webp))$`)

// mediaAttr finds the src and srcset attributes of sanitised HTML. The sanitiser writes
// every attribute as name="value" and escapes any quote inside a value or in text, so a
// match is always an attribute, never text that looks like one.
var mediaAttr = regexp.MustCompile(`(\s(?:src|srcset)=")([^"]*)"`)

// RewritePreviewMedia points the image URLs of a preview body (EncodePreview) at the
// preview's own media route, which checks the token, so a page's unpublished images are
// seen through the link and nowhere else. A body it cannot walk is returned unchanged
// (its images then simply do not load in the preview).
func RewritePreviewMedia(body []byte, pageID, token string) []byte {
	if !bytes.Contains(body, []byte(MediaPrefix)) {
		return body
	}
	prefix, suffix := "/api/v1/preview/pages/"+url.PathEscape(pageID)+"/media/", "?token="+url.QueryEscape(token)
	to := func(rest string) string { return prefix + rest + suffix }
	type edit struct {
		from, to int
		value    []byte
	}
	var edits []edit
	err := walkJSONStrings(body, func(path string, start, end int, v string) error {
		rewrite := previewMediaFields[path]
		if rewrite == nil || !strings.Contains(v, MediaPrefix) {
			return nil
		}
		nv := rewrite(v, to)
		if nv == v {
			return nil
		}
		b, err := json.Marshal(nv)
		if err != nil {
			return err
		}
		edits = append(edits, edit{start, end, b})
		return nil
	})
	if err != nil || len(edits) == 0 {
		return body
	}
	out := make([]byte, 0, len(body)+len(edits)*(len(prefix)+len(suffix))*4)
	last := 0
	for _, e := range edits {
		out = append(append(out, body[last:e.from]...), e.value...)
		last = e.to
	}
	return append(out, body[last:]...)
}

func rewriteMediaURL(v string, to func(string) string) string {
	if m := mediaURL.FindStringSubmatch(v); m != nil {
		return to(m[1])
	}
	return v
}

// rewriteSrcSet rewrites each candidate ("<url> <width>w") of a srcset whose URL is one of
// this server's image URLs.
func rewriteSrcSet(v string, to func(string) string) string {
	parts := strings.Split(v, ", ")
	for i, c := range parts {
		u, w, hasWidth := strings.Cut(c, " ")
		if nu := rewriteMediaURL(u, to); nu != u && hasWidth {
			parts[i] = nu + " " + w
		} else if nu != u {
			parts[i] = nu
		}
	}
	return strings.Join(parts, ", ")
}

func rewriteMediaHTML(v string, to func(string) string) string {
	return mediaAttr.ReplaceAllStringFunc(v, func(attr string) string {
		m := mediaAttr.FindStringSubmatch(attr)
		nv := rewriteSrcSet(m[2], to) // a src is a srcset of one candidate without a width
		return m[1] + nv + `"`
	})
}

// walkJSONStrings calls fn for every string value of a JSON document with its path (the
// keys of the enclosing objects, "[]" for array elements, joined by dots) and the byte range
// of its encoded form in doc.
func walkJSONStrings(doc []byte, fn func(path string, start, end int, v string) error) error {
	type frame struct {
		object    bool
		key       string
		expectKey bool
	}
	var stack []frame
	path := func() string {
		parts := make([]string, len(stack))
		for i, f := range stack {
			parts[i] = "[]"
			if f.object {
				parts[i] = f.key
			}
		}
		return strings.Join(parts, ".")
	}
	valueDone := func() {
		if n := len(stack); n > 0 && stack[n-1].object {
			stack[n-1].expectKey = true
		}
	}
	dec := json.NewDecoder(bytes.NewReader(doc))
	for {
		before := int(dec.InputOffset())
		tok, err := dec.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case json.Delim:
			switch t {
			case '{':
				stack = append(stack, frame{object: true, expectKey: true})
			case '[':
				stack = append(stack, frame{})
			default:
				stack = stack[:len(stack)-1]
				valueDone()
			}
		case string:
			if n := len(stack); n > 0 && stack[n-1].object && stack[n-1].expectKey {
				stack[n-1].key, stack[n-1].expectKey = t, false
				continue
			}
			// The token's bytes run from its opening quote (after any ':' or ',' and
			// space the decoder skipped) to the current offset.
			end := int(dec.InputOffset())
			start := before + bytes.IndexByte(doc[before:end], '"')
			if err := fn(path(), start, end, t); err != nil {
				return err
			}
			valueDone()
		default:
			valueDone()
		}
	}
}
