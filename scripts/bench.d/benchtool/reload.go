package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"time"

	"github.com/monograph-cms/monograph/internal/app"
	"github.com/monograph-cms/monograph/internal/auth"
	"github.com/monograph-cms/monograph/internal/delivery"
)

// reload opens the data dir as serve does and times delivery's full load (Reload) on a
// fresh delivery service each round: the part of a start that grows with the live pages,
// measured without the process start and the HTTP listener around it. With -cpuprofile it
// writes a CPU profile of the rounds.
func reload(args []string) error {
	fs := flag.NewFlagSet("reload", flag.ExitOnError)
	dir := fs.String("data", "", "data dir")
	uri := fs.String("uri", "", "store server URI (instead of the embedded store under -data)")
	n := fs.Int("n", 3, "rounds")
	prof := fs.String("cpuprofile", "", "write a CPU profile here")
	memProf := fs.String("memprofile", "", "write a heap profile after the last round here")
	gogc := fs.Int("gogc", 200, "GOGC as serve sets it")
	limitMB := fs.Int64("memory-limit-mb", 128, "soft heap limit as serve starts with it (0: none)")
	_ = fs.Parse(args)
	debug.SetGCPercent(*gogc)
	if *limitMB > 0 {
		debug.SetMemoryLimit(*limitMB << 20)
	}
	ctx := context.Background()
	cfg := app.DefaultConfig()
	cfg.DataDir, cfg.MongoURI, cfg.LogLevel = *dir, *uri, "error"
	hasher, err := auth.NewHasher(auth.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32})
	if err != nil {
		return err
	}
	t := time.Now()
	a, err := app.Open(ctx, cfg, app.Options{Hasher: hasher, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		return err
	}
	defer func() { _ = a.Close(context.Background()) }()
	fmt.Fprintf(os.Stderr, "  open: %v\n", time.Since(t).Round(time.Millisecond))
	if *prof != "" {
		f, err := os.Create(*prof)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	for i := 0; i < *n; i++ {
		// As app.buildServices makes it, new each round so nothing loaded before is kept.
		d := delivery.New(delivery.Config{
			Poll: a.Config.ChangePoll, Exclusive: a.Store.Exclusive(), Logger: a.Log,
			HotBytes: int64(a.Config.DeliveryCacheMB) << 20, SpillDir: a.Config.SpillDir(), Derive: a.Pages.DeriveLive, Locales: a.Config.LocaleSet(),
		}, a.Store, a.Clock)
		runtime.GC()
		t := time.Now()
		if err := d.Reload(ctx); err != nil {
			return err
		}
		el := time.Since(t)
		if err := d.Close(); err != nil { // its spill file: a new one each round
			return err
		}
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		fmt.Fprintf(os.Stderr, "  reload %d: %v, heap in use after %.1f MB\n", i+1, el.Round(time.Millisecond), float64(ms.HeapInuse)/(1<<20))
		if i == *n-1 && *memProf != "" {
			f, err := os.Create(*memProf)
			if err != nil {
				return err
			}
			defer f.Close()
			if err := pprof.Lookup("heap").WriteTo(f, 0); err != nil {
				return err
			}
		}
		runtime.KeepAlive(d)
	}
	return nil
}
