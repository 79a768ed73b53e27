package main

import (
	"context"
	"sync"
	"time"

	"github.com/monograph-cms/monograph/internal/cms"
	"github.com/monograph-cms/monograph/internal/editorial"
)

// staging is where the seeder runs the editorial service: the real workflow, rendering and
// audit chain, with the documents kept in memory and then bulk-inserted into the store.
// The embedded FerretDB scans the collection on every conditional update, so publishing
// thousands of pages one update at a time would take the seeder quadratic time; the
// documents it writes are the same either way. It is not a test fake: nothing is tested
// against it.
type staging struct {
	mu    sync.Mutex
	pages map[string]editorial.Page
	order []string
	revs  []editorial.Revision
	seq   int64
}

var _ editorial.Store = (*staging)(nil)

func newStaging(seq int64) *staging { return &staging{pages: map[string]editorial.Page{}, seq: seq} }

func (s *staging) InsertPage(_ context.Context, p editorial.Page, rev editorial.Revision) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pages[p.ID] = p
	s.order = append(s.order, p.ID)
	s.revs = append(s.revs, rev)
	return nil
}

func (s *staging) PageByID(_ context.Context, id string) (editorial.Page, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.pages[id]
	if !ok {
		return p, cms.Errorf(cms.CodeNotFound, "page not found")
	}
	return p, nil
}

func (s *staging) ListPages(context.Context, editorial.ListFilter) ([]editorial.Page, error) {
	return nil, nil
}

func (s *staging) CommitRevision(ctx context.Context, rev editorial.Revision, p editorial.Page, v, a int) error {
	if err := s.UpdatePage(ctx, p, v, a); err != nil {
		return err
	}
	s.mu.Lock()
	s.revs = append(s.revs, rev)
	s.mu.Unlock()
	return nil
}

func (s *staging) UpdatePage(_ context.Context, p editorial.Page, v, a int) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	old := s.pages[p.ID]
	if old.Version != v || old.Audit.Seq != a {
		return cms.Errorf(cms.CodeVersionConflict, "the page was changed")
	}
	s.pages[p.ID] = p
	return nil
}

func (s *staging) Revision(context.Context, string, int) (editorial.Revision, error) {
	return editorial.Revision{}, cms.Errorf(cms.CodeNotFound, "revision not found")
}

func (s *staging) AuditEvents(context.Context, editorial.AuditFilter) ([]editorial.AuditEvent, error) {
	return nil, nil
}

func (s *staging) PagesWithPendingEvents(context.Context) ([]editorial.Page, error) { return nil, nil }

func (s *staging) FlushPending(context.Context, editorial.Page) error { return nil }

func (s *staging) ScheduledDue(context.Context, time.Time) ([]editorial.Page, error) {
	return nil, nil
}

func (s *staging) ReviewDue(context.Context, time.Time) ([]editorial.Page, error) { return nil, nil }

func (s *staging) NextChangeSeq(context.Context) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seq++
	return s.seq, nil
}

func (s *staging) AllPageIDs(context.Context) ([]string, error) { return s.order, nil }
