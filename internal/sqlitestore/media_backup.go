package sqlitestore

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// MediaBackupSuffix names the directory a backup's image files go to: FILE.media beside
// the backup FILE (restore: put it as media/ into the data dir beside monograph.db).
const MediaBackupSuffix = ".media"

// BackupMedia copies the image files of the store in dataDir to dest+MediaBackupSuffix, after
// Backup wrote dest. The files are immutable and named by their sha256, so a copy made
// while the server runs is consistent with the database snapshot except for a file deleted
// between the two (an image no page used); each copy is fsynced. It returns how many
// files it copied.
func BackupMedia(dataDir, dest string) (int, error) {
	src := filepath.Join(dataDir, MediaDirName)
	if _, err := os.Stat(src); errors.Is(err, os.ErrNotExist) {
		return 0, nil
	}
	out := dest + MediaBackupSuffix
	if _, err := os.Stat(out); err == nil {
		return 0, fmt.Errorf("%s exists already: a backup never overwrites", out)
	}
	n := 0
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(out, rel), 0o700)
		}
		if !d.Type().IsRegular() || filepath.Base(p)[0] == '.' { // an upload's temporary file
			return nil
		}
		if err := copyFile(p, filepath.Join(out, rel)); err != nil {
			return err
		}
		n++
		return nil
	})
	return n, err
}

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	f, err := os.OpenFile(to, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	_, err = io.Copy(f, in)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
