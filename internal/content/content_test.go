package content

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/monograph-cms/monograph/internal/cms"
)

func TestNormalized(t *testing.T) {
	in := Content{
		Title:    "  Ketamine \t",
		Summary:  " line one\r\nline two\r ",
		Drug:     Drug{Name: " K ", BrandNames: []string{" Ketalar "}, ControlledStatus: []ControlledStatus{{" US ", " CIII "}}},
		Sections: []Section{{Key: " legal ", Title: " T ", Body: "  indented\r\ncode\rx  "}},
		ClinicalUses: []ClinicalUse{
			{Name: " n ", Description: "a\r\nb", Status: " approved "},
		},
		References: []Reference{{Title: " t ", URL: " https://x.org ", Publisher: " p ", Year: 2020}},
		Disclaimer: "d\r\n",
		Tags:       []string{" tag "},
	}
	want := Content{
		Title:           "Ketamine",
		Summary:         "line one\nline two",
		Drug:            Drug{Name: "K", BrandNames: []string{"Ketalar"}, DrugClasses: []string{}, ControlledStatus: []ControlledStatus{{"US", "CIII"}}},
		Sections:        []Section{{Key: "legal", Title: "T", Body: "  indented\ncode\nx  "}},
		ClinicalUses:    []ClinicalUse{{Name: "n", Description: "a\nb", Status: "approved"}},
		Routes:          []string{},
		SideEffects:     SideEffects{Common: []string{}, Serious: []string{}},
		PatientGuidance: []string{},
		References:      []Reference{{Title: "t", URL: "https://x.org", Publisher: "p", Year: 2020}},
		Disclaimer:      "d\n",
		Tags:            []string{"tag"},
	}
	before := in.Drug.BrandNames[0]
	got := in.Normalized()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Normalized:\n got %#v\nwant %#v", got, want)
	}
	if in.Drug.BrandNames[0] != before {
		t.Error("Normalized changed its input's slices")
	}
	in.Normalize()
	if !reflect.DeepEqual(in, want) {
		t.Errorf("Normalize: %#v", in)
	}
	if got := (Content{}).Normalized(); got.Sections == nil || got.Tags == nil || got.Drug.ControlledStatus == nil {
		t.Errorf("nil slices left: %#v", got)
	}
}

func TestValidate(t *testing.T) {
	long := func(n int) string { return strings.Repeat("é", n) } // runes, not bytes, count
	items := func(n int) []string {
		s := make([]string, n)
		for i := range s {
			s[i] = "x"
		}
		return s
	}
	tests := []struct {
		name   string
		edit   func(c *Content)
		fields []string // every expected failing field, in order
	}{
		{"sample is valid", func(c *Content) {}, nil},
		{"limits exactly reached", func(c *Content) {
			c.Title = long(MaxTitle)
			c.Summary = long(MaxSummary)
			c.Sections[0].Body = long(MaxSectionBody)
			c.Tags = []string{"a", "b-2", "controlled-substance"}
			c.Routes = items(MaxListItems)
			c.References = []Reference{{Title: "t", URL: "http://x.org/a?b#c", Year: MinYear}, {Title: "u", Year: MaxYear}}
			c.Disclaimer = "tabs\tand\nlines"
		}, nil},
		{"required", func(c *Content) { c.Title, c.Drug.Name = "", "" }, []string{"content.title", "content.drug.name"}},
		{"too long", func(c *Content) {
			c.Title = long(MaxTitle + 1)
			c.Summary = long(MaxSummary + 1)
			c.Sections[2].Body = long(MaxSectionBody + 1)
			c.Sections[1].Title = long(MaxItemTitle + 1)
			c.ClinicalUses[0].Description = long(MaxDescription + 1)
			c.Disclaimer = long(MaxDescription + 1)
			c.Drug.BrandNames = []string{long(MaxListString + 1)}
		}, []string{"content.title", "content.summary", "content.drug.brandNames[0]", "content.sections[1].title",
			"content.sections[2].body", "content.clinicalUses[0].description", "content.disclaimer"}},
		{"too many", func(c *Content) {
			c.Drug.DrugClasses = items(MaxListItems + 1)
			c.Sections = make([]Section, MaxSections+1)
			for i := range c.Sections {
				c.Sections[i] = Section{Key: SectionOther}
			}
			c.SideEffects.Serious = items(MaxListItems + 1)
			c.Tags = items(MaxListItems + 1)
		}, []string{"content.drug.drugClasses", "content.sections", "content.sideEffects.serious", "content.tags"}},
		{"section keys", func(c *Content) {
			c.Sections = append(c.Sections,
				Section{Key: "Overview"}, Section{Key: SectionMechanism}, Section{Key: SectionOther}, Section{Key: SectionOther})
		}, []string{"content.sections[6].key", "content.sections[7].key"}},
		{"use status", func(c *Content) { c.ClinicalUses[1].Status = "approved?"; c.ClinicalUses[2].Status = "" },
			[]string{"content.clinicalUses[1].status", "content.clinicalUses[2].status"}},
		{"use name", func(c *Content) { c.ClinicalUses[3].Name = "" }, []string{"content.clinicalUses[3].name"}},
		{"references", func(c *Content) {
			c.References = []Reference{
				{Title: "a", URL: "javascript:alert(1)"},
				{Title: "b", URL: "/relative"},
				{Title: "c", URL: "ftp://x.org/"},
				{Title: "d", URL: "https://"},
				{Title: "e", URL: "https://x.org", Year: 1799},
				{Title: "f", Year: 2101},
				{Title: "", Year: -5},
			}
		}, []string{"content.references[0].url", "content.references[1].url", "content.references[2].url",
			"content.references[3].url", "content.references[4].year", "content.references[5].year",
			"content.references[6].title", "content.references[6].year"}},
		{"empty list items", func(c *Content) {
			c.Routes = []string{"iv", ""}
			c.PatientGuidance = []string{""}
			c.SideEffects.Common = []string{"a", "", "b"}
		}, []string{"content.routes[1]", "content.sideEffects.common[1]", "content.patientGuidance[0]"}},
		{"tags", func(c *Content) { c.Tags = []string{"ok", "Upper", "two  words", "-x", "x-", "a--b", "ü", ""} },
			[]string{"content.tags[1]", "content.tags[2]", "content.tags[3]", "content.tags[4]", "content.tags[5]",
				"content.tags[6]", "content.tags[7]"}},
		{"controlled status", func(c *Content) {
			c.Drug.ControlledStatus = []ControlledStatus{{"US", "CIII"}, {"", ""}, {"ELEVENCHARS", "x"}}
		}, []string{"content.drug.controlledStatus[1].jurisdiction", "content.drug.controlledStatus[1].schedule",
			"content.drug.controlledStatus[2].jurisdiction"}},
		{"control characters", func(c *Content) {
			c.Title = "a\nb"
			c.Drug.GenericName = "x\x00"
			c.Sections[0].Body = "ok\n\tok \x1b[31m"
			c.Sections[1].Body = "carriage\rreturn" // Normalize would have turned it into \n
			c.ClinicalUses[0].Description = "bell\a"
			c.Disclaimer = "del\x7f"
			c.Tags = []string{"x\u0085"}
		}, []string{"content.title", "content.drug.genericName", "content.sections[0].body", "content.sections[1].body",
			"content.clinicalUses[0].description", "content.disclaimer", "content.tags[0]"}},
		{"whole content too large", func(c *Content) {
			for range MaxSections - len(c.Sections) {
				c.Sections = append(c.Sections, Section{Key: SectionOther, Body: long(10_000)})
			}
		}, []string{"content"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := MustSample(t)
			tc.edit(&c)
			err := c.Validate()
			if tc.fields == nil {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			var e *cms.Error
			if !errors.As(err, &e) || e.Code != cms.CodeInvalid {
				t.Fatalf("Validate = %v, want invalid", err)
			}
			var got []string
			for _, f := range e.Fields {
				got = append(got, f.Field)
				if f.Message == "" {
					t.Errorf("%s: empty message", f.Field)
				}
			}
			if !reflect.DeepEqual(got, tc.fields) {
				t.Errorf("fields:\n got %q\nwant %q\n(%+v)", got, tc.fields, e.Fields)
			}
		})
	}
}

func TestValidateMessages(t *testing.T) {
	c := MustSample(t)
	c.Title = ""
	c.Sections[1].Key = "overview"
	err := c.Validate()
	want := []cms.FieldError{
		{Field: "content.title", Message: "is required"},
		{Field: "content.sections[1].key", Message: `"overview" appears more than once; only "other" may repeat`},
	}
	var e *cms.Error
	if !errors.As(err, &e) || !reflect.DeepEqual(e.Fields, want) {
		t.Errorf("got %v, want %+v", err, want)
	}
}

func TestEnumerations(t *testing.T) {
	if len(SectionKeys) != 12 || len(UseStatuses) != 3 {
		t.Fatalf("SectionKeys %v, UseStatuses %v", SectionKeys, UseStatuses)
	}
	for _, k := range SectionKeys {
		if !k.Valid() {
			t.Errorf("%s not valid", k)
		}
	}
	for _, bad := range []SectionKey{"", "Other", "other "} {
		if bad.Valid() {
			t.Errorf("%q valid", bad)
		}
	}
	if !UseOffLabel.Valid() || UseStatus("off-label").Valid() {
		t.Error("UseStatus.Valid")
	}
}
