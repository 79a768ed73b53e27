package mongostore_test

import (
	"io"
	"log/slog"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/monograph-cms/monograph/internal/cms"
	"github.com/monograph-cms/monograph/internal/mongostore"
	"github.com/monograph-cms/monograph/internal/notify"
	"github.com/monograph-cms/monograph/internal/storetest"
)

// The notification job reads the verifiable log while a sequencer is between marking a
// batch hashed (LogSize counts it from then on) and writing the events' logIndex (an
// unordered bulk write: any subset may be there). It must stop at the first leaf whose
// event it cannot read, never move its cursor past it, and so tell every reviewer about
// every submission once the batch is finished.
func TestNotifyJobNeverSkipsALeafWhoseEventIsNotIndexedYet(t *testing.T) {
	s := mongostore.OpenTest(t)
	ctx := t.Context()
	rosa := storetest.User("rosa@example.org", storetest.At(0))
	rosa.Roles = []cms.Role{cms.RoleReviewer}
	if err := s.InsertUser(ctx, rosa); err != nil {
		t.Fatal(err)
	}
	if at, err := s.NotifyCursor(ctx); err != nil || at != 0 {
		t.Fatalf("cursor %d (%v), want 0", at, err)
	}
	// Leaves 0..3: create A, submit A, create B, submit B.
	for i, slug := range []string{"ketamine", "ibuprofen"} {
		p := storetest.MustCreate(t, s, slug, slug, storetest.At(time.Duration(2*i)*time.Minute))
		ch := storetest.Next(p)
		storetest.Submit(t, ch, storetest.At(time.Duration(2*i+1)*time.Minute))
		storetest.MustCommit(t, s, ch)
	}
	s.SimulateCrashAfterLogClaim(true)
	if n, err := s.AppendLog(ctx); err != nil || n != 4 {
		t.Fatalf("AppendLog claimed %d (%v), want 4", n, err)
	}
	s.SimulateCrashAfterLogClaim(false)
	// The state a sequencer is in after `hashed` and part of its logIndex bulk write: the
	// creates (leaves 0 and 2) carry their index, the submits (1 and 3) do not yet.
	var st struct {
		Batch []struct {
			ID string `bson:"id"`
		} `bson:"batch"`
	}
	meta := s.Collection("meta")
	if err := meta.FindOne(ctx, bson.D{{Key: "_id", Value: "tlog"}}).Decode(&st); err != nil || len(st.Batch) != 4 {
		t.Fatalf("log state: %+v (%v)", st, err)
	}
	if _, err := meta.UpdateOne(ctx, bson.D{{Key: "_id", Value: "tlog"}}, bson.D{{Key: "$set", Value: bson.D{{Key: "hashed", Value: true}}}}); err != nil {
		t.Fatal(err)
	}
	for _, i := range []int{0, 2} {
		if _, err := s.Collection("audit").UpdateOne(ctx, bson.D{{Key: "_id", Value: st.Batch[i].ID}},
			bson.D{{Key: "$set", Value: bson.D{{Key: "logIndex", Value: int64(i)}}}}); err != nil {
			t.Fatal(err)
		}
	}
	if size, err := s.LogSize(ctx); err != nil || size != 4 {
		t.Fatalf("LogSize %d (%v), want 4 (the batch is hashed)", size, err)
	}

	job := notify.New(notify.Config{}, s, s, s, nil, cms.SystemClock{}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if _, err := job.Step(ctx); err != nil {
		t.Fatalf("Step: %v", err)
	}
	if at, err := s.NotifyCursor(ctx); err != nil || at != 1 {
		t.Fatalf("cursor %d (%v) mid-batch, want 1: only leaf 0's event is readable before the gap", at, err)
	}

	// The sequencer finishes; the job catches up and Rosa hears of both submissions.
	if _, err := s.AppendLog(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := job.Step(ctx); err != nil {
		t.Fatalf("Step: %v", err)
	}
	if at, err := s.NotifyCursor(ctx); err != nil || at != 4 {
		t.Fatalf("cursor %d (%v), want 4", at, err)
	}
	ns, err := s.Notifications(ctx, notify.Filter{UserID: rosa.ID})
	if err != nil {
		t.Fatal(err)
	}
	if len(ns) != 2 {
		t.Fatalf("the reviewer has %d notifications, want 2 (one per submission): %+v", len(ns), ns)
	}
}
