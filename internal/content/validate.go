package content

import (
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/monograph-cms/monograph/internal/cms"
)

// Limits on content, in runes (characters) unless said otherwise. docs/api.md promises the
// first four; the others keep a page readable and its storage bounded.
const (
	MaxTitle        = 200
	MaxSectionBody  = 50_000
	MaxSections     = 50
	MaxListItems    = 100
	MaxBytes        = 512 << 10 // of the canonical JSON
	MaxSummary      = 1000
	MaxListString   = 500    // an item of a string list, a drug name, a reference title
	MaxItemTitle    = 300    // a section title or a clinical-use name
	MaxDescription  = 10_000 // a clinical-use description, the disclaimer
	MaxURL          = 2000
	MaxJurisdiction = 10
	MinYear         = 1800
	MaxYear         = 2100
)

var tagPattern = regexp.MustCompile(`^[a-z0-9]+(?:-[a-z0-9]+)*$`)

// Validate reports every failing field of c as one cms.Invalid error whose field paths
// start with "content." (e.g. "content.sections[2].key"), or nil. Call it on normalized
// content (see Normalize): it does not trim or fix anything itself.
func (c Content) Validate() error {
	_, err := c.validate()
	return err
}

// ValidateAndHash is Validate followed by Hash, computing the canonical JSON once for both
// (the size limit is measured on it): the save path's cost.
func (c Content) ValidateAndHash() (string, error) {
	canonical, err := c.validate()
	if err != nil {
		return "", err
	}
	return hashOf(canonical), nil
}

// validate checks c and returns its canonical JSON.
func (c Content) validate() ([]byte, error) {
	v := &validator{}
	v.text("content.title", c.Title, MaxTitle, single|required)
	v.text("content.summary", c.Summary, MaxSummary, multi)

	v.text("content.drug.name", c.Drug.Name, MaxListString, single|required)
	v.text("content.drug.genericName", c.Drug.GenericName, MaxListString, single)
	v.list("content.drug.brandNames", c.Drug.BrandNames)
	v.list("content.drug.drugClasses", c.Drug.DrugClasses)
	v.count("content.drug.controlledStatus", len(c.Drug.ControlledStatus), MaxListItems)
	for i, s := range c.Drug.ControlledStatus {
		p := index("content.drug.controlledStatus", i)
		v.text(p+".jurisdiction", s.Jurisdiction, MaxJurisdiction, single|required)
		v.text(p+".schedule", s.Schedule, MaxListString, single|required)
	}

	v.count("content.sections", len(c.Sections), MaxSections)
	seen := map[SectionKey]bool{}
	for i, s := range c.Sections {
		p := index("content.sections", i)
		switch {
		case !s.Key.Valid():
			v.add(p+".key", "must be one of: "+join(SectionKeys))
		case s.Key != SectionOther && seen[s.Key]:
			v.add(p+".key", fmt.Sprintf("%q appears more than once; only %q may repeat", s.Key, SectionOther))
		}
		seen[s.Key] = true
		v.text(p+".title", s.Title, MaxItemTitle, single)
		v.text(p+".body", s.Body, MaxSectionBody, multi)
	}

	v.count("content.clinicalUses", len(c.ClinicalUses), MaxListItems)
	for i, u := range c.ClinicalUses {
		p := index("content.clinicalUses", i)
		v.text(p+".name", u.Name, MaxItemTitle, single|required)
		v.text(p+".description", u.Description, MaxDescription, multi)
		if !u.Status.Valid() {
			v.add(p+".status", "must be one of: "+join(UseStatuses))
		}
	}

	v.list("content.routes", c.Routes)
	v.list("content.sideEffects.common", c.SideEffects.Common)
	v.list("content.sideEffects.serious", c.SideEffects.Serious)
	v.list("content.patientGuidance", c.PatientGuidance)

	v.count("content.references", len(c.References), MaxListItems)
	for i, r := range c.References {
		p := index("content.references", i)
		v.text(p+".title", r.Title, MaxListString, single|required)
		v.text(p+".publisher", r.Publisher, MaxListString, single)
		if r.URL != "" && v.text(p+".url", r.URL, MaxURL, single) && !httpURL(r.URL) {
			v.add(p+".url", "must be an absolute http or https URL")
		}
		if r.Year != 0 && (r.Year < MinYear || r.Year > MaxYear) {
			v.add(p+".year", fmt.Sprintf("must be between %d and %d (or 0 when unknown)", MinYear, MaxYear))
		}
	}

	v.text("content.disclaimer", c.Disclaimer, MaxDescription, multi)
	v.count("content.tags", len(c.Tags), MaxListItems)
	for i, t := range c.Tags {
		if !tagPattern.MatchString(t) || len(t) > MaxListString {
			v.add(index("content.tags", i), "must be lowercase letters and digits in words joined by single hyphens, e.g. controlled-substance")
		}
	}

	v.images(c)

	canon := Canonical(c)
	if n := len(canon); n > MaxBytes {
		v.add("content", fmt.Sprintf("must be at most %d KiB as canonical JSON (is %d bytes)", MaxBytes>>10, n))
	}
	if len(v.errs) == 0 {
		return canon, nil
	}
	return canon, cms.Invalid(v.errs...)
}

// validator collects field errors so Validate can report them all at once.
type validator struct{ errs []cms.FieldError }

func (v *validator) add(field, msg string) {
	v.errs = append(v.errs, cms.FieldError{Field: field, Message: msg})
}

type textRule int

const (
	single   textRule = 1 << iota // one line: no control characters at all
	multi                         // Markdown or plain-text paragraphs: \n and \t allowed
	required                      // must not be empty
)

// text checks one string field and reports whether it passed.
func (v *validator) text(field, s string, max int, rule textRule) bool {
	switch {
	case s == "" && rule&required != 0:
		v.add(field, "is required")
	case utf8.RuneCountInString(s) > max:
		v.add(field, fmt.Sprintf("must be at most %d characters", max))
	case hasControl(s, rule&multi != 0):
		v.add(field, "must not contain control characters")
	default:
		msg, invisible := invisibleText(s)
		if !invisible {
			return true
		}
		v.add(field, msg) // see visible.go
	}
	return false
}

// list checks a list of short strings: bounded, every item present and single-line.
func (v *validator) list(field string, items []string) {
	v.count(field, len(items), MaxListItems)
	for i, s := range items {
		v.text(index(field, i), s, MaxListString, single|required)
	}
}

func (v *validator) count(field string, n, max int) {
	if n > max {
		v.add(field, fmt.Sprintf("must have at most %d items", max))
	}
}

// hasControl reports control characters, which no reader should receive: they break
// layouts and can hide text. Line breaks and tabs are fine where text spans lines.
func hasControl(s string, multiline bool) bool {
	for _, r := range s {
		if unicode.IsControl(r) && !(multiline && (r == '\n' || r == '\t')) {
			return true
		}
	}
	return false
}

func httpURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" &&
		!strings.ContainsAny(s, " \t")
}

func index(field string, i int) string { return field + "[" + strconv.Itoa(i) + "]" }

func join[T ~string](list []T) string {
	s := make([]string, len(list))
	for i, v := range list {
		s[i] = string(v)
	}
	return strings.Join(s, ", ")
}
