package content

import (
	"fmt"
	"strconv"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/monograph-cms/monograph/internal/cms"
)

// A reviewer signs text as their screen shows it. Characters that show nothing, or that
// reorder what is around them, let the stored text say something other than what was read
// and signed: a right-to-left override shows the stored "gm 01" as "10 mg"; a zero-width
// space splits "ketamine" so that no search finds it; tag characters and runs of variation
// selectors carry whole hidden sentences. Such characters are refused in every text field,
// wherever the text comes from (create, save, import), so that the hash a reviewer signs is
// of text that shows what it says.
//
// Decided here:
//   - U+200C ZERO WIDTH NON-JOINER and U+200D ZERO WIDTH JOINER are allowed only where they
//     change what is shown: after a virama (Indic conjuncts, as IDNA's CONTEXTJ rule 1),
//     between letters of the scripts that join (Arabic — Persian needs the non-joiner —,
//     Syriac, N'Ko, Mongolian, …), and the joiner between two emoji (U+1F469 U+200D U+2695,
//     a health worker). Between Latin letters they show nothing and are refused.
//   - U+00AD SOFT HYPHEN is refused: it shows only when a line happens to break inside the
//     word, so the reviewer usually cannot see it, and it splits drug names for search;
//     hyphenation belongs to the stylesheet of the site showing the page (CSS hyphens).
//   - Every other format character (category Cf) is refused unless it is one of the few
//     that show a visible sign (the Arabic number signs U+0600–0605 and their kin): new
//     format characters in later Unicode versions are refused by default. So are the
//     "letters" that show nothing (Hangul fillers, Khmer inherent vowels), the combining
//     grapheme joiner, and the unassigned code points Unicode reserves to be shown as
//     nothing.
//   - Variation selectors are allowed one at a time after a symbol, number, punctuation or
//     Han ideograph (emoji and CJK variants), not after letters or one another, where they
//     can only hide data.
//   - U+2028 and U+2029 (line and paragraph separators) are refused: software shows them
//     as a break, a space or nothing. Multi-line fields use "\n".

// invisibleKind says why a character is refused, for the message.
type invisibleKind int

const (
	visible invisibleKind = iota
	bidiControl
	invisibleFormat
	lineSeparator
	strayVariation
)

func (k invisibleKind) String() string {
	switch k {
	case bidiControl:
		return "an invisible control character that reorders the text around it"
	case lineSeparator:
		return "a separator that software shows as a break, a space or nothing (use a line break)"
	case strayVariation:
		return "a variation selector with no symbol before it to vary, which shows nothing"
	}
	return "an invisible character"
}

// invisibleNames names the characters refused most often; others are named by category.
var invisibleNames = map[rune]string{
	0x00AD: "SOFT HYPHEN",
	0x034F: "COMBINING GRAPHEME JOINER",
	0x061C: "ARABIC LETTER MARK",
	0x115F: "HANGUL CHOSEONG FILLER",
	0x1160: "HANGUL JUNGSEONG FILLER",
	0x180E: "MONGOLIAN VOWEL SEPARATOR",
	0x200B: "ZERO WIDTH SPACE",
	0x200C: "ZERO WIDTH NON-JOINER",
	0x200D: "ZERO WIDTH JOINER",
	0x200E: "LEFT-TO-RIGHT MARK",
	0x200F: "RIGHT-TO-LEFT MARK",
	0x2028: "LINE SEPARATOR",
	0x2029: "PARAGRAPH SEPARATOR",
	0x202A: "LEFT-TO-RIGHT EMBEDDING",
	0x202B: "RIGHT-TO-LEFT EMBEDDING",
	0x202C: "POP DIRECTIONAL FORMATTING",
	0x202D: "LEFT-TO-RIGHT OVERRIDE",
	0x202E: "RIGHT-TO-LEFT OVERRIDE",
	0x2060: "WORD JOINER",
	0x2061: "FUNCTION APPLICATION",
	0x2062: "INVISIBLE TIMES",
	0x2063: "INVISIBLE SEPARATOR",
	0x2064: "INVISIBLE PLUS",
	0x2066: "LEFT-TO-RIGHT ISOLATE",
	0x2067: "RIGHT-TO-LEFT ISOLATE",
	0x2068: "FIRST STRONG ISOLATE",
	0x2069: "POP DIRECTIONAL ISOLATE",
	0x3164: "HANGUL FILLER",
	0xFEFF: "ZERO WIDTH NO-BREAK SPACE",
	0xFFA0: "HALFWIDTH HANGUL FILLER",
}

// visibleFormat are the format characters that show a sign: prepended concatenation marks.
var visibleFormat = &unicode.RangeTable{R16: []unicode.Range16{
	{Lo: 0x0600, Hi: 0x0605, Stride: 1}, {Lo: 0x06DD, Hi: 0x06DD, Stride: 1},
	{Lo: 0x070F, Hi: 0x070F, Stride: 1}, {Lo: 0x0890, Hi: 0x0891, Stride: 1},
	{Lo: 0x08E2, Hi: 0x08E2, Stride: 1},
}, R32: []unicode.Range32{
	{Lo: 0x110BD, Hi: 0x110BD, Stride: 1}, {Lo: 0x110CD, Hi: 0x110CD, Stride: 1},
}}

// joiningScripts are the scripts whose letters join, where ZWJ and ZWNJ change the shapes.
var joiningScripts = []*unicode.RangeTable{
	unicode.Arabic, unicode.Syriac, unicode.Nko, unicode.Mongolian, unicode.Mandaic,
	unicode.Manichaean, unicode.Psalter_Pahlavi, unicode.Adlam, unicode.Hanifi_Rohingya,
	unicode.Sogdian, unicode.Old_Uyghur, unicode.Phags_Pa, unicode.Chorasmian,
}

func isVariationSelector(r rune) bool {
	return unicode.Is(unicode.Variation_Selector, r) && !unicode.Is(unicode.Mongolian, r)
}

// invisibleAt classifies r, the rune at byte i of s.
func invisibleAt(s string, i int, r rune) invisibleKind {
	switch {
	case r < 0xAD:
		return visible
	case r == 0x061C || r == 0x200E || r == 0x200F ||
		(r >= 0x202A && r <= 0x202E) || (r >= 0x2066 && r <= 0x2069):
		return bidiControl
	case r == 0x2028 || r == 0x2029:
		return lineSeparator
	case r == 0x200C || r == 0x200D:
		if joinerShows(s, i, r) {
			return visible
		}
		return invisibleFormat
	case r == 0x034F || r == 0x115F || r == 0x1160 || r == 0x17B4 || r == 0x17B5 ||
		r == 0x3164 || r == 0xFFA0:
		return invisibleFormat
	case r == 0x2065 || (r >= 0xFFF0 && r <= 0xFFF8) || (r >= 0xE0000 && r <= 0xE0FFF && !isVariationSelector(r)):
		return invisibleFormat // unassigned, but to be shown as nothing if ever used
	case isVariationSelector(r):
		if before, _ := utf8.DecodeLastRuneInString(s[:i]); i == 0 || !variationBase(before) {
			return strayVariation
		}
		return visible
	case unicode.Is(unicode.Cf, r) && !unicode.Is(visibleFormat, r):
		return invisibleFormat
	}
	return visible
}

// variationBase reports whether a variation selector after r can select a variant of it.
func variationBase(r rune) bool {
	return unicode.In(r, unicode.S, unicode.N, unicode.P, unicode.Han)
}

// joinerShows reports whether the ZWJ or ZWNJ r at byte i of s changes what is shown.
func joinerShows(s string, i int, r rune) bool {
	prev, _ := utf8.DecodeLastRuneInString(s[:i])
	if i > 0 && norm.NFC.PropertiesString(string(prev)).CCC() == 9 { // after a virama
		return true
	}
	// The characters either side, past combining marks (and, before an emoji ZWJ, the
	// emoji's modifier and presentation selector).
	before, after := rune(-1), rune(-1)
	for j := i; j > 0; {
		c, size := utf8.DecodeLastRuneInString(s[:j])
		j -= size
		if !unicode.In(c, unicode.Mn, unicode.Me) && c != 0xFE0F && !isEmojiModifier(c) {
			before = c
			break
		}
	}
	for j := i + utf8.RuneLen(r); j < len(s); {
		c, size := utf8.DecodeRuneInString(s[j:])
		j += size
		if !unicode.In(c, unicode.Mn, unicode.Me) {
			after = c
			break
		}
	}
	switch {
	case before < 0 || after < 0:
		return false
	case unicode.In(before, joiningScripts...) && unicode.In(after, joiningScripts...):
		return true
	}
	return r == 0x200D && unicode.Is(unicode.So, before) && unicode.Is(unicode.So, after)
}

// isEmojiModifier reports the skin-tone modifiers U+1F3FB–U+1F3FF.
func isEmojiModifier(r rune) bool { return r >= 0x1F3FB && r <= 0x1F3FF }

// invisibleText describes the first character of s that does not show what it is (see
// the comment at the top of this file), where it is and how many such s holds; ok is
// false when there is none.
func invisibleText(s string) (msg string, ok bool) {
	first, count := -1, 0
	var kind invisibleKind
	var r rune
	for i, c := range s {
		if c < 0xAD {
			continue
		}
		if k := invisibleAt(s, i, c); k != visible {
			if first < 0 {
				first, kind, r = i, k, c
			}
			count++
		}
	}
	if first < 0 {
		return "", false
	}
	name := invisibleNames[r]
	switch {
	case name != "":
		name = " " + name
	case isVariationSelector(r):
		name = " VARIATION SELECTOR"
	case r >= 0xE0000 && r <= 0xE007F:
		name = " TAG CHARACTER"
	}
	where := "at the start"
	if first > 0 {
		from := first
		for n := 0; n < 12 && from > 0; n++ {
			_, size := utf8.DecodeLastRuneInString(s[:from])
			from -= size
		}
		where = "after " + strconv.Quote(s[from:first])
	}
	if count == 1 {
		return fmt.Sprintf("contains U+%04X%s (%s), %s; remove it", r, name, where, kind), true
	}
	return fmt.Sprintf("contains U+%04X%s (%s), %s, and %d more such characters; remove them",
		r, name, where, kind, count-1), true
}

// CheckVisibleText returns a cms.CodeInvalid error naming field when text holds a bidi
// control, a zero-width or other invisible format character, a stray variation selector
// or a line or paragraph separator (the rules are at the top of visible.go), and nil
// otherwise. Page content is checked by Validate; this is for the other text people sign
// or read in the workflow: notes, comments, reasons.
func CheckVisibleText(field, text string) error {
	if msg, ok := invisibleText(text); ok {
		return cms.InvalidField(field, msg)
	}
	return nil
}
