package webhook

import "github.com/monograph-cms/monograph/internal/editorial"

// A webhook may subscribe to page.translation_outdated (docs/translations.md): sent once
// per translation and source revision when a different source text goes live.
func init() {
	Events = append(Events, editorial.EventTranslationOutdated)
}
