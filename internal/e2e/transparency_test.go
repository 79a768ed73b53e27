package e2e

import (
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/monograph-cms/monograph/internal/editorial"
	"github.com/monograph-cms/monograph/internal/sqlitestore"
)

// logClient is a reader of the verifiable record who trusts nothing but the log's verifier
// key and checks everything with golang.org/x/mod/sumdb/{note,tlog} alone.
type logClient struct {
	c        *Client
	verifier note.Verifier
}

// logCheckpoint is a verified checkpoint.
type logCheckpoint struct {
	Note []byte
	Size int64
	Root tlog.Hash
}

// loggedEvent is an audit event as the API serves it, with its leaf.
type loggedEvent struct {
	ID       string `json:"-"`
	Seq      int    `json:"seq"`
	Action   string `json:"action"`
	PageID   string `json:"pageId"`
	Revision int    `json:"revision"`
	Hash     string `json:"hash"`
	LogIndex *int64 `json:"logIndex"`
}

func newLogClient(tb testing.TB, s *Server) *logClient {
	tb.Helper()
	c := s.Anon()
	r := c.Do(tb, "GET", "/api/v1/transparency/key", nil)
	MustStatus(tb, r, 200)
	v, err := note.NewVerifier(string(r.Body))
	if err != nil {
		tb.Fatalf("the served key %q is not a note verifier key: %v", r.Body, err)
	}
	if !strings.HasPrefix(v.Name(), "monograph/") {
		tb.Fatalf("log name %q", v.Name())
	}
	return &logClient{c: c, verifier: v}
}

// open verifies a signed checkpoint and reads it.
func (lc *logClient) open(tb testing.TB, msg []byte) logCheckpoint {
	tb.Helper()
	n, err := note.Open(msg, note.VerifierList(lc.verifier))
	if err != nil {
		tb.Fatalf("the checkpoint does not verify with the log's key: %v\n%s", err, msg)
	}
	lines := strings.Split(n.Text, "\n")
	if len(lines) != 4 || lines[0] != lc.verifier.Name() || lines[3] != "" {
		tb.Fatalf("checkpoint text %q: want origin, size, root", n.Text)
	}
	size, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil {
		tb.Fatalf("checkpoint size %q: %v", lines[1], err)
	}
	root, err := tlog.ParseHash(lines[2])
	if err != nil {
		tb.Fatalf("checkpoint root %q: %v", lines[2], err)
	}
	return logCheckpoint{Note: msg, Size: size, Root: root}
}

func (lc *logClient) checkpoint(tb testing.TB) logCheckpoint {
	tb.Helper()
	r := lc.c.Do(tb, "GET", "/api/v1/transparency/checkpoint", nil)
	MustStatus(tb, r, 200)
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
		tb.Fatalf("checkpoint Content-Type %q", ct)
	}
	return lc.open(tb, r.Body)
}

func decodeHashes(tb testing.TB, list []string) []tlog.Hash {
	tb.Helper()
	out := make([]tlog.Hash, len(list))
	for i, s := range list {
		h, err := tlog.ParseHash(s)
		if err != nil {
			tb.Fatalf("proof hash %q: %v", s, err)
		}
		out[i] = h
	}
	return out
}

// mustInclude fetches the inclusion proof of e in cp's tree and checks it.
func (lc *logClient) mustInclude(tb testing.TB, cp logCheckpoint, e loggedEvent) {
	tb.Helper()
	r := lc.c.Do(tb, "GET", fmt.Sprintf("/api/v1/transparency/proof?index=%d&size=%d", *e.LogIndex, cp.Size), nil)
	MustStatus(tb, r, 200)
	var p struct {
		Index int64    `json:"index"`
		Size  int64    `json:"size"`
		Proof []string `json:"proof"`
	}
	r.Decode(tb, &p)
	if p.Index != *e.LogIndex || p.Size != cp.Size {
		tb.Fatalf("proof for index %d size %d answers %s", *e.LogIndex, cp.Size, r.Body)
	}
	if err := tlog.CheckRecord(decodeHashes(tb, p.Proof), cp.Size, cp.Root, *e.LogIndex, tlog.RecordHash([]byte(e.Hash))); err != nil {
		tb.Fatalf("event %s/%d is not proved to be leaf %d of the checkpoint's tree: %v", e.PageID, e.Seq, *e.LogIndex, err)
	}
}

// mustExtend fetches the consistency proof between two checkpoints and checks it.
func (lc *logClient) mustExtend(tb testing.TB, older, newer logCheckpoint) {
	tb.Helper()
	r := lc.c.Do(tb, "GET", fmt.Sprintf("/api/v1/transparency/consistency?old=%d&new=%d", older.Size, newer.Size), nil)
	MustStatus(tb, r, 200)
	var p struct {
		Old   int64    `json:"old"`
		New   int64    `json:"new"`
		Proof []string `json:"proof"`
	}
	r.Decode(tb, &p)
	if p.Old != older.Size || p.New != newer.Size {
		tb.Fatalf("consistency %d..%d answers %s", older.Size, newer.Size, r.Body)
	}
	if err := tlog.CheckTree(decodeHashes(tb, p.Proof), newer.Size, newer.Root, older.Size, older.Root); err != nil {
		tb.Fatalf("the tree of %d leaves is not proved to extend the tree of %d: %v", newer.Size, older.Size, err)
	}
}

// loggedChain returns a page's chain once every event has its leaf (at once on the
// embedded store; after the sequencer's next round on MongoDB).
func loggedChain(tb testing.TB, c *Client, pageID string) []loggedEvent {
	tb.Helper()
	var events []loggedEvent
	eventually(tb, 10*time.Second, func() error {
		r := c.Do(tb, "GET", pagesPath+"/"+pageID+"/audit", nil)
		MustStatus(tb, r, 200)
		var out struct {
			Data []loggedEvent `json:"data"`
		}
		r.Decode(tb, &out)
		events = out.Data
		for _, e := range events {
			if e.LogIndex == nil {
				return fmt.Errorf("event %d of page %s has no logIndex yet", e.Seq, pageID)
			}
		}
		return nil
	})
	return events
}

// publishPage creates a page and takes it through review to live.
func publishPage(tb testing.TB, s *Server, slug string) Page {
	tb.Helper()
	w, r, e := s.Login(tb, Writer), s.Login(tb, Reviewer), s.Login(tb, Editor)
	p := w.Create(tb, slug, Content("Attested "+slug))
	p = w.MustAction(tb, p.ID, "submit", nil)
	p = r.Approve(tb, p)
	return e.MustAction(tb, p.ID, "publish", nil)
}

// Issue 11, build point 6: every audit event is a leaf of one Merkle tree whose signed
// checkpoints, inclusion proofs and consistency proofs a reader checks with the x/mod
// packages alone; a live page's attestation proves its approval and publication.
func TestTransparencyProofsVerifyWithXModAlone(t *testing.T) {
	t.Parallel()
	s := MustStart(t)
	lc := newLogClient(t, s)
	admin := s.Login(t, Admin)

	p := publishPage(t, s, "attested")
	events := loggedChain(t, admin, p.ID)
	var cp1 logCheckpoint
	eventually(t, 10*time.Second, func() error {
		cp1 = lc.checkpoint(t)
		for _, e := range events {
			if *e.LogIndex >= cp1.Size {
				return fmt.Errorf("leaf %d is beyond the checkpoint's %d", *e.LogIndex, cp1.Size)
			}
		}
		return nil
	})
	for _, e := range events {
		lc.mustInclude(t, cp1, e)
	}

	// The log grows: a later checkpoint extends the earlier one, and proves the new leaves.
	w := s.Login(t, Writer)
	q := w.Create(t, "later-page", Content("Later page"))
	w.MustSave(t, q.ID, q.Version, Content("Later page, edited"))
	later := loggedChain(t, admin, q.ID)
	var cp2 logCheckpoint
	eventually(t, 10*time.Second, func() error {
		cp2 = lc.checkpoint(t)
		if *later[len(later)-1].LogIndex >= cp2.Size {
			return fmt.Errorf("the checkpoint of %d leaves does not have leaf %d yet", cp2.Size, *later[len(later)-1].LogIndex)
		}
		return nil
	})
	lc.mustExtend(t, cp1, cp2)
	lc.mustExtend(t, cp2, cp2)
	for _, e := range append(later, events...) {
		lc.mustInclude(t, cp2, e)
	}

	// The attestation of the live page: its approval and publication, proved against the
	// checkpoint it carries.
	r := s.Anon().Do(t, "GET", "/api/v1/pages/attested/attestation", nil)
	MustStatus(t, r, 200)
	var att struct {
		Slug        string      `json:"slug"`
		Revision    int         `json:"revision"`
		ContentHash string      `json:"contentHash"`
		Approval    loggedEvent `json:"approval"`
		Publication loggedEvent `json:"publication"`
		Checkpoint  string      `json:"checkpoint"`
		Proofs      struct {
			Approval    []string `json:"approval"`
			Publication []string `json:"publication"`
		} `json:"proofs"`
	}
	r.Decode(t, &att)
	if att.Slug != "attested" || att.Revision != p.Live.Revision || att.ContentHash != p.Live.ContentHash {
		t.Fatalf("attestation of %s revision %d: %s", p.Slug, p.Live.Revision, r.Body)
	}
	if att.Approval.Action != "approve" || att.Publication.Action != "publish" || att.Approval.PageID != p.ID ||
		att.Approval.Revision != p.Live.Revision || att.Publication.Revision != p.Live.Revision {
		t.Fatalf("attestation events: %s", r.Body)
	}
	acp := lc.open(t, []byte(att.Checkpoint))
	for _, x := range []struct {
		e     loggedEvent
		proof []string
	}{{att.Approval, att.Proofs.Approval}, {att.Publication, att.Proofs.Publication}} {
		if x.e.LogIndex == nil {
			t.Fatalf("attested event without logIndex: %s", r.Body)
		}
		if err := tlog.CheckRecord(decodeHashes(t, x.proof), acp.Size, acp.Root, *x.e.LogIndex, tlog.RecordHash([]byte(x.e.Hash))); err != nil {
			t.Fatalf("the attestation's %s event is not proved by its checkpoint: %v", x.e.Action, err)
		}
		found := false
		for _, e := range events {
			found = found || (e.Hash == x.e.Hash && *e.LogIndex == *x.e.LogIndex)
		}
		if !found {
			t.Fatalf("the attested %s event is not one of the page's chain", x.e.Action)
		}
	}
}

// Sizes beyond the tree and malformed parameters are 400 problems naming the parameter;
// an attestation of a page that is not live is 404.
func TestTransparencyRefusesBadParameters(t *testing.T) {
	t.Parallel()
	s := MustStart(t)
	lc := newLogClient(t, s)
	var cp logCheckpoint
	eventually(t, 10*time.Second, func() error { // MongoDB: the sequencer runs a moment after the seed
		if cp = lc.checkpoint(t); cp.Size == 0 {
			return fmt.Errorf("the demo data has no audit events in the log")
		}
		return nil
	})
	a := s.Anon()
	for _, tc := range []struct{ query, field string }{
		{fmt.Sprintf("proof?index=0&size=%d", cp.Size+1), "size"},
		{"proof?index=0&size=0", "size"},
		{fmt.Sprintf("proof?index=%d&size=%d", cp.Size, cp.Size), "index"},
		{"proof?index=-1&size=1", "index"},
		{"proof?index=x&size=1", "index"},
		{"proof?size=1", "index"},
		{"proof?index=0", "size"},
		{fmt.Sprintf("consistency?old=1&new=%d", cp.Size+1), "new"},
		{"consistency?old=0&new=1", "old"},
		{fmt.Sprintf("consistency?old=%d&new=1", cp.Size), "old"},
		{"consistency?old=1&new=99999999999999999999", "new"},
		{"consistency?new=1", "old"},
	} {
		MustProblem(t, a.Do(t, "GET", "/api/v1/transparency/"+tc.query, nil), 400, "invalid", tc.field)
	}
	MustProblem(t, a.Do(t, "GET", "/api/v1/pages/no-such-page/attestation", nil), 404, "not_found", "")
	w := s.Login(t, Writer)
	w.Create(t, "draft-only", Content("Draft only"))
	MustProblem(t, a.Do(t, "GET", "/api/v1/pages/draft-only/attestation", nil), 404, "not_found", "")
	p := publishPage(t, s, "comes-and-goes")
	MustStatus(t, a.Do(t, "GET", "/api/v1/pages/comes-and-goes/attestation", nil), 200)
	s.Login(t, Editor).MustAction(t, p.ID, "unpublish", map[string]any{"reason": "withdrawn"})
	MustProblem(t, a.Do(t, "GET", "/api/v1/pages/comes-and-goes/attestation", nil), 404, "not_found", "")

	// The accounts chain is listed apart from pages' events.
	admin := s.Login(t, Admin)
	MustStatus(t, admin.Do(t, "GET", "/api/v1/manage/audit?scope=accounts", nil), 200)
	MustProblem(t, admin.Do(t, "GET", "/api/v1/manage/audit?scope=everything", nil), 400, "invalid", "scope")
	MustProblem(t, admin.Do(t, "GET", "/api/v1/manage/audit?scope=accounts&pageId="+p.ID, nil), 400, "invalid", "pageId")
	r := admin.Do(t, "GET", "/api/v1/manage/audit?limit=100", nil)
	MustStatus(t, r, 200)
	var list struct {
		Data []loggedEvent `json:"data"`
	}
	r.Decode(t, &list)
	for _, e := range list.Data {
		if e.PageID == "" {
			t.Fatalf("an account event is listed with pages' events: %s", r.Body)
		}
	}
}

// `monograph audit verify --checkpoint FILE` proves the stored log extends a checkpoint
// kept earlier: an honest append keeps it passing; an event edited in the database file
// afterwards fails it, even when the forger relinks the chain and rebuilds the tree so
// that every check without the checkpoint passes.
func TestAuditVerifyWithKeptCheckpoint(t *testing.T) {
	skipOnMongoRun(t)
	t.Parallel()
	dir := t.TempDir()
	s := MustStart(t, WithDataDir(dir), WithConfig(embeddedOnly))
	p := publishPage(t, s, "kept")
	kept := filepath.Join(t.TempDir(), "checkpoint.txt")
	r := s.Anon().Do(t, "GET", "/api/v1/transparency/checkpoint", nil)
	MustStatus(t, r, 200)
	if err := os.WriteFile(kept, r.Body, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	verify := func() (error, string) {
		err, out, stderr := runBinary(t, "", "audit", "verify", "--data", dir, "--checkpoint", kept)
		return err, out + stderr
	}
	if err, out := verify(); err != nil {
		t.Fatalf("audit verify --checkpoint on an intact store: %v\n%s", err, out)
	}

	// An honest append: more events after the checkpoint.
	s2 := MustStart(t, WithDataDir(dir), WithConfig(embeddedOnly))
	w := s2.Login(t, Writer)
	q := w.Create(t, "after-checkpoint", Content("After checkpoint"))
	w.MustSave(t, q.ID, q.Version, Content("After checkpoint, edited"))
	if err := s2.Close(); err != nil {
		t.Fatal(err)
	}
	if err, out := verify(); err != nil {
		t.Fatalf("audit verify --checkpoint after an honest append: %v\n%s", err, out)
	} else if !strings.Contains(out, "checkpoint") {
		t.Fatalf("audit verify does not say it checked the checkpoint:\n%s", out)
	}

	// A forger edits the approval of the kept page, relinks its chain, fixes the page's
	// chain head and rebuilds the whole tree from the events.
	resealAfterEdit(t, dir, p.ID, "approve")
	err, out, stderr := runBinary(t, "", "audit", "verify", "--data", dir)
	if err != nil {
		t.Fatalf("fixture: the forgery does not pass the checks without a checkpoint: %v\n%s%s", err, out, stderr)
	}
	err, all := verify()
	if err == nil {
		t.Fatalf("audit verify --checkpoint exited 0 on an edited, resealed store:\n%s", all)
	}
	if !strings.Contains(all, "checkpoint") || !strings.Contains(all, "not an extension") {
		t.Fatalf("audit verify does not say the log no longer extends the checkpoint:\n%s", all)
	}
	t.Logf("audit verify --checkpoint on the forged store:\n%s", all)

	// A checkpoint whose signature does not verify is refused whatever the tree.
	if err := os.WriteFile(kept, breakSignature(t, mustRead(t, kept)), 0o600); err != nil {
		t.Fatal(err)
	}
	if err, all := verify(); err == nil || !strings.Contains(all, "signature") {
		t.Fatalf("audit verify accepted a checkpoint with a broken signature: %v\n%s", err, all)
	}
}

// breakSignature flips a bit of a signed note's signature, keeping its format.
func breakSignature(tb testing.TB, msg []byte) []byte {
	tb.Helper()
	text := strings.TrimSuffix(string(msg), "\n")
	i := strings.LastIndex(text, " ")
	sig, err := base64.StdEncoding.DecodeString(text[i+1:])
	if err != nil || len(sig) < 10 {
		tb.Fatalf("not a signed note: %q", msg)
	}
	sig[len(sig)-1] ^= 1
	return []byte(text[:i+1] + base64.StdEncoding.EncodeToString(sig) + "\n")
}

func mustRead(tb testing.TB, path string) []byte {
	tb.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// resealAfterEdit changes the actor name of a page's event with this action in the
// database file of a stopped server, recomputes the hashes of that event and of every later
// one of the chain, writes the page's new chain head, and recomputes every stored hash of
// the log from the events: a forgery consistent in itself, which only a checkpoint kept
// from before can expose.
func resealAfterEdit(tb testing.TB, dataDir, pageID, action string) {
	tb.Helper()
	ctx := context.Background()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dataDir, sqlitestore.FileName))
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		tb.Fatal(err)
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, `SELECT seq, at, actor, actor_name, action, revision, data, prev_hash, hash, actor_roles, request_id
		FROM audit WHERE page_id = ? ORDER BY seq`, pageID)
	if err != nil {
		tb.Fatal(err)
	}
	var events []editorial.AuditEvent
	for rows.Next() {
		e := editorial.AuditEvent{PageID: pageID}
		var at int64
		var roles string
		if err := rows.Scan(&e.Seq, &at, &e.Actor, &e.ActorName, &e.Action, &e.Revision, &e.Data, &e.PrevHash, &e.Hash, &roles, &e.RequestID); err != nil {
			tb.Fatal(err)
		}
		if roles != "" {
			if err := json.Unmarshal([]byte(roles), &e.ActorRoles); err != nil {
				tb.Fatal(err)
			}
		}
		e.At = time.UnixMilli(at).UTC()
		events = append(events, e)
	}
	if err := rows.Close(); err != nil {
		tb.Fatal(err)
	}
	edited := false
	prev := editorial.GenesisHash
	for i := range events {
		e := &events[i]
		if e.Action == action && !edited {
			e.ActorName, edited = "Mallory", true
		}
		if edited {
			e.PrevHash = prev
			e.Hash = e.ComputeHash()
			if _, err := tx.ExecContext(ctx, `UPDATE audit SET actor_name = ?, prev_hash = ?, hash = ? WHERE page_id = ? AND seq = ?`,
				e.ActorName, e.PrevHash, e.Hash, pageID, e.Seq); err != nil {
				tb.Fatal(err)
			}
		}
		prev = e.Hash
	}
	if !edited {
		tb.Fatalf("page %s has no %s event", pageID, action)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE pages SET
		doc = CAST(json_set(CAST(doc AS TEXT), '$.audit.hash', ?1) AS BLOB),
		summary = CAST(json_set(CAST(summary AS TEXT), '$.audit.hash', ?1) AS BLOB) WHERE id = ?2`, prev, pageID); err != nil {
		tb.Fatal(err)
	}
	// The whole tree again, from the events in leaf order.
	rows, err = tx.QueryContext(ctx, `SELECT hash FROM audit ORDER BY log_index`)
	if err != nil {
		tb.Fatal(err)
	}
	var leaves []string
	for rows.Next() {
		var h string
		if err := rows.Scan(&h); err != nil {
			tb.Fatal(err)
		}
		leaves = append(leaves, h)
	}
	if err := rows.Close(); err != nil {
		tb.Fatal(err)
	}
	stored := map[int64]tlog.Hash{}
	read := tlog.HashReaderFunc(func(idx []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(idx))
		for i, x := range idx {
			out[i] = stored[x]
		}
		return out, nil
	})
	if _, err := tx.ExecContext(ctx, `DELETE FROM tlog_hashes`); err != nil {
		tb.Fatal(err)
	}
	for n, leaf := range leaves {
		hashes, err := tlog.StoredHashes(int64(n), []byte(leaf), read)
		if err != nil {
			tb.Fatal(err)
		}
		for j, h := range hashes {
			idx := tlog.StoredHashIndex(0, int64(n)) + int64(j)
			stored[idx] = h
			if _, err := tx.ExecContext(ctx, `INSERT INTO tlog_hashes (idx, hash) VALUES (?, ?)`, idx, h[:]); err != nil {
				tb.Fatal(err)
			}
		}
	}
	if err := tx.Commit(); err != nil {
		tb.Fatal(err)
	}
}
