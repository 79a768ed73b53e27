package e2e

import (
	"os"

	"github.com/monograph-cms/monograph/internal/app"
	"path/filepath"
	"strings"
	"testing"
)

// TestExportImportRoundTrip: pages with a history (several revisions, a sign-off, a
// publication) exported, imported into an empty store and exported again give identical
// files; the imported store's audit chains verify.
func TestExportImportRoundTrip(t *testing.T) {
	t.Parallel()
	skipOnMongoRun(t)
	if testing.Short() {
		t.Skip("runs the binary several times")
	}
	dir := t.TempDir()
	src := filepath.Join(dir, "src")
	// The CLI runs below open the data dir: the server must have used it, not MONGODB_URI.
	s := MustStart(t, WithDataDir(src), WithConfig(embeddedOnly))
	writer := s.Login(t, "writer@example.com")
	p := writer.Create(t, "round-trip", Content("Round trip"))
	c := Content("Round trip, edited")
	p = writer.MustSave(t, p.ID, p.Version, c)
	p = writer.MustAction(t, p.ID, "submit", nil)
	s.Login(t, "reviewer@example.com").Approve(t, p)
	db := s.App.Config.Database
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	first, second := filepath.Join(dir, "export1"), filepath.Join(dir, "export2")
	if err, _, stderr := runBinary(t, "", "export", "--data", src, "--db", db, first); err != nil {
		t.Fatalf("export: %v\n%s", err, stderr)
	}
	dst := filepath.Join(dir, "dst")
	// Without the accounts, the approvals' signers are unknown to the new store: refused.
	if err, _, stderr := runBinary(t, "", "import", "--data", dst, first); err == nil || !strings.Contains(stderr, "--with-accounts") {
		t.Fatalf("import without the signers' accounts: %v\n%s", err, stderr)
	}
	if err, _, stderr := runBinary(t, "", "import", "--with-accounts", "--data", dst, first); err != nil {
		t.Fatalf("import: %v\n%s", err, stderr)
	}
	if err, _, stderr := runBinary(t, "", "export", "--data", dst, second); err != nil {
		t.Fatalf("second export: %v\n%s", err, stderr)
	}
	files, _ := filepath.Glob(filepath.Join(first, "*.json"))
	if len(files) != 3 { // the demo's ketamine, round-trip, and the accounts
		t.Fatalf("exported %d files, want 3: %v", len(files), files)
	}
	for _, f := range files {
		a, _ := os.ReadFile(f)
		b, err := os.ReadFile(filepath.Join(second, filepath.Base(f)))
		if err != nil || string(a) != string(b) {
			t.Errorf("%s differs after export → import → export", filepath.Base(f))
		}
	}
	if err, stdout, stderr := runBinary(t, "", "audit", "verify", "--data", dst); err != nil {
		t.Fatalf("audit verify after import: %v\n%s%s", err, stdout, stderr)
	}

	// An export of an earlier release lists no accounts: refused, with the way out named;
	// --create-signers creates each signer as a disabled reviewer account, and the record
	// then verifies.
	if err := os.Remove(filepath.Join(first, "accounts.json")); err != nil {
		t.Fatal(err)
	}
	old := filepath.Join(dir, "from-old")
	if err, _, stderr := runBinary(t, "", "import", "--data", old, first); err == nil || !strings.Contains(stderr, "--create-signers") {
		t.Fatalf("import of an export without accounts: %v\n%s", err, stderr)
	}
	if err, _, stderr := runBinary(t, "", "import", "--create-signers", "--data", old, first); err != nil || !strings.Contains(stderr, "disabled reviewer account") {
		t.Fatalf("import --create-signers: %v\n%s", err, stderr)
	}
	if err, stdout, stderr := runBinary(t, "", "audit", "verify", "--data", old); err != nil {
		t.Fatalf("audit verify after import --create-signers: %v\n%s%s", err, stdout, stderr)
	}
}

// TestImportReportsBadFilesAndImportsNothing: one bad file among good ones → each problem
// named with file and line, non-zero exit, and nothing imported.
func TestImportReportsBadFilesAndImportsNothing(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("runs the binary")
	}
	dir := t.TempDir()
	in := filepath.Join(dir, "in")
	if err := os.MkdirAll(in, 0o755); err != nil {
		t.Fatal(err)
	}
	good := `{"slug": "good-page", "content": {"title": "Good", "drug": {"name": "Good"}}}`
	bad := "{\n  \"slug\": \"Bad Slug\",\n  \"content\": {\n    \"title\": \"\",\n    \"drug\": {\"name\": \"X\"}\n  }\n}"
	broken := "{\n  \"slug\": \"broken\",\n  \"content\": {\n"
	for name, body := range map[string]string{"a-good.json": good, "b-bad.json": bad, "c-broken.json": broken} {
		if err := os.WriteFile(filepath.Join(in, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	data := filepath.Join(dir, "data")
	err, _, stderr := runBinary(t, "", "import", "--data", data, in)
	if err == nil {
		t.Fatal("import of a directory with bad files succeeded")
	}
	for _, want := range []string{"b-bad.json:2: slug:", "b-bad.json:4: content.title:", "c-broken.json:", "nothing was imported"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	// The import used the default database; look there.
	s := MustStart(t, WithDataDir(data), WithoutDemo(), WithConfig(func(c *app.Config) { c.Database = "monograph" }))
	if n, err := s.App.Store.AllPageIDs(t.Context()); err != nil || len(n) != 0 {
		t.Fatalf("pages after a refused import: %v %v", n, err)
	}
}
