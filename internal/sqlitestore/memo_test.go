package sqlitestore

import "testing"

// TestMemoKeepsNoAnswerReadBeforeADrop: a lookup that began before a write dropped its key
// may have read the old value; the memo must not keep it.
func TestMemoKeepsNoAnswerReadBeforeADrop(t *testing.T) {
	var m memo[bool]
	gen := m.begin()   // a lookup starts and reads "not revoked" from the store
	m.forget("family") // meanwhile a revocation commits and drops the key
	m.put("family", false, gen)
	if _, ok := m.get("family"); ok {
		t.Fatal("an answer read before the drop was kept")
	}
	gen = m.begin()
	m.put("family", true, gen)
	if v, ok := m.get("family"); !ok || !v {
		t.Fatal("an answer read after the drop was not kept")
	}
	m.clear()
	if _, ok := m.get("family"); ok {
		t.Fatal("clear kept an answer")
	}
}
