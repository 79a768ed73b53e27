package content

import "testing"

// The source a translation renders is part of what is signed: a different source revision
// or hash is a different hash, and content without it hashes as before (the golden-hash
// test holds the latter for the sample).
func TestTranslationOfIsHashed(t *testing.T) {
	base := Content{Title: "Ketamina", Drug: Drug{Name: "Ketamina"}}
	plain := Hash(base)
	a := base
	a.TranslationOf = &TranslationOf{Page: "p1", Locale: "es", Revision: 3, ContentHash: "sha256:aa"}
	b := base
	b.TranslationOf = &TranslationOf{Page: "p1", Locale: "es", Revision: 4, ContentHash: "sha256:aa"}
	c := base
	c.TranslationOf = &TranslationOf{Page: "p1", Locale: "es", Revision: 3, ContentHash: "sha256:bb"}
	seen := map[string]bool{plain: true}
	for _, x := range []Content{a, b, c} {
		h := Hash(x)
		if seen[h] {
			t.Fatalf("hash %s repeats: translationOf is not covered", h)
		}
		seen[h] = true
	}
	if n := a.Normalized(); n.TranslationOf == nil || n.TranslationOf == a.TranslationOf || *n.TranslationOf != *a.TranslationOf {
		t.Fatalf("Normalized lost or shared translationOf: %+v", n.TranslationOf)
	}
}
