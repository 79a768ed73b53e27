package app

import (
	"fmt"
	"path/filepath"

	"github.com/monograph-cms/monograph/internal/transparency"
)

// logKeyFile is where the verifiable log's key is kept: <data>/transparency-log.key, or
// beside the JWT key file when there is no data dir (processes sharing a MongoDB share
// that directory's keys, and so sign one log with one key).
func (a *App) logKeyFile() string {
	dir := a.Config.DataDir
	if dir == "" {
		dir = filepath.Dir(a.Config.KeyFile)
	}
	return filepath.Join(dir, transparency.KeyFileName)
}

// buildTransparency opens the log key (made at first start) and the verifiable log, which
// finds live pages for attestations through delivery.
func (a *App) buildTransparency() error {
	key, err := transparency.LoadOrCreateKey(a.logKeyFile())
	if err != nil {
		return fmt.Errorf("verifiable log key: %w", err)
	}
	a.Transparency = transparency.New(a.Store, key, a.Log)
	a.Transparency.SetLivePages(a.Delivery.LivePageID)
	return nil
}
