package mongostore

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/monograph-cms/monograph/internal/cms"
	"github.com/monograph-cms/monograph/internal/content"
	"github.com/monograph-cms/monograph/internal/editorial"
)

// Where page documents live.
//
// On MongoDB, the pages collection holds every page document and the revisions collection
// every revision; indexes make each read and conditional update cheap, and lists and the
// scheduler query the pages collection.
//
// On the embedded FerretDB v1, no query uses an index: every find, update and replace scans
// its whole collection, and the cost grows with the collection's bytes (profiled: SQLite
// parsing each stored JSON document; a save on 1,000 pages in one collection cost about
// 80 ms). So in embedded mode each page's document lives in its own collection (page_<id>)
// and its revisions in another (rev_<id>): reading, replacing and conditionally updating a
// page scans one document, and reading a revision scans only that page's revisions. The
// list, the scheduler, slug uniqueness and the page ids come from an in-memory catalogue of
// small page entries, loaded at start and updated under the write lock after each write.
// That is sound only because the embedded store belongs to this one process (the data-dir
// lock) and every write goes through this Store.
const (
	pagePrefix     = "page_"
	revisionPrefix = "rev_"
)

// perPage reports whether pages live in per-page collections (embedded mode).
func (s *Store) perPage() bool { return s.embedded != nil }

// pageDocs returns the collection holding page id's full document.
func (s *Store) pageDocs(id string) *mongo.Collection {
	if s.perPage() {
		return s.coll(pagePrefix + id)
	}
	return s.coll(collPages)
}

// revisionDocs returns the collection holding the revisions of a page.
func (s *Store) revisionDocs(pageID string) *mongo.Collection {
	if s.perPage() {
		return s.coll(revisionPrefix + pageID)
	}
	return s.coll(collRevisions)
}

// catalogue is the in-memory index of pages in embedded mode.
type catalogue struct {
	mu     sync.RWMutex
	byID   map[string]editorial.Page // small entries (catalogueEntry)
	bySlug map[string]string
}

// catalogueEntry is the small form of a page: what lists show and queries filter on, the
// same fields the MongoDB list projection keeps.
func catalogueEntry(p editorial.Page) editorial.Page {
	c := p
	c.Content = content.Content{Title: p.Content.Title, Summary: p.Content.Summary, Drug: p.Content.Drug, Tags: p.Content.Tags}
	c.PendingEvents = nil
	c.Outbox = nil
	if p.LiveSnapshot != nil {
		l := *p.LiveSnapshot
		l.Rendered = content.Rendered{}
		c.LiveSnapshot = &l
	}
	return c
}

// remember records p in the catalogue. Caller holds the write lock.
func (s *Store) remember(p editorial.Page) {
	if s.cat == nil {
		return
	}
	s.cat.mu.Lock()
	defer s.cat.mu.Unlock()
	if old, ok := s.cat.byID[p.ID]; ok && old.Slug != p.Slug {
		delete(s.cat.bySlug, old.Slug)
	}
	s.cat.byID[p.ID] = catalogueEntry(p)
	s.cat.bySlug[p.Slug] = p.ID
}

// catalogueEntryOf returns the catalogue entry of a page.
func (s *Store) catalogueEntryOf(id string) (editorial.Page, bool) {
	s.cat.mu.RLock()
	defer s.cat.mu.RUnlock()
	p, ok := s.cat.byID[id]
	return p, ok
}

// slugOwner returns the id of the page with this slug in the catalogue.
func (s *Store) slugOwner(slug string) (string, bool) {
	s.cat.mu.RLock()
	defer s.cat.mu.RUnlock()
	id, ok := s.cat.bySlug[slug]
	return id, ok
}

// catalogued returns the entries matching keep, sorted by id.
func (s *Store) catalogued(keep func(editorial.Page) bool) []editorial.Page {
	s.cat.mu.RLock()
	defer s.cat.mu.RUnlock()
	var out []editorial.Page
	for _, p := range s.cat.byID {
		if keep(p) {
			out = append(out, p)
		}
	}
	slices.SortFunc(out, func(a, b editorial.Page) int { return strings.Compare(a.ID, b.ID) })
	return out
}

// loadCatalogue reads every page document once (embedded mode, at start).
func (s *Store) loadCatalogue(ctx context.Context) error {
	if !s.perPage() {
		return nil
	}
	s.cat = &catalogue{byID: map[string]editorial.Page{}, bySlug: map[string]string{}}
	names, err := s.db.ListCollectionNames(ctx, bson.M{})
	if err != nil {
		return translate(err, "collections")
	}
	for _, name := range names {
		id, ok := strings.CutPrefix(name, pagePrefix)
		if !ok {
			continue
		}
		var p editorial.Page
		err := s.pageDocs(id).FindOne(ctx, bson.M{"_id": id}, options.FindOne().SetProjection(bson.M{"pendingEvents": 0, "outbox": 0})).Decode(&p)
		if cms.IsCode(translate(err, "page"), cms.CodeNotFound) {
			continue // a create that never completed
		}
		if err != nil {
			return translate(err, "page")
		}
		s.remember(p)
	}
	return nil
}

// listFromCatalogue answers ListPages in embedded mode, with the same rules as the MongoDB
// query in ListPages.
func (s *Store) listFromCatalogue(f editorial.ListFilter) []editorial.Page {
	q := strings.ToLower(f.Query)
	pages := s.catalogued(func(p editorial.Page) bool {
		switch {
		case f.State != "" && string(p.Workflow.State) != f.State:
			return false
		case q != "" && !containsFold(q, p.Content.Title, p.Slug, p.Content.Drug.Name, p.Content.Drug.GenericName):
			return false
		case f.ReviewOverdue && (p.LiveSnapshot == nil || !p.LiveSnapshot.Approval.NextReviewDue.Before(f.Now)):
			return false
		case f.AfterTime != nil && !before(p, *f.AfterTime, f.AfterID):
			return false
		}
		return true
	})
	slices.SortFunc(pages, func(a, b editorial.Page) int {
		if c := b.UpdatedAt.Compare(a.UpdatedAt); c != 0 {
			return c
		}
		return cmp.Compare(b.ID, a.ID)
	})
	if f.Limit > 0 && len(pages) > f.Limit {
		pages = pages[:f.Limit]
	}
	return pages
}

// before reports whether p sorts after the cursor (updatedAt, id) in newest-first order.
func before(p editorial.Page, t time.Time, id string) bool {
	return p.UpdatedAt.Before(t) || (p.UpdatedAt.Equal(t) && p.ID < id)
}

// containsFold reports whether any field contains the lower-cased query, literally.
func containsFold(q string, fields ...string) bool {
	for _, f := range fields {
		if strings.Contains(strings.ToLower(f), q) {
			return true
		}
	}
	return false
}

// fullPages loads the full documents of the given catalogue entries.
func (s *Store) fullPages(ctx context.Context, entries []editorial.Page) ([]editorial.Page, error) {
	pages := make([]editorial.Page, 0, len(entries))
	for _, e := range entries {
		p, err := s.PageByID(ctx, e.ID)
		if err != nil {
			return nil, err
		}
		pages = append(pages, p)
	}
	return pages, nil
}

func ids(pages []editorial.Page) []string {
	out := make([]string, len(pages))
	for i, p := range pages {
		out[i] = p.ID
	}
	return out
}
