package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/monograph-cms/monograph/internal/cms"
	"github.com/monograph-cms/monograph/internal/editorial"
	"github.com/monograph-cms/monograph/internal/media"
	"github.com/monograph-cms/monograph/internal/strictjson"
)

// The image library in an export (docs/media.md): DIR/media/<sha256>/asset.json (the
// asset as the API shows it, without "used by") and its files beside it, by name.
const (
	mediaExportDir   = "media"
	mediaAssetFile   = "asset.json"
	mediaExportBatch = 100
)

// exportMedia writes every asset of the library and its files under dir/media. An asset
// whose files are missing from the store (a data dir restored without its media/) is left
// out with a warning on stderr: the pages using it then show no image, and the rest of the
// export is whole.
func exportMedia(ctx context.Context, store media.Store, dir string, stderr io.Writer) (int, error) {
	n := 0
	f := media.ListFilter{Limit: mediaExportBatch}
	for {
		assets, err := store.ListAssets(ctx, f)
		if err != nil {
			return n, err
		}
		for _, a := range assets {
			files := map[string][]byte{}
			for _, file := range a.Files {
				_, data, err := store.ReadFile(ctx, a.SHA256, file.Name)
				if cms.IsCode(err, cms.CodeNotFound) {
					fmt.Fprintf(stderr, "warning: image %s (%s): its file %s is missing from the store; the image is not exported\n", a.ID, a.SHA256, file.Name)
					files = nil
					break
				}
				if err != nil {
					return n, fmt.Errorf("asset %s file %s: %w", a.ID, file.Name, err)
				}
				files[file.Name] = data
			}
			if files == nil {
				continue
			}
			d := filepath.Join(dir, mediaExportDir, a.SHA256)
			if err := os.MkdirAll(d, 0o755); err != nil {
				return n, err
			}
			b, err := json.MarshalIndent(a, "", "  ")
			if err != nil {
				return n, err
			}
			if err := os.WriteFile(filepath.Join(d, mediaAssetFile), b, 0o644); err != nil {
				return n, err
			}
			for name, data := range files {
				if err := os.WriteFile(filepath.Join(d, name), data, 0o644); err != nil {
					return n, err
				}
			}
			n++
		}
		if len(assets) < mediaExportBatch {
			return n, nil
		}
		last := assets[len(assets)-1]
		f.BeforeAt, f.BeforeID = &last.CreatedAt, last.ID
	}
}

// importMediaFiles is one exported asset, read and checked.
type importMediaFiles struct {
	asset media.Asset
	files []media.Rendition
}

// readMediaExport reads and checks every exported asset under dir/media: each file must
// hash to what its asset records (an edited file is refused, never imported). Nothing is
// written.
func readMediaExport(dir string) ([]importMediaFiles, error) {
	root := filepath.Join(dir, mediaExportDir)
	entries, err := os.ReadDir(root)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].Name() < entries[j].Name() })
	var out []importMediaFiles
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		d := filepath.Join(root, e.Name())
		b, err := os.ReadFile(filepath.Join(d, mediaAssetFile))
		if err != nil {
			return nil, err
		}
		var a media.Asset
		if err := strictjson.Decode(b, &a, ""); err != nil {
			return nil, fmt.Errorf("%s: %w", filepath.Join(d, mediaAssetFile), err)
		}
		if a.SHA256 != e.Name() || !cms.ValidID(a.ID) {
			return nil, fmt.Errorf("%s: the asset's id or sha256 does not match its directory", d)
		}
		if err := editorial.ValidateMeta(a.Meta); err != nil || a.Type.Ext() == "" || len(a.Files) == 0 {
			return nil, fmt.Errorf("%s: not an asset this server would store (%v); nothing was imported", filepath.Join(d, mediaAssetFile), err)
		}
		im := importMediaFiles{asset: a}
		for _, f := range a.Files {
			if !media.ValidFileName(f.Name) {
				return nil, fmt.Errorf("%s: bad file name %q", d, f.Name)
			}
			data, err := os.ReadFile(filepath.Join(d, f.Name))
			if err != nil {
				return nil, err
			}
			if media.SHA256Hex(data) != f.SHA256 {
				return nil, fmt.Errorf("%s: the bytes do not match the sha256 the asset records; nothing was imported", filepath.Join(d, f.Name))
			}
			if err := checkImportedFile(a, f, data); err != nil {
				return nil, fmt.Errorf("%s: %w; nothing was imported", filepath.Join(d, f.Name), err)
			}
			im.files = append(im.files, media.Rendition{File: f, Data: data})
		}
		out = append(out, im)
	}
	return out, nil
}

// importVerifyLimits are the upload limits with room for a re-encoded original larger than
// its upload was.
var importVerifyLimits = media.Limits{MaxBytes: 4 * media.DefaultLimits.MaxBytes, MaxPixels: media.DefaultLimits.MaxPixels, MaxMemory: media.DefaultLimits.MaxMemory}

// checkImportedFile runs an exported file through the upload's checks again: an export is
// only files on a disk, and whoever edits a file can edit the hash beside it. Its type is
// read from its bytes and must be the one its name and record say (the original's, the
// asset's), its dimensions and size those recorded, and every pixel must decode.
func checkImportedFile(a media.Asset, f media.File, data []byte) error {
	t, cfg, err := media.Verify(data, importVerifyLimits)
	if err != nil {
		return fmt.Errorf("not an image this server would store: %w", err)
	}
	want := media.TypeOfName(f.Name)
	if strings.HasPrefix(f.Name, "original.") && want != a.Type {
		return fmt.Errorf("the original is named %s but the asset is %s", f.Name, a.Type)
	}
	if t != want || f.Type != want || cfg.Width != f.Width || cfg.Height != f.Height || int64(len(data)) != f.Bytes {
		return fmt.Errorf("the file is a %s of %d×%d pixels and %d bytes; its record says %s, %d×%d, %d bytes",
			t, cfg.Width, cfg.Height, len(data), f.Type, f.Width, f.Height, f.Bytes)
	}
	return nil
}

// importMedia stores the exported assets the library lacks (an asset with the same bytes
// already there is kept as it is), so the imported pages' images resolve to the exact
// files their signatures name.
func importMedia(ctx context.Context, store media.Store, assets []importMediaFiles) (int, error) {
	n := 0
	for _, im := range assets {
		if _, err := store.AssetBySHA256(ctx, im.asset.SHA256); err == nil {
			continue
		}
		if err := store.PutAsset(ctx, im.asset, im.files); err != nil {
			return n, fmt.Errorf("asset %s: %w", im.asset.ID, err)
		}
		n++
	}
	return n, nil
}
