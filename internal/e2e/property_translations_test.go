package e2e

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/monograph-cms/monograph/internal/app"
)

var (
	propTrSeed   = flag.Uint64("proptr.seed", 0, "seed of TestPropertyTranslationsNameTheirSource (0: time-based)")
	propTrBudget = flag.Duration("proptr.budget", 15*time.Second, "time budget of TestPropertyTranslationsNameTheirSource")
)

// trProp is the state of one run of TestPropertyTranslationsNameTheirSource.
type trProp struct {
	t        *testing.T
	s        *Server
	tm       *team
	rng      *rand.Rand
	log      []string
	src, tr  string // page ids of the sequence
	trSlug   string
	observed int // checks that saw the translation live
}

func (pp *trProp) fatalf(format string, args ...any) {
	pp.t.Helper()
	pp.t.Fatalf("%s\nsequence:\n  %s", fmt.Sprintf(format, args...), strings.Join(pp.log, "\n  "))
}

// act runs one random action of the sequence; refusals (4xx) are part of the game, a 5xx
// never is, and a reviewer without Spanish never signs the translation.
func (pp *trProp) act() {
	tm, rng := pp.tm, pp.rng
	src, tr := tm.editor.Page(pp.t, pp.src), tm.editor.Page(pp.t, pp.tr)
	approve := func(c *Client, p Page) *Resp {
		return c.Action(pp.t, p.ID, "approve", map[string]any{"revision": p.Revision, "password": app.DemoPassword})
	}
	var desc string
	var r *Resp
	// Half the steps move a page one step along its workflow, so that signed and published
	// translations (and sources) are common; the other half are anything at all.
	if rng.IntN(2) == 0 {
		p, reviewer, name := tr, tm.reviewer2, "translation"
		if rng.IntN(3) == 0 {
			p, reviewer, name = src, tm.reviewer, "source"
		}
		switch p.State {
		case "draft", "changes_requested":
			desc, r = name+": submit (advance)", tm.writer.Action(pp.t, p.ID, "submit", nil)
		case "in_review":
			desc, r = name+": approve (advance)", approve(reviewer, p)
		case "approved":
			desc, r = name+": publish (advance)", tm.editor.Action(pp.t, p.ID, "publish", nil)
		}
		if r != nil {
			pp.log = append(pp.log, fmt.Sprintf("%s → %d %s", desc, r.Status, problemCode(r)))
			if r.Status >= 500 {
				pp.fatalf("%s: %s", desc, r)
			}
			return
		}
	}
	switch rng.IntN(12) {
	case 0, 1:
		desc = "source: save"
		r = tm.writer.Save(pp.t, src.ID, src.Version, Content("Propamine v"+strconv.Itoa(rng.IntN(4))))
	case 2:
		desc = "source: submit"
		r = tm.writer.Action(pp.t, src.ID, "submit", nil)
	case 3:
		desc = "source: approve"
		r = approve(tm.reviewer, src)
	case 4:
		desc = "source: publish"
		r = tm.editor.Action(pp.t, src.ID, "publish", nil)
	case 5:
		desc = "source: unpublish"
		r = tm.editor.Action(pp.t, src.ID, "unpublish", map[string]any{"reason": "property"})
	case 6:
		desc = "translation: save"
		r = tm.writer.Save(pp.t, tr.ID, tr.Version, Content("Propamina v"+strconv.Itoa(rng.IntN(4))))
	case 7:
		desc = "translation: submit"
		r = tm.writer.Action(pp.t, tr.ID, "submit", nil)
	case 8:
		desc = "translation: approve by a reviewer without Spanish"
		r = approve(tm.reviewer, tr)
		if r.Status == 200 {
			pp.fatalf("%s: signed", desc)
		}
	case 9:
		desc = "translation: approve by a reviewer with Spanish"
		r = approve(tm.reviewer2, tr)
	case 10:
		desc = "translation: publish"
		r = tm.editor.Action(pp.t, tr.ID, "publish", nil)
	case 11:
		n := 1 + rng.IntN(src.Revision)
		desc = "translation: rebase onto source revision " + strconv.Itoa(n)
		r = tm.writer.Do(pp.t, "POST", pagesPath+"/"+tr.ID+"/rebase", map[string]any{"sourceRevision": n}, ifMatchOf(tr)...)
	}
	pp.log = append(pp.log, fmt.Sprintf("%s → %d %s", desc, r.Status, problemCode(r)))
	if r.Status >= 500 {
		pp.fatalf("%s: %s", desc, r)
	}
}

// check holds the property: whatever delivery serves of the translation is the text of a
// revision signed by a reader of Spanish, whose signed content names the exact source
// revision and hash it renders; its source is live; "outdated" says whether the live
// source text is another.
func (pp *trProp) check() {
	tm := pp.tm
	src, tr := trGet(pp.t, tm.editor, pp.src), trGet(pp.t, tm.editor, pp.tr)
	if src.Live != nil && (tr.Outdated == nil || *tr.Outdated != (src.Live.ContentHash != tr.TranslationOf.ContentHash)) {
		pp.fatalf("management outdated %v, source live %s, base %s", tr.Outdated, src.Live.ContentHash, tr.TranslationOf.ContentHash)
	}
	r := pp.s.Anon().Do(pp.t, "GET", "/api/v1/pages/"+pp.trSlug, nil)
	if r.Status != 200 {
		return
	}
	pp.observed++
	var d struct {
		deliveredPage
		Revision int `json:"revision"`
	}
	r.Decode(pp.t, &d)
	if src.Live == nil {
		pp.fatalf("translation served while its source is not live: %s", r.Body)
	}
	if tr.Live == nil || tr.Live.Revision != d.Revision {
		pp.fatalf("delivery serves revision %d, the translation's live is %+v", d.Revision, tr.Live)
	}
	rev := tm.editor.Do(pp.t, "GET", pagesPath+"/"+tr.ID+"/revisions/"+strconv.Itoa(d.Revision), nil)
	MustStatus(pp.t, rev, 200)
	var signed struct {
		ContentHash string `json:"contentHash"`
		Content     struct {
			Title         string `json:"title"`
			TranslationOf *struct {
				Page        string `json:"page"`
				Locale      string `json:"locale"`
				Revision    int    `json:"revision"`
				ContentHash string `json:"contentHash"`
			} `json:"translationOf"`
		} `json:"content"`
	}
	rev.Decode(pp.t, &signed)
	if signed.ContentHash != tr.Live.ContentHash || d.Title != signed.Content.Title {
		pp.fatalf("served %q, the signed revision says %q (%s vs %s)", d.Title, signed.Content.Title, signed.ContentHash, tr.Live.ContentHash)
	}
	var approver string
	for _, e := range tm.admin.Audit(pp.t, tr.ID) {
		if e.Action == "approve" && e.Revision == d.Revision && e.DataMap()["contentHash"] == signed.ContentHash {
			approver = e.Actor
		}
	}
	if approver != tm.reviewer2.User.ID {
		pp.fatalf("live revision %d signed by %q, not by the reviewer who reads Spanish", d.Revision, approver)
	}
	of := signed.Content.TranslationOf
	if of == nil || of.Page != src.ID || of.Locale != "es" {
		pp.fatalf("the signed content names %+v, not its source %s", of, src.ID)
	}
	srev := tm.editor.Do(pp.t, "GET", pagesPath+"/"+src.ID+"/revisions/"+strconv.Itoa(of.Revision), nil)
	MustStatus(pp.t, srev, 200)
	var sr struct {
		ContentHash string `json:"contentHash"`
	}
	srev.Decode(pp.t, &sr)
	if sr.ContentHash != of.ContentHash {
		pp.fatalf("the signature names source revision %d as %s, which hashes to %s", of.Revision, of.ContentHash, sr.ContentHash)
	}
	if d.Translation == nil || d.Translation.Outdated != (src.Live.ContentHash != of.ContentHash) {
		pp.fatalf("delivered outdated %+v, live source %s, signed base %s", d.Translation, src.Live.ContentHash, of.ContentHash)
	}
}

// Issue 13, Must show: no sequence of actions — source edits, publications and
// unpublications, translation edits, rebases, and signatures by reviewers with and without
// the language — puts live translation text whose signature does not name the exact
// source hash it was made from.
func TestPropertyTranslationsNameTheirSource(t *testing.T) {
	t.Parallel()
	seed := *propTrSeed
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	t.Logf("seed %d (rerun with -proptr.seed=%d)", seed, seed)
	budget := propertyBudget(*propTrBudget)
	if testing.Short() {
		budget = 4 * time.Second
	}
	s, tm := startTranslations(t)
	pp := &trProp{t: t, s: s, tm: tm, rng: rand.New(rand.NewPCG(seed, 13))}
	deadline := time.Now().Add(budget)
	seqs, steps := 0, 0
	// Past the budget, sequences go on until one has seen a live translation (a test sharing
	// the machine may leave the budget too short for that), but never without end.
	for time.Now().Before(deadline) || (pp.observed == 0 && seqs < 10) {
		pp.log = nil
		src := tm.published(t, "prop-src-"+strconv.Itoa(seqs), "Propamine")
		pp.src, pp.trSlug = src.ID, "prop-es-"+strconv.Itoa(seqs)
		r := tm.writer.Do(t, "POST", pagesPath+"/"+src.ID+"/translations", map[string]any{"locale": "es", "slug": pp.trSlug, "content": Content("Propamina")})
		MustStatus(t, r, 201)
		pp.tr = trDecode(t, r).ID
		for range 30 {
			pp.act()
			pp.check()
			steps++
		}
		seqs++
	}
	t.Logf("%d sequences, %d steps, %d observations of a live translation", seqs, steps, pp.observed)
	if seqs < 1 || pp.observed == 0 {
		t.Fatalf("too little exercised: %d sequences, %d live observations", seqs, pp.observed)
	}
}
