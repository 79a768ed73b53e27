package content

import (
	"encoding/json"
	"reflect"
	"testing"
)

func TestDiff(t *testing.T) {
	tests := []struct {
		name string
		edit func(c *Content)
		want []Change
	}{
		{"no change", func(c *Content) {}, []Change{}},
		{"whitespace only in single-line fields", func(c *Content) { c.Title = " " + c.Title + " "; c.Tags = append([]string(nil), c.Tags...) }, []Change{}},
		{"title", func(c *Content) { c.Title = "Ketamine" }, []Change{
			{Field: "title", Kind: ChangeChanged, From: "Ketamine – Medical Uses, Mechanism & Safety", To: "Ketamine"},
		}},
		{"generic name added and brand names", func(c *Content) {
			c.Drug.GenericName = ""
			c.Drug.BrandNames = []string{"Ketalar", "Spravato"}
			c.Drug.DrugClasses = c.Drug.DrugClasses[1:]
		}, []Change{
			{Field: "drug.genericName", Kind: ChangeRemoved, From: "ketamine"},
			{Field: "drug.brandNames", Kind: ChangeAdded, To: "Ketalar"},
			{Field: "drug.brandNames", Kind: ChangeAdded, To: "Spravato"},
			{Field: "drug.drugClasses", Kind: ChangeRemoved, From: "NMDA receptor antagonist"},
		}},
		{"section reorder only", func(c *Content) {
			c.Sections[0], c.Sections[1] = c.Sections[1], c.Sections[0]
		}, []Change{{Field: "sections.order", Kind: ChangeChanged,
			From: []string{"overview", "mechanism", "administration", "benefits", "risks", "legal"},
			To:   []string{"mechanism", "overview", "administration", "benefits", "risks", "legal"}}}},
		{"section added and removed", func(c *Content) {
			c.Sections = append(c.Sections[:5:5], Section{Key: SectionOther, Title: "More", Body: "x"})
		}, []Change{
			{Field: "sections[other#0]", Kind: ChangeAdded, To: Section{Key: SectionOther, Title: "More", Body: "x"}},
			{Field: "sections[legal]", Kind: ChangeRemoved, From: Section{Key: SectionLegal, Title: "Legal & regulatory notes",
				Body: "Ketamine is a controlled medication in many jurisdictions and is legally available only through licensed medical providers or approved products. Specific approvals (for example, intranasal esketamine for TRD) vary by country and regulatory agency."}},
		}},
		{"clinical use status and reorder", func(c *Content) {
			c.ClinicalUses[3].Status = UseOffLabel
			c.ClinicalUses[0], c.ClinicalUses[1] = c.ClinicalUses[1], c.ClinicalUses[0]
		}, []Change{
			{Field: "clinicalUses[Other psychiatric uses (research)].status", Kind: ChangeChanged, From: UseInvestigational, To: UseOffLabel},
			{Field: "clinicalUses.order", Kind: ChangeChanged,
				From: []string{"Anesthesia & procedural sedation", "Acute pain & analgesia", "Treatment-resistant depression (TRD)", "Other psychiatric uses (research)"},
				To:   []string{"Acute pain & analgesia", "Anesthesia & procedural sedation", "Treatment-resistant depression (TRD)", "Other psychiatric uses (research)"}},
		}},
		{"list order only", func(c *Content) { c.Routes = []string{"intranasal", "intravenous", "intramuscular"} }, []Change{
			{Field: "routes", Kind: ChangeChanged, From: []string{"intravenous", "intramuscular", "intranasal"}, To: []string{"intranasal", "intravenous", "intramuscular"}},
		}},
		{"references and tags", func(c *Content) {
			c.References = []Reference{{Title: "Label", URL: "https://a.example", Year: 2020}}
			c.Tags = []string{"anesthesia", "psychiatry", "controlled-substance", "controlled-substance"}
		}, []Change{
			{Field: "references[0]", Kind: ChangeAdded, To: Reference{Title: "Label", URL: "https://a.example", Year: 2020}},
			{Field: "tags", Kind: ChangeRemoved, From: "analgesia"},
			{Field: "tags", Kind: ChangeAdded, To: "controlled-substance"},
		}},
		{"controlled status", func(c *Content) {
			c.Drug.ControlledStatus = []ControlledStatus{{"US", "CIII"}}
		}, []Change{{Field: "drug.controlledStatus[0]", Kind: ChangeAdded, To: ControlledStatus{"US", "CIII"}}}},
		{"disclaimer removed", func(c *Content) { c.Disclaimer = "" }, []Change{
			{Field: "disclaimer", Kind: ChangeRemoved, Lines: []LineDiff{{LineDelete, "This page summarizes legitimate, clinical uses of ketamine. It does not provide instructions for non-medical use or guidance for illicit use. Always consult a licensed healthcare professional for medical advice."}}},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			from := MustSample(t)
			to := MustSample(t)
			tc.edit(&to)
			got := Diff(from, to)
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got  %s\nwant %s", mustJSON(t, got), mustJSON(t, tc.want))
			}
		})
	}
}

func TestDiffLines(t *testing.T) {
	from := MustSample(t)
	from.Sections[1].Body = "One.\nTwo.\nThree.\nFour."
	from.ClinicalUses[0].Description = "Same"
	to := MustSample(t)
	to.Sections[1].Body = "One.\nTwo, changed.\nThree.\nFour.\nFive.\n"
	to.Sections[1].Title = "How it works"
	to.ClinicalUses[0].Description = "Same\r\n" // only the line ending: normalized away
	want := []Change{
		{Field: "sections[mechanism].title", Kind: ChangeChanged, From: "How it works (brief)", To: "How it works"},
		{Field: "sections[mechanism].body", Kind: ChangeChanged, Lines: []LineDiff{
			{LineEqual, "One."}, {LineDelete, "Two."}, {LineInsert, "Two, changed."}, {LineEqual, "Three."},
			{LineEqual, "Four."}, {LineInsert, "Five."},
		}},
		{Field: "clinicalUses[Anesthesia & procedural sedation].description", Kind: ChangeChanged, Lines: []LineDiff{{LineEqual, "Same"}}},
	}
	got := Diff(from, to)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %s\nwant %s", mustJSON(t, got), mustJSON(t, want))
	}
	// The JSON shape the review UI reads.
	b, _ := json.Marshal(got[1])
	if want := `{"field":"sections[mechanism].body","kind":"changed","lines":[{"op":"equal","text":"One."},{"op":"delete","text":"Two."},{"op":"insert","text":"Two, changed."},{"op":"equal","text":"Three."},{"op":"equal","text":"Four."},{"op":"insert","text":"Five."}]}`; string(b) != want {
		t.Errorf("JSON %s", b)
	}
}

func TestDiffOtherSections(t *testing.T) {
	from := Content{Sections: []Section{{Key: SectionOther, Title: "A"}, {Key: SectionOverview}, {Key: SectionOther, Title: "B"}}}
	to := Content{Sections: []Section{{Key: SectionOverview}, {Key: SectionOther, Title: "A"}, {Key: SectionOther, Title: "B2"}}}
	want := []Change{
		{Field: "sections[other#1].title", Kind: ChangeChanged, From: "B", To: "B2"},
		{Field: "sections.order", Kind: ChangeChanged, From: []string{"other#0", "overview", "other#1"}, To: []string{"overview", "other#0", "other#1"}},
	}
	if got := Diff(from, to); !reflect.DeepEqual(got, want) {
		t.Errorf("got  %s\nwant %s", mustJSON(t, got), mustJSON(t, want))
	}
}
