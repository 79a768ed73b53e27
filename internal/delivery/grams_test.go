package delivery

import (
	"slices"
	"testing"
	"time"
)

// TestSearchGramsAfterALoad: the grams a load leaves to the first search (lazyGrams) find
// the pages loaded from the store, and a later publication is searched by its new text,
// not by the grams of the body it replaced.
func TestSearchGramsAfterALoad(t *testing.T) {
	f := newFixture(t)
	for i, name := range []string{"Zolpidem", "Ibuprofen", "Morphine"} {
		f.publish(livePage(name, slugN(i), sampleContent(name), 1, t0, t0.AddDate(1, 0, 0)))
	}
	started := New(f.svc.cfg, f.src, f.clock)
	if err := started.Reload(t.Context()); err != nil {
		t.Fatal(err)
	}
	g := &fixture{src: f.src, clock: f.clock, svc: started, h: started.Handler()}
	for _, e := range started.cur.Load().byID {
		if e.grams.ids != nil {
			t.Fatalf("%s: grams computed at load", e.slug)
		}
	}
	search := func(q string) []string {
		got, _ := g.listSlugs(t, "/api/v1/pages?q="+q)
		return got
	}
	if got := search("zolpidm"); !slices.Equal(got, []string{slugN(0)}) {
		t.Fatalf("q=zolpidm after a load: %v", got)
	}
	// Republish page 1 about another drug, and publish a new page.
	c := sampleContent("Naproxen")
	p := livePage("Ibuprofen", slugN(1), c, 2, t0.Add(time.Hour), t0.AddDate(1, 0, 0))
	p = g.src.put(p, true)
	started.Apply(p.live())
	n := g.src.put(livePage("Ketamine", slugN(3), sampleContent("Ketamine"), 1, t0.Add(time.Hour), t0.AddDate(1, 0, 0)), true)
	started.Apply(n.live())
	for q, want := range map[string][]string{
		"naproxen": {slugN(1)}, "ibuprofen": nil, "ketamin": {slugN(3)}, "morphine": {slugN(2)},
	} {
		if got := search(q); !slices.Equal(got, want) {
			t.Errorf("q=%s: %v, want %v", q, got, want)
		}
	}
}
