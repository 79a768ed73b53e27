package httpapi

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/monograph-cms/monograph/internal/cms"
	"github.com/monograph-cms/monograph/internal/delivery"
)

// openAPIMethods are the operation keys of an OpenAPI path item.
var openAPIMethods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

// loadOpenAPI decodes the embedded document.
func loadOpenAPI(t *testing.T) map[string]any {
	t.Helper()
	var doc map[string]any
	dec := json.NewDecoder(bytes.NewReader(openAPIDocument))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("openapi.json is not valid JSON: %v", err)
	}
	if dec.More() {
		t.Fatal("openapi.json has data after the document")
	}
	return doc
}

// ginToOpenAPI turns gin's /pages/:id and /admin/*file into /pages/{id} and /admin/{file}.
func ginToOpenAPI(path string) string {
	segs := strings.Split(path, "/")
	for i, s := range segs {
		if strings.HasPrefix(s, ":") || strings.HasPrefix(s, "*") {
			segs[i] = "{" + s[1:] + "}"
		}
	}
	return strings.Join(segs, "/")
}

// examplePath fills a path template with values that pass the handlers' format checks.
func examplePath(path string) string {
	return strings.NewReplacer("{id}", "aaaaaaaaaaaaaaaaaaaa", "{n}", "1", "{slug}", "ketamine", "{file}", "x").Replace(path)
}

// servedRoutes returns every route the server answers, "METHOD /openapi/{path}": gin's
// routes and delivery's, which are dispatched before gin (app.go: Delivery.Front). The
// value is the gin route key ("METHOD /gin/:path"), empty for delivery's.
func servedRoutes(t *testing.T, s *Server) map[string]string {
	t.Helper()
	routes := map[string]string{}
	for _, r := range s.engine.Routes() {
		routes[r.Method+" "+ginToOpenAPI(r.Path)] = r.Method + " " + r.Path
	}
	for _, r := range delivery.Routes() {
		key := r.Method + " " + r.Path
		if _, dup := routes[key]; dup {
			t.Errorf("%s is both a gin route and a delivery route", key)
		}
		routes[key] = ""
	}
	return routes
}

// documentedOperations returns every operation of the document, keyed "METHOD /path".
func documentedOperations(t *testing.T, doc map[string]any) map[string]map[string]any {
	t.Helper()
	paths, ok := doc["paths"].(map[string]any)
	if !ok {
		t.Fatal("the document has no paths object")
	}
	ops := map[string]map[string]any{}
	for path, item := range paths {
		pi, ok := item.(map[string]any)
		if !ok {
			t.Errorf("path %s: not an object", path)
			continue
		}
		for _, m := range openAPIMethods {
			if o, ok := pi[m]; ok {
				op, ok := o.(map[string]any)
				if !ok {
					t.Errorf("%s %s: not an object", m, path)
					continue
				}
				ops[strings.ToUpper(m)+" "+path] = op
			}
		}
	}
	return ops
}

// TestOpenAPIDescribesEveryRoute fails when a route exists that the document lacks, or the
// document describes a route that does not exist (docs/api.md: the document must describe every
// route).
func TestOpenAPIDescribesEveryRoute(t *testing.T) {
	s, _ := newRouteOnlyServer(t)
	doc := loadOpenAPI(t)
	routes := servedRoutes(t, s)
	ops := documentedOperations(t, doc)

	var missing, extra []string
	for key := range routes {
		if _, ok := ops[key]; !ok {
			missing = append(missing, key)
		}
	}
	for key := range ops {
		if _, ok := routes[key]; !ok {
			extra = append(extra, key)
		}
	}
	sort.Strings(missing)
	sort.Strings(extra)
	for _, key := range missing {
		t.Errorf("route %s is not in internal/httpapi/openapi.json: describe it there", key)
	}
	for _, key := range extra {
		t.Errorf("openapi.json describes %s, which no handler serves: remove it or fix its path/method", key)
	}
}

// Delivery answers its paths before gin sees them: a gin route under a path delivery owns
// would be documented yet unreachable, and a delivery route it does not own would not be
// served at all.
func TestOpenAPIDeliveryRoutesAreServed(t *testing.T) {
	s, _ := newRouteOnlyServer(t)
	d := delivery.New(delivery.Config{}, nil, nil)
	h := d.Handler()
	for _, r := range delivery.Routes() {
		req := httptest.NewRequest(r.Method, examplePath(r.Path), nil)
		if !d.Owns(req) {
			t.Errorf("delivery lists %s %s but does not own %s", r.Method, r.Path, req.URL.Path)
			continue
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code == http.StatusMethodNotAllowed {
			t.Errorf("delivery lists %s %s but answers it 405", r.Method, r.Path)
		}
		for _, m := range []string{http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
			if slices.Contains(delivery.Routes(), delivery.Route{Method: m, Path: r.Path}) {
				continue
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(m, examplePath(r.Path), nil))
			if rec.Code != http.StatusMethodNotAllowed {
				t.Errorf("delivery answers %s %s with %d, but its route list does not have it", m, r.Path, rec.Code)
			}
		}
	}
	for _, r := range s.engine.Routes() {
		req := httptest.NewRequest(r.Method, examplePath(ginToOpenAPI(r.Path)), nil)
		if d.Owns(req) {
			t.Errorf("gin route %s %s is shadowed by delivery (it owns %s)", r.Method, r.Path, req.URL.Path)
		}
	}
}

// TestOpenAPIDocumentIsWellFormed checks the document's own consistency: version, $refs,
// operation ids, responses, path parameters and security.
func TestOpenAPIDocumentIsWellFormed(t *testing.T) {
	s, enf := newRouteOnlyServer(t)
	doc := loadOpenAPI(t)
	if v := doc["openapi"]; v != "3.1.0" {
		t.Errorf(`openapi is %v, want "3.1.0"`, v)
	}
	info, _ := doc["info"].(map[string]any)
	if info["title"] != "Monograph" || info["version"] == nil {
		t.Errorf("info needs the title Monograph and a version: %v", info)
	}

	// Every $ref resolves within the document.
	walkJSON(doc, func(node map[string]any) {
		ref, ok := node["$ref"].(string)
		if !ok {
			return
		}
		if _, err := resolvePointer(doc, ref); err != "" {
			t.Errorf("$ref %q: %s", ref, err)
		}
	})

	schemes, _ := digMap(doc, "components", "securitySchemes")
	bearer, _ := schemes["bearerAuth"].(map[string]any)
	if bearer["type"] != "http" || bearer["scheme"] != "bearer" || bearer["bearerFormat"] != "JWT" {
		t.Errorf("components.securitySchemes.bearerAuth must be http bearer JWT: %v", bearer)
	}
	if _, ok := doc["security"]; ok {
		t.Error("a top-level security requirement would apply to routes that do not declare one; declare it per operation")
	}

	routes := servedRoutes(t, s)
	paths, _ := doc["paths"].(map[string]any)
	ids := map[string]string{}
	templateParam := regexp.MustCompile(`\{([^}]+)\}`)
	for key, op := range documentedOperations(t, doc) {
		_, path, _ := strings.Cut(key, " ")
		id, _ := op["operationId"].(string)
		switch {
		case id == "":
			t.Errorf("%s has no operationId", key)
		case ids[id] != "":
			t.Errorf("%s and %s share the operationId %q", key, ids[id], id)
		default:
			ids[id] = key
		}
		if sum, _ := op["summary"].(string); sum == "" {
			t.Errorf("%s has no summary", key)
		}
		if rs, _ := op["responses"].(map[string]any); len(rs) == 0 {
			t.Errorf("%s has no responses", key)
		}

		// Path parameters: exactly those of the template, each required.
		var want []string
		for _, m := range templateParam.FindAllStringSubmatch(path, -1) {
			want = append(want, m[1])
		}
		var params []any
		if item, ok := paths[path].(map[string]any); ok {
			pp, _ := item["parameters"].([]any)
			params = append(params, pp...)
		}
		op0, _ := op["parameters"].([]any)
		params = append(params, op0...)
		var got []string
		for _, p := range params {
			pm, _ := p.(map[string]any)
			if ref, ok := pm["$ref"].(string); ok {
				r, _ := resolvePointer(doc, ref)
				pm, _ = r.(map[string]any)
			}
			if pm["in"] != "path" {
				continue
			}
			name, _ := pm["name"].(string)
			got = append(got, name)
			if pm["required"] != true {
				t.Errorf("%s: path parameter %s must be required", key, name)
			}
		}
		sort.Strings(want)
		sort.Strings(got)
		if !slices.Equal(want, got) {
			t.Errorf("%s: path parameters declared %v, the template has %v", key, got, want)
		}

		// Security: bearerAuth exactly on the routes registered with a permission (which
		// authenticate), an explicit empty list on every public one.
		perm, managed := s.perms[routes[key]] // routes[key] is "" for delivery's routes
		sec, hasSec := op["security"].([]any)
		if managed {
			if len(sec) != 1 || !hasBearer(sec[0]) {
				t.Errorf("%s needs a token: its security must be [{\"bearerAuth\": []}], not %v", key, op["security"])
			}
			var allowed []string
			for _, r := range cms.AllRoles {
				if enf.Allowed([]cms.Role{r}, perm) {
					allowed = append(allowed, string(r))
				}
			}
			var roles []string
			xr, _ := op["x-roles"].([]any)
			for _, r := range xr {
				rs, _ := r.(string)
				roles = append(roles, rs)
			}
			if !slices.Equal(roles, allowed) {
				t.Errorf("%s: x-roles %v, but the policy allows %v (%s)", key, roles, allowed, perm)
			}
			if op["x-permission"] != perm.String() {
				t.Errorf("%s: x-permission %v, want %s", key, op["x-permission"], perm)
			}
			desc, _ := op["description"].(string)
			for _, r := range allowed {
				if !strings.Contains(desc, r) {
					t.Errorf("%s: the description does not name the allowed role %s", key, r)
				}
			}
		} else if !hasSec || len(sec) != 0 {
			t.Errorf("%s is public: its security must be [], not %v", key, op["security"])
		}
	}
}

// The document is served as it is embedded.
func TestOpenAPIServed(t *testing.T) {
	s, _ := newRouteOnlyServer(t)
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/api/openapi.json", nil))
	if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Header().Get("Content-Type"), "application/json") ||
		!bytes.Equal(rec.Body.Bytes(), openAPIDocument) {
		t.Errorf("GET /api/openapi.json: %d %s", rec.Code, rec.Header().Get("Content-Type"))
	}
}

func hasBearer(req any) bool {
	m, _ := req.(map[string]any)
	scopes, ok := m["bearerAuth"].([]any)
	return ok && len(scopes) == 0 && len(m) == 1
}

// walkJSON calls fn on every object in v.
func walkJSON(v any, fn func(map[string]any)) {
	switch x := v.(type) {
	case map[string]any:
		fn(x)
		for _, c := range x {
			walkJSON(c, fn)
		}
	case []any:
		for _, c := range x {
			walkJSON(c, fn)
		}
	}
}

// resolvePointer resolves a local reference "#/a/b" in doc (RFC 6901), or says why not.
func resolvePointer(doc map[string]any, ref string) (any, string) {
	ptr, ok := strings.CutPrefix(ref, "#/")
	if !ok {
		return nil, "not a reference within the document"
	}
	var cur any = doc
	for _, tok := range strings.Split(ptr, "/") {
		tok = strings.NewReplacer("~1", "/", "~0", "~").Replace(tok)
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, "does not resolve"
		}
		if cur, ok = m[tok]; !ok {
			return nil, "does not resolve"
		}
	}
	return cur, ""
}

func digMap(doc map[string]any, keys ...string) (map[string]any, bool) {
	cur := doc
	for _, k := range keys {
		next, ok := cur[k].(map[string]any)
		if !ok {
			return nil, false
		}
		cur = next
	}
	return cur, true
}
