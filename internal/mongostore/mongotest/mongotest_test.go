package mongotest

import (
	"context"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// The stand-in answers over the MongoDB protocol, says it is FerretDB, and is gone once
// stopped.
func TestStartServerAnswersAndStops(t *testing.T) {
	uri, stop, err := StartServer(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)
	ctx := t.Context()
	if !IsFerretDB(ctx, uri) {
		t.Fatalf("the server at %s does not say it is FerretDB", uri)
	}
	stop()
	client, err := mongo.Connect(options.Client().ApplyURI(uri).SetServerSelectionTimeout(2 * time.Second))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = client.Disconnect(context.WithoutCancel(ctx)) }()
	if err := client.Ping(ctx, nil); err == nil {
		t.Fatalf("the server at %s still answers after stop", uri)
	}
}

// A test process killed outright never calls stop: the server must end when its stdin
// (the pipe from that process) closes, or it would outlive every interrupted run.
func TestServerEndsWhenItsStdinCloses(t *testing.T) {
	cmd := serverCommand(t.TempDir())
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	_ = stdin.Close()
	select {
	case err := <-exited:
		if err != nil {
			t.Fatalf("the server ended with %v", err)
		}
	case <-time.After(2 * time.Minute):
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		t.Fatal("the server still runs 2 minutes after its stdin closed")
	}
}

// Only the stand-in's own command links FerretDB: no test binary does (so -race never
// compiles or instruments it) and the server never does.
func TestOnlyTheStandInLinksFerretDB(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list")
	}
	out, err := exec.Command("go", "list", "-e", "-test", "-tags", "ferretdb_no_postgresql nomsgpack",
		"-f", "{{.ImportPath}}{{range .Deps}} {{.}}{{end}}", "github.com/monograph-cms/monograph/...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	const standIn = "github.com/monograph-cms/monograph/internal/mongostore/mongotest/ferretdbserver"
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) < 50 {
		t.Fatalf("go list named %d packages, expected the project's", len(lines))
	}
	linked := false
	for _, line := range lines {
		fields := strings.Fields(line)
		for _, dep := range fields[1:] {
			if !strings.HasPrefix(dep, "github.com/FerretDB/") {
				continue
			}
			if fields[0] == standIn {
				linked = true
			} else {
				t.Errorf("%s links %s", fields[0], dep)
			}
			break
		}
	}
	if !linked {
		t.Errorf("go list shows no FerretDB in %s: the check looks at the wrong thing", standIn)
	}
}
