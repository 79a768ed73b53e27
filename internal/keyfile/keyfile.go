// Package keyfile writes the server's key files (JWT signing keys, the verifiable log's
// key) so that two processes starting at once on one data dir never both create one, and a
// crash never leaves a partly written key behind.
package keyfile

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
)

// CreateExclusive writes data to path, mode 0600, only if path does not exist (an error
// wrapping fs.ErrExist otherwise), and never leaves a partly written file at path: it
// writes a temporary file in the same directory and hard-links it into place (the link
// fails if the target exists). Where hard links are not supported it falls back to an
// O_EXCL create.
func CreateExclusive(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".key-*.tmp") // CreateTemp uses mode 0600
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	err = os.Link(tmp.Name(), path)
	if err == nil || errors.Is(err, fs.ErrExist) {
		return err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
