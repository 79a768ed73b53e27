package xliff

import (
	"fmt"
	"slices"
	"strings"

	"github.com/monograph-cms/monograph/internal/content"
)

// field is one translatable string of a page's content, by its path.
type field struct {
	path string
	ptr  *string
}

// fields lists the translatable strings of c, in document order, with pointers into c so
// Apply can write them. Keys, statuses, URLs, years, publishers, controlled schedules,
// tags (taxonomy slugs, not prose) and the images themselves are not translated: a
// translation keeps the source's (a page's own alt text and caption of an image are).
func fields(c *content.Content) []field {
	var out []field
	add := func(path string, p *string) {
		if *p != "" {
			out = append(out, field{path, p})
		}
	}
	list := func(path string, l []string) {
		for i := range l {
			add(fmt.Sprintf("%s[%d]", path, i), &l[i])
		}
	}
	add("content.title", &c.Title)
	add("content.summary", &c.Summary)
	add("content.drug.name", &c.Drug.Name)
	add("content.drug.genericName", &c.Drug.GenericName)
	list("content.drug.brandNames", c.Drug.BrandNames)
	list("content.drug.drugClasses", c.Drug.DrugClasses)
	for i := range c.Sections {
		add(fmt.Sprintf("content.sections[%d].title", i), &c.Sections[i].Title)
		add(fmt.Sprintf("content.sections[%d].body", i), &c.Sections[i].Body)
	}
	for i := range c.ClinicalUses {
		add(fmt.Sprintf("content.clinicalUses[%d].name", i), &c.ClinicalUses[i].Name)
		add(fmt.Sprintf("content.clinicalUses[%d].description", i), &c.ClinicalUses[i].Description)
	}
	list("content.routes", c.Routes)
	list("content.sideEffects.common", c.SideEffects.Common)
	list("content.sideEffects.serious", c.SideEffects.Serious)
	list("content.patientGuidance", c.PatientGuidance)
	for i := range c.References {
		add(fmt.Sprintf("content.references[%d].title", i), &c.References[i].Title)
	}
	add("content.disclaimer", &c.Disclaimer)
	// A page's own alt text and caption of an image (the asset's are the library's).
	for i := range c.Images {
		add(fmt.Sprintf("content.images[%d].alt", i), &c.Images[i].Alt)
		add(fmt.Sprintf("content.images[%d].caption", i), &c.Images[i].Caption)
	}
	return out
}

// Units returns the units of a source content: one per non-empty translatable field, with
// the text of target (an existing translation) where it has the same field.
func Units(source content.Content, target *content.Content) []Unit {
	src := source.Normalized()
	var have map[string]string
	if target != nil {
		t := target.Normalized()
		have = map[string]string{}
		for _, f := range fields(&t) {
			have[f.path] = *f.ptr
		}
	}
	var out []Unit
	for _, f := range fields(&src) {
		u := Unit{ID: f.path, Source: *f.ptr}
		if t, ok := have[f.path]; ok {
			u.Target, u.HasTarget = t, true
		}
		out = append(out, u)
	}
	return out
}

// Mismatch names a unit that does not fit the source revision, and why.
type Mismatch struct {
	Unit    string
	Problem string
}

// Apply returns the source content with every translatable field replaced by the target
// of its unit. The units must be exactly the source's (Units): each present once, none
// unknown, with the source's text and a target. Otherwise it returns every mismatch and no
// content.
func Apply(source content.Content, units []Unit) (content.Content, []Mismatch) {
	out := clone(source.Normalized())
	fs := fields(&out)
	byID := map[string]Unit{}
	for _, u := range units {
		byID[u.ID] = u
	}
	var bad []Mismatch
	known := map[string]bool{}
	for _, f := range fs {
		known[f.path] = true
		u, ok := byID[f.path]
		switch {
		case !ok:
			bad = append(bad, Mismatch{f.path, "missing: the source revision has this field"})
		case strings.TrimSpace(u.Source) != strings.TrimSpace(*f.ptr):
			bad = append(bad, Mismatch{f.path, "the source text differs from the source revision's: the file was made from other text"})
		case !u.HasTarget || strings.TrimSpace(u.Target) == "":
			bad = append(bad, Mismatch{f.path, "no translation (<target>)"})
		}
	}
	for _, u := range units {
		if !known[u.ID] {
			bad = append(bad, Mismatch{u.ID, "unknown: the source revision has no such field"})
		}
	}
	if len(bad) > 0 {
		return content.Content{}, bad
	}
	for _, f := range fs {
		*f.ptr = byID[f.path].Target
	}
	return out, nil
}

// clone deep-copies the slices of c that fields writes through.
func clone(c content.Content) content.Content {
	c.Drug.BrandNames = slices.Clone(c.Drug.BrandNames)
	c.Drug.DrugClasses = slices.Clone(c.Drug.DrugClasses)
	c.Drug.ControlledStatus = slices.Clone(c.Drug.ControlledStatus)
	c.Sections = slices.Clone(c.Sections)
	c.ClinicalUses = slices.Clone(c.ClinicalUses)
	c.Routes = slices.Clone(c.Routes)
	c.SideEffects.Common = slices.Clone(c.SideEffects.Common)
	c.SideEffects.Serious = slices.Clone(c.SideEffects.Serious)
	c.PatientGuidance = slices.Clone(c.PatientGuidance)
	c.References = slices.Clone(c.References)
	c.Tags = slices.Clone(c.Tags)
	c.Images = slices.Clone(c.Images)
	return c
}
