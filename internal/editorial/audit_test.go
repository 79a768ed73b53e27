package editorial

import (
	"testing"
	"time"

	"github.com/monograph-cms/monograph/internal/workflow"
)

// chain builds a page with n events appended, as the service appends them.
func chain(n int) (Page, []AuditEvent) {
	c := &Change{Page: Page{ID: "aaaaaaaaaaaaaaaaaaaa"}}
	at := time.Date(2026, 11, 26, 1, 2, 3, 4_000_000, time.UTC)
	for i := range n {
		c.appendEvent(workflow.Event{
			Action: workflow.ActionSave, Actor: "u1", Revision: i + 1,
			Data: map[string]any{"contentHash": "sha256:x", "n": i},
		}, "Wendy Writer", at.Add(time.Duration(i)*time.Minute))
	}
	return c.Page, c.Events
}

func TestVerifyChain(t *testing.T) {
	tests := []struct {
		name    string
		tamper  func(p *Page, ev []AuditEvent) []AuditEvent
		wantSeq int // 0: intact
	}{
		{"intact", func(_ *Page, ev []AuditEvent) []AuditEvent { return ev }, 0},
		{"altered data", func(_ *Page, ev []AuditEvent) []AuditEvent {
			ev[1].Data = `{"contentHash":"sha256:y","n":1}`
			return ev
		}, 2},
		{"altered actor", func(_ *Page, ev []AuditEvent) []AuditEvent { ev[2].ActorName = "Mallory"; return ev }, 3},
		{"altered time", func(_ *Page, ev []AuditEvent) []AuditEvent { ev[0].At = ev[0].At.Add(time.Second); return ev }, 1},
		{"rehashed but not relinked", func(_ *Page, ev []AuditEvent) []AuditEvent {
			ev[1].Action = "approve"
			ev[1].Hash = ev[1].ComputeHash()
			return ev
		}, 3},
		{"removed event", func(_ *Page, ev []AuditEvent) []AuditEvent { return append(ev[:1], ev[2:]...) }, 2},
		{"reordered", func(_ *Page, ev []AuditEvent) []AuditEvent { ev[1], ev[2] = ev[2], ev[1]; return ev }, 2},
		{"truncated tail", func(_ *Page, ev []AuditEvent) []AuditEvent { return ev[:3] }, 4},
		{"head moved", func(p *Page, ev []AuditEvent) []AuditEvent { p.Audit.Hash = GenesisHash; return ev }, 4},
		{"other page's event", func(_ *Page, ev []AuditEvent) []AuditEvent { ev[3].PageID = "bbbbbbbbbbbbbbbbbbbb"; return ev }, 4},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, ev := chain(4)
			ev = tc.tamper(&p, ev)
			br := VerifyChain(p.ID, ev, p.Audit)
			switch {
			case tc.wantSeq == 0 && br != nil:
				t.Fatalf("intact chain reported broken: %v", br)
			case tc.wantSeq != 0 && br == nil:
				t.Fatal("tampering not detected")
			case tc.wantSeq != 0 && br.Seq != tc.wantSeq:
				t.Fatalf("first broken link at %d (%s), want %d", br.Seq, br.Reason, tc.wantSeq)
			}
		})
	}
}

func TestAppendEventLinks(t *testing.T) {
	p, ev := chain(3)
	if ev[0].PrevHash != GenesisHash || ev[1].PrevHash != ev[0].Hash || ev[2].PrevHash != ev[1].Hash {
		t.Fatal("events are not linked to their predecessors")
	}
	if p.Audit.Seq != 3 || p.Audit.Hash != ev[2].Hash {
		t.Fatalf("head %+v does not point at the last event", p.Audit)
	}
	if ev[1].ID != p.ID+"/2" {
		t.Fatalf("event id %q, want <pageId>/<seq>", ev[1].ID)
	}
}
