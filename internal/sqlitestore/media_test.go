package sqlitestore_test

import (
	"context"
	"io/fs"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/monograph-cms/monograph/internal/cms"
	"github.com/monograph-cms/monograph/internal/media"
	"github.com/monograph-cms/monograph/internal/sqlitestore"
)

// mediaFiles lists the regular files under the data dir's media directory.
func mediaFiles(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	_ = filepath.WalkDir(filepath.Join(dir, sqlitestore.MediaDirName), func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			out = append(out, filepath.Base(p))
		}
		return nil
	})
	return out
}

func asset(name string, data ...[]byte) (media.Asset, []media.Rendition) {
	up := []byte("upload " + name)
	a := media.Asset{ID: cms.NewID(), SHA256: media.SHA256Hex(up), Type: media.PNG, Width: 1, Height: 1,
		Meta: media.Meta{Alt: name}, CreatedAt: time.Now().UTC().Truncate(time.Millisecond)}
	var files []media.Rendition
	for i, d := range data {
		f := media.File{Name: []string{"original.png", "320.webp"}[i], SHA256: media.SHA256Hex(d), Bytes: int64(len(d))}
		a.Files = append(a.Files, f)
		files = append(files, media.Rendition{File: f, Data: d})
	}
	return a, files
}

// On disk: files are content-addressed and written through temporary files that never
// remain; a refused duplicate leaves none of its files; a deletion removes the files.
func TestMediaFilesOnDisk(t *testing.T) {
	dir := t.TempDir()
	s, err := sqlitestore.Open(context.Background(), sqlitestore.Config{DataDir: dir, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(context.Background())
	ctx := t.Context()
	a, files := asset("x", []byte("original"), []byte("variant"))
	if err := s.PutAsset(ctx, a, files); err != nil {
		t.Fatal(err)
	}
	if got := mediaFiles(t, dir); len(got) != 2 || got[0] != a.Files[0].SHA256 && got[1] != a.Files[0].SHA256 {
		t.Fatalf("files on disk %v", got)
	}
	dup, dupFiles := asset("x", []byte("other encoding"))
	if err := s.PutAsset(ctx, dup, dupFiles); !cms.IsCode(err, cms.CodeConflict) {
		t.Fatalf("duplicate: %v", err)
	}
	if got := mediaFiles(t, dir); len(got) != 2 {
		t.Fatalf("a refused duplicate left files behind: %v", got)
	}
	if err := s.DeleteAsset(ctx, a.ID, time.Now()); err != nil {
		t.Fatal(err)
	}
	if got := mediaFiles(t, dir); len(got) != 0 {
		t.Fatalf("deleted asset's files remain: %v", got)
	}
}
