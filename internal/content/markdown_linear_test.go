package content

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
	"time"
)

// adversarialMarkdown builds, for a size in bytes, inputs that made the stock parser rescan
// what it had already read (quadratic time), next to similar inputs that never did. Each is
// the repetition of a short pattern unless it needs a shape of its own.
var adversarialMarkdown = []struct {
	name string
	gen  func(size int) string
}{
	{"link-open", rep("[a](")},              // each ] scanned its destination to the line end
	{"image-open", rep("![a](")},            // the same through images
	{"link-dest", rep("[a](b")},             // the same with a destination character
	{"link-angle", rep("[a](<")},            // <destination> scanned to the line end for >
	{"link-title-lines", rep("[a](b \"\n")}, // block.Value walked back over every line
	{"link-quote-lines", rep("> [a](\n")},   // the same inside a blockquote
	{"link-label-lines", rep("[a\n](\n")},   // labels over two lines
	{"brackets", rep("[")},                  // unclosed labels
	{"brackets-closed", rep("[a]")},         // shortcut references that do not exist
	{"link-openers", rep("[a")},
	{"nested-brackets", nested("[", "[a](b)", "]")}, // every ] walked the label for a link
	{"nested-images", nested("![", "[a](b)", "]")},
	{"image-in-link", rep("[![a](")},
	{"reference-open", rep("[a][")},
	{"emphasis", rep("*a**a***")},
	{"emphasis-mismatched", rep("*a_ ")}, // every closer looked back at every opener
	{"emphasis-mixed", rep("_*a")},       // the same, 12 s at 100 KB
	{"emphasis-multiple-of-3", func(n int) string { return "a**b" + rep("c* ")(n) }},
	{"emphasis-nested", func(n int) string {
		k := max(1, n/14)
		return strings.Repeat("*a **a ", k) + "b" + strings.Repeat(" a** a*", k)
	}},
	{"underscores", rep("_a ")},
	{"strikethrough", rep("~~a ")},
	{"backticks", rep("`a")},
	{"backtick-runs", rep("``a`")},
	{"backtick-growing", func(n int) string { // every run read the rest of the block for its closer
		var b strings.Builder
		for i := 1; b.Len() < n; i++ {
			b.WriteString("e" + strings.Repeat("`", i))
		}
		return b.String()
	}},
	{"autolinks", rep("<a")},
	{"raw-html", rep("<a ")},
	{"linkify", rep("www.a ")},
	{"entities", rep("&#")},
	{"refdefs", rep("[a]:b\n")},        // every definition re-sliced the paragraph's lines
	{"refdefs-empty", rep("[a]:\n")},   // the same, a destination on the next line
	{"refdefs-angle", rep("[a]: <\n")}, // the same, with unclosed <
	{"refdefs-used", func(n int) string {
		var b strings.Builder
		for i := 0; b.Len() < n/2; i++ {
			fmt.Fprintf(&b, "[%d]: u\n", i)
		}
		b.WriteString("\n")
		for b.Len() < n {
			b.WriteString("[0] ")
		}
		return b.String()
	}},
	{"blockquotes", rep(">")}, // every nested block re-measured the line's column
	{"lists", rep("1. ")},
	{"quoted-lists", rep("> - ")},
	{"quote-depth-lines", lines(func(i int) string { return strings.Repeat(">", i%300) + " x" })},
	{"list-depth-lines", lines(func(i int) string { return strings.Repeat("  ", i%100) + "- x" })},
	{"table-wide", func(n int) string { return strings.Repeat("a|", n/4) + "\n" + strings.Repeat("-|", n/4) + "\n" }},
	{"table-cell-links", func(n int) string { return "|a|\n|-|\n|" + rep("[a](")(n) + "|\n" }},
	{"prose", rep("Ketamine is an *NMDA* antagonist ([NICE](https://nice.org.uk/a_(b))). ")},
}

// rep repeats p to about size bytes.
func rep(p string) func(int) string {
	return func(size int) string { return strings.Repeat(p, max(1, size/len(p))) }
}

// nested wraps core in as many open and close as fit in size bytes.
func nested(open, core, close string) func(int) string {
	return func(size int) string {
		k := max(1, size/(len(open)+len(close)))
		return strings.Repeat(open, k) + core + strings.Repeat(close, k)
	}
}

// lines joins line(0), line(1), … up to about size bytes.
func lines(line func(int) string) func(int) string {
	return func(size int) string {
		var b strings.Builder
		for i := 0; b.Len() < size; i++ {
			b.WriteString(line(i))
			b.WriteByte('\n')
		}
		return b.String()
	}
}

// BenchmarkRenderAdversarial renders each adversarial input at sizes n, 2n, 4n and 8n:
// ns/op must grow like the size (2x per step), not like its square (4x per step).
func BenchmarkRenderAdversarial(b *testing.B) {
	const n = 6250 // 8n is MaxSectionBody
	for _, a := range adversarialMarkdown {
		for _, size := range []int{n, 2 * n, 4 * n, 8 * n} {
			src := a.gen(size)
			b.Run(fmt.Sprintf("pattern=%s/size=%d", a.name, size), func(b *testing.B) {
				b.SetBytes(int64(len(src)))
				for b.Loop() {
					RenderMarkdown(src)
				}
			})
		}
	}
}

// renderWork renders src a few times and returns the least CPU time of the calling thread
// (false when the platform cannot tell) and the least bytes allocated by one rendering.
func renderWork(src string) (cpu time.Duration, cpuOK bool, alloc uint64) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	defer debug.SetGCPercent(debug.SetGCPercent(-1)) // collections would bill us for others' garbage
	cpu, alloc = 1<<62, 1<<62
	var ms runtime.MemStats
	for range 3 {
		runtime.ReadMemStats(&ms)
		a0 := ms.TotalAlloc
		t0, ok0 := threadCPU()
		RenderMarkdown(src)
		t1, ok1 := threadCPU()
		runtime.ReadMemStats(&ms)
		cpuOK = ok0 && ok1
		cpu, alloc = min(cpu, t1-t0), min(alloc, ms.TotalAlloc-a0)
	}
	return cpu, cpuOK, alloc
}

// linearWork reports how the work of rendering small and big (eight times its size)
// grows: an error when it grows quadratically. The bound, 24x for 8x the input, sits far
// from both linear (8x) and quadratic (64x) growth, and work too small to matter to anyone
// (under 3 ms of CPU, under 2 MiB allocated for the big input) is not judged, so that
// timer noise cannot fail it.
func linearWork(small, big string) error {
	const bound = 24
	c1, ok, a1 := renderWork(small)
	c8, _, a8 := renderWork(big)
	if ok && c8 > 3*time.Millisecond && float64(c8) > bound*float64(max(c1, time.Microsecond)) {
		return fmt.Errorf("CPU time grew %.0fx (%v -> %v) for %.0fx the input", float64(c8)/float64(c1), c1, c8, float64(len(big))/float64(len(small)))
	}
	if a8 > 2<<20 && float64(a8) > bound*float64(max(a1, 1)) {
		return fmt.Errorf("allocation grew %.0fx (%d -> %d bytes) for %.0fx the input", float64(a8)/float64(a1), a1, a8, float64(len(big))/float64(len(small)))
	}
	return nil
}

// TestRenderMarkdownLinear renders every adversarial input at a size and eight times it:
// the work must grow linearly. Quadratic rendering let one anonymous preview request cost
// seconds of CPU.
func TestRenderMarkdownLinear(t *testing.T) {
	const n = 3125
	for _, a := range adversarialMarkdown {
		t.Run(a.name, func(t *testing.T) {
			// A measurement can be unlucky (page faults of fresh memory are billed to the
			// thread, more so under -race on a busy machine); quadratic work fails every time.
			var err error
			for range 3 {
				if err = linearWork(a.gen(n), a.gen(8*n)); err == nil {
					return
				}
			}
			t.Error(err)
		})
	}
}

// FuzzRenderMarkdownLinear renders an input repeated to about 3 KB and to eight times that:
// the work must grow linearly, whatever the input. A few adversarial patterns seed it
// (TestRenderMarkdownLinear runs them all).
func FuzzRenderMarkdownLinear(f *testing.F) {
	for _, seed := range []string{"[a](", "![a](<", "*a_ ", "_*a", ">", "1. ", "[a]:b\n", "[a\n](\n", "e`e``"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, unit string) {
		if unit == "" || len(unit) > 64 {
			return
		}
		k := max(1, 3125/len(unit))
		small, big := strings.Repeat(unit, k), strings.Repeat(unit, 8*k)
		if err := checkSafeHTML(RenderMarkdown(big)); err != "" {
			t.Fatalf("unit %q: %s", unit, err)
		}
		if err := linearWork(small, big); err != nil {
			t.Errorf("unit %q repeated: %v", unit, err)
		}
	})
}
