package editorial

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/monograph-cms/monograph/internal/cms"
	"github.com/monograph-cms/monograph/internal/workflow"
)

// AuditHead is the end of a page's hash chain: the last sequence number and its hash.
type AuditHead struct {
	Seq  int    `bson:"seq" json:"seq"`
	Hash string `bson:"hash" json:"hash"`
}

// AuditEvent is one link of a hash chain: a page's, or the accounts chain (PageID "",
// AccountsChain). Hash = sha256(PrevHash ‖ "\n" ‖ the canonical bytes of every other field
// but LogIndex), so changing any stored field, or removing or reordering an event, breaks
// the chain at that point.
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
	// ActorRoles and RequestID say in which capacity and by which request the actor acted.
	// They are hashed only when set, so events written before they existed keep their hash.
	ActorRoles []string `bson:"actorRoles,omitempty" json:"actorRoles"`
	RequestID  string   `bson:"requestId,omitempty" json:"requestId"`
	// LogIndex is the event's leaf in the verifiable log (every event of every chain is one
	// leaf of one Merkle tree, see Store.LogSize); nil until the store has sequenced it. It
	// is not hashed: it is assigned after the event is linked, and the log itself proves it.
	LogIndex *int64 `bson:"logIndex" json:"logIndex"`
}

// MarshalJSON writes the event with Data as a JSON object and ActorRoles as a list (empty
// when the event predates them).
func (e AuditEvent) MarshalJSON() ([]byte, error) {
	type plain AuditEvent
	data := json.RawMessage(e.Data)
	if len(data) == 0 {
		data = json.RawMessage("{}")
	}
	if e.ActorRoles == nil {
		e.ActorRoles = []string{}
	}
	return json.Marshal(struct {
		plain
		Data json.RawMessage `json:"data"`
	}{plain(e), data})
}

// AccountsChain is the PageID of the accounts chain's events: enrolment, logins, password
// and role changes (accounts_audit.go). No page has an empty id.
const AccountsChain = ""

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
		// Added later: omitted when empty, so the bytes of an older event are unchanged.
		ActorRoles []string `json:"actorRoles,omitempty"`
		RequestID  string   `json:"requestId,omitempty"`
	}{e.Seq, e.At.UTC().Format("2006-01-02T15:04:05.000Z"), e.Actor, e.ActorName, e.Action, e.PageID, e.Revision,
		json.RawMessage(orEmptyObject(e.Data)), e.ActorRoles, e.RequestID})
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

// appendEventAs is appendEvent recording the acting principal's roles and request id
// (empty for the scheduler and the command line).
func (c *Change) appendEventAs(ev workflow.Event, actor cms.Principal, actorName string, at time.Time) {
	c.appendEvent(ev, actorName, at)
	e := &c.Events[len(c.Events)-1]
	e.ActorRoles, e.RequestID = roleNames(actor.Roles), actor.RequestID
	e.Hash = e.ComputeHash()
	c.Page.Audit.Hash = e.Hash
}

// roleNames returns the roles as strings; nil for none.
func roleNames(roles []cms.Role) []string {
	var out []string
	for _, r := range roles {
		out = append(out, string(r))
	}
	return out
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

// EventID returns the id of event seq of a page's chain ("accounts/<seq>" for the
// accounts chain).
func EventID(pageID string, seq int) string {
	if pageID == AccountsChain {
		return "accounts/" + strconv.Itoa(seq)
	}
	return pageID + "/" + strconv.Itoa(seq)
}

// ChainBreak describes the first broken link found by VerifyChain.
type ChainBreak struct {
	PageID string
	Seq    int
	Reason string
}

// Error implements error.
func (b *ChainBreak) Error() string {
	if b.PageID == AccountsChain {
		return fmt.Sprintf("accounts chain: audit event %d: %s", b.Seq, b.Reason)
	}
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
