// Command ferretdbserver runs FerretDB (v1.24, SQLite backend) on a loopback port: the
// MongoDB-protocol stand-in the tests start in a process of its own, as a MongoDB server
// would be (see package mongotest, which builds and starts it). It prints the server's URI
// as its first line on stdout and runs until its stdin closes (the test process that
// started it ended, however it ended) or it receives SIGINT or SIGTERM.
//
// Build with -tags ferretdb_no_postgresql (leaves FerretDB's PostgreSQL backend out). Only
// tests and test tools start it; the monograph binary never links FerretDB.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/FerretDB/FerretDB/ferretdb"
)

func main() {
	dir := flag.String("dir", "", "directory of its SQLite files (created if missing)")
	flag.Parse()
	if err := run(*dir); err != nil {
		fmt.Fprintln(os.Stderr, "ferretdbserver:", err)
		os.Exit(1)
	}
}

func run(dir string) error {
	if dir == "" {
		return fmt.Errorf("-dir is required")
	}
	dir, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("create %s: %w", dir, err)
	}
	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: "127.0.0.1:0"},
		Handler:   "sqlite",
		SQLiteURL: "file:" + dir + "/",
		// FerretDB logs every failed reply (a duplicate key the store expects, say) at
		// WARN: only its errors are worth a test's output.
		Logger: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError})),
	})
	if err != nil {
		return fmt.Errorf("start FerretDB in %s: %w", dir, err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithCancel(ctx)
	go func() {
		// The parent holds the other end of stdin: EOF means it is gone or wants us gone.
		_, _ = io.Copy(io.Discard, os.Stdin)
		cancel()
	}()
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = f.Run(ctx)
	}()
	// New has bound the listener, so the URI names the port it listens on.
	fmt.Println(f.MongoDBURI())
	<-done
	return nil
}
