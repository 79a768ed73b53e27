// Package mongotest starts FerretDB (v1.24, SQLite backend) as the MongoDB-protocol
// stand-in the tests use where no MongoDB server can be installed. FerretDB runs in a
// process of its own (the ferretdbserver command beside this package, through go run, which
// keeps the built command in the build cache), as a MongoDB server would: the test binaries
// never link it, so a -race build neither compiles FerretDB's few hundred packages again
// with the race detector nor runs the stand-in's own code under it. The monograph binary
// never links FerretDB either.
//
// FerretDB's known gaps, so a test does not mistake them for the store's: an update is not
// atomic against a concurrent update of the same document; there are no transactions and
// no replica set (hello has no setName); queries scan (indexes enforce uniqueness only).
package mongotest

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// serverCommand is the command that runs the FerretDB server on dir: go run of the
// ferretdbserver command (its own process group, so stopping it stops the server that go run
// started too).
func serverCommand(dir string) *exec.Cmd {
	_, file, _, _ := runtime.Caller(0)
	cmd := exec.Command("go", "run", "-tags", "ferretdb_no_postgresql", "./ferretdbserver", "-dir", dir)
	cmd.Dir = filepath.Dir(file)
	cmd.Stderr = os.Stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	return cmd
}

// StartServer starts a FerretDB server keeping its SQLite files under dir, listening on a
// loopback port, and returns its URI and a function that stops it. Disconnect every client
// before calling stop: FerretDB waits for open connections to close (stop kills it after
// 10 s). The server also stops when this process ends, however it ends: it runs until its
// stdin, a pipe from here, closes.
func StartServer(dir string) (uri string, stop func(), err error) {
	dir, err = filepath.Abs(dir)
	if err != nil {
		return "", nil, err
	}
	cmd := serverCommand(dir)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return "", nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return "", nil, err
	}
	if err := cmd.Start(); err != nil {
		return "", nil, fmt.Errorf("start FerretDB in %s: %w", dir, err)
	}
	exited := make(chan error, 1)
	lines := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		if sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
		// Keep reading, whatever comes: a full pipe must never block the server.
		_, _ = io.Copy(io.Discard, stdout)
		exited <- cmd.Wait()
	}()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			_ = stdin.Close()
			select {
			case <-exited:
			case <-time.After(10 * time.Second):
				_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
				<-exited
			}
		})
	}
	select {
	case line, ok := <-lines:
		if ok && strings.HasPrefix(line, "mongodb://") {
			return line, stop, nil
		}
		stop()
		if !ok {
			return "", nil, fmt.Errorf("start FerretDB in %s: it ended before it was ready (its errors are above)", dir)
		}
		return "", nil, fmt.Errorf("start FerretDB in %s: it printed %q instead of its URI", dir, line)
	case <-time.After(2 * time.Minute): // the first go run of a clean checkout builds it
		stop()
		return "", nil, errors.New("start FerretDB in " + dir + ": no URI within 2 minutes")
	}
}

// IsFerretDB reports whether the server behind target (a *mongo.Client or a URI string)
// is FerretDB: its buildInfo names a ferretdbVersion. Tests use it to skip what FerretDB
// cannot do. An unreachable server is reported as not FerretDB.
func IsFerretDB(ctx context.Context, target any) bool {
	var client *mongo.Client
	switch t := target.(type) {
	case *mongo.Client:
		client = t
	case string:
		c, err := mongo.Connect(options.Client().ApplyURI(t))
		if err != nil {
			return false
		}
		defer func() { _ = c.Disconnect(context.WithoutCancel(ctx)) }()
		client = c
	default:
		panic(fmt.Sprintf("mongotest.IsFerretDB: want a *mongo.Client or a URI, got %T", target))
	}
	var info struct {
		FerretDBVersion string `bson:"ferretdbVersion"`
	}
	if err := client.Database("admin").RunCommand(ctx, bson.D{{Key: "buildInfo", Value: 1}}).Decode(&info); err != nil {
		return false
	}
	return info.FerretDBVersion != ""
}
