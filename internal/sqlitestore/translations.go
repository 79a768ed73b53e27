package sqlitestore

import (
	"context"
	"encoding/json"

	"github.com/monograph-cms/monograph/internal/editorial"
)

// Translations returns the summaries of a source page's translations, by locale, through
// the pages_translation_source index.
//
// It reads on the writer's connection, as PageState does: the list is asked for right after
// a save, to answer it with the page's translations, when a reader's page cache has just
// been dropped by that very save.
func (s *Store) Translations(ctx context.Context, sourceID string) ([]editorial.Page, error) {
	docs, err := s.writerReadAll(ctx, `SELECT summary FROM pages WHERE translation_source = ? ORDER BY locale, id`, sourceID)
	if err != nil {
		return nil, translate(err, "pages")
	}
	pages := make([]editorial.Page, len(docs))
	for i, doc := range docs {
		if err := decode(doc, &pages[i]); err != nil {
			return nil, err
		}
	}
	return pages, nil
}

// translationFilters are ListPages' where clauses for the translation filters.
func translationFilters(f editorial.ListFilter, where []string, args []any) ([]string, []any) {
	switch {
	case f.SourcesOnly:
		where = append(where, "locale IS NULL")
	case f.Locale != "":
		where, args = append(where, "locale = ?"), append(args, f.Locale)
	}
	if f.Outdated {
		where = append(where, "outdated = 1")
	}
	return where, args
}

// languagesColumn is a user's languages as stored: a JSON array, never null.
func languagesColumn(langs []string) string {
	if langs == nil {
		langs = []string{}
	}
	b, _ := json.Marshal(langs)
	return string(b)
}

// translationUniqueMigration makes one translation per source page and locale a rule of the
// database, not only of the service's check before it writes (two creates racing each other
// both pass that check). It replaces the plain index on the same columns. A database that
// holds such a pair already (made before this rule) fails the migration, naming the index:
// see docs/translations.md for finding and resolving the pair.
const translationUniqueMigration = `
DROP INDEX pages_translation_source;
CREATE UNIQUE INDEX pages_translation_source_locale ON pages (translation_source, locale) WHERE translation_source IS NOT NULL;
`

// translationListMigration replaces the index on (locale, outdated, updated_at): a list of one
// locale could not take its order from it (outdated came between) and sorted every page of
// that locale, and a list of the source locale sorted every source page. Now only
// translations have an entry in the locale index (a save of a source page, most saves,
// maintains one index less), lists of the source locale take their order from
// pages_updated, and outdated translations have a small index of their own.
const translationListMigration = `
DROP INDEX pages_locale_updated;
CREATE INDEX pages_locale_updated ON pages (locale, updated_at DESC, id DESC) WHERE locale IS NOT NULL;
CREATE INDEX pages_outdated_updated ON pages (updated_at DESC, id DESC) WHERE outdated = 1;
`
