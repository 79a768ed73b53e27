package mongostore

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/monograph-cms/monograph/internal/cms"
)

// TestConditionalUpdatesLoseNothing drives 16 goroutines doing read → conditional update
// ({_id, version} → $set, $inc version) on one document. Every acknowledged update must be
// in the final count. On embedded FerretDB this holds only because writes are serialised:
// without Store.write's lock, many stale updates "win" and increments are lost.
func TestConditionalUpdatesLoseNothing(t *testing.T) {
	s := MustOpenTest(t)
	ctx := context.Background()
	c := s.coll("counter_test")
	if _, err := c.InsertOne(ctx, bson.M{"_id": "doc", "version": 0, "count": 0}); err != nil {
		t.Fatal(err)
	}
	const workers, perWorker = 16, 25
	var wg sync.WaitGroup
	var mu sync.Mutex
	acknowledged := 0
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for done := 0; done < perWorker; {
				var doc struct {
					Version int `bson:"version"`
					Count   int `bson:"count"`
				}
				if err := c.FindOne(ctx, bson.M{"_id": "doc"}).Decode(&doc); err != nil {
					t.Error(err)
					return
				}
				var matched int64
				err := s.write(func() error {
					res, err := c.UpdateOne(ctx, bson.M{"_id": "doc", "version": doc.Version},
						bson.M{"$set": bson.M{"count": doc.Count + 1}, "$inc": bson.M{"version": 1}})
					if err == nil {
						matched = res.MatchedCount
					}
					return err
				})
				if err != nil {
					t.Error(err)
					return
				}
				if matched == 1 {
					done++
					mu.Lock()
					acknowledged++
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	var final struct {
		Version int `bson:"version"`
		Count   int `bson:"count"`
	}
	if err := c.FindOne(ctx, bson.M{"_id": "doc"}).Decode(&final); err != nil {
		t.Fatal(err)
	}
	if final.Count != acknowledged || final.Version != acknowledged || acknowledged != workers*perWorker {
		t.Fatalf("acknowledged %d updates, document has count %d version %d", acknowledged, final.Count, final.Version)
	}
}

func TestDuplicateKeyIsConflict(t *testing.T) {
	s := MustOpenTest(t)
	ctx := context.Background()
	users := s.coll(collUsers)
	if _, err := users.InsertOne(ctx, bson.M{"_id": "a", "email": "x@example.com"}); err != nil {
		t.Fatal(err)
	}
	_, err := users.InsertOne(ctx, bson.M{"_id": "b", "email": "x@example.com"})
	if got := translate(err, "user"); !cms.IsCode(got, cms.CodeConflict) {
		t.Fatalf("insert duplicate email: got %v, want conflict", got)
	}
	if _, err := users.InsertOne(ctx, bson.M{"_id": "c", "email": "y@example.com"}); err != nil {
		t.Fatal(err)
	}
	_, err = users.UpdateOne(ctx, bson.M{"_id": "c"}, bson.M{"$set": bson.M{"email": "x@example.com"}})
	if got := translate(err, "user"); !cms.IsCode(got, cms.CodeConflict) {
		t.Fatalf("update to duplicate email: got %v, want conflict", got)
	}
	err = users.FindOne(ctx, bson.M{"_id": "nobody"}).Err()
	if got := translate(err, "user"); !cms.IsCode(got, cms.CodeNotFound) {
		t.Fatalf("missing: got %v, want not found", got)
	}
}

// TestSecondProcessIsRefused opens a data dir, then runs a second process (this test
// binary, re-executed) on the same dir: it must fail with ErrDataDirLocked while the first
// store keeps working.
func TestSecondProcessIsRefused(t *testing.T) {
	if dir := os.Getenv("MONOGRAPH_TEST_OPEN_DIR"); dir != "" {
		_, err := Open(context.Background(), Config{DataDir: dir})
		if errors.Is(err, ErrDataDirLocked) {
			os.Exit(3)
		}
		os.Exit(0)
	}
	if os.Getenv("MONGODB_URI") != "" {
		t.Skip("the lock guards the embedded store only")
	}
	dir := t.TempDir()
	s, err := Open(context.Background(), Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(context.Background())
	cmd := exec.Command(os.Args[0], "-test.run=^TestSecondProcessIsRefused$")
	cmd.Env = append(os.Environ(), "MONOGRAPH_TEST_OPEN_DIR="+dir)
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 3 {
		t.Fatalf("second process: err %v, output %s; want exit 3 (locked)", err, out)
	}
	if err := s.Ping(context.Background()); err != nil {
		t.Fatalf("first store harmed: %v", err)
	}
	if _, err := s.coll("x").InsertOne(context.Background(), bson.M{"ok": true}); err != nil {
		t.Fatalf("first store cannot write: %v", err)
	}
	if !strings.Contains(ErrDataDirLocked.Error(), "in use") {
		t.Fatal("message should say the dir is in use")
	}
}
