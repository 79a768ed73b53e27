package mongostore

import (
	"context"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/monograph-cms/monograph/internal/cms"
	"github.com/monograph-cms/monograph/internal/editorial"
)

var _ editorial.TransferStore = (*Store)(nil)

// PageRevisions returns every revision document of a page, by number.
func (s *Store) PageRevisions(ctx context.Context, pageID string) ([]editorial.Revision, error) {
	cur, err := s.revisionDocs(pageID).Find(ctx, bson.M{"pageId": pageID}, options.Find().SetSort(bson.D{{Key: "number", Value: 1}}))
	if err != nil {
		return nil, translate(err, "revisions")
	}
	revs := []editorial.Revision{}
	if err := cur.All(ctx, &revs); err != nil {
		return nil, translate(err, "revisions")
	}
	return revs, nil
}

// SlugTaken reports whether a page has this slug.
func (s *Store) SlugTaken(ctx context.Context, slug string) (bool, error) {
	if s.perPage() {
		_, taken := s.slugOwner(slug)
		return taken, nil
	}
	n, err := s.coll(collPages).CountDocuments(ctx, bson.M{"slug": slug}, options.Count().SetLimit(1))
	return n > 0, translate(err, "pages")
}

// ImportPage writes revisions, audit events and then the page; on failure it removes what it
// wrote, so a page is imported whole or not at all.
func (s *Store) ImportPage(ctx context.Context, p editorial.Page, revs []editorial.Revision, events []editorial.AuditEvent) error {
	return s.write(func() error {
		if s.perPage() {
			if _, taken := s.slugOwner(p.Slug); taken {
				return cms.Errorf(cms.CodeConflict, "a page with slug %s exists already", p.Slug)
			}
			if len(s.catalogued(func(q editorial.Page) bool { return q.ID == p.ID })) > 0 {
				return cms.Errorf(cms.CodeConflict, "a page with id %s exists already", p.ID)
			}
		} else if n, err := s.coll(collPages).CountDocuments(ctx, bson.M{"$or": bson.A{bson.M{"_id": p.ID}, bson.M{"slug": p.Slug}}}); err != nil {
			return translate(err, "pages")
		} else if n > 0 {
			return cms.Errorf(cms.CodeConflict, "a page with id %s or slug %s exists already", p.ID, p.Slug)
		}
		undo := func() {
			bg := context.WithoutCancel(ctx)
			_, _ = s.revisionDocs(p.ID).DeleteMany(bg, bson.M{"pageId": p.ID})
			_, _ = s.coll(collAudit).DeleteMany(bg, bson.M{"pageId": p.ID})
			if s.perPage() {
				_ = s.pageDocs(p.ID).Drop(bg)
			}
		}
		// A leftover of an earlier, interrupted import of this page is not history.
		undo()
		for _, r := range revs {
			if _, err := s.revisionDocs(p.ID).InsertOne(ctx, r); err != nil {
				undo()
				return translate(err, "revision")
			}
		}
		for _, e := range events {
			if _, err := s.coll(collAudit).InsertOne(ctx, e); err != nil {
				undo()
				return translate(err, "audit event")
			}
		}
		if _, err := s.pageDocs(p.ID).InsertOne(ctx, p); err != nil {
			undo()
			return translate(err, "page")
		}
		s.remember(p)
		return nil
	})
}
