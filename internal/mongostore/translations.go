package mongostore

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/monograph-cms/monograph/internal/editorial"
)

// translationIndexes serve a source's list of translations and the management list's
// locale and outdated filters, newest first.
var translationIndexes = []indexSpec{
	{collPages, "translation_source_locale", keys("translation.source", 1, "translation.locale", 1), false},
	{collPages, "translation_locale_outdated_updated", keys("translation.locale", 1, "translation.outdated", 1, "updatedAt", -1, "_id", -1), false},
}

// listProjection is summaryProjection with the translation link, which lists show.
var listProjection = append(slices.Clone(summaryProjection), bson.E{Key: "translation", Value: 1})

// Translations returns the summaries of a source page's translations, by locale.
func (s *Store) Translations(ctx context.Context, sourceID string) ([]editorial.Page, error) {
	cur, err := s.coll(collPages).Find(ctx, bson.D{{Key: "translation.source", Value: sourceID}},
		options.Find().SetProjection(listProjection).SetSort(bson.D{{Key: "translation.locale", Value: 1}, {Key: "_id", Value: 1}}))
	return all[editorial.Page](ctx, cur, err, "pages")
}

// translationFilter adds ListPages' translation filters. Values are plain strings from the
// service (a checked locale), never operators.
func translationFilter(f editorial.ListFilter, filter bson.D) bson.D {
	switch {
	case f.SourcesOnly:
		filter = append(filter, bson.E{Key: "translation.locale", Value: nil})
	case f.Locale != "":
		filter = append(filter, bson.E{Key: "translation.locale", Value: f.Locale})
	}
	if f.Outdated {
		filter = append(filter, bson.E{Key: "translation.outdated", Value: true})
	}
	return filter
}

// translationUniqueIndex makes one translation per source page and locale a rule of the
// database, not only of the service's check before it writes (two creates racing each
// other both pass that check). It is partial: pages that are no translation have no
// translation.locale and are left out. FerretDB 1.x (the tests' stand-in) has no partial
// indexes and answers NotImplemented; there the index is left out with a warning, and only
// the service's check holds (UniqueTranslationLocales tells, for the contract test).
const translationUniqueIndex = "translation_source_locale_unique"

// codeNotImplemented is the server's error code for an unsupported command option.
const codeNotImplemented = 238

// ensureTranslationUnique creates translationUniqueIndex when it is missing.
func (s *Store) ensureTranslationUnique(ctx context.Context) error {
	names, err := s.indexNames(ctx, collPages)
	if err != nil || names[translationUniqueIndex] {
		return err
	}
	opts := options.Index().SetName(translationUniqueIndex).SetUnique(true).
		SetPartialFilterExpression(bson.D{{Key: "translation.locale", Value: bson.D{{Key: "$type", Value: "string"}}}})
	_, err = s.coll(collPages).Indexes().CreateOne(ctx, mongo.IndexModel{
		Keys: keys("translation.source", 1, "translation.locale", 1), Options: opts,
	})
	var ce mongo.CommandError
	if errors.As(err, &ce) && ce.Code == codeNotImplemented {
		s.log.Warn("store: this server has no partial indexes; one translation per page and locale is checked by the service only",
			"index", translationUniqueIndex, "error", err)
		return nil
	}
	if err != nil {
		return fmt.Errorf("%s.%s: %w", collPages, translationUniqueIndex, translate(err, "index"))
	}
	return nil
}

// UniqueTranslationLocales reports whether the database itself refuses a second
// translation of a page into the same locale (false on a server without partial indexes).
func (s *Store) UniqueTranslationLocales(ctx context.Context) bool {
	names, err := s.indexNames(ctx, collPages)
	return err == nil && names[translationUniqueIndex]
}
