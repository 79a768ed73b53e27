package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"runtime/debug"
	"strings"
	"time"

	"github.com/monograph-cms/monograph/internal/cms"
	"github.com/monograph-cms/monograph/internal/sqlitestore"
)

const usage = `usage: monograph <command> [flags]

commands:
  serve                 run the server (embedded store under --data unless MONGODB_URI is set)
  users add             create a user; the password is read from stdin (temporary unless --own)
  users passwd          set a user's password, read from stdin (temporary unless --own)
  import FILE|DIR       import pages (with their revision history) from JSON files
  export DIR            export every page with its revision history and audit chain
  backup FILE           write a consistent copy of the embedded store, while the server runs
  audit verify          check every audit hash chain and the verifiable log (with
                        --checkpoint FILE: that the log extends a kept checkpoint);
                        non-zero exit on a break
  healthcheck URL       exit 0 if URL answers 2xx (for container health checks)

Run "monograph <command> -h" for the flags of a command.`

// Main runs one command line. It returns an error for a non-zero exit.
func Main(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) error {
	if len(args) == 0 {
		fmt.Fprintln(stderr, usage)
		return errors.New("no command given")
	}
	switch cmd, rest := args[0], args[1:]; {
	case cmd == "serve":
		return runServe(ctx, rest, stdout, stderr, getenv)
	case cmd == "users":
		return runUsers(ctx, rest, stdin, stdout, stderr, getenv)
	case cmd == "import":
		return runImport(ctx, rest, stdout, stderr, getenv)
	case cmd == "export":
		return runExport(ctx, rest, stdout, stderr, getenv)
	case cmd == "backup":
		return runBackup(ctx, rest, stdout, stderr, getenv)
	case cmd == "audit" && len(rest) > 0 && rest[0] == "verify":
		return runAuditVerifyAll(ctx, rest[1:], stdout, stderr, getenv)
	case cmd == "healthcheck" && len(rest) == 1:
		return healthcheck(ctx, rest[0])
	case cmd == "help" || cmd == "-h" || cmd == "--help":
		fmt.Fprintln(stdout, usage)
		return nil
	default:
		fmt.Fprintln(stderr, usage)
		return fmt.Errorf("unknown command %q", strings.Join(args, " "))
	}
}

// parseConfig parses the common flags plus any extra ones the command registered.
// Flags may come before or after the command's arguments (`export DIR --data D` as well as
// `export --data D DIR`); the arguments are returned in order.
func parseConfig(name string, args []string, stderr io.Writer, getenv func(string) string, extra func(*flag.FlagSet)) (Config, []string, error) {
	cfg := DefaultConfig()
	fs := flag.NewFlagSet("monograph "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg.BindFlags(fs, getenv)
	if extra != nil {
		extra(fs)
	}
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return cfg, nil, err
		}
		if fs.NArg() == 0 {
			break
		}
		positional = append(positional, fs.Arg(0))
		args = fs.Args()[1:]
	}
	return cfg, positional, cfg.Validate()
}

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	cfg, _, err := parseConfig("serve", args, stderr, getenv, nil)
	if err != nil {
		return err
	}
	if getenv("GOGC") == "" {
		// The delivery API answers from memory without allocating, but the heap (live
		// snapshot, store) is large next to what each request allocates; collecting less
		// often halves the p99 latency measured with scripts/bench, for more memory. The
		// standard GOGC (and GOMEMLIMIT) environment variables override this.
		debug.SetGCPercent(200)
	}
	a, err := Open(ctx, cfg, Options{Logger: NewLogger(cfg, stderr)})
	if err != nil {
		return err
	}
	if getenv("GOMEMLIMIT") == "" && cfg.MemoryLimitMB > 0 {
		go governMemory(ctx, int64(cfg.MemoryLimitMB)<<20, a.Log)
	}
	if cfg.Demo {
		if err := a.SeedDemo(ctx); err != nil {
			_ = a.Close(context.Background())
			return fmt.Errorf("demo seed: %w", err)
		}
	}
	if err := a.Serve(ctx); err != nil {
		_ = a.Close(context.Background())
		return err
	}
	printBanner(stdout, a)
	<-ctx.Done()
	a.Log.Info("shutting down: finishing in-flight requests")
	closeCtx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout+5*time.Second)
	defer cancel()
	return a.Close(closeCtx)
}

func printBanner(w io.Writer, a *App) {
	u := a.URL()
	store := "embedded store in " + a.Config.DataDir
	if a.Config.MongoURI != "" {
		store = "MongoDB (" + a.Config.Database + ")"
	}
	fmt.Fprintf(w, "Monograph is serving on %s (%s)\n", u, store)
	fmt.Fprintf(w, "  Admin:      %s/admin/\n", u)
	fmt.Fprintf(w, "  Delivery:   %s/api/v1/pages\n", u)
	fmt.Fprintf(w, "  OpenAPI:    %s/api/openapi.json\n", u)
	if a.Config.Demo {
		fmt.Fprintf(w, "Demo logins (password %q):\n", DemoPassword)
		for _, d := range DemoUsers {
			fmt.Fprintf(w, "  %-24s %s\n", d.Email, roleList(d.Roles))
		}
		if a.Config.LocaleSet().Has("es") {
			d := DemoTranslationReviewer
			fmt.Fprintf(w, "  %-24s %s (signs Spanish)\n", d.Email, roleList(d.Roles))
		}
	}
	fmt.Fprintln(w, "Press Ctrl-C to stop.")
}

func roleList(roles []cms.Role) string {
	s := make([]string, len(roles))
	for i, r := range roles {
		s[i] = string(r)
	}
	return strings.Join(s, ",")
}

// runBackup copies the embedded store while a server may be running on it. It does not open
// the store as the other commands do (that would need the data dir's lock, which the
// running server holds): it only reads one consistent snapshot of the database file.
func runBackup(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	cfg, rest, err := parseConfig("backup", args, stderr, getenv, nil)
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		return errors.New("usage: monograph backup FILE [--data DIR]")
	}
	dest := rest[0]
	if cfg.MongoURI != "" {
		return errors.New("backup copies the embedded store; for MongoDB use mongodump --uri=... --oplog (a consistent dump of a replica set) " +
			"or your platform's volume snapshots, as docs/operations.md describes")
	}
	start := time.Now()
	if err := sqlitestore.Backup(ctx, cfg.DataDir, dest); err != nil {
		return err
	}
	// The image files, beside the database copy (docs/media.md).
	if n, err := sqlitestore.BackupMedia(cfg.DataDir, dest); err != nil {
		return fmt.Errorf("media: %w", err)
	} else if n > 0 {
		fmt.Fprintf(stdout, "backed up %d image files to %s%s (restore them as media/ beside %s)\n", n, dest, sqlitestore.MediaBackupSuffix, sqlitestore.FileName)
	}
	st, err := os.Stat(dest)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "backed up %s to %s (%d bytes, %s); to restore: put it as %s into an empty data dir with the key files\n",
		cfg.DataDir, dest, st.Size(), time.Since(start).Round(time.Millisecond), sqlitestore.FileName)
	return nil
}

// describe turns a cms.Error into a message for the terminal, naming each field.
func describe(err error) error {
	var e *cms.Error
	if !errors.As(err, &e) || len(e.Fields) == 0 {
		return err
	}
	parts := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		parts[i] = "--" + f.Field + ": " + f.Message
	}
	return errors.New(strings.Join(parts, "; "))
}

func healthcheck(ctx context.Context, url string) error {
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("%s answered %s", url, resp.Status)
	}
	return nil
}
