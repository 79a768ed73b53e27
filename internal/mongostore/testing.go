package mongostore

import (
	"context"
	"os"
	"regexp"
	"testing"
)

// MustOpenTest opens a store for one test: the MongoDB at MONGODB_URI when set (with a
// database named from t.Name()), otherwise an embedded store in a fresh temp dir. It is
// closed when the test ends.
func MustOpenTest(tb testing.TB) *Store {
	tb.Helper()
	cfg := Config{URI: os.Getenv("MONGODB_URI"), DataDir: tb.TempDir(), Database: testDBName(tb.Name())}
	s, err := Open(context.Background(), cfg)
	if err != nil {
		tb.Fatalf("open store: %v", err)
	}
	tb.Cleanup(func() {
		if cfg.URI != "" {
			_ = s.db.Drop(context.Background())
		}
		_ = s.Close(context.Background())
	})
	return s
}

var unsafeDBChars = regexp.MustCompile(`[^A-Za-z0-9_]+`)

func testDBName(name string) string {
	n := "t_" + unsafeDBChars.ReplaceAllString(name, "_")
	if len(n) > 60 {
		n = n[:60]
	}
	return n
}
