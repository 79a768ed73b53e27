package e2e

import (
	"testing"
	"time"
)

type presenceList struct {
	Data []struct {
		User struct {
			ID   string `json:"id"`
			Name string `json:"name"`
		} `json:"user"`
		Editing bool `json:"editing"`
	} `json:"data"`
}

func (c *Client) presence(tb testing.TB, method, pageID string, body any) presenceList {
	tb.Helper()
	r := c.Do(tb, method, pagesPath+"/"+pageID+"/presence", body)
	MustStatus(tb, r, 200)
	var out presenceList
	r.Decode(tb, &out)
	return out
}

// Issue 15, point 7: the page shows who else has it open; a heartbeat renews it, it
// expires 40 s after the last one, and leaving removes it at once.
func TestPresenceShowsWhoElseHasThePageOpen(t *testing.T) {
	t.Parallel()
	s := MustStart(t)
	tm := signIn(t, s)
	p := tm.writer.Create(t, "presence-page", Content("Presence page"))

	if l := tm.writer.presence(t, "POST", p.ID, nil); len(l.Data) != 0 {
		t.Fatalf("alone on the page, the writer sees %+v", l.Data)
	}
	l := tm.writer2.presence(t, "POST", p.ID, map[string]any{"editing": true})
	if len(l.Data) != 1 || l.Data[0].User.ID != tm.writer.User.ID || l.Data[0].Editing {
		t.Fatalf("writer2 sees %+v, want the writer, not editing", l.Data)
	}
	l = tm.writer.presence(t, "GET", p.ID, nil)
	if len(l.Data) != 1 || l.Data[0].User.Name != tm.writer2.User.Name || !l.Data[0].Editing {
		t.Fatalf("the writer sees %+v, want writer2 editing", l.Data)
	}

	// The writer keeps beating; writer2 goes quiet and expires.
	s.Clock.Advance(30 * time.Second)
	tm.writer.presence(t, "POST", p.ID, nil)
	s.Clock.Advance(15 * time.Second)
	if l = tm.writer.presence(t, "GET", p.ID, nil); len(l.Data) != 0 {
		t.Fatalf("writer2's presence outlived 40 s without a heartbeat: %+v", l.Data)
	}
	if l = tm.reviewer.presence(t, "GET", p.ID, nil); len(l.Data) != 1 {
		t.Fatalf("the reviewer sees %+v, want the writer", l.Data)
	}
	MustStatus(t, tm.writer.Do(t, "DELETE", pagesPath+"/"+p.ID+"/presence", nil), 204)
	if l = tm.reviewer.presence(t, "GET", p.ID, nil); len(l.Data) != 0 {
		t.Fatalf("after leaving, the reviewer still sees %+v", l.Data)
	}

	MustProblem(t, tm.writer.Do(t, "POST", pagesPath+"/"+p.ID+"/presence", map[string]any{"editing": "yes"}), 400, "invalid", "editing")
	MustStatus(t, tm.writer.Do(t, "POST", pagesPath+"/aaaaaaaaaaaaaaaaaaaa/presence", nil), 404)
	MustStatus(t, s.Anon().Do(t, "GET", pagesPath+"/"+p.ID+"/presence", nil), 401)
}

// A person with the page open in two tabs is still there after closing one of them: each
// tab sends its own id, and the page shows the person (editing, if any tab is) until their
// last tab leaves.
func TestPresenceOutlivesOneOfTwoTabs(t *testing.T) {
	t.Parallel()
	s := MustStart(t)
	tm := signIn(t, s)
	p := tm.writer.Create(t, "two-tabs", Content("Two tabs"))
	tm.writer.presence(t, "POST", p.ID, map[string]any{"tab": "tab-a"})
	tm.writer.presence(t, "POST", p.ID, map[string]any{"tab": "tab-b", "editing": true})
	l := tm.reviewer.presence(t, "GET", p.ID, nil)
	if len(l.Data) != 1 || l.Data[0].User.ID != tm.writer.User.ID || !l.Data[0].Editing {
		t.Fatalf("the reviewer sees %+v, want the writer once, editing", l.Data)
	}
	MustStatus(t, tm.writer.Do(t, "DELETE", pagesPath+"/"+p.ID+"/presence?tab=tab-a", nil), 204)
	if l = tm.reviewer.presence(t, "GET", p.ID, nil); len(l.Data) != 1 || !l.Data[0].Editing {
		t.Fatalf("after the writer closed one tab, the reviewer sees %+v, want the writer still editing", l.Data)
	}
	MustStatus(t, tm.writer.Do(t, "DELETE", pagesPath+"/"+p.ID+"/presence?tab=tab-b", nil), 204)
	if l = tm.reviewer.presence(t, "GET", p.ID, nil); len(l.Data) != 0 {
		t.Fatalf("after the writer closed both tabs, the reviewer sees %+v", l.Data)
	}
	MustProblem(t, tm.writer.Do(t, "POST", pagesPath+"/"+p.ID+"/presence", map[string]any{"tab": "../x"}), 400, "invalid", "tab")
	MustProblem(t, tm.writer.Do(t, "DELETE", pagesPath+"/"+p.ID+"/presence?tab=%24where", nil), 400, "invalid", "tab")
}
