package content

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/monograph-cms/monograph/internal/cms"
)

func TestCheckVisibleText(t *testing.T) {
	tests := []struct {
		name, text string
		want       string // a part of the message; "" when the text is accepted
	}{
		{"ascii", "Ketamine 10 mg/kg IV", ""},
		{"accents and scripts", "Kétamine — 氯胺酮 — كيتامين — केटामाइन — Кетамин", ""},
		{"right-to-left override", "Dose: 10\u202Egm", `contains U+202E RIGHT-TO-LEFT OVERRIDE (after "Dose: 10"), an invisible control character that reorders the text around it; remove it`},
		{"override at the start", "\u202Dabc", "U+202D LEFT-TO-RIGHT OVERRIDE (at the start)"},
		{"isolates", "a\u2066b\u2069", `U+2066 LEFT-TO-RIGHT ISOLATE (after "a"), an invisible control character that reorders the text around it, and 1 more such characters; remove them`},
		{"marks", "x\u200Fy", "U+200F RIGHT-TO-LEFT MARK"},
		{"arabic letter mark", "\u0627\u061C", "U+061C ARABIC LETTER MARK"},
		{"zero width space", "keta\u200Bmine", `U+200B ZERO WIDTH SPACE (after "keta"), an invisible character; remove it`},
		{"zero width no-break space", "\uFEFFtitle", "U+FEFF ZERO WIDTH NO-BREAK SPACE"},
		{"word joiner", "a\u2060b", "U+2060 WORD JOINER"},
		{"invisible times", "2\u2062x", "U+2062 INVISIBLE TIMES"},
		{"soft hyphen", "keta\u00ADmine", "U+00AD SOFT HYPHEN"},
		{"mongolian vowel separator", "a\u180Eb", "U+180E MONGOLIAN VOWEL SEPARATOR"},
		{"hangul filler", "\u3164", "U+3164 HANGUL FILLER"},
		{"grapheme joiner", "a\u034Fb", "U+034F COMBINING GRAPHEME JOINER"},
		{"tag characters", "ok\U000E0041\U000E0042", "U+E0041 TAG CHARACTER"},
		{"interlinear annotation", "a\uFFF9b", "U+FFF9"},
		{"reserved default ignorable", "a\u2065b", "U+2065"},
		{"khmer inherent vowel", "\u1780\u17B4", "U+17B4"},
		{"line separator", "a\u2028b", "U+2028 LINE SEPARATOR"},
		{"paragraph separator", "a\u2029b", "U+2029 PARAGRAPH SEPARATOR"},
		{"zwj between latin letters", "keta\u200Dmine", "U+200D ZERO WIDTH JOINER"},
		{"zwnj between latin letters", "keta\u200Cmine", "U+200C ZERO WIDTH NON-JOINER"},
		{"zwj at the end", "a\u200D", "U+200D"},
		{"persian zwnj", "\u0645\u06CC\u200C\u062E\u0648\u0627\u0647\u0645", ""},
		{"devanagari conjunct zwj", "\u0915\u094D\u200D\u0937", ""},
		{"devanagari zwnj after virama", "\u0915\u094D\u200C\u0937", ""},
		{"emoji zwj sequence", "\U0001F469\u200D\u2695\uFE0F ask your pharmacist", ""},
		{"emoji with skin tone", "\U0001F469\U0001F3FD\u200D\u2695\uFE0F", ""},
		{"emoji presentation", "\u2764\uFE0F and 1\uFE0F\u20E3", ""},
		{"cjk variation", "\u845B\U000E0100", ""},
		{"variation selector after a letter", "a\uFE01", "VARIATION SELECTOR"},
		{"run of variation selectors", "\u2764\uFE0F\uFE0F", "U+FE0F VARIATION SELECTOR"},
		{"hidden bytes in selectors", "H\U000E0101\U000E0102\U000E0103", "VARIATION SELECTOR"},
		{"arabic number sign shows", "\u0600\u0661\u0662", ""},
		{"combining marks", "e\u0301\u0323", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := CheckVisibleText("note", tc.text)
			if tc.want == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			var e *cms.Error
			if !errors.As(err, &e) || e.Code != cms.CodeInvalid || len(e.Fields) != 1 || e.Fields[0].Field != "note" {
				t.Fatalf("CheckVisibleText = %v, want invalid naming note", err)
			}
			if !strings.Contains(e.Fields[0].Message, tc.want) {
				t.Errorf("message %q lacks %q", e.Fields[0].Message, tc.want)
			}
		})
	}
}

// TestValidateInvisible: every text field of the content is checked and named.
func TestValidateInvisible(t *testing.T) {
	c := MustSample(t)
	c.Title = "Ketamine\u202E"
	c.Summary = "a\u200Bb"
	c.Drug.Name = "Keta\u2066mine"
	c.Drug.BrandNames = []string{"Keta\u00ADlar"}
	c.Sections[2].Title = "x\u2060"
	c.Sections[2].Body = "Line one.\n\u200Fline two."
	c.ClinicalUses[0].Description = "\uFEFF"
	c.References = []Reference{{Title: "t", URL: "https://x.org/\u202Ea", Publisher: "p\u2029q"}}
	c.PatientGuidance = []string{"ok", "ask\U000E0020"}
	c.Disclaimer = "d\u2067"
	err := c.Normalized().Validate()
	var e *cms.Error
	if !errors.As(err, &e) {
		t.Fatalf("Validate = %v", err)
	}
	want := []string{"content.title", "content.summary", "content.drug.name", "content.drug.brandNames[0]",
		"content.sections[2].title", "content.sections[2].body", "content.clinicalUses[0].description",
		"content.patientGuidance[1]", "content.references[0].publisher", "content.references[0].url", "content.disclaimer"}
	got := map[string]string{}
	for _, f := range e.Fields {
		got[f.Field] = f.Message
	}
	for _, f := range want {
		if !strings.Contains(got[f], "contains U+") {
			t.Errorf("%s: %q", f, got[f])
		}
	}
	if len(got) != len(want) {
		t.Errorf("fields %v, want %v", got, want)
	}
}

func TestNormalizedNFC(t *testing.T) {
	c := Content{
		Title:        "Cafe\u0301ine ",
		Summary:      "A\u030A",
		Drug:         Drug{Name: "e\u0301", BrandNames: []string{"n\u0303"}, ControlledStatus: []ControlledStatus{{"u\u0308", "o\u0302"}}},
		Sections:     []Section{{Key: "overview", Title: "i\u0301", Body: "  code\r\nC\u0327a"}},
		ClinicalUses: []ClinicalUse{{Name: "a\u0300", Description: "e\u0300", Status: "approved"}},
		Routes:       []string{"o\u0301"}, SideEffects: SideEffects{Common: []string{"u\u0301"}, Serious: []string{"y\u0301"}},
		PatientGuidance: []string{"a\u0303"},
		References:      []Reference{{Title: "e\u0302", URL: "https://x.org/e\u0301", Publisher: "o\u0308"}},
		Disclaimer:      "i\u0308",
		Tags:            []string{"t"},
	}
	n := c.Normalized()
	if n.Title != "Caf\u00E9ine" || n.Summary != "\u00C5" || n.Drug.Name != "\u00E9" || n.Drug.BrandNames[0] != "\u00F1" ||
		n.Drug.ControlledStatus[0] != (ControlledStatus{"\u00FC", "\u00F4"}) || n.Sections[0].Title != "\u00ED" ||
		n.Sections[0].Body != "  code\n\u00C7a" || n.ClinicalUses[0].Name != "\u00E0" || n.ClinicalUses[0].Description != "\u00E8" ||
		n.Routes[0] != "\u00F3" || n.SideEffects.Common[0] != "\u00FA" || n.SideEffects.Serious[0] != "\u00FD" ||
		n.PatientGuidance[0] != "\u00E3" || n.References[0] != (Reference{Title: "\u00EA", URL: "https://x.org/\u00E9", Publisher: "\u00F6"}) ||
		n.Disclaimer != "\u00EF" {
		t.Errorf("not NFC: %#v", n)
	}
	// The hash is of the NFC text: the same words typed either way sign the same.
	composed := c
	composed.Title = "Caf\u00E9ine"
	if Hash(c) != Hash(composed) {
		t.Error("NFD and NFC spellings hash differently")
	}
}

// FuzzNormalized: normalising twice changes nothing, and normalised text is valid UTF-8
// in NFC.
func FuzzNormalized(f *testing.F) {
	for _, s := range []string{"Cafe\u0301", " a\r\n", "\u1100\u1161\u11A8", strings.Repeat("\u0301", 40), "a\u0345\u0301"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) {
			return
		}
		c := Content{Title: s, Sections: []Section{{Body: s}}, Drug: Drug{BrandNames: []string{s}}}
		once := c.Normalized()
		twice := once.Normalized()
		if once.Title != twice.Title || once.Sections[0].Body != twice.Sections[0].Body || once.Drug.BrandNames[0] != twice.Drug.BrandNames[0] {
			t.Fatalf("not idempotent: %+q → %+q → %+q", s, once.Title, twice.Title)
		}
	})
}
