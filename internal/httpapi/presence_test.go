package httpapi

import (
	"fmt"
	"testing"
	"time"
)

// One account cannot fill the presence board: however many pages and tabs it claims, it
// holds at most presencePerUser entries (its least recently renewed give way), and
// another account still gets in.
func TestPresenceBoardCapsEachAccount(t *testing.T) {
	b := newPresenceBoard()
	now := time.Unix(1_700_000_000, 0)
	for i := range presenceMax + 5 {
		if !b.beat(fmt.Sprintf("page-%d", i), "flooder", fmt.Sprintf("tab-%d", i), "Flo", false, now.Add(time.Duration(i)*time.Millisecond)) {
			t.Fatalf("beat %d of one account was refused: it should replace its oldest entry", i)
		}
	}
	if b.byUser["flooder"] != presencePerUser || b.n != presencePerUser {
		t.Fatalf("the account holds %d entries (board %d), want %d", b.byUser["flooder"], b.n, presencePerUser)
	}
	// The newest survive, the oldest went.
	last := fmt.Sprintf("page-%d", presenceMax+4)
	if got := b.others(last, "someone", now.Add(time.Second)); len(got) != 1 {
		t.Fatalf("the newest entry is gone: %+v", got)
	}
	if got := b.others("page-0", "someone", now.Add(time.Second)); len(got) != 0 {
		t.Fatalf("the oldest entry is still there: %+v", got)
	}
	if !b.beat("page-0", "reader", "t", "Rea", false, now.Add(11*time.Second)) {
		t.Fatal("another account was refused after one account flooded the board")
	}
}

// The board as a whole still refuses past presenceMax entries of many accounts.
func TestPresenceBoardRefusesWhenFull(t *testing.T) {
	b := newPresenceBoard()
	now := time.Unix(1_700_000_000, 0)
	for i := range presenceMax {
		if !b.beat("page", fmt.Sprintf("user-%d", i), "", "U", false, now) {
			t.Fatalf("beat %d refused before the board was full", i)
		}
	}
	if b.beat("page", "one-more", "", "U", false, now) {
		t.Fatal("the full board took one more entry")
	}
	// Entries of a known tab are renewed, never refused.
	if !b.beat("page", "user-1", "", "U", true, now) {
		t.Fatal("a renewal was refused on a full board")
	}
	// Expired entries make room.
	if !b.beat("page", "one-more", "", "U", false, now.Add(presenceTTL+time.Second)) {
		t.Fatal("the board is still full after every entry expired")
	}
}
