package workflow

import (
	"strings"

	"github.com/monograph-cms/monograph/internal/cms"
)

// CodeLanguageNotCovered refuses a translation's signature by a reviewer whose languages
// do not include its locale (422): a medical reviewer attests that the text says what the
// source says, which only a reader of both can.
const CodeLanguageNotCovered cms.Code = "language_not_covered"

// CheckLanguage is the language rule of a signature: nil for a source page (locale ""),
// else CodeLanguageNotCovered unless languages cover the locale. A language without a
// region covers its regional variants ("es" covers "es-MX").
func CheckLanguage(locale string, languages []string) error {
	if locale == "" {
		return nil
	}
	for _, l := range languages {
		if l == locale || strings.HasPrefix(locale, l+"-") {
			return nil
		}
	}
	return &cms.Error{
		Code:    CodeLanguageNotCovered,
		Message: "this translation is in " + locale + ", which is not among your languages: a reviewer who reads " + locale + " must sign it",
		Data:    map[string]any{"locale": locale},
	}
}
