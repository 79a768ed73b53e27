package content

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"strings"
	"testing"
)

func TestCanonicalJSON(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"sorted keys no whitespace", `{ "b" : 1, "a" : [ true, false, null ] }`, `{"a":[true,false,null],"b":1}`},
		{"nested", `{"z":{"y":{},"x":[]},"a":""}`, `{"a":"","z":{"x":[],"y":{}}}`},
		// JCS sorts by UTF-16 code units: U+1F600 (surrogates D83D…) sorts before U+FB01.
		{"utf16 order", `{"\ufb01":1,"😀":2,"a":3,"B":4}`, `{"B":4,"a":3,"😀":2,"ﬁ":1}`},
		{"minimal escapes", `"\u0041\/\u00e9<>&\u2028\u001f\u007f\b\f\n\r\t\"\\"`, "\"A/é<>&\u2028\\u001f\u007f\\b\\f\\n\\r\\t\\\"\\\\\""},
		{"numbers", `[0,-0,1,-1,2023,1.5,1e2,1E-7,0.000001,1e21,123456789012345678901,1.0,-2.50e+3]`,
			`[0,0,1,-1,2023,1.5,100,1e-7,0.000001,1e+21,123456789012345680000,1,-2500]`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := CanonicalJSON([]byte(tc.in))
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tc.want {
				t.Errorf("got  %s\nwant %s", got, tc.want)
			}
		})
	}
	for _, bad := range []string{``, `{`, `[1e999]`} {
		if _, err := CanonicalJSON([]byte(bad)); err == nil {
			t.Errorf("CanonicalJSON(%q) succeeded", bad)
		}
	}
}

func TestHashIgnoresSpelling(t *testing.T) {
	base := MustSample(t)
	want := Hash(base)
	if !strings.HasPrefix(want, "sha256:") || len(want) != len("sha256:")+64 {
		t.Fatalf("Hash = %q", want)
	}
	// The same content spelt differently: shuffled keys, extra whitespace, missing or null
	// lists, spaces around single-line values.
	respelt := `{
	  "tags": ["anesthesia", "analgesia", "psychiatry", "controlled-substance"],
	  "references": null,
	  "drug": {"controlledStatus": [], "drugClasses": ["NMDA receptor antagonist", "Dissociative anesthetic"],
	           "genericName": "ketamine", "name": "  Ketamine  "},
	  "title": "Ketamine – Medical Uses, Mechanism & Safety",
	  "summary": ` + mustJSON(t, base.Summary) + `,
	  "sections": ` + mustJSON(t, base.Sections) + `,
	  "clinicalUses": ` + mustJSON(t, base.ClinicalUses) + `,
	  "sideEffects": {"serious": ` + mustJSON(t, base.SideEffects.Serious) + `, "common": ` + mustJSON(t, base.SideEffects.Common) + `},
	  "routes": ["intravenous", "intramuscular", "intranasal"],
	  "patientGuidance": ` + mustJSON(t, base.PatientGuidance) + `,
	  "disclaimer": ` + mustJSON(t, base.Disclaimer) + `
	}`
	var c Content
	if err := json.Unmarshal([]byte(respelt), &c); err != nil {
		t.Fatal(err)
	}
	if got := Hash(c); got != want {
		t.Errorf("respelt hash %s, want %s\n%s", got, want, Canonical(c))
	}

	tests := []struct {
		name string
		edit func(c *Content)
	}{
		{"title", func(c *Content) { c.Title += "!" }},
		{"section order", func(c *Content) { c.Sections[0], c.Sections[1] = c.Sections[1], c.Sections[0] }},
		{"body trailing space", func(c *Content) { c.Sections[0].Body += " " }},
		{"year", func(c *Content) { c.References = []Reference{{Title: "x", Year: 2020}} }},
		{"empty tag list", func(c *Content) { c.Tags = nil }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := MustSample(t)
			tc.edit(&c)
			if Hash(c) == want {
				t.Error("hash did not change")
			}
		})
	}
}

func TestCanonicalShape(t *testing.T) {
	got := string(Canonical(Content{Title: "T", References: []Reference{{Title: "r"}}}))
	want := `{"clinicalUses":[],"disclaimer":"","drug":{"brandNames":[],"controlledStatus":[],"drugClasses":[],"genericName":"","name":""},` +
		`"patientGuidance":[],"references":[{"publisher":"","title":"r","url":"","year":0}],"routes":[],"sections":[],` +
		`"sideEffects":{"common":[],"serious":[]},"summary":"","tags":[],"title":"T"}`
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

func mustJSON(tb testing.TB, v any) string {
	tb.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}

// TestCanonicalDirectMatchesGeneral: the direct encoder gives exactly the bytes of the
// general path (json.Marshal, then CanonicalJSON) for the sample and for random content
// full of what escaping and key order could get wrong.
func TestCanonicalDirectMatchesGeneral(t *testing.T) {
	odd := []string{"", "plain", "quote \" backslash \\ slash /", "tab\tnew\nline\r", "\x00\x01\x1f\x7f",
		"<b>&amp;</b>", "\u2028\u2029", "é ü ñ", "𝄞 emoji 😀", "\xff\xfe invalid", "\ufeff bom", "日本語"}
	pick := func(r *rand.Rand) string { return odd[r.IntN(len(odd))] + odd[r.IntN(len(odd))] }
	list := func(r *rand.Rand) []string {
		switch r.IntN(3) {
		case 0:
			return nil
		case 1:
			return []string{}
		}
		out := make([]string, 1+r.IntN(3))
		for i := range out {
			out[i] = pick(r)
		}
		return out
	}
	r := rand.New(rand.NewPCG(1, 2))
	samples := []Content{MustSample(t)}
	for range 500 {
		c := Content{
			Title: pick(r), Summary: pick(r), Disclaimer: pick(r), Routes: list(r), PatientGuidance: list(r), Tags: list(r),
			Drug:        Drug{Name: pick(r), GenericName: pick(r), BrandNames: list(r), DrugClasses: list(r)},
			SideEffects: SideEffects{Common: list(r), Serious: list(r)},
		}
		for range r.IntN(3) {
			c.Sections = append(c.Sections, Section{Key: SectionKey(pick(r)), Title: pick(r), Body: pick(r)})
			c.ClinicalUses = append(c.ClinicalUses, ClinicalUse{Name: pick(r), Description: pick(r), Status: UseStatus(pick(r))})
			c.References = append(c.References, Reference{Title: pick(r), URL: pick(r), Publisher: pick(r), Year: r.IntN(5000) - 100})
			c.Drug.ControlledStatus = append(c.Drug.ControlledStatus, ControlledStatus{Jurisdiction: pick(r), Schedule: pick(r)})
		}
		samples = append(samples, c)
	}
	for i, c := range samples {
		if got, want := Canonical(c), canonicalGeneral(c.Normalized()); !bytes.Equal(got, want) {
			t.Fatalf("content %d: direct\n%s\ngeneral\n%s", i, got, want)
		}
	}
}

// BenchmarkCanonical compares the direct encoder with the general path on the sample page.
func BenchmarkCanonical(b *testing.B) {
	c := MustSample(b).Normalized()
	b.Run("direct", func(b *testing.B) {
		for b.Loop() {
			Canonical(c)
		}
	})
	b.Run("general", func(b *testing.B) {
		for b.Loop() {
			canonicalGeneral(c)
		}
	})
}
