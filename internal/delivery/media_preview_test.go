package delivery

import (
	"encoding/json"
	"strings"
	"testing"
)

// RewritePreviewMedia changes exactly the image URLs this server wrote — images[].src and
// .srcset, src and srcset attributes starting with /media/ — and no other text.
func TestRewritePreviewMediaOnlyTouchesImageURLs(t *testing.T) {
	sha := strings.Repeat("ab", 32)
	u := func(name string) string { return "/media/" + sha + "/" + name }
	evil := "https://evil.example" + u("640.webp")
	doc := map[string]any{
		"slug":  "x",
		"title": u("640.webp"),
		"sections": []any{map[string]any{
			"key": "a", "body": "![x](" + u("640.webp") + ") ![y](" + evil + ")",
			"html": `<p><img src="` + u("640.webp") + `" srcset="` + u("320.webp") + ` 320w, ` + evil + ` 640w" alt="src=&#34;` + u("1.png") +
				`&#34;"> <img src="` + evil + `"> ` + u("640.webp") + `</p>`,
		}},
		"images":         []any{map[string]any{"src": u("640.webp"), "srcset": u("320.webp") + " 320w, " + u("original.png") + " 900w", "alt": u("640.webp")}},
		"disclaimerHtml": "<p>see " + u("640.webp") + "</p>",
		"references":     []any{map[string]any{"url": evil}},
	}
	body, _ := json.Marshal(doc)
	out := RewritePreviewMedia(body, "pageid", "tok.en")
	var got map[string]any
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("not JSON any more: %v\n%s", err, out)
	}
	p := func(name string) string {
		return "/api/v1/preview/pages/pageid/media/" + sha + "/" + name + "?token=tok.en"
	}
	sec := got["sections"].([]any)[0].(map[string]any)
	img := got["images"].([]any)[0].(map[string]any)
	for _, c := range []struct{ what, got, want string }{
		{"title", got["title"].(string), doc["title"].(string)},
		{"markdown source", sec["body"].(string), doc["sections"].([]any)[0].(map[string]any)["body"].(string)},
		{"html", sec["html"].(string), `<p><img src="` + p("640.webp") + `" srcset="` + p("320.webp") + ` 320w, ` + evil + ` 640w" alt="src=&#34;` + u("1.png") +
			`&#34;"> <img src="` + evil + `"> ` + u("640.webp") + `</p>`},
		{"images src", img["src"].(string), p("640.webp")},
		{"images srcset", img["srcset"].(string), p("320.webp") + " 320w, " + p("original.png") + " 900w"},
		{"images alt", img["alt"].(string), u("640.webp")},
		{"disclaimer html text", got["disclaimerHtml"].(string), doc["disclaimerHtml"].(string)},
		{"reference", got["references"].([]any)[0].(map[string]any)["url"].(string), evil},
	} {
		if c.got != c.want {
			t.Errorf("%s:\n got %s\nwant %s", c.what, c.got, c.want)
		}
	}
}
