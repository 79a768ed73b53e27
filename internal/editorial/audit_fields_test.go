package editorial

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/monograph-cms/monograph/internal/cms"
	"github.com/monograph-cms/monograph/internal/workflow"
)

// The roles and request id are hashed when set, and leave the hash of an event without them
// exactly as it was before they existed; the log index is never hashed.
func TestHashInputOfRolesRequestIDAndLogIndex(t *testing.T) {
	at := time.Date(2026, 11, 26, 1, 2, 3, 4_000_000, time.UTC)
	base := AuditEvent{Seq: 1, At: at, Actor: "u1", ActorName: "Wendy", Action: "save", PageID: "aaaaaaaaaaaaaaaaaaaa",
		Revision: 2, Data: `{"contentHash":"sha256:x"}`, PrevHash: GenesisHash}
	// The hash input of an event of the first release, byte for byte.
	const before = `{"seq":1,"at":"2026-11-26T01:02:03.004Z","actor":"u1","actorName":"Wendy","action":"save",` +
		`"pageId":"aaaaaaaaaaaaaaaaaaaa","revision":2,"data":{"contentHash":"sha256:x"}}`
	if got := string(base.hashInput()); got != before {
		t.Fatalf("hash input of an event without roles changed:\n got %s\nwant %s", got, before)
	}
	n := int64(7)
	tests := []struct {
		name    string
		change  func(e *AuditEvent)
		changes bool
	}{
		{"roles", func(e *AuditEvent) { e.ActorRoles = []string{"writer"} }, true},
		{"request id", func(e *AuditEvent) { e.RequestID = "req-1" }, true},
		{"empty roles", func(e *AuditEvent) { e.ActorRoles = []string{} }, false},
		{"log index", func(e *AuditEvent) { e.LogIndex = &n }, false},
	}
	for _, tc := range tests {
		e := base
		tc.change(&e)
		if got := e.ComputeHash() != base.ComputeHash(); got != tc.changes {
			t.Errorf("%s: hash changed = %v, want %v", tc.name, got, tc.changes)
		}
	}
}

func TestAppendEventAsRecordsRolesAndRequestID(t *testing.T) {
	c := &Change{Page: Page{ID: "aaaaaaaaaaaaaaaaaaaa"}}
	at := time.Date(2026, 11, 26, 1, 2, 3, 0, time.UTC)
	c.appendEventAs(workflow.Event{Action: workflow.ActionSave, Actor: "u1", Revision: 1}, cms.Principal{
		UserID: "u1", Roles: []cms.Role{cms.RoleWriter, cms.RoleEditor}, RequestID: "req-9"}, "Wendy", at)
	c.appendEvent(workflow.Event{Action: workflow.ActionSubmit, Actor: "u1", Revision: 1}, "Wendy", at)
	e := c.Events[0]
	if strings.Join(e.ActorRoles, ",") != "writer,editor" || e.RequestID != "req-9" {
		t.Fatalf("event: %+v", e)
	}
	if br := VerifyChain(c.Page.ID, c.Events, c.Page.Audit); br != nil {
		t.Fatalf("chain: %v", br)
	}
}

func TestAuditEventJSON(t *testing.T) {
	b, err := json.Marshal(AuditEvent{Seq: 1, PageID: AccountsChain})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"actorRoles":[]`, `"requestId":""`, `"logIndex":null`, `"pageId":""`, `"data":{}`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("%s lacks %s", b, want)
		}
	}
	n := int64(3)
	b, _ = json.Marshal(AuditEvent{LogIndex: &n, ActorRoles: []string{"admin"}})
	if !strings.Contains(string(b), `"logIndex":3`) || !strings.Contains(string(b), `"actorRoles":["admin"]`) {
		t.Errorf("%s", b)
	}
	if EventID(AccountsChain, 4) != "accounts/4" || EventID("aaaaaaaaaaaaaaaaaaaa", 4) != "aaaaaaaaaaaaaaaaaaaa/4" {
		t.Error("EventID")
	}
	if got := (&ChainBreak{PageID: AccountsChain, Seq: 2, Reason: "x"}).Error(); got != "accounts chain: audit event 2: x" {
		t.Errorf("ChainBreak: %s", got)
	}
}
