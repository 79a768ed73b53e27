package mongostore_test

import (
	"fmt"
	"os"
	"testing"

	"github.com/monograph-cms/monograph/internal/mongostore"
	"github.com/monograph-cms/monograph/internal/mongostore/mongotest"
)

// TestMain runs the tests against the MongoDB at MONGODB_URI when it is set, and otherwise
// against a FerretDB server it starts in a temporary directory.
func TestMain(m *testing.M) { os.Exit(run(m)) }

func run(m *testing.M) int {
	if os.Getenv(mongostore.URIEnv) != "" {
		return m.Run()
	}
	dir, err := os.MkdirTemp("", "mongostore-ferretdb-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	uri, stop, err := mongotest.StartServer(dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, "start FerretDB:", err)
		return 1
	}
	defer stop()
	if err := os.Setenv(mongostore.URIEnv, uri); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return m.Run()
}
