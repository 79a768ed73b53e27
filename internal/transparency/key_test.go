package transparency

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

func TestLoadOrCreateKeyKeepsOneKey(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", KeyFileName)
	k1, err := LoadOrCreateKey(path)
	if err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS != "windows" && st.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %04o, want 0600", st.Mode().Perm())
	}
	k2, err := LoadOrCreateKey(path)
	if err != nil {
		t.Fatal(err)
	}
	if k1.VerifierKey() != k2.VerifierKey() || !strings.HasPrefix(k1.Origin(), "monograph/") {
		t.Fatalf("a second start made another key: %s, %s", k1.VerifierKey(), k2.VerifierKey())
	}
	// The verifier key is what note.NewVerifier reads, named for the origin.
	v, err := note.NewVerifier(k1.VerifierKey())
	if err != nil || v.Name() != k1.Origin() {
		t.Fatalf("verifier key %q: %v", k1.VerifierKey(), err)
	}
}

func TestLoadKeyRefusesLooseModesAndJunk(t *testing.T) {
	dir := t.TempDir()
	_, skey, err := GenerateKey("monograph/test")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, content string
		mode          os.FileMode
		want          string
	}{
		{"group readable", skey, 0o640, "mode"},
		{"not a key", "hello", 0o600, "log key: malformed"},
		{"verifier key instead", "monograph/test+01234567+AQID", 0o600, "log key: malformed"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if runtime.GOOS == "windows" && tc.mode != 0o600 {
				t.Skip("no Unix modes")
			}
			path := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "-"))
			if err := os.WriteFile(path, []byte(tc.content), tc.mode); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(path, tc.mode); err != nil {
				t.Fatal(err)
			}
			_, err := LoadKey(path)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("LoadKey: %v, want an error about %q", err, tc.want)
			}
		})
	}
}

func TestCheckpointSignsAndOpens(t *testing.T) {
	k, _, err := GenerateKey("monograph/test")
	if err != nil {
		t.Fatal(err)
	}
	other, _, err := GenerateKey("monograph/test")
	if err != nil {
		t.Fatal(err)
	}
	c := Checkpoint{Origin: k.Origin(), Size: 42, Root: tlog.RecordHash([]byte("x"))}
	msg, err := Sign(c, k)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(msg), "monograph/test\n42\n"+c.Root.String()+"\n\n— monograph/test ") {
		t.Fatalf("signed note:\n%s", msg)
	}
	got, err := OpenCheckpoint(msg, k.VerifierKey())
	if err != nil || got != c {
		t.Fatalf("OpenCheckpoint: %+v, %v", got, err)
	}
	if _, err := OpenCheckpoint(msg, other.VerifierKey()); err == nil {
		t.Fatal("a checkpoint verified with another key of the same name")
	}
	forged := strings.Replace(string(msg), "\n42\n", "\n43\n", 1)
	if _, err := OpenCheckpoint([]byte(forged), k.VerifierKey()); err == nil {
		t.Fatal("an altered checkpoint verified")
	}
}

func TestParseCheckpoint(t *testing.T) {
	root := tlog.RecordHash([]byte("x")).String()
	tests := []struct {
		text string
		ok   bool
	}{
		{"monograph/a\n0\n" + root + "\n", true},
		{"monograph/a\n7\n" + root + "\n", true},
		{"monograph/a\n7\n" + root, false},               // no final newline
		{"monograph/a\n-1\n" + root + "\n", false},       // negative size
		{"monograph/a\nseven\n" + root + "\n", false},    // not a number
		{"monograph/a\n7\nnot-base64\n", false},          // not a hash
		{"\n7\n" + root + "\n", false},                   // no origin
		{"monograph/a\n7\n" + root + "\nextra\n", false}, // extra line
		{"monograph/a\n7\n" + root[:20] + "\n", false},   // short hash
	}
	for _, tc := range tests {
		c, err := ParseCheckpoint(tc.text)
		if (err == nil) != tc.ok {
			t.Errorf("ParseCheckpoint(%q) = %+v, %v; want ok=%v", tc.text, c, err, tc.ok)
		}
		if err == nil && c.Text() != tc.text {
			t.Errorf("Text() = %q, want %q", c.Text(), tc.text)
		}
	}
}

// rightEdge must name exactly the stored hashes tlog.TreeHash reads, for every size: Verify
// keeps only those between batches.
func TestRightEdgeIsWhatTreeHashReads(t *testing.T) {
	for n := int64(1); n <= 300; n++ {
		var asked []int64
		_, _ = tlog.TreeHash(n, tlog.HashReaderFunc(func(idx []int64) ([]tlog.Hash, error) {
			asked = idx
			return make([]tlog.Hash, len(idx)), nil
		}))
		got := rightEdge(n)
		if len(got) != len(asked) {
			t.Fatalf("rightEdge(%d) = %v, TreeHash reads %v", n, got, asked)
		}
		for i := range got {
			if got[i] != asked[i] {
				t.Fatalf("rightEdge(%d) = %v, TreeHash reads %v", n, got, asked)
			}
		}
	}
}
