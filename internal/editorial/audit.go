package editorial

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/monograph-cms/monograph/internal/workflow"
)

// AuditHead is the end of a page's hash chain: the last sequence number and its hash.
type AuditHead struct {
	Seq  int    `bson:"seq" json:"seq"`
	Hash string `bson:"hash" json:"hash"`
}

// AuditEvent is one link of a page's hash chain. Hash = sha256(PrevHash ‖ "\n" ‖ the
// canonical bytes of every other field), so changing any stored field, or removing or
// reordering an event, breaks the chain at that point.
type AuditEvent struct {
	ID        string    `bson:"_id" json:"-"` // "<pageId>/<seq>" (EventID)
	Seq       int       `bson:"seq" json:"seq"`
	At        time.Time `bson:"at" json:"at"`
	Actor     string    `bson:"actor" json:"actor"`
	ActorName string    `bson:"actorName" json:"actorName"`
	Action    string    `bson:"action" json:"action"`
	PageID    string    `bson:"pageId" json:"pageId"`
	Revision  int       `bson:"revision" json:"revision"`
	// Data is the event's details as canonical JSON text; stored as a string so the bytes
	// that were hashed are exactly the bytes read back.
	Data     string `bson:"data" json:"-"`
	PrevHash string `bson:"prevHash" json:"prevHash"`
	Hash     string `bson:"hash" json:"hash"`
}

// MarshalJSON writes the event with Data as a JSON object.
func (e AuditEvent) MarshalJSON() ([]byte, error) {
	type plain AuditEvent
	data := json.RawMessage(e.Data)
	if len(data) == 0 {
		data = json.RawMessage("{}")
	}
	return json.Marshal(struct {
		plain
		Data json.RawMessage `json:"data"`
	}{plain(e), data})
}

// GenesisHash is the PrevHash of a chain's first event.
const GenesisHash = "sha256:0000000000000000000000000000000000000000000000000000000000000000"

// hashInput is the canonical form of an event's hashed fields: a struct, so the key order is
// fixed, with time in a fixed millisecond format.
func (e AuditEvent) hashInput() []byte {
	b, _ := json.Marshal(struct {
		Seq       int             `json:"seq"`
		At        string          `json:"at"`
		Actor     string          `json:"actor"`
		ActorName string          `json:"actorName"`
		Action    string          `json:"action"`
		PageID    string          `json:"pageId"`
		Revision  int             `json:"revision"`
		Data      json.RawMessage `json:"data"`
	}{e.Seq, e.At.UTC().Format("2006-01-02T15:04:05.000Z"), e.Actor, e.ActorName, e.Action, e.PageID, e.Revision, json.RawMessage(orEmptyObject(e.Data))})
	return b
}

func orEmptyObject(s string) string {
	if s == "" {
		return "{}"
	}
	return s
}

// ComputeHash returns the hash this event must carry given its PrevHash.
func (e AuditEvent) ComputeHash() string {
	h := sha256.New()
	h.Write([]byte(e.PrevHash))
	h.Write([]byte("\n"))
	h.Write(e.hashInput())
	return "sha256:" + hex.EncodeToString(h.Sum(nil))
}

// appendEvent links a workflow event to the page's chain: the event follows the page's
// current head, becomes the new head, and is written with the change.
func (c *Change) appendEvent(ev workflow.Event, actorName string, at time.Time) {
	data := "{}"
	if len(ev.Data) > 0 {
		// json.Marshal sorts map keys, which makes the text canonical for these values.
		if b, err := json.Marshal(ev.Data); err == nil {
			data = string(b)
		}
	}
	p := &c.Page
	prev := p.Audit.Hash
	if prev == "" {
		prev = GenesisHash
	}
	e := AuditEvent{
		Seq: p.Audit.Seq + 1, At: at.UTC().Truncate(time.Millisecond), Actor: ev.Actor, ActorName: actorName,
		Action: string(ev.Action), PageID: p.ID, Revision: ev.Revision, Data: data, PrevHash: prev,
	}
	e.ID = EventID(p.ID, e.Seq)
	e.Hash = e.ComputeHash()
	p.Audit = AuditHead{Seq: e.Seq, Hash: e.Hash}
	c.Events = append(c.Events, e)
}

// EventID returns the id of event seq of a page's chain.
func EventID(pageID string, seq int) string { return pageID + "/" + strconv.Itoa(seq) }

// ChainBreak describes the first broken link found by VerifyChain.
type ChainBreak struct {
	PageID string
	Seq    int
	Reason string
}

// Error implements error.
func (b *ChainBreak) Error() string {
	return fmt.Sprintf("page %s: audit event %d: %s", b.PageID, b.Seq, b.Reason)
}

// VerifyChain checks events (one page's, in seq order, as stored) against each other and
// against the page's head. It returns the first broken link, or nil.
func VerifyChain(pageID string, events []AuditEvent, head AuditHead) *ChainBreak {
	prev := GenesisHash
	for i, e := range events {
		want := i + 1
		switch {
		case e.Seq != want:
			return &ChainBreak{pageID, want, fmt.Sprintf("missing (found seq %d instead)", e.Seq)}
		case e.PageID != pageID:
			return &ChainBreak{pageID, e.Seq, "belongs to page " + e.PageID}
		case e.PrevHash != prev:
			return &ChainBreak{pageID, e.Seq, "prevHash does not match the previous event's hash"}
		case e.ComputeHash() != e.Hash:
			return &ChainBreak{pageID, e.Seq, "hash does not match the event's content (the event was altered)"}
		}
		prev = e.Hash
	}
	if len(events) != head.Seq {
		return &ChainBreak{pageID, len(events) + 1, fmt.Sprintf("the page's chain has %d events, the audit log %d", head.Seq, len(events))}
	}
	if head.Seq > 0 && head.Hash != prev {
		return &ChainBreak{pageID, head.Seq, "the page's chain head does not match the last event"}
	}
	return nil
}
