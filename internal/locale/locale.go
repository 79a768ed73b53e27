// Package locale holds the languages a Monograph instance publishes in: BCP 47 tags, the
// first being the source language every translation is made from, and the writing
// direction of each. It is pure: no HTTP, no storage.
package locale

import (
	"fmt"
	"slices"
	"strings"

	"golang.org/x/text/language"

	"github.com/monograph-cms/monograph/internal/cms"
)

// Direction is a writing direction as HTML's dir attribute spells it.
type Direction string

// The two directions.
const (
	LTR Direction = "ltr"
	RTL Direction = "rtl"
)

// Locale is one configured language.
type Locale struct {
	Tag string    `json:"tag"`
	Dir Direction `json:"dir"`
}

// Set is the configured locales; the first is the source language. The zero Set is just
// "en".
type Set struct {
	list []Locale
}

// rtlScripts are the right-to-left scripts of the languages a health publisher is likely to
// publish in: Arabic (ar, fa, ur), Hebrew, Syriac and Thaana.
var rtlScripts = []string{"Arab", "Hebr", "Syrc", "Thaa", "Nkoo", "Adlm", "Rohg"}

// DirOf returns the writing direction of a tag: right to left when the language's likely
// script is one written that way (so "ar", "he", "fa", "ur" and "ku-Arab" are rtl, and
// "az-Latn" is not).
func DirOf(tag string) Direction {
	t, err := language.Parse(tag)
	if err != nil {
		return LTR
	}
	s, _ := t.Script()
	if slices.Contains(rtlScripts, s.String()) {
		return RTL
	}
	return LTR
}

// Canonical parses a BCP 47 tag and returns its canonical spelling ("ES" → "es",
// "pt-br" → "pt-BR"); an error for anything that is not a well-formed tag.
func Canonical(tag string) (string, error) {
	tag = strings.TrimSpace(tag)
	if tag == "" || len(tag) > 35 {
		return "", fmt.Errorf("%q is not a BCP 47 language tag", tag)
	}
	t, err := language.Parse(tag)
	if err != nil {
		return "", fmt.Errorf("%q is not a BCP 47 language tag", tag)
	}
	if t == language.Und {
		return "", fmt.Errorf("%q names no language", tag)
	}
	return t.String(), nil
}

// Parse reads a comma-separated list of tags ("en,es,cy"); the first is the source. An empty
// list is just "en". Duplicates and malformed tags are errors.
func Parse(list string) (Set, error) {
	if strings.TrimSpace(list) == "" {
		return Set{}, nil
	}
	var s Set
	for _, raw := range strings.Split(list, ",") {
		tag, err := Canonical(raw)
		if err != nil {
			return Set{}, err
		}
		if slices.ContainsFunc(s.list, func(l Locale) bool { return l.Tag == tag }) {
			return Set{}, fmt.Errorf("locale %s is listed twice", tag)
		}
		s.list = append(s.list, Locale{Tag: tag, Dir: DirOf(tag)})
	}
	return s, nil
}

// MustParse is Parse for fixed lists (tests, defaults); it panics on an error.
func MustParse(list string) Set {
	s, err := Parse(list)
	if err != nil {
		panic(err)
	}
	return s
}

// All returns the locales, source first.
func (s Set) All() []Locale {
	if len(s.list) == 0 {
		return []Locale{{Tag: "en", Dir: LTR}}
	}
	return slices.Clone(s.list)
}

// Source returns the source language's tag.
func (s Set) Source() string { return s.All()[0].Tag }

// Has reports whether tag (canonical) is configured.
func (s Set) Has(tag string) bool {
	for _, l := range s.All() {
		if l.Tag == tag {
			return true
		}
	}
	return false
}

// Dir returns the writing direction of a configured tag (ltr for an unknown one).
func (s Set) Dir(tag string) Direction {
	for _, l := range s.All() {
		if l.Tag == tag {
			return l.Dir
		}
	}
	return DirOf(tag)
}

// String returns the list as configured, comma-separated.
func (s Set) String() string {
	var tags []string
	for _, l := range s.All() {
		tags = append(tags, l.Tag)
	}
	return strings.Join(tags, ",")
}

// TranslationLocale checks a locale named for a translation: a configured locale other
// than the source. field names the request field in the error.
func (s Set) TranslationLocale(field, tag string) (string, error) {
	c, err := Canonical(tag)
	switch {
	case err != nil:
		return "", cms.InvalidField(field, "a BCP 47 language tag such as es or pt-BR")
	case c == s.Source():
		return "", cms.InvalidField(field, c+" is the source language: a translation is into another locale")
	case !s.Has(c):
		return "", cms.InvalidField(field, fmt.Sprintf("%s is not one of the configured locales (%s)", c, s.String()))
	}
	return c, nil
}

// Languages checks and normalises a user's languages: each a configured locale, without
// duplicates, in the configured order. field names the request field.
func (s Set) Languages(field string, tags []string) ([]string, error) {
	var fields []cms.FieldError
	want := map[string]bool{}
	for i, t := range tags {
		c, err := Canonical(t)
		if err != nil || !s.Has(c) {
			fields = append(fields, cms.FieldError{Field: fmt.Sprintf("%s[%d]", field, i),
				Message: fmt.Sprintf("not one of the configured locales (%s)", s.String())})
			continue
		}
		want[c] = true
	}
	if len(fields) > 0 {
		return nil, cms.Invalid(fields...)
	}
	out := []string{}
	for _, l := range s.All() {
		if want[l.Tag] {
			out = append(out, l.Tag)
		}
	}
	return out, nil
}

// Covers reports whether languages include tag. A language without a region covers its
// regional variants ("es" covers "es-MX"): a reviewer fluent in Spanish reads both.
func Covers(languages []string, tag string) bool {
	for _, l := range languages {
		if l == tag || strings.HasPrefix(tag, l+"-") {
			return true
		}
	}
	return false
}
