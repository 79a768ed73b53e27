package e2e

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
)

// bodyCase is one malformed request body and the answer it must get.
type bodyCase struct {
	name   string
	body   any // Raw or a value encoded as JSON
	status int
	code   string
	field  string // "" when the body as a whole is at fault and no field applies
	hdr    []string
}

func must(b []byte, err error) []byte {
	if err != nil {
		panic(err)
	}
	return b
}

// contentWith returns the test content with key set to v (a path like "drug.name").
func contentWith(path string, v any) map[string]any {
	c := Content("Strict")
	m := c
	keys := strings.Split(path, ".")
	for _, k := range keys[:len(keys)-1] {
		m = m[k].(map[string]any)
	}
	if v == nil {
		delete(m, keys[len(keys)-1])
	} else {
		m[keys[len(keys)-1]] = v
	}
	return c
}

// Issue 2, Must show (HTTP basics): strict decoding at the HTTP level — unknown fields,
// duplicate or case-variant keys, $-operator keys anywhere, non-object bodies, wrong types,
// not JSON, over 1 MiB (413), wrong Content-Type (415) — answers problem+json naming the
// field and writes nothing.
func TestStrictDecodingOverHTTP(t *testing.T) {
	t.Parallel()
	s := MustStart(t)
	w := s.Login(t, Writer)
	admin := s.Login(t, Admin)
	p := w.Create(t, "strict-page", Content("Strict"))
	okContent, _ := json.Marshal(Content("Strict"))

	big := Raw(`{"slug":"big","content":{"title":"` + strings.Repeat("a", 1<<20) + `"}}`)
	// Content bodies (PUT /content, prefix "content").
	contentCases := []bodyCase{
		{"unknown field", contentWith("colour", "red"), 400, "invalid", "content.colour", nil},
		{"unknown nested field", contentWith("drug.dose", "1g"), 400, "invalid", "content.drug.dose", nil},
		{"duplicate key", Raw(bytes.Replace(okContent, []byte(`"title":"Strict"`), []byte(`"title":"Strict","title":"Other"`), 1)), 400, "invalid", "content.title", nil},
		{"case-variant key", Raw(bytes.Replace(okContent, []byte(`"title":"Strict"`), []byte(`"Title":"Strict"`), 1)), 400, "invalid", "content.Title", nil},
		{"case-variant duplicate", Raw(bytes.Replace(okContent, []byte(`"title":"Strict"`), []byte(`"title":"Strict","TITLE":"x"`), 1)), 400, "invalid", "content.TITLE", nil},
		{"operator as value", contentWith("title", map[string]any{"$gt": ""}), 400, "invalid", "content.title", nil},
		{"operator key at top", Raw(`{"$set":{"title":"x"}}`), 400, "invalid", "content.$set", nil},
		{"operator key deep", contentWith("drug", map[string]any{"name": "x", "$where": "1"}), 400, "invalid", "content.drug.$where", nil},
		{"operator in list item", contentWith("sections", []any{map[string]any{"key": "overview", "title": "t", "body": map[string]any{"$ne": 1}}}), 400, "invalid", "content.sections[0].body", nil},
		{"array body", Raw(`[{"title":"x"}]`), 400, "invalid", "content", nil},
		{"string body", Raw(`"hello"`), 400, "invalid", "content", nil},
		{"null body", Raw(`null`), 400, "invalid", "content", nil},
		{"number body", Raw(`42`), 400, "invalid", "content", nil},
		{"wrong type: title number", contentWith("title", 5), 400, "invalid", "content.title", nil},
		{"wrong type: tags string", contentWith("tags", "a,b"), 400, "invalid", "content.tags", nil},
		{"wrong type: year string", contentWith("references", []any{map[string]any{"title": "t", "year": "2020"}}), 400, "invalid", "content.references[0].year", nil},
		{"wrong type: year fraction", contentWith("references", []any{map[string]any{"title": "t", "year": 2020.5}}), 400, "invalid", "content.references[0].year", nil},
		{"not JSON", Raw(`{"title": "x",}`), 400, "invalid", "content", nil},
		{"truncated JSON", Raw(`{"title": "x"`), 400, "invalid", "content", nil},
		{"trailing data", Raw(string(okContent) + ` {}`), 400, "invalid", "content", nil},
		{"empty body", Raw(``), 400, "invalid", "content", nil},
		{"invalid UTF-8", Raw(bytes.Replace(okContent, []byte(`"title":"Strict"`), []byte("\"title\":\"Str\xffct\""), 1)), 400, "invalid", "content.title", nil},
		{"NUL in key", Raw(bytes.Replace(okContent, []byte(`"title":"Strict"`), []byte(`"title":"Strict","ti\u0000tle":"x"`), 1)), 400, "invalid", "", nil},
		{"over 1 MiB", Raw(`{"title":"` + strings.Repeat("a", 1<<20) + `"}`), 413, "too_large", "", nil},
		{"wrong content type", Raw(okContent), 415, "unsupported_media", "", []string{"Content-Type", "text/plain"}},
		{"form content type", Raw(okContent), 415, "unsupported_media", "", []string{"Content-Type", "application/x-www-form-urlencoded"}},
		{"no content type", Raw(okContent), 415, "unsupported_media", "", []string{"Content-Type", ""}},
	}
	for _, tc := range contentCases {
		hdr := append([]string{"If-Match", `"` + strconv.Itoa(p.Version) + `"`}, tc.hdr...)
		r := w.Do(t, "PUT", pagesPath+"/"+p.ID+"/content", tc.body, hdr...)
		t.Run("PUT content/"+tc.name, func(t *testing.T) { MustProblem(t, r, tc.status, tc.code, tc.field) })
	}

	// Whole request bodies of other routes.
	otherCases := []struct {
		method, path string
		c            *Client
		bodyCase
	}{
		{"POST", pagesPath, w, bodyCase{"create: unknown top field", map[string]any{"slug": "a", "content": Content("A"), "owner": "me"}, 400, "invalid", "owner", nil}},
		{"POST", pagesPath, w, bodyCase{"create: operator slug", map[string]any{"slug": map[string]any{"$ne": ""}, "content": Content("A")}, 400, "invalid", "slug", nil}},
		{"POST", pagesPath, w, bodyCase{"create: $ key inside content", Raw(`{"slug":"a","content":{"title":"A","drug":{"name":"x"},"$inc":{"version":1}}}`), 400, "invalid", "content.$inc", nil}},
		{"POST", pagesPath, w, bodyCase{"create: case-variant Slug", Raw(`{"Slug":"a","content":{"title":"A","drug":{"name":"x"}}}`), 400, "invalid", "Slug", nil}},
		{"POST", pagesPath, w, bodyCase{"create: duplicate slug key", Raw(`{"slug":"a","slug":"b","content":{"title":"A","drug":{"name":"x"}}}`), 400, "invalid", "slug", nil}},
		{"POST", pagesPath, w, bodyCase{"create: array body", Raw(`[]`), 400, "invalid", "body", nil}},
		{"POST", pagesPath, w, bodyCase{"create: over 1 MiB", big, 413, "too_large", "", nil}},
		{"POST", pagesPath, w, bodyCase{"create: text/plain", Raw(`{"slug":"a"}`), 415, "unsupported_media", "", []string{"Content-Type", "text/plain"}}},
		{"POST", "/api/v1/auth/login", s.Anon(), bodyCase{"login: operator password", map[string]any{"email": Writer, "password": map[string]any{"$ne": ""}}, 400, "invalid", "password", nil}},
		{"POST", "/api/v1/auth/login", s.Anon(), bodyCase{"login: operator email", map[string]any{"email": map[string]any{"$regex": ".*"}, "password": "x"}, 400, "invalid", "email", nil}},
		{"POST", "/api/v1/auth/login", s.Anon(), bodyCase{"login: unknown field", map[string]any{"email": Writer, "password": "x", "admin": true}, 400, "invalid", "admin", nil}},
		{"POST", "/api/v1/auth/login", s.Anon(), bodyCase{"login: not JSON", Raw(`email=a&password=b`), 400, "invalid", "body", nil}},
		{"POST", "/api/v1/auth/refresh", s.Anon(), bodyCase{"refresh: operator", map[string]any{"refreshToken": map[string]any{"$exists": true}}, 400, "invalid", "refreshToken", nil}},
		{"POST", "/api/v1/manage/users", admin, bodyCase{"users: operator role", map[string]any{"email": "newbie@example.com", "name": "N", "password": "long enough password", "roles": []any{map[string]any{"$in": []string{"admin"}}}}, 400, "invalid", "roles[0]", nil}},
		{"POST", "/api/v1/manage/users", admin, bodyCase{"users: passwordHash field", map[string]any{"email": "newbie@example.com", "name": "N", "password": "long enough password", "roles": []string{"writer"}, "passwordHash": "$argon2id$"}, 400, "invalid", "passwordHash", nil}},
		{"PATCH", "/api/v1/manage/users/" + w.User.ID, admin, bodyCase{"users patch: unknown field", map[string]any{"email": "evil@example.com"}, 400, "invalid", "email", nil}},
		{"PATCH", "/api/v1/manage/users/" + w.User.ID, admin, bodyCase{"users patch: wrong type", map[string]any{"disabled": "yes"}, 400, "invalid", "disabled", nil}},
		{"POST", pagesPath + "/" + p.ID + "/submit", w, bodyCase{"submit: unknown field", map[string]any{"note": "n", "state": "published"}, 400, "invalid", "state", nil}},
		{"POST", pagesPath + "/" + p.ID + "/publish", s.Login(t, Editor), bodyCase{"publish: wrong type at", map[string]any{"at": 12}, 400, "invalid", "at", nil}},
		{"POST", pagesPath + "/" + p.ID + "/publish", s.Login(t, Editor), bodyCase{"publish: bad time", map[string]any{"at": "tomorrow"}, 400, "invalid", "at", nil}},
	}
	for _, tc := range otherCases {
		r := tc.c.Do(t, tc.method, tc.path, tc.body, tc.hdr...)
		t.Run(tc.name, func(t *testing.T) { MustProblem(t, r, tc.status, tc.code, tc.field) })
	}

	// Nothing was written: the page, its revisions and the page list are as before; no
	// user was created or changed.
	got := w.Page(t, p.ID)
	if got.Version != p.Version || got.Revision != 1 || got.ContentHash != p.ContentHash || got.State != "draft" {
		t.Fatalf("page changed by refused requests: %+v", got)
	}
	if revs := w.Revisions(t, p.ID); len(revs) != 1 {
		t.Fatalf("revisions: %+v", revs)
	}
	list := w.Do(t, "GET", pagesPath+"?limit=100", nil)
	var pages struct {
		Data []Page `json:"data"`
	}
	list.Decode(t, &pages)
	if len(pages.Data) != 2 { // the sample page and ours
		t.Fatalf("pages: %s", list.Body)
	}
	users := admin.Do(t, "GET", "/api/v1/manage/users", nil)
	if strings.Contains(string(users.Body), "newbie@example.com") || strings.Contains(string(users.Body), "evil@example.com") {
		t.Fatalf("users changed: %s", users.Body)
	}
	me := w.Do(t, "GET", "/api/v1/auth/me", nil)
	MustStatus(t, me, 200)
}
