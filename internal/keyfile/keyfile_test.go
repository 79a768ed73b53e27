package keyfile

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

func TestCreateExclusive(t *testing.T) {
	path := filepath.Join(t.TempDir(), "k")
	if err := CreateExclusive(path, []byte("first")); err != nil {
		t.Fatal(err)
	}
	if err := CreateExclusive(path, []byte("second")); !errors.Is(err, fs.ErrExist) {
		t.Fatalf("second create: %v, want fs.ErrExist", err)
	}
	b, err := os.ReadFile(path)
	st, _ := os.Stat(path)
	if err != nil || string(b) != "first" || st.Mode().Perm() != 0o600 {
		t.Fatalf("file %q (%v), mode %v", b, err, st.Mode())
	}
	left, _ := filepath.Glob(filepath.Join(filepath.Dir(path), ".key-*.tmp"))
	if len(left) != 0 {
		t.Fatalf("temporary files left: %v", left)
	}
}
