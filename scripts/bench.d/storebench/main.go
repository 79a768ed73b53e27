// Command storebench measures Monograph's store the way a publisher meets it: over HTTP,
// against the real server binary, with the same requests the web admin and a delivery
// client send. It starts `monograph serve --demo` on a fresh data dir, signs in as the demo
// writer and runs one or more modes (-mode saves,scale,restart,import, in the order given),
// printing each result as a Markdown table row with the date, ready to paste into a README.
//
//	saves    create -pages pages (creates/s), then -saves sequential saves on random pages
//	         (saves/s, p50, p99), then the same number of saves by -writers concurrent
//	         writers, each on its own pages
//	scale    grow the library to -pages pages of -revisions revisions each, -block pages at
//	         a time; after every block: creates/s and save latency in it, management list
//	         (first page and a deep page), search (exact and misspelled names) and delivery
//	         latency; stops after -max-minutes with what it has measured
//	restart  stop the server (SIGTERM) and start it again on the same data dir: time from
//	         exec to the first 200 of /readyz and of a delivery read
//	import   stop the server, `monograph export` the data dir, `monograph import` it into a
//	         fresh data dir; seconds and pages/s of both
//
// With -pocketbase BINARY, the saves mode measures PocketBase (scripts/bench.d/pocketbase)
// as a reference in the same run, alternately with Monograph (the creates and the saves in
// ten rounds, each taking its turn), and ends with the ratios of their creates and saves per
// second (pocketbase.go).
//
// restart and import use the data dir of the previous mode, or a fresh one with -pages
// pages (default 1,000). Every response's status is checked: an unexpected one stops the
// run with the response body, because a benchmark that measures errors measures nothing.
// Only the standard library is used, so the tool builds whatever state internal/ is in.
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Demo-mode facts the tool relies on (README.md, "demo users").
const (
	writerEmail  = "writer@example.com"
	demoPassword = "monograph-demo"
	liveSlug     = "ketamine" // the one page the demo seeds and publishes
	namePrefix   = "Benchdrug"
)

type config struct {
	bin        string
	label      string
	modes      []string
	pages      int // 0: the mode's default
	saves      int
	writers    int
	revisions  int
	block      int
	maxMinutes float64
	sample     string
	work       string
	keep       bool
	seed       uint64
	reqTimeout time.Duration
	startWait  time.Duration
	refresh    time.Duration
	serveArgs  []string // extra flags for `monograph serve`
	pocketbase string   // the PocketBase reference binary for the saves mode ("": none)
}

func parseFlags() (config, error) {
	var c config
	var modes string
	flag.StringVar(&c.bin, "bin", "bin/monograph", "the monograph binary to benchmark")
	var serveArgs string
	flag.StringVar(&serveArgs, "serve-args", "", "extra flags for `monograph serve`, space-separated (e.g. \"--sqlite-synchronous full\")")
	flag.StringVar(&c.label, "label", "", "name of the binary in the tables (default: its file name)")
	flag.StringVar(&modes, "mode", "saves", "comma-separated modes, run in order: saves, scale, restart, import")
	flag.IntVar(&c.pages, "pages", 0, "pages to create (default: saves 1000, scale 10000, restart/import on a fresh dir 1000)")
	flag.IntVar(&c.saves, "saves", 5000, "saves: saves in the sequential run and again in the concurrent run")
	flag.IntVar(&c.writers, "writers", 4, "saves: concurrent writers in the second run")
	flag.IntVar(&c.revisions, "revisions", 20, "scale: revisions per page, the create included")
	flag.IntVar(&c.block, "block", 1000, "scale: pages per block (one report row per block)")
	flag.Float64Var(&c.maxMinutes, "max-minutes", 30, "scale: stop growing after this long and report what was measured")
	flag.StringVar(&c.sample, "sample", "internal/app/samples/ketamine.json", "the page used as the content template ({slug, content})")
	flag.StringVar(&c.work, "work", "", "directory for data dirs, exports and server logs (default: a temp dir, removed at the end)")
	flag.BoolVar(&c.keep, "keep", false, "keep the temp work dir")
	flag.Uint64Var(&c.seed, "seed", 1, "seed for the random page choices")
	flag.DurationVar(&c.reqTimeout, "request-timeout", 5*time.Minute, "timeout of one HTTP request")
	flag.DurationVar(&c.startWait, "start-timeout", 10*time.Minute, "how long a server may take to answer /readyz")
	flag.DurationVar(&c.refresh, "refresh-every", 10*time.Minute, "refresh the session this often (access tokens live 15 minutes)")
	flag.StringVar(&c.pocketbase, "pocketbase", "", "saves: also measure this PocketBase binary (scripts/bench.d/pocketbase) as a reference, alternately with Monograph")
	flag.Parse()
	c.serveArgs = strings.Fields(serveArgs)
	if flag.NArg() > 0 {
		return c, fmt.Errorf("unexpected arguments %q", flag.Args())
	}
	for _, m := range strings.Split(modes, ",") {
		m = strings.TrimSpace(m)
		switch m {
		case "saves", "scale", "restart", "import":
			c.modes = append(c.modes, m)
		case "":
		default:
			return c, fmt.Errorf("-mode: unknown mode %q (use saves, scale, restart, import)", m)
		}
	}
	if len(c.modes) == 0 {
		return c, errors.New("-mode: no mode given")
	}
	if c.pages < 0 || c.saves < 0 || c.writers < 1 || c.revisions < 1 || c.block < 1 {
		return c, errors.New("-pages and -saves must be ≥ 0; -writers, -revisions and -block ≥ 1")
	}
	if c.label == "" {
		c.label = filepath.Base(c.bin)
	}
	if c.pocketbase != "" && !slices.Contains(c.modes, "saves") {
		return c, errors.New("-pocketbase: the reference runs in the saves mode only; add saves to -mode")
	}
	return c, nil
}

func main() {
	cfg, err := parseFlags()
	if err != nil {
		fmt.Fprintln(os.Stderr, "storebench:", err)
		os.Exit(2)
	}
	// Ctrl-C or a TERM from the wrapper script cancels the run; the deferred cleanup in
	// run still stops the server this process started.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	err = run(ctx, cfg)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "storebench: FAILED:", err)
		os.Exit(1)
	}
}

// bench is the state carried from one mode to the next: the data dir, the server running
// on it (if any), and what the library holds.
type bench struct {
	cfg      config
	work     string
	tmpl     *template
	rng      *rand.Rand
	dataDir  string
	srv      *server
	api      *api
	pages    []*page    // pages this run created in dataDir
	dirPages int        // pages in dataDir, the demo's included
	dirRevs  int        // revisions this run made in dataDir (the demo page's excluded)
	revsMu   sync.Mutex // guards dirRevs while concurrent writers save
	nextName int        // number of the next page name
	dirSeq   int
}

func run(ctx context.Context, cfg config) (err error) {
	if _, err := os.Stat(cfg.bin); err != nil {
		return fmt.Errorf("-bin: %w", err)
	}
	if cfg.pocketbase != "" {
		if _, err := os.Stat(cfg.pocketbase); err != nil {
			return fmt.Errorf("-pocketbase: %w", err)
		}
	}
	tmpl, err := loadTemplate(cfg.sample)
	if err != nil {
		return err
	}
	b := &bench{cfg: cfg, tmpl: tmpl, rng: rand.New(rand.NewPCG(cfg.seed, 0x5eed)), nextName: 1}
	if b.work = cfg.work; b.work == "" {
		if b.work, err = os.MkdirTemp("", "storebench-"); err != nil {
			return err
		}
		if !cfg.keep {
			defer os.RemoveAll(b.work)
		}
	}
	defer func() {
		if b.srv != nil {
			if _, serr := b.srv.stop(); serr != nil && err == nil {
				err = serr
			}
		}
	}()
	fmt.Printf("storebench %s: binary `%s` (%s), %d CPUs, GOMAXPROCS %d; each page's content is %s of JSON (%s with its title and drug name changed).\n",
		time.Now().UTC().Format("2006-01-02 15:04 MST"), cfg.bin, cfg.label, runtime.NumCPU(), runtime.GOMAXPROCS(0),
		kb(len(tmpl.content(1, 0))), cfg.sample)
	for _, m := range cfg.modes {
		var err error
		switch m {
		case "saves":
			err = b.runSaves(ctx)
		case "scale":
			err = b.runScale(ctx)
		case "restart":
			err = b.runRestart(ctx)
		case "import":
			err = b.runImport(ctx)
		}
		if err != nil {
			return fmt.Errorf("%s: %w", m, err)
		}
	}
	return nil
}

// ---------------------------------------------------------------------------------------
// Modes

func (b *bench) runSaves(ctx context.Context) (err error) {
	n := orDefault(b.cfg.pages, 1000)
	if err := b.freshServer(ctx); err != nil {
		return err
	}
	targets := []saveTarget{monograph{b}}
	if b.cfg.pocketbase != "" {
		ref, err := b.startPocketBase(ctx)
		if err != nil {
			return fmt.Errorf("PocketBase reference: %w", err)
		}
		defer func() {
			if cerr := ref.close(); cerr != nil && err == nil {
				err = fmt.Errorf("PocketBase reference: %w", cerr)
			}
		}()
		targets = append(targets, ref)
	}
	// With a reference, every phase runs in rounds, each target in turn making its share of
	// a round, so that the machine's drift from one minute to the next (a quarter, here, on
	// some days) weighs on both alike.
	rounds := 1
	if len(targets) > 1 {
		rounds = 10
	}
	shareOf := func(total, parts, i int) int {
		if i < total%parts {
			return total/parts + 1
		}
		return total / parts
	}
	// inRound names a phase's progress line, with its round when there are several.
	inRound := func(what string, r int) string {
		if rounds > 1 {
			what += fmt.Sprintf(" (round %d of %d)", r+1, rounds)
		}
		return what
	}
	t := newTable("saves", "date (UTC)", "binary", "pages", "run", "requests", "per second", "p50", "p99")
	pages := make([][]*page, len(targets))
	createLat := make([][]time.Duration, len(targets))
	createTook := make([]time.Duration, len(targets))
	for r := range rounds {
		for i, tg := range targets {
			p, took, lat, err := createPagesOn(ctx, tg, shareOf(n, rounds, r), inRound("saves: "+tg.label(), r))
			if err != nil {
				return err
			}
			pages[i] = append(pages[i], p...)
			createTook[i] += took
			createLat[i] = append(createLat[i], lat...)
		}
	}
	creates := make([]float64, len(targets))
	for i, tg := range targets {
		creates[i] = float64(n) / createTook[i].Seconds()
		t.row(tg.label(), num(tg.storedPages()), "create", num(n), rate(n, createTook[i]),
			ms(percentile(createLat[i], 0.50)), ms(percentile(createLat[i], 0.99)))
	}
	if n == 0 || b.cfg.saves == 0 {
		return nil
	}

	// One client: every save goes to a random page, as an editor jumping between pages.
	seqLat := make([][]time.Duration, len(targets))
	seqTook := make([]time.Duration, len(targets))
	for r := range rounds {
		for i, tg := range targets {
			start := time.Now()
			lat, err := saveRandomOn(ctx, tg, tg.rng(), pages[i], shareOf(b.cfg.saves, rounds, r), inRound("sequential saves: "+tg.label(), r))
			if err != nil {
				return err
			}
			seqTook[i] += time.Since(start)
			seqLat[i] = append(seqLat[i], lat...)
		}
	}
	seq := make([]float64, len(targets))
	for i, tg := range targets {
		seq[i] = float64(b.cfg.saves) / seqTook[i].Seconds()
		t.row(tg.label(), num(tg.storedPages()), "saves, 1 writer", num(b.cfg.saves), rate(b.cfg.saves, seqTook[i]),
			ms(percentile(seqLat[i], 0.50)), ms(percentile(seqLat[i], 0.99)))
	}

	// W writers, each on its own pages, so no save is refused for a stale version: what is
	// measured is how the store takes concurrent writes, not conflict handling.
	w := min(b.cfg.writers, n)
	rngs := make([][]*rand.Rand, len(targets)) // *rand.Rand is not safe for concurrent use
	for i := range targets {
		for k := range w {
			rngs[i] = append(rngs[i], rand.New(rand.NewPCG(b.cfg.seed, uint64(k+1))))
		}
	}
	concLat := make([][]time.Duration, len(targets))
	concTook := make([]time.Duration, len(targets))
	for r := range rounds {
		for i, tg := range targets {
			all, took, err := saveConcurrently(ctx, tg, pages[i], rngs[i], shareOf(b.cfg.saves, rounds, r))
			if err != nil {
				return err
			}
			concTook[i] += took
			concLat[i] = append(concLat[i], all...)
		}
	}
	conc := make([]float64, len(targets))
	for i, tg := range targets {
		conc[i] = float64(len(concLat[i])) / concTook[i].Seconds()
		t.row(tg.label(), num(tg.storedPages()), fmt.Sprintf("saves, %d writers", w), num(len(concLat[i])),
			rate(len(concLat[i]), concTook[i]), ms(percentile(concLat[i], 0.50)), ms(percentile(concLat[i], 0.99)))
	}
	if len(targets) > 1 {
		fmt.Printf("\nRatio %s / %s, requests per second in this run (%d rounds each, taken in turn): creates %.2f×; saves, 1 writer %.2f×, %d writers %.2f×.\n",
			targets[0].label(), targets[1].label(), rounds, creates[0]/creates[1], seq[0]/seq[1], w, conc[0]/conc[1])
	}
	return nil
}

// saveConcurrently makes n saves on tg with one writer per rng, each on its own share of
// pages, and returns all their latencies and the wall time.
func saveConcurrently(ctx context.Context, tg saveTarget, pages []*page, rngs []*rand.Rand, n int) ([]time.Duration, time.Duration, error) {
	w := len(rngs)
	own := make([][]*page, w)
	for i, p := range pages {
		own[i%w] = append(own[i%w], p)
	}
	var (
		mu   sync.Mutex
		all  []time.Duration
		errs = make([]error, w)
		wg   sync.WaitGroup
	)
	start := time.Now()
	for i := range w {
		share := n / w
		if i < n%w {
			share++
		}
		wg.Go(func() {
			l, err := saveRandomOn(ctx, tg, rngs[i], own[i], share, fmt.Sprintf("%s: writer %d", tg.label(), i+1))
			mu.Lock()
			all = append(all, l...)
			mu.Unlock()
			errs[i] = err
		})
	}
	wg.Wait()
	return all, time.Since(start), errors.Join(errs...)
}

// runScale grows a fresh library block by block and measures, after each block, what a
// publisher feels: creating, saving, listing, searching and the delivery read.
func (b *bench) runScale(ctx context.Context) error {
	target := orDefault(b.cfg.pages, 10000)
	if err := b.freshServer(ctx); err != nil {
		return err
	}
	deadline := time.Now().Add(time.Duration(b.cfg.maxMinutes * float64(time.Minute)))
	fmt.Printf("\nscale: %s pages × %d revisions, %s pages per block, at most %g minutes. Save and list latencies are of that block's requests; list is `?limit=20` (median of 20) and the deep page is the 6th, after following nextCursor 5 times; search is the median of 20 `?q=` exact drug names (found = the page was in the answer), misspelled is one name with a letter dropped.\n",
		num(target), b.cfg.revisions, num(b.cfg.block), b.cfg.maxMinutes)
	t := newTable("scale", "date (UTC)", "binary", "pages", "revisions", "creates/s", "save p50", "save p99", "saves/s",
		"list p50", "list deep", "search p50", "search found", "misspelled", "delivery p50", "elapsed")
	runStart := time.Now()
	for done := 0; done < target; {
		n := min(b.cfg.block, target-done)
		blk, stopped, err := b.growBlock(ctx, n, deadline)
		if err != nil {
			return err
		}
		done += blk.created
		m, err := b.measureReads(ctx)
		if err != nil {
			return err
		}
		elapsed := time.Since(runStart).Round(time.Second).String()
		if stopped {
			elapsed += " (time limit)"
		}
		t.row(b.cfg.label, num(b.dirPages), num(b.dirRevs), rate(blk.created, blk.createTook),
			ms(percentile(blk.saveLat, 0.50)), ms(percentile(blk.saveLat, 0.99)), rate(len(blk.saveLat), blk.saveTook),
			ms(m.list), m.deep, ms(m.search), m.found, m.misspelled, ms(m.delivery), elapsed)
		if stopped {
			fmt.Fprintf(os.Stderr, "storebench: scale: -max-minutes %g reached at %s pages\n", b.cfg.maxMinutes, num(b.dirPages))
			break
		}
	}
	return nil
}

// blockResult is what one scale block measured.
type blockResult struct {
	created    int
	createTook time.Duration
	saveLat    []time.Duration
	saveTook   time.Duration
}

// growBlock creates n pages, then gives each its revisions-1 saves, round-robin so every
// page's history grows evenly. It stops early, without error, once the deadline passes.
func (b *bench) growBlock(ctx context.Context, n int, deadline time.Time) (blockResult, bool, error) {
	var r blockResult
	prog := newProgress(fmt.Sprintf("scale: creating pages %s–%s", num(b.nextName), num(b.nextName+n-1)), n)
	var block []*page
	start := time.Now()
	for i := range n {
		if time.Now().After(deadline) {
			r.createTook = time.Since(start)
			return r, true, nil
		}
		p, _, err := b.createPage(ctx)
		if err != nil {
			return r, false, err
		}
		block = append(block, p)
		r.created++
		prog.step(i + 1)
	}
	r.createTook = time.Since(start)

	total := n * (b.cfg.revisions - 1)
	prog = newProgress(fmt.Sprintf("scale: saving %d revisions each", b.cfg.revisions-1), total)
	start = time.Now()
	for round := 1; round < b.cfg.revisions; round++ {
		for _, p := range block {
			if time.Now().After(deadline) {
				r.saveTook = time.Since(start)
				return r, true, nil
			}
			d, err := b.api.save(ctx, b.tmpl, p)
			if err != nil {
				return r, false, err
			}
			b.dirRevs++
			r.saveLat = append(r.saveLat, d)
			prog.step(len(r.saveLat))
		}
	}
	r.saveTook = time.Since(start)
	return r, false, nil
}

// reads is one round of read measurements, formatted for the table.
type reads struct {
	list, search, delivery  time.Duration
	deep, found, misspelled string
}

func (b *bench) measureReads(ctx context.Context) (reads, error) {
	var m reads
	const n = 20
	var lat []time.Duration
	for range n {
		_, d, err := b.api.list(ctx, "limit=20")
		if err != nil {
			return m, err
		}
		lat = append(lat, d)
	}
	m.list = percentile(lat, 0.50)

	// A deep page: what an editor scrolling far down the list waits for.
	l, _, err := b.api.list(ctx, "limit=20")
	if err != nil {
		return m, err
	}
	var d time.Duration
	follows := 0
	for follows < 5 && l.NextCursor != "" {
		if l, d, err = b.api.list(ctx, "limit=20&cursor="+url.QueryEscape(l.NextCursor)); err != nil {
			return m, err
		}
		follows++
	}
	m.deep = ms(d) + fmt.Sprintf(" (page %d)", follows+1)
	if follows == 0 {
		m.deep = "– (one page)"
	}

	if len(b.pages) > 0 {
		lat, found := []time.Duration(nil), 0
		for range n {
			p := b.pages[b.rng.IntN(len(b.pages))]
			hit, d, err := b.search(ctx, p.name, p.id)
			if err != nil {
				return m, err
			}
			lat = append(lat, d)
			if hit {
				found++
			}
		}
		m.search, m.found = percentile(lat, 0.50), fmt.Sprintf("%d/%d", found, n)

		// Publishers mistype drug names; this shows whether search forgives one letter.
		p := b.pages[b.rng.IntN(len(b.pages))]
		q := dropLetter(p.name, b.rng)
		hit, d, err := b.search(ctx, q, p.id)
		if err != nil {
			return m, err
		}
		m.misspelled = fmt.Sprintf("%s “%s” (%s)", yesNo(hit), q, ms(d))
	}

	lat = nil
	for range n {
		d, err := b.api.delivery(ctx, liveSlug)
		if err != nil {
			return m, err
		}
		lat = append(lat, d)
	}
	m.delivery = percentile(lat, 0.50)
	return m, nil
}

// search runs one ?q= search and says whether the page with id was in the answer.
func (b *bench) search(ctx context.Context, q, id string) (bool, time.Duration, error) {
	l, d, err := b.api.list(ctx, "limit=20&q="+url.QueryEscape(q))
	if err != nil {
		return false, 0, err
	}
	return slices.ContainsFunc(l.Data, func(s pageJSON) bool { return s.ID == id }), d, nil
}

func (b *bench) runRestart(ctx context.Context) error {
	if err := b.ensureLibrary(ctx); err != nil {
		return err
	}
	// The server must run before it can be restarted; its own start-up is not measured
	// here (it may be the import's fresh start or the first start of a demo dir).
	if err := b.ensureServer(ctx); err != nil {
		return err
	}
	stopTook, err := b.srv.stop()
	b.srv = nil
	if err != nil {
		return err
	}
	size := dirSize(b.dataDir)
	srv, err := startServer(b.cfg, b.dataDir, b.logPath())
	if err != nil {
		return err
	}
	b.srv = srv
	ready, err := srv.waitFor(ctx, "/readyz", b.cfg.startWait)
	if err != nil {
		return err
	}
	first, err := srv.waitFor(ctx, "/api/v1/pages/"+liveSlug, b.cfg.startWait)
	if err != nil {
		return err
	}
	b.api = newAPI(b.cfg, srv.base)
	if err := b.api.login(ctx); err != nil {
		return err
	}
	t := newTable("restart", "date (UTC)", "binary", "pages", "revisions", "data dir", "stop (SIGTERM → exit)", "exec → /readyz 200", "exec → first page 200")
	t.row(b.cfg.label, num(b.dirPages), num(b.dirRevs), mb(size), secs(stopTook), secs(ready), secs(first))
	return nil
}

func (b *bench) runImport(ctx context.Context) error {
	if err := b.ensureLibrary(ctx); err != nil {
		return err
	}
	// export and import open the store themselves, and the data dir belongs to one process.
	if b.srv != nil {
		if _, err := b.srv.stop(); err != nil {
			return err
		}
		b.srv = nil
	}
	exportDir := b.newDir("export")
	start := time.Now()
	out, err := runCLI(ctx, b.cfg.bin, "export", "--data", b.dataDir, "--log-level", "error", exportDir)
	if err != nil {
		return err
	}
	exportTook := time.Since(start)
	exported, err := countIn(out, `exported (\d+) pages`)
	if err != nil {
		return err
	}
	files, size, err := jsonFilesIn(exportDir)
	if err != nil {
		return err
	}

	target := b.newDir("data")
	start = time.Now()
	// The export carries the accounts that signed its approvals (accounts.json: the demo's
	// reviewers signed its published pages) and a translation in the demo's second locale;
	// the fresh data dir needs both, as an operator moving a store would give them.
	out, err = runCLI(ctx, b.cfg.bin, "import", "--data", target, "--log-level", "error",
		"--with-accounts", "--locales", servedLocales(b.cfg.serveArgs), exportDir)
	if err != nil {
		return err
	}
	importTook := time.Since(start)
	imported, err := countIn(out, `imported (\d+) pages`)
	if err != nil {
		return err
	}
	if imported != exported || files != exported {
		return fmt.Errorf("exported %d pages in %d files but imported %d", exported, files, imported)
	}
	t := newTable("import", "date (UTC)", "binary", "pages", "revisions", "files", "export size", "export s", "export pages/s", "import s", "import pages/s")
	t.row(b.cfg.label, num(exported), num(b.dirRevs), num(files), mb(size), secs(exportTook), rate(exported, exportTook),
		secs(importTook), rate(imported, importTook))
	return nil
}

// ---------------------------------------------------------------------------------------
// Library and server life cycle

// ensureLibrary gives restart and import something to work on when they run first.
func (b *bench) ensureLibrary(ctx context.Context) error {
	if b.dataDir != "" {
		return nil
	}
	if err := b.freshServer(ctx); err != nil {
		return err
	}
	n := orDefault(b.cfg.pages, 1000)
	_, took, _, err := b.createPages(ctx, n, "library")
	if err == nil {
		fmt.Fprintf(os.Stderr, "storebench: created %s pages in %s\n", num(n), secs(took))
	}
	return err
}

// freshServer stops any running server and starts one on a new, empty data dir.
func (b *bench) freshServer(ctx context.Context) error {
	if b.srv != nil {
		if _, err := b.srv.stop(); err != nil {
			return err
		}
		b.srv = nil
	}
	b.dataDir = b.newDir("data")
	b.pages, b.dirPages, b.dirRevs = nil, 1, 0 // the demo seeds the ketamine page
	return b.ensureServer(ctx)
}

// ensureServer starts the server on the current data dir unless it runs, and signs in.
func (b *bench) ensureServer(ctx context.Context) error {
	if b.srv != nil {
		return nil
	}
	srv, err := startServer(b.cfg, b.dataDir, b.logPath())
	if err != nil {
		return err
	}
	b.srv = srv
	if _, err := srv.waitFor(ctx, "/readyz", b.cfg.startWait); err != nil {
		return err
	}
	b.api = newAPI(b.cfg, srv.base)
	return b.api.login(ctx)
}

func (b *bench) newDir(kind string) string {
	b.dirSeq++
	return filepath.Join(b.work, fmt.Sprintf("%s-%d", kind, b.dirSeq))
}

func (b *bench) logPath() string {
	b.dirSeq++
	return filepath.Join(b.work, fmt.Sprintf("server-%d.log", b.dirSeq))
}

// createPage creates the next page, named so that search can find it.
func (b *bench) createPage(ctx context.Context) (*page, time.Duration, error) {
	p := newPage(b.nextName)
	b.nextName++
	d, err := b.api.create(ctx, b.tmpl, p)
	if err != nil {
		return nil, 0, err
	}
	b.pages = append(b.pages, p)
	b.dirPages++
	b.dirRevs++
	return p, d, nil
}

func (b *bench) createPages(ctx context.Context, n int, what string) ([]*page, time.Duration, []time.Duration, error) {
	return createPagesOn(ctx, monograph{b}, n, what)
}

// saveTarget is a server the saves mode measures: Monograph, or the PocketBase reference
// (pocketbase.go). Both get the same pages, contents and random choices, and their requests
// are timed by the same api.call.
type saveTarget interface {
	label() string    // the binary's name in the table
	storedPages() int // pages in its store
	createPage(ctx context.Context) (*page, time.Duration, error)
	save(ctx context.Context, p *page) (time.Duration, error) // one more edit of p
	saved(n int)                                              // n saves were made
	rng() *rand.Rand                                          // for the sequential saves
}

// monograph is the server under test as a saveTarget.
type monograph struct{ b *bench }

func (m monograph) label() string    { return m.b.cfg.label }
func (m monograph) storedPages() int { return m.b.dirPages }
func (m monograph) createPage(ctx context.Context) (*page, time.Duration, error) {
	return m.b.createPage(ctx)
}
func (m monograph) save(ctx context.Context, p *page) (time.Duration, error) {
	return m.b.api.save(ctx, m.b.tmpl, p)
}
func (m monograph) saved(n int)     { m.b.countRevs(n) }
func (m monograph) rng() *rand.Rand { return m.b.rng }

func createPagesOn(ctx context.Context, tg saveTarget, n int, what string) ([]*page, time.Duration, []time.Duration, error) {
	prog := newProgress(what+": creating pages", n)
	var pages []*page
	var lat []time.Duration
	start := time.Now()
	for i := range n {
		p, d, err := tg.createPage(ctx)
		if err != nil {
			return nil, 0, nil, err
		}
		pages = append(pages, p)
		lat = append(lat, d)
		prog.step(i + 1)
	}
	return pages, time.Since(start), lat, nil
}

// saveRandomOn makes n saves on tg, each on a random page of pages, and returns their
// latencies. Each writer passes its own rng and pages.
func saveRandomOn(ctx context.Context, tg saveTarget, rng *rand.Rand, pages []*page, n int, what string) ([]time.Duration, error) {
	prog := newProgress(what, n)
	lat := make([]time.Duration, 0, n)
	for i := range n {
		p := pages[rng.IntN(len(pages))]
		d, err := tg.save(ctx, p)
		if err != nil {
			return lat, err
		}
		lat = append(lat, d)
		prog.step(i + 1)
	}
	tg.saved(n)
	return lat, nil
}

func (b *bench) countRevs(n int) {
	b.revsMu.Lock()
	b.dirRevs += n
	b.revsMu.Unlock()
}

// server is one `monograph serve` process (or the PocketBase reference's `serve`).
type server struct {
	cmd     *exec.Cmd
	base    string
	logPath string
	pidPath string    // removed once the server has stopped
	started time.Time // just before exec: restart times are measured from here
	done    chan struct{}
	waitErr error
}

func startServer(cfg config, dataDir, logPath string) (*server, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	return startProcess(addr, "server.pid", logPath, cfg.bin,
		append([]string{"serve", "--demo", "--data", dataDir, "--addr", addr, "--log-level", "error"}, cfg.serveArgs...)...)
}

// startProcess starts a server listening on addr, its output to logPath, and records its
// pid in pidFile next to the log.
func startProcess(addr, pidFile, logPath, bin string, args ...string) (*server, error) {
	logf, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	// No CommandContext: a cancelled run must still stop the server with SIGTERM and wait,
	// not SIGKILL it, so its data dir is closed cleanly.
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = logf, logf
	s := &server{cmd: cmd, base: "http://" + addr, logPath: logPath, pidPath: filepath.Join(filepath.Dir(logPath), pidFile),
		done: make(chan struct{})}
	s.started = time.Now()
	if err := cmd.Start(); err != nil {
		logf.Close()
		return nil, err
	}
	go func() {
		s.waitErr = cmd.Wait()
		logf.Close()
		close(s.done)
	}()
	// The wrapper script kills this pid if the tool itself dies without cleaning up.
	_ = os.WriteFile(s.pidPath, []byte(strconv.Itoa(cmd.Process.Pid)), 0o644)
	return s, nil
}

// waitFor polls path until it answers 200 and returns the time since exec. Polling is
// every 5 ms, so the figure is accurate to that.
func (s *server) waitFor(ctx context.Context, path string, timeout time.Duration) (time.Duration, error) {
	hc := &http.Client{Timeout: 5 * time.Second}
	deadline := time.Now().Add(timeout)
	last := "no answer yet"
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.base+path, nil)
		resp, err := hc.Do(req)
		if err == nil {
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return time.Since(s.started), nil
			}
			last = fmt.Sprintf("%d %s", resp.StatusCode, clip(body))
		} else {
			last = err.Error()
		}
		select {
		case <-s.done:
			return 0, fmt.Errorf("the server exited (%v) before GET %s answered 200; its log:\n%s", s.waitErr, path, tail(s.logPath))
		case <-ctx.Done():
			return 0, ctx.Err()
		case <-time.After(5 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return 0, fmt.Errorf("GET %s did not answer 200 within %s (last: %s); server log:\n%s", path, timeout, last, tail(s.logPath))
		}
	}
}

// stop sends SIGTERM, waits for the exit and returns how long that took. A server that
// does not exit within a minute is killed, and that is an error.
func (s *server) stop() (time.Duration, error) {
	start := time.Now()
	select {
	case <-s.done:
		// Ctrl-C reaches the server too, which then exits by itself, cleanly.
		if s.waitErr != nil {
			return 0, fmt.Errorf("the server had exited already (%v); its log:\n%s", s.waitErr, tail(s.logPath))
		}
		return 0, nil
	default:
	}
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		return 0, err
	}
	select {
	case <-s.done:
	case <-time.After(time.Minute):
		s.cmd.Process.Kill()
		<-s.done
		return 0, fmt.Errorf("the server did not exit within a minute of SIGTERM; killed it")
	}
	took := time.Since(start)
	os.Remove(s.pidPath)
	if s.waitErr != nil {
		return took, fmt.Errorf("the server exited with %v after SIGTERM; its log:\n%s", s.waitErr, tail(s.logPath))
	}
	return took, nil
}

// runCLI runs a monograph command (export, import), passes its stderr (the progress
// lines) through and returns its stdout.
func runCLI(ctx context.Context, bin string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, os.Stderr
	fmt.Fprintf(os.Stderr, "storebench: %s %s\n", filepath.Base(bin), strings.Join(args, " "))
	if err := cmd.Run(); err != nil {
		return out.String(), fmt.Errorf("%s %s: %w; stdout:\n%s", bin, args[0], err, out.String())
	}
	return out.String(), nil
}

func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// ---------------------------------------------------------------------------------------
// The HTTP API

// page is one page this run created, with the version its next save must name.
type page struct {
	n        int
	id       string
	slug     string
	name     string
	version  int
	revision int
	edits    int
}

// pageJSON is the part of the page (and page summary) JSON the tool reads.
type pageJSON struct {
	ID       string `json:"id"`
	Slug     string `json:"slug"`
	Version  int    `json:"version"`
	Revision int    `json:"revision"`
}

type pageList struct {
	Data       []pageJSON `json:"data"`
	NextCursor string     `json:"nextCursor"`
}

type sessionJSON struct {
	AccessToken  string `json:"accessToken"`
	RefreshToken string `json:"refreshToken"`
	ExpiresIn    int    `json:"expiresIn"`
}

// api is a keep-alive client of one server, signed in as the demo writer. It is safe for
// concurrent use.
type api struct {
	base         string
	hc           *http.Client
	refreshEvery time.Duration

	mu        sync.Mutex // guards the session: a refresh token can be spent only once
	sess      sessionJSON
	renewedAt time.Time
}

func newAPI(cfg config, base string) *api {
	conns := cfg.writers
	tr := &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        conns + 4,
		MaxIdleConnsPerHost: conns + 4, // every writer keeps its connection: no handshakes in the figures
		IdleConnTimeout:     90 * time.Second,
	}
	return &api{base: base, hc: &http.Client{Transport: tr, Timeout: cfg.reqTimeout}, refreshEvery: cfg.refresh}
}

// response is one answer with the time from sending the request to the last body byte.
type response struct {
	status int
	header http.Header
	body   []byte
	took   time.Duration
}

// call sends one request. Only the HTTP exchange is timed: building the body, getting a
// token and decoding the answer are not.
func (a *api) call(ctx context.Context, method, path string, body []byte, header http.Header) (response, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, a.base+path, rd)
	if err != nil {
		return response{}, err
	}
	if header != nil {
		req.Header = header.Clone()
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	start := time.Now()
	resp, err := a.hc.Do(req)
	if err != nil {
		return response{}, fmt.Errorf("%s %s: %w", method, path, err)
	}
	data, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	took := time.Since(start)
	if err != nil {
		return response{}, fmt.Errorf("%s %s: reading the answer: %w", method, path, err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: data, took: took}, nil
}

// expect fails loudly, with the body, on any status but want.
func expect(r response, want int, method, path string) error {
	if r.status != want {
		return fmt.Errorf("%s %s answered %d, want %d: %s", method, path, r.status, want, clip(r.body))
	}
	return nil
}

// manage sends an authorised management request and checks its status.
func (a *api) manage(ctx context.Context, method, path string, body []byte, header http.Header, want int) (response, error) {
	tok, err := a.token(ctx)
	if err != nil {
		return response{}, err
	}
	if header == nil {
		header = http.Header{}
	}
	header.Set("Authorization", "Bearer "+tok)
	r, err := a.call(ctx, method, path, body, header)
	if err != nil {
		return r, err
	}
	return r, expect(r, want, method, path)
}

func (a *api) login(ctx context.Context) error {
	body, _ := json.Marshal(map[string]string{"email": writerEmail, "password": demoPassword})
	return a.startSession(ctx, "/api/v1/auth/login", body)
}

// token returns a valid access token, refreshing the session every -refresh-every (10
// minutes) or after two thirds of the access token's life (15 minutes), whichever comes
// first: long runs never see a 401.
func (a *api) token(ctx context.Context) (string, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	life := time.Duration(a.sess.ExpiresIn) * time.Second
	if time.Since(a.renewedAt) > min(life*2/3, a.refreshEvery) {
		body, _ := json.Marshal(map[string]string{"refreshToken": a.sess.RefreshToken})
		if err := a.startSessionLocked(ctx, "/api/v1/auth/refresh", body); err != nil {
			return "", err
		}
		fmt.Fprintln(os.Stderr, "storebench: refreshed the session")
	}
	return a.sess.AccessToken, nil
}

func (a *api) startSession(ctx context.Context, path string, body []byte) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.startSessionLocked(ctx, path, body)
}

func (a *api) startSessionLocked(ctx context.Context, path string, body []byte) error {
	r, err := a.call(ctx, http.MethodPost, path, body, nil)
	if err != nil {
		return err
	}
	if err := expect(r, http.StatusOK, http.MethodPost, path); err != nil {
		return err
	}
	var s sessionJSON
	if err := json.Unmarshal(r.body, &s); err != nil || s.AccessToken == "" || s.RefreshToken == "" || s.ExpiresIn <= 0 {
		return fmt.Errorf("POST %s: not a session (%v): %s", path, err, clip(r.body))
	}
	a.sess, a.renewedAt = s, time.Now()
	return nil
}

// create creates p (its first revision) and records its id and version.
func (a *api) create(ctx context.Context, t *template, p *page) (time.Duration, error) {
	slug, _ := json.Marshal(p.slug)
	body := slices.Concat([]byte(`{"slug":`), slug, []byte(`,"content":`), t.content(p.n, 0), []byte(`}`))
	const path = "/api/v1/manage/pages"
	r, err := a.manage(ctx, http.MethodPost, path, body, nil, http.StatusCreated)
	if err != nil {
		return 0, err
	}
	pj, err := decodePage(r, "POST "+path)
	if err != nil {
		return 0, err
	}
	if pj.Slug != p.slug || pj.Revision != 1 {
		return 0, fmt.Errorf("POST %s: created slug %q revision %d, want %q revision 1", path, pj.Slug, pj.Revision, p.slug)
	}
	p.id, p.version, p.revision = pj.ID, pj.Version, pj.Revision
	return r.took, nil
}

// save saves p with one more edit, which must make a new revision (identical content
// makes none, and would measure a cheaper path than a real edit).
func (a *api) save(ctx context.Context, t *template, p *page) (time.Duration, error) {
	p.edits++
	path := "/api/v1/manage/pages/" + p.id + "/content"
	h := http.Header{}
	h.Set("If-Match", strconv.Quote(strconv.Itoa(p.version)))
	r, err := a.manage(ctx, http.MethodPut, path, t.content(p.n, p.edits), h, http.StatusOK)
	if err != nil {
		return 0, err
	}
	pj, err := decodePage(r, "PUT "+path)
	if err != nil {
		return 0, err
	}
	if pj.Revision != p.revision+1 || pj.Version <= p.version {
		return 0, fmt.Errorf("PUT %s: revision %d version %d after revision %d version %d: the save made no new revision",
			path, pj.Revision, pj.Version, p.revision, p.version)
	}
	p.version, p.revision = pj.Version, pj.Revision
	return r.took, nil
}

// decodePage reads the page JSON and checks the ETag carries its version.
func decodePage(r response, what string) (pageJSON, error) {
	var pj pageJSON
	if err := json.Unmarshal(r.body, &pj); err != nil || pj.ID == "" || pj.Version < 1 {
		return pj, fmt.Errorf("%s: not a page (%v): %s", what, err, clip(r.body))
	}
	if want := strconv.Quote(strconv.Itoa(pj.Version)); r.header.Get("ETag") != want {
		return pj, fmt.Errorf("%s: ETag %q, want %s", what, r.header.Get("ETag"), want)
	}
	return pj, nil
}

func (a *api) list(ctx context.Context, query string) (pageList, time.Duration, error) {
	path := "/api/v1/manage/pages?" + query
	var l pageList
	r, err := a.manage(ctx, http.MethodGet, path, nil, nil, http.StatusOK)
	if err != nil {
		return l, 0, err
	}
	if err := json.Unmarshal(r.body, &l); err != nil {
		return l, 0, fmt.Errorf("GET %s: %w: %s", path, err, clip(r.body))
	}
	return l, r.took, nil
}

// delivery reads a live page as a website does (no token; Go's client asks for gzip).
func (a *api) delivery(ctx context.Context, slug string) (time.Duration, error) {
	path := "/api/v1/pages/" + slug
	r, err := a.call(ctx, http.MethodGet, path, nil, nil)
	if err != nil {
		return 0, err
	}
	return r.took, expect(r, http.StatusOK, http.MethodGet, path)
}

// ---------------------------------------------------------------------------------------
// Content

// template is the sample page's content with placeholders for what differs per page and
// per save, marshalled once so a page's body costs four replacements, not a JSON encode.
type template struct{ json string }

const (
	phName    = "@@NAME@@"
	phGeneric = "@@GENERIC@@"
	phEdit    = "@@EDIT@@"
)

func loadTemplate(path string) (*template, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("-sample: %w (run from the repository root or pass -sample)", err)
	}
	var sample struct {
		Content map[string]any `json:"content"`
	}
	if err := json.Unmarshal(data, &sample); err != nil {
		return nil, fmt.Errorf("-sample %s: %w", path, err)
	}
	c := sample.Content
	drug, _ := c["drug"].(map[string]any)
	sections, _ := c["sections"].([]any)
	title, _ := c["title"].(string)
	if drug == nil || len(sections) == 0 || title == "" || strings.Contains(string(data), "@@") {
		return nil, fmt.Errorf("-sample %s: want content with a title, a drug and at least one section", path)
	}
	first, _ := sections[0].(map[string]any)
	if first == nil {
		return nil, fmt.Errorf("-sample %s: the first section is not an object", path)
	}
	body, _ := first["body"].(string)
	// The page's own name replaces the drug's in the title, so search by name finds it.
	if old, _ := drug["name"].(string); old != "" && strings.Contains(title, old) {
		c["title"] = strings.Replace(title, old, phName, 1)
	} else {
		c["title"] = phName + " – " + title
	}
	drug["name"], drug["genericName"] = phName, phGeneric
	first["body"] = body + phEdit
	out, err := json.Marshal(c)
	if err != nil {
		return nil, err
	}
	return &template{json: string(out)}, nil
}

// content is page n's content after edit saves: each edit changes the first section's
// body, so every save is a new revision of the same size as the last.
func (t *template) content(n, edit int) []byte {
	name := pageName(n)
	e := ""
	if edit > 0 {
		e = editMark(edit)
	}
	return []byte(strings.NewReplacer(phName, name, phGeneric, strings.ToLower(name), phEdit, e).Replace(t.json))
}

// editMark is what edit number edit adds to the first section's body.
func editMark(edit int) string { return fmt.Sprintf(" Benchmark edit %d.", edit) }

// newPage is page number n, not yet created: its name and the slug made from it.
func newPage(n int) *page {
	p := &page{n: n, name: pageName(n)}
	p.slug = strings.ToLower(strings.ReplaceAll(p.name, " ", "-"))
	return p
}

// pageName is fixed-width so that no name is a substring of another: a search for one
// page's exact name finds that page and no other.
func pageName(n int) string { return fmt.Sprintf("%s %05d", namePrefix, n) }

// dropLetter misspells a name the way a hurried editor does: one letter of the word
// left out (never the first).
func dropLetter(name string, rng *rand.Rand) string {
	i := 1 + rng.IntN(len(namePrefix)-1)
	return name[:i] + name[i+1:]
}

// ---------------------------------------------------------------------------------------
// Reporting

// table prints a Markdown table: the header when created, each row as soon as it is
// measured, so long runs show progress and a stopped run keeps its rows.
type table struct{ cols int }

func newTable(mode string, cols ...string) *table {
	fmt.Printf("\n**%s**\n\n| %s |\n|%s\n", mode, strings.Join(cols, " | "), strings.Repeat(" --- |", len(cols)))
	return &table{cols: len(cols)}
}

func (t *table) row(cells ...string) {
	cells = append([]string{time.Now().UTC().Format("2006-01-02 15:04")}, cells...)
	for len(cells) < t.cols {
		cells = append(cells, "")
	}
	fmt.Printf("| %s |\n", strings.Join(cells, " | "))
}

// progress prints "what done/total" to stderr at most every 5 seconds.
type progress struct {
	what  string
	total int
	start time.Time
	last  time.Time
}

func newProgress(what string, total int) *progress {
	now := time.Now()
	return &progress{what: what, total: total, start: now, last: now}
}

func (p *progress) step(done int) {
	if time.Since(p.last) >= 5*time.Second {
		p.last = time.Now()
		fmt.Fprintf(os.Stderr, "storebench: %s: %s/%s (%s/s)\n", p.what, num(done), num(p.total), rate(done, time.Since(p.start)))
	}
}

// percentile is the nearest-rank percentile (0 for no samples).
func percentile(d []time.Duration, p float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	i := int(math.Ceil(p*float64(len(s)))) - 1
	return s[max(0, min(i, len(s)-1))]
}

func ms(d time.Duration) string {
	if d == 0 {
		return "–"
	}
	v := float64(d) / float64(time.Millisecond)
	switch {
	case v < 10:
		return fmt.Sprintf("%.2f ms", v)
	case v < 100:
		return fmt.Sprintf("%.1f ms", v)
	default:
		return fmt.Sprintf("%s ms", num(int(math.Round(v))))
	}
}

func secs(d time.Duration) string { return fmt.Sprintf("%.2f s", d.Seconds()) }

func rate(n int, d time.Duration) string {
	if n == 0 || d <= 0 {
		return "–"
	}
	v := float64(n) / d.Seconds()
	if v < 100 {
		return fmt.Sprintf("%.1f", v)
	}
	return num(int(math.Round(v)))
}

// num writes n with thousands separators, as the README's tables do.
func num(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

func kb(n int) string { return fmt.Sprintf("%.1f KB", float64(n)/1000) }
func mb(n int64) string {
	return fmt.Sprintf("%.1f MB", float64(n)/1e6)
}

func yesNo(b bool) string {
	if b {
		return "found"
	}
	return "not found"
}

func orDefault(v, def int) int {
	if v == 0 {
		return def
	}
	return v
}

// clip keeps an error body readable.
func clip(b []byte) string {
	const max = 2000
	s := strings.TrimSpace(string(b))
	if len(s) > max {
		s = s[:max] + "…"
	}
	if s == "" {
		return "(empty body)"
	}
	return s
}

// tail returns the last lines of a log file, for failures.
func tail(path string) string {
	f, err := os.Open(path)
	if err != nil {
		return "(no log: " + err.Error() + ")"
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		lines = append(lines, sc.Text())
		if len(lines) > 40 {
			lines = lines[1:]
		}
	}
	return strings.Join(lines, "\n")
}

func dirSize(dir string) int64 {
	var n int64
	filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if info, err := d.Info(); err == nil {
				n += info.Size()
			}
		}
		return nil
	})
	return n
}

// servedLocales is the --locales the server was started with: the value in the extra serve
// flags, or what `serve --demo` serves without one.
func servedLocales(serveArgs []string) string {
	for i, a := range serveArgs {
		for _, flag := range []string{"--locales", "-locales"} {
			if v, ok := strings.CutPrefix(a, flag+"="); ok {
				return v
			}
			if a == flag && i+1 < len(serveArgs) {
				return serveArgs[i+1]
			}
		}
	}
	return "en,es"
}

// jsonFilesIn counts the page files of an export and their size (accounts.json is the
// export's accounts, not a page).
func jsonFilesIn(dir string) (int, int64, error) {
	names, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		return 0, 0, err
	}
	names = slices.DeleteFunc(names, func(n string) bool { return filepath.Base(n) == "accounts.json" })
	var size int64
	for _, name := range names {
		info, err := os.Stat(name)
		if err != nil {
			return 0, 0, err
		}
		size += info.Size()
	}
	return len(names), size, nil
}

// countIn reads the page count from a CLI's summary line.
func countIn(out, pattern string) (int, error) {
	m := regexp.MustCompile(pattern).FindStringSubmatch(out)
	if m == nil {
		return 0, fmt.Errorf("no %q in the output:\n%s", pattern, out)
	}
	return strconv.Atoi(m[1])
}
