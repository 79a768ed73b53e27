package mongostore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"syscall"

	"github.com/FerretDB/FerretDB/ferretdb"
)

// ErrDataDirLocked is returned when another process holds the embedded store's data dir.
var ErrDataDirLocked = errors.New("data dir is in use by another Monograph process")

// ferretNewMu serialises ferretdb.New (see startEmbedded).
var ferretNewMu sync.Mutex

// embedded is an in-process FerretDB (SQLite backend) listening on a loopback port, plus
// the exclusive lock that keeps any other process away from its files.
type embedded struct {
	uri    string
	cancel context.CancelFunc
	done   chan struct{}
	lock   *os.File
}

// startEmbedded locks dataDir and starts FerretDB on it. The lock comes first: FerretDB's
// updates are not atomic against a second writer, so two processes on one data dir could
// corrupt each other's pages (DESIGN.md "Storage").
func startEmbedded(dataDir string, logger *slog.Logger) (*embedded, error) {
	dbDir := filepath.Join(dataDir, "db")
	if err := os.MkdirAll(dbDir, 0o700); err != nil {
		return nil, fmt.Errorf("create data dir %s: %w", dbDir, err)
	}
	lock, err := lockDir(dataDir)
	if err != nil {
		return nil, err
	}
	// FerretDB dumps every failed reply at WARN: keep only its errors (and panics).
	logger = errorsOnly(logger)
	// ferretdb.New writes a package-level variable of FerretDB's (its version info), so two
	// stores opened at once in one process (parallel tests) would race on it.
	ferretNewMu.Lock()
	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: "127.0.0.1:0"},
		Handler:   "sqlite",
		SQLiteURL: "file:" + dbDir + "/",
		Logger:    logger,
	})
	ferretNewMu.Unlock()
	if err != nil {
		_ = lock.Close()
		return nil, fmt.Errorf("start embedded store in %s: %w", dbDir, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = f.Run(ctx)
	}()
	return &embedded{uri: f.MongoDBURI(), cancel: cancel, done: done, lock: lock}, nil
}

// stop ends FerretDB (the driver must already be disconnected, or Run waits for its open
// connections) and releases the lock.
func (e *embedded) stop() {
	e.cancel()
	<-e.done
	_ = e.lock.Close()
}

// lockDir takes an exclusive, non-blocking flock on <dir>/monograph.lock. The kernel
// releases it when the process dies, so a kill -9 never leaves a stale lock behind.
func lockDir(dir string) (*os.File, error) {
	path := filepath.Join(dir, "monograph.lock")
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open lock file %s: %w", path, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		_ = f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("%w: %s (stop the other process, or use another --data dir, or set MONGODB_URI to share a MongoDB server)", ErrDataDirLocked, dir)
		}
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	_ = f.Truncate(0)
	_, _ = fmt.Fprintf(f, "%d\n", os.Getpid())
	return f, nil
}

// errorsOnly returns a logger passing only error-level records to base's handler (or
// discarding everything when base is nil).
func errorsOnly(base *slog.Logger) *slog.Logger {
	if base == nil {
		return slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return slog.New(&levelFloor{base: base.Handler(), min: slog.LevelError}).With("component", "ferretdb")
}

// levelFloor drops records below min. FerretDB derives a logger (With) for every
// connection and command; a JSON handler pre-formats attributes on With, which profiled at
// 5% of a save. So attributes and groups are only remembered here and applied to the base
// handler when a record is actually kept, which is rare.
type levelFloor struct {
	base  slog.Handler
	min   slog.Level
	steps []func(slog.Handler) slog.Handler
}

func (h *levelFloor) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= h.min && h.base.Enabled(ctx, l)
}

func (h *levelFloor) Handle(ctx context.Context, r slog.Record) error {
	target := h.base
	for _, step := range h.steps {
		target = step(target)
	}
	return target.Handle(ctx, r)
}

func (h *levelFloor) with(step func(slog.Handler) slog.Handler) slog.Handler {
	steps := make([]func(slog.Handler) slog.Handler, len(h.steps), len(h.steps)+1)
	copy(steps, h.steps)
	return &levelFloor{base: h.base, min: h.min, steps: append(steps, step)}
}

func (h *levelFloor) WithAttrs(a []slog.Attr) slog.Handler {
	return h.with(func(t slog.Handler) slog.Handler { return t.WithAttrs(a) })
}

func (h *levelFloor) WithGroup(n string) slog.Handler {
	return h.with(func(t slog.Handler) slog.Handler { return t.WithGroup(n) })
}
