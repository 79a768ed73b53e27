package mongostore

import (
	"context"
	"slices"

	"go.mongodb.org/mongo-driver/v2/bson"
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
