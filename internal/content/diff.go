package content

import (
	"slices"
	"strconv"
	"strings"

	"github.com/sergi/go-diff/diffmatchpatch"
)

// Change kinds.
const (
	ChangeAdded   = "added"
	ChangeRemoved = "removed"
	ChangeChanged = "changed"
)

// Line operations in a LineDiff.
const (
	LineEqual  = "equal"
	LineInsert = "insert"
	LineDelete = "delete"
)

// Change is one difference between two contents, for reviewers. Field is a path such as
// "title", "drug.brandNames", "references[1].url", "sections[mechanism].body",
// "sections[other#0].title" or "clinicalUses[Acute pain].status". Markdown fields carry
// Lines instead of From/To; list items carry the item in From (removed) or To (added).
type Change struct {
	Field string     `json:"field"`
	Kind  string     `json:"kind"`
	From  any        `json:"from,omitempty"`
	To    any        `json:"to,omitempty"`
	Lines []LineDiff `json:"lines,omitempty"`
}

// LineDiff is one line of a Markdown field's diff, without its line break.
type LineDiff struct {
	Op   string `json:"op"`
	Text string `json:"text"`
}

// Diff lists what changed from one content to another, in field order; it is empty (not
// nil) when nothing did. Both sides are normalized first, so whitespace-only edits of
// single-line fields do not show. Sections are matched by key (each "other" section by its
// position among the "other"s) and clinical uses by name, so reordering them shows as one
// "sections.order" or "clinicalUses.order" change rather than every item changed; a
// renamed clinical use shows as removed and added. String lists report added and removed
// items (or an order change); controlled statuses and references are compared by position.
func Diff(from, to Content) []Change {
	a, b := from.Normalized(), to.Normalized()
	d := &differ{changes: []Change{}}
	scalar(d, "title", a.Title, b.Title)
	scalar(d, "summary", a.Summary, b.Summary)
	scalar(d, "drug.name", a.Drug.Name, b.Drug.Name)
	scalar(d, "drug.genericName", a.Drug.GenericName, b.Drug.GenericName)
	d.strings("drug.brandNames", a.Drug.BrandNames, b.Drug.BrandNames)
	d.strings("drug.drugClasses", a.Drug.DrugClasses, b.Drug.DrugClasses)
	positional(d, "drug.controlledStatus", a.Drug.ControlledStatus, b.Drug.ControlledStatus,
		func(p string, x, y ControlledStatus) {
			scalar(d, p+".jurisdiction", x.Jurisdiction, y.Jurisdiction)
			scalar(d, p+".schedule", x.Schedule, y.Schedule)
		})
	keyed(d, "sections", a.Sections, b.Sections, sectionLabels, func(p string, x, y Section) {
		scalar(d, p+".title", x.Title, y.Title)
		d.markdown(p+".body", x.Body, y.Body)
	})
	keyed(d, "clinicalUses", a.ClinicalUses, b.ClinicalUses, useLabels, func(p string, x, y ClinicalUse) {
		d.markdown(p+".description", x.Description, y.Description)
		scalar(d, p+".status", x.Status, y.Status)
	})
	d.strings("routes", a.Routes, b.Routes)
	d.strings("sideEffects.common", a.SideEffects.Common, b.SideEffects.Common)
	d.strings("sideEffects.serious", a.SideEffects.Serious, b.SideEffects.Serious)
	d.strings("patientGuidance", a.PatientGuidance, b.PatientGuidance)
	positional(d, "references", a.References, b.References, func(p string, x, y Reference) {
		scalar(d, p+".title", x.Title, y.Title)
		scalar(d, p+".url", x.URL, y.URL)
		scalar(d, p+".publisher", x.Publisher, y.Publisher)
		scalar(d, p+".year", x.Year, y.Year)
	})
	d.markdown("disclaimer", a.Disclaimer, b.Disclaimer)
	d.strings("tags", a.Tags, b.Tags)
	return d.changes
}

type differ struct{ changes []Change }

func (d *differ) add(c Change) { d.changes = append(d.changes, c) }

// scalar reports a changed value; from or to being the zero value reads as added or removed.
func scalar[T comparable](d *differ, field string, from, to T) {
	var zero T
	switch {
	case from == to:
	case from == zero:
		d.add(Change{Field: field, Kind: ChangeAdded, To: to})
	case to == zero:
		d.add(Change{Field: field, Kind: ChangeRemoved, From: from})
	default:
		d.add(Change{Field: field, Kind: ChangeChanged, From: from, To: to})
	}
}

// markdown reports a changed Markdown field line by line.
func (d *differ) markdown(field, from, to string) {
	if from == to {
		return
	}
	kind := ChangeChanged
	switch {
	case from == "":
		kind = ChangeAdded
	case to == "":
		kind = ChangeRemoved
	}
	d.add(Change{Field: field, Kind: kind, Lines: lineDiff(from, to)})
}

// lineDiff diffs two texts line by line with diffmatchpatch's line mode.
func lineDiff(from, to string) []LineDiff {
	// A missing final line break would make the last line differ from itself.
	from, to = withEOL(from), withEOL(to)
	dmp := diffmatchpatch.New()
	ca, cb, lines := dmp.DiffLinesToChars(from, to)
	diffs := dmp.DiffCharsToLines(dmp.DiffMain(ca, cb, false), lines)
	var out []LineDiff
	for _, df := range diffs {
		op := LineEqual
		switch df.Type {
		case diffmatchpatch.DiffInsert:
			op = LineInsert
		case diffmatchpatch.DiffDelete:
			op = LineDelete
		}
		for _, line := range strings.SplitAfter(df.Text, "\n") {
			if line != "" {
				out = append(out, LineDiff{Op: op, Text: strings.TrimSuffix(line, "\n")})
			}
		}
	}
	return out
}

func withEOL(s string) string {
	if s == "" || strings.HasSuffix(s, "\n") {
		return s
	}
	return s + "\n"
}

// strings reports items added to and removed from a string list (as multisets), or, when
// only the order changed, the whole list before and after.
func (d *differ) strings(field string, from, to []string) {
	if slices.Equal(from, to) {
		return
	}
	removed, added := minus(from, to), minus(to, from)
	for _, s := range removed {
		d.add(Change{Field: field, Kind: ChangeRemoved, From: s})
	}
	for _, s := range added {
		d.add(Change{Field: field, Kind: ChangeAdded, To: s})
	}
	if len(removed) == 0 && len(added) == 0 {
		d.add(Change{Field: field, Kind: ChangeChanged, From: from, To: to})
	}
}

// minus returns the items of a left over after matching each item of b once.
func minus(a, b []string) []string {
	left := map[string]int{}
	for _, s := range b {
		left[s]++
	}
	var out []string
	for _, s := range a {
		if left[s] > 0 {
			left[s]--
		} else {
			out = append(out, s)
		}
	}
	return out
}

// positional compares two lists item by item; extra items are added or removed.
func positional[T any](d *differ, field string, from, to []T, same func(path string, x, y T)) {
	for i := range max(len(from), len(to)) {
		p := field + "[" + strconv.Itoa(i) + "]"
		switch {
		case i >= len(from):
			d.add(Change{Field: p, Kind: ChangeAdded, To: to[i]})
		case i >= len(to):
			d.add(Change{Field: p, Kind: ChangeRemoved, From: from[i]})
		default:
			same(p, from[i], to[i])
		}
	}
}

// keyed compares two lists whose items are matched by label: changed and added items in
// the new order, then removed ones, then an order change if matched items moved.
func keyed[T any](d *differ, field string, from, to []T, labels func([]T) []string, same func(path string, x, y T)) {
	fl, tl := labels(from), labels(to)
	fi := map[string]int{}
	for i, l := range fl {
		fi[l] = i
	}
	ti := map[string]int{}
	for i, l := range tl {
		ti[l] = i
	}
	for i, l := range tl {
		p := field + "[" + l + "]"
		if j, ok := fi[l]; ok {
			same(p, from[j], to[i])
		} else {
			d.add(Change{Field: p, Kind: ChangeAdded, To: to[i]})
		}
	}
	for j, l := range fl {
		if _, ok := ti[l]; !ok {
			d.add(Change{Field: field + "[" + l + "]", Kind: ChangeRemoved, From: from[j]})
		}
	}
	kept := func(labels []string, other map[string]int) []string {
		return slices.DeleteFunc(slices.Clone(labels), func(l string) bool { _, ok := other[l]; return !ok })
	}
	if !slices.Equal(kept(fl, ti), kept(tl, fi)) {
		d.add(Change{Field: field + ".order", Kind: ChangeChanged, From: fl, To: tl})
	}
}

// sectionLabels names sections by key; "other" sections (and, in invalid content,
// repeated keys) by key and their position among sections with that key.
func sectionLabels(list []Section) []string {
	seen := map[SectionKey]int{}
	out := make([]string, len(list))
	for i, s := range list {
		n := seen[s.Key]
		seen[s.Key]++
		out[i] = string(s.Key)
		if s.Key == SectionOther || n > 0 {
			out[i] += "#" + strconv.Itoa(n)
		}
	}
	return out
}

// useLabels names clinical uses by name, repeated names by their position among equals.
func useLabels(list []ClinicalUse) []string {
	seen := map[string]int{}
	out := make([]string, len(list))
	for i, u := range list {
		n := seen[u.Name]
		seen[u.Name]++
		out[i] = u.Name
		if n > 0 {
			out[i] += "#" + strconv.Itoa(n)
		}
	}
	return out
}
