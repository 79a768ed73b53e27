package content

import (
	"reflect"
	"testing"
)

func TestRunChecks(t *testing.T) {
	minimal := func() Content {
		return Content{
			Title:       "X",
			Summary:     "s",
			Drug:        Drug{Name: "X"},
			Sections:    []Section{{Key: SectionOverview, Body: "b"}},
			SideEffects: SideEffects{Common: []string{"nausea"}},
			Disclaimer:  "d",
		}
	}
	type result struct{ id, field string }
	tests := []struct {
		name string
		edit func(c *Content)
		want []result
	}{
		{"clean", func(c *Content) {}, nil},
		{"claim section without references", func(c *Content) { c.Sections = append(c.Sections, Section{Key: SectionRisks}) },
			[]result{{"references_missing", "content.references"}}},
		{"clinical use without references", func(c *Content) { c.ClinicalUses = []ClinicalUse{{Name: "u", Status: UseApproved}} },
			[]result{{"references_missing", "content.references"}}},
		{"overview and other carry no claims", func(c *Content) { c.Sections = append(c.Sections, Section{Key: SectionOther}) }, nil},
		{"blank disclaimer", func(c *Content) { c.Disclaimer = " \n " }, []result{{"disclaimer_missing", "content.disclaimer"}}},
		{"controlled status without legal", func(c *Content) { c.Drug.ControlledStatus = []ControlledStatus{{"US", "CIII"}} },
			[]result{{"legal_section_missing", "content.sections"}}},
		{"controlled tag without legal", func(c *Content) { c.Tags = []string{"controlled-substance"} },
			[]result{{"legal_section_missing", "content.sections"}}},
		{"controlled with legal", func(c *Content) {
			c.Tags = []string{"controlled-substance"}
			c.Sections = append(c.Sections, Section{Key: SectionLegal})
		}, nil},
		{"summary", func(c *Content) { c.Summary = "  " }, []result{{"summary_missing", "content.summary"}}},
		{"no side effects", func(c *Content) { c.SideEffects = SideEffects{} }, []result{{"side_effects_missing", "content.sideEffects"}}},
		{"side effects section is enough", func(c *Content) {
			c.SideEffects = SideEffects{Serious: nil}
			c.Sections = append(c.Sections, Section{Key: SectionSideEffects})
			c.References = []Reference{{Title: "r", URL: "https://x.org", Year: 2020}}
		}, nil},
		{"investigational unreferenced", func(c *Content) {
			c.ClinicalUses = []ClinicalUse{{Name: "a", Status: UseApproved}, {Name: "b", Status: UseInvestigational}}
		}, []result{{"references_missing", "content.references"}, {"investigational_unreferenced", "content.clinicalUses[1].status"}}},
		{"incomplete references", func(c *Content) {
			c.References = []Reference{{Title: "a", URL: "https://x.org", Year: 2020}, {Title: "b", Year: 2020}, {Title: "c", URL: "https://x.org"}}
		}, []result{{"reference_incomplete", "content.references[1]"}, {"reference_incomplete", "content.references[2]"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := minimal()
			tc.edit(&c)
			var got []result
			for _, r := range RunChecks(c, nil) {
				got = append(got, result{r.ID, r.Field})
				if r.Message == "" || r.Severity != DefaultCheckSeverities()[r.ID] {
					t.Errorf("%+v", r)
				}
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestCheckSeverities(t *testing.T) {
	d := DefaultCheckSeverities()
	if len(d) != len(CheckIDs) || d[CheckDisclaimerMissing] != SeverityBlocker || d[CheckSummaryMissing] != SeverityWarning {
		t.Fatalf("defaults %v", d)
	}
	d[CheckSummaryMissing] = SeverityBlocker
	if DefaultCheckSeverities()[CheckSummaryMissing] != SeverityWarning {
		t.Fatal("DefaultCheckSeverities shares its map")
	}
	got := RunChecks(Content{}, map[string]Severity{
		CheckSummaryMissing:    SeverityBlocker,
		CheckDisclaimerMissing: SeverityWarning,
		"no_such_check":        SeverityBlocker,
	})
	want := []CheckResult{
		{ID: CheckDisclaimerMissing, Severity: SeverityWarning, Field: "content.disclaimer"},
		{ID: CheckSummaryMissing, Severity: SeverityBlocker, Field: "content.summary"},
		{ID: CheckSideEffectsMissing, Severity: SeverityWarning, Field: "content.sideEffects"},
	}
	for i := range got {
		got[i].Message = ""
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v\nwant %+v", got, want)
	}
	if got := RunChecks(MustSample(t), nil); got == nil {
		t.Error("nil result")
	}
}
