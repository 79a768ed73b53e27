package search

import (
	"slices"
	"testing"
)

func TestFold(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Ketamine", "ketamine"},
		{"  Kétamine–HCl (Ketalar®) ", "ketamine hcl ketalar"},
		{"ÆSCULUS ß", "æsculus ß"},
		{"ﬁnasteride", "finasteride"}, // NFKD splits the ligature
		{"", ""},
		{"--", ""},
	}
	for _, tc := range tests {
		if got := Fold(tc.in); got != tc.want {
			t.Errorf("Fold(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestMatching(t *testing.T) {
	ketamine := PageGrams("ketamine", "Ketamine – Medical Uses, Mechanism & Safety", "Ketamine", "ketamine hydrochloride", []string{"Ketalar", "Spravato"}, nil)
	morphine := PageGrams("morphine", "Morphine", "Morphine", "morphine sulfate", []string{"MS Contin"}, []string{"pain"})
	tests := []struct {
		q            string
		wantKetamine bool
		wantMorphine bool
	}{
		{"ketamine", true, false},
		{"KETAMINE", true, false},
		{"kétamine", true, false},
		{"ketam", true, false},    // typed prefix
		{"ketamne", true, false},  // a letter dropped
		{"ketamime", true, false}, // a letter wrong
		{"ketmaine", true, false}, // two letters swapped
		{"ketalar", true, false},  // brand name
		{"hydrochloride", true, false},
		{"morfine", false, true},
		{"ms contin", false, true},
		{"pain", false, true}, // tag
		{"paracetamol", false, false},
		{"zzzz", false, false},
	}
	for _, tc := range tests {
		q := QueryGrams(tc.q)
		need := MinShared(len(q))
		if got := Shared(q, ketamine) >= need; got != tc.wantKetamine {
			t.Errorf("%q finds ketamine: %v, want %v (shared %d of %d)", tc.q, got, tc.wantKetamine, Shared(q, ketamine), len(q))
		}
		if got := Shared(q, morphine) >= need; got != tc.wantMorphine {
			t.Errorf("%q finds morphine: %v, want %v", tc.q, got, tc.wantMorphine)
		}
	}
}

func TestQueryGramsBounded(t *testing.T) {
	long := ""
	for i := 0; i < 500; i++ {
		long += string(rune('a'+i%26)) + string(rune('a'+(i/26)%26)) + " "
	}
	if n := len(QueryGrams(long)); n > MaxQueryGrams {
		t.Fatalf("%d grams, want at most %d", n, MaxQueryGrams)
	}
	if QueryGrams("   ") != nil && len(QueryGrams("   ")) != 0 {
		t.Fatal("blank query has grams")
	}
}

func TestIndexSearch(t *testing.T) {
	table := NewTable()
	docs := [][]uint32{
		table.Intern(PageGrams("morphine", "Morphine", "Morphine", "", nil, nil)),
		table.Intern(PageGrams("ketamine", "Ketamine", "Ketamine", "", nil, nil)),
		table.Intern(PageGrams("esketamine", "Esketamine", "Esketamine", "", []string{"Spravato"}, nil)),
		table.Intern(PageGrams("brandaspirin", "Brandaspirin", "", "", nil, nil)),
		table.Intern(PageGrams("brandzolpidem", "Brandzolpidem", "", "", nil, nil)),
	}
	x := NewIndex(docs)
	q := QueryGrams("ketamine")
	hits := x.Search(table.Lookup(q), MinShared(len(q)))
	var got []int
	for _, h := range hits {
		got = append(got, h.Doc)
	}
	if !slices.Equal(got, []int{1, 2}) {
		t.Fatalf("hits %v, want ketamine and esketamine", hits)
	}
	// A query matching one page exactly does not list pages sharing only its first letters.
	q = QueryGrams("brandzol")
	if hits := x.Search(table.Lookup(q), MinShared(len(q))); len(hits) != 1 || hits[0].Doc != 4 {
		t.Fatalf("brandzol: %v, want only Brandzolpidem", hits)
	}
	q = QueryGrams("zzzz")
	if hits := x.Search(table.Lookup(q), MinShared(len(q))); len(hits) != 0 {
		t.Fatalf("unknown grams found %v", hits)
	}
}
