package locale

import (
	"testing"

	"github.com/monograph-cms/monograph/internal/cms"
)

func TestParseAndDirections(t *testing.T) {
	s, err := Parse(" en, ES ,cy,ar,he,fa,ur,pt-br,az-Latn,ku-Arab")
	if err != nil {
		t.Fatal(err)
	}
	if s.Source() != "en" {
		t.Fatalf("source %q", s.Source())
	}
	want := map[string]Direction{"en": LTR, "es": LTR, "cy": LTR, "ar": RTL, "he": RTL, "fa": RTL, "ur": RTL,
		"pt-BR": LTR, "az-Latn": LTR, "ku-Arab": RTL}
	got := s.All()
	if len(got) != len(want) {
		t.Fatalf("got %v", got)
	}
	for _, l := range got {
		if want[l.Tag] != l.Dir {
			t.Errorf("%s: dir %s, want %s", l.Tag, l.Dir, want[l.Tag])
		}
	}
}

func TestParseRefuses(t *testing.T) {
	for _, in := range []string{"en,en", "en,xx-!!", "en,,es", "und"} {
		if _, err := Parse(in); err == nil {
			t.Errorf("Parse(%q) accepted", in)
		}
	}
	if s, _ := Parse(""); s.String() != "en" {
		t.Errorf("default %q", s.String())
	}
}

func TestTranslationLocaleAndLanguages(t *testing.T) {
	s := MustParse("en,es,cy")
	if c, err := s.TranslationLocale("locale", "ES"); err != nil || c != "es" {
		t.Fatalf("es: %q %v", c, err)
	}
	for _, bad := range []string{"en", "fr", "", "not a tag"} {
		_, err := s.TranslationLocale("locale", bad)
		if !cms.IsCode(err, cms.CodeInvalid) || err.(*cms.Error).Fields[0].Field != "locale" {
			t.Errorf("%q: %v", bad, err)
		}
	}
	got, err := s.Languages("languages", []string{"cy", "EN", "cy"})
	if err != nil || len(got) != 2 || got[0] != "en" || got[1] != "cy" {
		t.Fatalf("languages: %v %v", got, err)
	}
	_, err = s.Languages("languages", []string{"es", "fr"})
	if err == nil || err.(*cms.Error).Fields[0].Field != "languages[1]" {
		t.Fatalf("fr accepted or misnamed: %v", err)
	}
	if !Covers([]string{"es"}, "es") || !Covers([]string{"es"}, "es-MX") || Covers([]string{"en"}, "es") || Covers(nil, "es") {
		t.Fatal("Covers")
	}
}
