package main

import (
	"encoding/json"
	"io"
	"net/http"
	"sync"
	"time"
)

// Event is the JSON body of a webhook delivery. ID is the same on every attempt: Monograph
// delivers at least once, so a receiver handles each ID once.
type Event struct {
	ID         string    `json:"id"`
	Event      string    `json:"event"` // page.published, page.unpublished, page.review_due
	Slug       string    `json:"slug"`
	Revision   int       `json:"revision"`
	OccurredAt time.Time `json:"occurredAt"`
}

// maxEventBody bounds what a receiver reads: a delivery is a few hundred bytes.
const maxEventBody = 64 << 10

// Receiver is an http.Handler for Monograph's webhooks: it verifies the signature before
// anything else, drops repeated deliveries, and passes each new event to Handle.
type Receiver struct {
	Secret    string
	Tolerance time.Duration    // 5 minutes when zero
	Now       func() time.Time // time.Now when nil
	// Handle is called once per event, before the answer: keep it short (queue the work),
	// since Monograph retries a delivery that takes longer than 10 s.
	Handle func(Event)

	mu   sync.Mutex
	seen map[string]bool
}

func (rc *Receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "POST only", http.StatusMethodNotAllowed)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxEventBody))
	if err != nil {
		http.Error(w, "body too large", http.StatusRequestEntityTooLarge)
		return
	}
	now, tolerance := time.Now(), rc.Tolerance
	if rc.Now != nil {
		now = rc.Now()
	}
	if tolerance <= 0 {
		tolerance = 5 * time.Minute
	}
	if err := VerifySignature(rc.Secret, r.Header.Get("Monograph-Signature"), body, now, tolerance); err != nil {
		http.Error(w, err.Error(), http.StatusUnauthorized)
		return
	}
	var ev Event
	if err := json.Unmarshal(body, &ev); err != nil || ev.ID == "" {
		http.Error(w, "not a webhook event", http.StatusBadRequest)
		return
	}
	rc.mu.Lock()
	dup := rc.seen[ev.ID]
	if rc.seen == nil {
		rc.seen = map[string]bool{}
	}
	rc.seen[ev.ID] = true
	rc.mu.Unlock()
	if !dup && rc.Handle != nil {
		rc.Handle(ev)
	}
	w.WriteHeader(http.StatusNoContent)
}
