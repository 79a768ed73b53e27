package main

// The PocketBase reference of the saves mode (-pocketbase BINARY, built from
// scripts/bench.d/pocketbase by scripts/bench-store when STOREBENCH_POCKETBASE=1).
//
// The machine's speed varies from run to run, so a figure measured on another day says
// little; PocketBase measured in the same run, with the same workload, gives a ratio that
// does. It runs on 127.0.0.1 on a fresh data dir under the work dir, with its default
// settings (its request log included) and --dev=false (dev mode logs every SQL statement).
// The workload is Monograph's:
//
//   - a base collection `pages`: title (text), slug (text, unique index), content (json,
//     max size 4 MB, far above the 4.4 KB page);
//   - the writer is a record of PocketBase's built-in `users` auth collection (chosen over
//     a new auth collection: it is what a PocketBase installation starts with), signed in
//     with its password; the collection's list, view, create and update rules are
//     `@request.auth.id != ""`, so every request is authenticated and rule-checked, as
//     Monograph's are (the superuser, who bypasses rules, only sets things up);
//   - the same pages and contents (template.content), created with POST, then saved with
//     PATCH of the content on the same random pages (the same seeds) by 1 and by -writers
//     writers, each request timed by the same api.call.
//
// What PocketBase does not do, and the label says: keep a history (a save overwrites the
// record) or check a version (a PATCH does not name the version it edits).

import (
	"bytes"
	"context"
	"debug/buildinfo"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"slices"
	"time"
)

const (
	pbModule        = "github.com/pocketbase/pocketbase"
	pbSuperEmail    = "bench-superuser@example.com"
	pbWriterEmail   = "writer@example.com"
	pbPassword      = "storebench-password"
	pbCollection    = "pages"
	pbAuthRule      = `@request.auth.id != ""`
	pbContentMaxLen = 4 << 20
)

// pocketBase is the reference server, a saveTarget.
type pocketBase struct {
	b      *bench
	lbl    string
	dir    string
	srv    *server
	api    *api // its client and call; PocketBase's sessions are not Monograph's
	token  string
	random *rand.Rand
	next   int // number of the next page
	count  int // pages created
}

// startPocketBase creates the superuser with the CLI, starts `serve` and sets up the
// collection and the writer through the REST API. On failure it stops what it started.
func (b *bench) startPocketBase(ctx context.Context) (_ *pocketBase, err error) {
	bin := b.cfg.pocketbase
	version, goVersion := moduleVersion(bin, pbModule)
	if version == "?" {
		return nil, fmt.Errorf("-pocketbase %s: not a Go binary built with %s (build scripts/bench.d/pocketbase)", bin, pbModule)
	}
	pb := &pocketBase{
		b:      b,
		lbl:    fmt.Sprintf("PocketBase %s (no history)", version),
		dir:    b.newDir("pocketbase"),
		random: rand.New(rand.NewPCG(b.cfg.seed, 0x5eed)), // b.rng's seed: the same pages as Monograph's first saves run
		next:   1,
	}
	defer func() {
		if err != nil {
			pb.close()
		}
	}()
	_, monographGo := moduleVersion(b.cfg.bin, "")
	fmt.Printf("\nReference in the same run: `%s` (PocketBase %s, built with %s; Monograph built with %s), default settings, `--dev=false`, on a fresh data dir. Collection `pages` (title text, slug text with a unique index, content json); creates are POST, saves PATCH the content, both by a `users` record signed in with its password, allowed by the rule `%s`. PocketBase keeps no history and checks no version. The creates and the saves run in ten rounds, each server taking its turn in every round.\n",
		bin, version, goVersion, monographGo, pbAuthRule)

	if err := os.MkdirAll(pb.dir, 0o755); err != nil {
		return nil, err
	}
	if _, err := runCLI(ctx, bin, "superuser", "upsert", pbSuperEmail, pbPassword, "--dir", pb.dir, "--dev=false"); err != nil {
		return nil, err
	}
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	pb.srv, err = startProcess(addr, "pocketbase.pid", b.logPath(), bin, "serve", "--http", addr, "--dir", pb.dir, "--dev=false")
	if err != nil {
		return nil, err
	}
	if _, err := pb.srv.waitFor(ctx, "/api/health", b.cfg.startWait); err != nil {
		return nil, err
	}
	pb.api = newAPI(b.cfg, pb.srv.base)

	superToken, err := pb.signIn(ctx, "_superusers", pbSuperEmail)
	if err != nil {
		return nil, err
	}
	rule := pbAuthRule
	collection := map[string]any{
		"name":       pbCollection,
		"type":       "base",
		"listRule":   rule,
		"viewRule":   rule,
		"createRule": rule,
		"updateRule": rule,
		"deleteRule": nil, // superusers only
		"fields": []map[string]any{
			{"name": "title", "type": "text", "required": true},
			{"name": "slug", "type": "text", "required": true},
			{"name": "content", "type": "json", "required": true, "maxSize": pbContentMaxLen},
		},
		"indexes": []string{"CREATE UNIQUE INDEX idx_pages_slug ON pages (slug)"},
	}
	if _, err := pb.request(ctx, http.MethodPost, "/api/collections", superToken, collection); err != nil {
		return nil, err
	}
	writer := map[string]any{"email": pbWriterEmail, "password": pbPassword, "passwordConfirm": pbPassword, "verified": true}
	if _, err := pb.request(ctx, http.MethodPost, "/api/collections/users/records", superToken, writer); err != nil {
		return nil, err
	}
	// A users token lives 7 days by default: no refresh during a run.
	if pb.token, err = pb.signIn(ctx, "users", pbWriterEmail); err != nil {
		return nil, err
	}
	return pb, nil
}

// close stops PocketBase and removes its data dir (unless -keep).
func (pb *pocketBase) close() error {
	var err error
	if pb.srv != nil {
		_, err = pb.srv.stop()
		pb.srv = nil
	}
	if !pb.b.cfg.keep {
		if rerr := os.RemoveAll(pb.dir); rerr != nil && err == nil {
			err = rerr
		}
	}
	return err
}

func (pb *pocketBase) signIn(ctx context.Context, collection, email string) (string, error) {
	r, err := pb.request(ctx, http.MethodPost, "/api/collections/"+collection+"/auth-with-password", "",
		map[string]string{"identity": email, "password": pbPassword})
	if err != nil {
		return "", err
	}
	var auth struct {
		Token string `json:"token"`
	}
	if err := json.Unmarshal(r.body, &auth); err != nil || auth.Token == "" {
		return "", fmt.Errorf("signing in to %s: no token (%v): %s", collection, err, clip(r.body))
	}
	return auth.Token, nil
}

// request sends one set-up request and wants a 200.
func (pb *pocketBase) request(ctx context.Context, method, path, token string, v any) (response, error) {
	body, err := json.Marshal(v)
	if err != nil {
		return response{}, err
	}
	return pb.send(ctx, method, path, token, body)
}

func (pb *pocketBase) send(ctx context.Context, method, path, token string, body []byte) (response, error) {
	var h http.Header
	if token != "" {
		h = http.Header{"Authorization": {token}}
	}
	r, err := pb.api.call(ctx, method, path, body, h)
	if err != nil {
		return r, err
	}
	return r, expect(r, http.StatusOK, method, path)
}

func (pb *pocketBase) label() string    { return pb.lbl }
func (pb *pocketBase) storedPages() int { return pb.count }
func (pb *pocketBase) saved(int)        {}
func (pb *pocketBase) rng() *rand.Rand  { return pb.random }

// createPage creates page number pb.next with Monograph's name, slug and content.
func (pb *pocketBase) createPage(ctx context.Context) (*page, time.Duration, error) {
	p := newPage(pb.next)
	pb.next++
	title, _ := json.Marshal(p.name)
	slug, _ := json.Marshal(p.slug)
	body := slices.Concat([]byte(`{"title":`), title, []byte(`,"slug":`), slug, []byte(`,"content":`),
		pb.b.tmpl.content(p.n, 0), []byte(`}`))
	const path = "/api/collections/" + pbCollection + "/records"
	r, err := pb.send(ctx, http.MethodPost, path, pb.token, body)
	if err != nil {
		return nil, 0, err
	}
	var rec struct {
		ID   string `json:"id"`
		Slug string `json:"slug"`
	}
	if err := json.Unmarshal(r.body, &rec); err != nil || rec.ID == "" || rec.Slug != p.slug {
		return nil, 0, fmt.Errorf("POST %s: not the record of %q (%v): %s", path, p.slug, err, clip(r.body))
	}
	p.id = rec.ID
	pb.count++
	return p, r.took, nil
}

// save PATCHes p's content with one more edit and checks that the record PocketBase
// answers with carries it.
func (pb *pocketBase) save(ctx context.Context, p *page) (time.Duration, error) {
	p.edits++
	body := slices.Concat([]byte(`{"content":`), pb.b.tmpl.content(p.n, p.edits), []byte(`}`))
	path := "/api/collections/" + pbCollection + "/records/" + p.id
	r, err := pb.send(ctx, http.MethodPatch, path, pb.token, body)
	if err != nil {
		return 0, err
	}
	if mark := editMark(p.edits); !bytes.Contains(r.body, []byte(mark)) {
		return 0, fmt.Errorf("PATCH %s: the answer lacks %q: the save did not store the edit: %s", path, mark, clip(r.body))
	}
	p.revision++
	return r.took, nil
}

// moduleVersion reads a Go binary's build info: the version of module mod in it ("" for
// the main module) and the Go release that built it; "?" for what it does not say.
func moduleVersion(bin, mod string) (version, goVersion string) {
	version, goVersion = "?", "?"
	info, err := buildinfo.ReadFile(bin)
	if err != nil {
		return version, goVersion
	}
	goVersion = info.GoVersion
	if mod == "" {
		return info.Main.Version, goVersion
	}
	for _, d := range info.Deps {
		if d.Path == mod {
			if d.Replace != nil {
				d = d.Replace
			}
			return d.Version, goVersion
		}
	}
	return version, goVersion
}

var _ saveTarget = (*pocketBase)(nil)
