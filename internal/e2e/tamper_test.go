package e2e

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/klauspost/compress/zstd"

	"github.com/monograph-cms/monograph/internal/sqlitestore"
)

// MustTamperSQL runs one statement against the embedded store's database file of a stopped
// server, as someone with access to the files could, and fails unless it changed exactly
// one row. It goes through the SQLite driver directly, around every service.
func MustTamperSQL(tb testing.TB, dataDir, stmt string, args ...any) {
	tb.Helper()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dataDir, sqlitestore.FileName))
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	res, err := db.ExecContext(context.Background(), stmt, args...)
	if err != nil {
		tb.Fatalf("tamper %q: %v", stmt, err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		tb.Fatalf("tamper %q changed %d rows, want 1", stmt, n)
	}
}

// tamperJSON rewrites one JSON column of one row of a stopped server's database file
// through the SQLite driver, as someone with the files could: edit gets the decoded value.
// A zstd-compressed column (revision contents) is decompressed and compressed again.
func tamperJSON(tb testing.TB, dataDir, table, column, where string, edit func(map[string]any), args ...any) {
	tb.Helper()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dataDir, sqlitestore.FileName))
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	var raw []byte
	if err := db.QueryRow("SELECT "+column+" FROM "+table+" WHERE "+where, args...).Scan(&raw); err != nil {
		tb.Fatalf("tamper %s.%s: %v", table, column, err)
	}
	compressed := len(raw) > 4 && bytes.Equal(raw[:4], []byte{0x28, 0xb5, 0x2f, 0xfd})
	if compressed {
		dec, _ := zstd.NewReader(nil)
		defer dec.Close()
		if raw, err = dec.DecodeAll(raw, nil); err != nil {
			tb.Fatal(err)
		}
	}
	var v map[string]any
	if err := json.Unmarshal(raw, &v); err != nil {
		tb.Fatalf("tamper %s.%s: %v", table, column, err)
	}
	edit(v)
	out, _ := json.Marshal(v)
	if compressed {
		enc, _ := zstd.NewWriter(nil)
		out = enc.EncodeAll(out, nil)
	}
	res, err := db.Exec("UPDATE "+table+" SET "+column+" = ? WHERE "+where, append([]any{out}, args...)...)
	if err != nil {
		tb.Fatal(err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		tb.Fatalf("tamper changed %d rows", n)
	}
}

// Must show (issue 11): a tamper table for `audit verify`. Each edit of the stored record,
// made around every service, is caught and names the page; and delivery never serves the
// edited text: at start it takes a live snapshot only under a valid seal (made when it was
// derived from the verified revision), else derives it anew from the revision and checks
// the signature.
func TestAuditVerifyTamperTable(t *testing.T) {
	t.Parallel()
	sub := func(m map[string]any, path ...string) map[string]any {
		for _, k := range path {
			m = m[k].(map[string]any)
		}
		return m
	}
	cases := []struct {
		name   string
		tamper func(t *testing.T, dir, pageID string)
		// served is what delivery must serve at the next start: the honest text, or nothing.
		served int
	}{
		// The snapshot sealed at publication is still the signed text: served.
		{"a revision's content", func(t *testing.T, dir, id string) {
			tamperJSON(t, dir, "revisions", "content", "page_id = ? AND number = 2", func(m map[string]any) { m["title"] = "Forged dose" }, id)
		}, 200},
		// Both, consistently: the seal breaks, the revision no longer hashes to what was
		// signed: nothing is served.
		{"a revision's content and the live snapshot", func(t *testing.T, dir, id string) {
			tamperJSON(t, dir, "revisions", "content", "page_id = ? AND number = 2", func(m map[string]any) { m["title"] = "Forged dose" }, id)
			tamperJSON(t, dir, "live", "snapshot", "page_id = ?", func(m map[string]any) { sub(m, "rendered")["title"] = "Forged dose" }, id)
		}, 0},
		{"an approval's hash", func(t *testing.T, dir, id string) {
			tamperJSON(t, dir, "pages", "doc", "id = ?", func(m map[string]any) {
				sub(m, "workflow", "approval")["contentHash"] = "sha256:" + strings.Repeat("ab", 32)
			}, id)
		}, 200},
		{"the live snapshot", func(t *testing.T, dir, id string) {
			tamperJSON(t, dir, "live", "snapshot", "page_id = ?", func(m map[string]any) {
				sub(m, "rendered")["title"] = "Forged <script>alert(1)</script>"
			}, id)
		}, 200},
		{"an event", func(t *testing.T, dir, id string) {
			MustTamperSQL(t, dir, `UPDATE audit SET actor_name = 'Mallory' WHERE page_id = ? AND action = 'approve'`, id)
		}, 200},
		{"the page state", func(t *testing.T, dir, id string) {
			tamperJSON(t, dir, "pages", "doc", "id = ?", func(m map[string]any) {
				sub(m, "workflow", "live")["revision"] = 1
			}, id)
		}, 200},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := MustStart(t, WithConfig(embeddedOnly))
			tm := signIn(t, s)
			p := tm.writer.Create(t, "tamper-me", Content("Tamper me"))
			p = tm.writer.MustSave(t, p.ID, p.Version, Content("Tamper me, dose checked"))
			p = tm.writer.MustAction(t, p.ID, "submit", nil)
			p = tm.reviewer.Approve(t, p)
			tm.editor.MustAction(t, p.ID, "publish", nil)
			if br, err := s.App.Pages.VerifyAudit(t.Context(), nil); br != nil || err != nil {
				t.Fatalf("an intact store fails verification: %v %v", br, err)
			}
			dir := s.DataDir
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			tc.tamper(t, dir, p.ID)

			s2 := MustStart(t, WithDataDir(dir), WithoutDemo(), WithConfig(embeddedOnly))
			br, err := s2.App.Pages.VerifyAudit(t.Context(), nil)
			if err != nil {
				t.Fatal(err)
			}
			if br == nil || br.PageID != p.ID {
				t.Fatalf("verify after tampering with %s: %v", tc.name, br)
			}
			t.Logf("caught: %v", br)
			r := deliver(t, s2, "tamper-me")
			if tc.served == 0 {
				MustStatus(t, r, 404)
			} else {
				MustStatus(t, r, 200)
				if strings.Contains(string(r.Body), "Forged") || !strings.Contains(string(r.Body), "dose checked") {
					t.Fatalf("delivery serves %s", r.Body)
				}
			}
		})
	}
}

// Finding 1 of issue 11, at the publication: the text of an approved revision edited in
// the store's files is never published under the signature — publishing re-reads the
// revision, re-hashes it and refuses (409 integrity_failed), naming what to do.
func TestPublishRefusesAlteredApprovedRevision(t *testing.T) {
	t.Parallel()
	s := MustStart(t, WithConfig(embeddedOnly))
	tm := signIn(t, s)
	p := tm.approved(t, "altered-before-publish", "Altered before publish")
	dir := s.DataDir
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	tamperJSON(t, dir, "revisions", "content", "page_id = ? AND number = ?", func(m map[string]any) { m["title"] = "Forged dose" }, p.ID, p.Revision)
	s2 := MustStart(t, WithDataDir(dir), WithoutDemo(), WithConfig(embeddedOnly))
	editor := s2.Login(t, Editor)
	pr := MustProblem(t, editor.Action(t, p.ID, "publish", nil), 409, "integrity_failed", "")
	if !strings.Contains(pr.Detail, "audit verify") {
		t.Errorf("the problem does not say what to do: %+v", pr)
	}
	MustStatus(t, deliver(t, s2, "altered-before-publish"), 404)
}
