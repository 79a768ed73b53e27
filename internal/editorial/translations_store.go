package editorial

import (
	"context"

	"github.com/monograph-cms/monograph/internal/content"
)

// TranslationStore is what translations ask of a store beyond pages: both adapters
// implement it (internal/sqlitestore and internal/mongostore translations.go) and pass
// internal/storetest's translations group.
type TranslationStore interface {
	// Translations returns the summaries (as ListPages) of the pages whose
	// Translation.Source is sourceID, by locale. It is answered from an index.
	Translations(ctx context.Context, sourceID string) ([]Page, error)
}

// TranslationLink ties a translation to its source page: the locale, the source revision
// and hash it renders (its base, the same as its latest revision's content.TranslationOf),
// and whether a different source text has gone live since.
type TranslationLink struct {
	Source      string `bson:"source" json:"source"`
	Locale      string `bson:"locale" json:"locale"`
	Revision    int    `bson:"revision" json:"revision"`
	ContentHash string `bson:"contentHash" json:"contentHash"`
	// Outdated is set while the source's live text is not the base.
	Outdated bool `bson:"outdated" json:"outdated"`
	// OutdatedFor is the source revision whose publication last made the translation
	// outdated: page.translation_outdated goes out once per translation and source revision.
	OutdatedFor int `bson:"outdatedFor,omitempty" json:"outdatedFor,omitempty"`
}

// ref is the content.TranslationOf the link's base puts into the translation's content.
func (l *TranslationLink) ref() *content.TranslationOf {
	if l == nil {
		return nil
	}
	return &content.TranslationOf{Page: l.Source, Locale: l.Locale, Revision: l.Revision, ContentHash: l.ContentHash}
}

// Locale returns the page's locale: its translation's, or source for a page that is no
// translation.
func (p Page) Locale(source string) string {
	if p.Translation != nil {
		return p.Translation.Locale
	}
	return source
}
