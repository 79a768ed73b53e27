package sqlitestore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/monograph-cms/monograph/internal/cms"
	"github.com/monograph-cms/monograph/internal/content"
	"github.com/monograph-cms/monograph/internal/editorial"
	"github.com/monograph-cms/monograph/internal/workflow"
)

var _ editorial.Store = (*Store)(nil)

// Commit applies one page change in one transaction. A change of the page's search grams is
// left to the search indexer (searchindex.go).
func (s *Store) Commit(ctx context.Context, c *editorial.Change) error {
	pending := false
	err := s.write(ctx, func(tx *sql.Tx) (err error) {
		pending, err = s.apply(ctx, tx, c, true)
		return err
	})
	if err == nil && pending {
		s.wakeSearchIndexer()
	}
	return err
}

// CommitAll applies the changes in one transaction: all of them or none.
func (s *Store) CommitAll(ctx context.Context, cs []*editorial.Change) (int, error) {
	err := s.write(ctx, func(tx *sql.Tx) error {
		for _, c := range cs {
			if _, err := s.apply(ctx, tx, c, false); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return len(cs), nil
}

// apply writes one change inside a write transaction. With deferSearch, a change of the
// page's search grams marks the page for the search indexer instead of indexing it, and
// apply reports that it did.
func (s *Store) apply(ctx context.Context, tx *sql.Tx, c *editorial.Change, deferSearch bool) (searchPending bool, err error) {
	p := &c.Page
	if c.LiveChange() {
		seq, err := s.nextChangeSeq(ctx, tx)
		if err != nil {
			return false, err
		}
		p.LiveSeq = seq
		if c.Live != nil {
			c.Live.Seq = seq
		}
	}
	if searchPending, err = s.putPage(ctx, tx, c, deferSearch); err != nil {
		return false, err
	}
	for _, r := range c.Revisions {
		if err := s.insertRevision(ctx, tx, r); err != nil {
			return false, err
		}
	}
	if err := s.insertEvents(ctx, tx, c.Events); err != nil {
		return false, err
	}
	for _, o := range c.Outbox {
		if _, err := s.exec(ctx, tx, `INSERT INTO outbox (id, event, page_id, slug, revision, at) VALUES (?, ?, ?, ?, ?, ?)`,
			o.ID, o.Event, o.PageID, o.Slug, o.Revision, ms(o.At)); err != nil {
			return false, translate(err, "outbox event")
		}
	}
	if err := s.putMediaUsage(ctx, tx, c); err != nil {
		return false, err
	}
	if c.LiveChange() {
		return searchPending, s.putLive(ctx, tx, p, c.Live)
	}
	return searchPending, nil
}

func (s *Store) nextChangeSeq(ctx context.Context, tx *sql.Tx) (int64, error) {
	var seq int64
	err := s.txRow(ctx, tx, `UPDATE meta SET value = value + 1 WHERE key = 'change_seq' RETURNING value`).Scan(&seq)
	return seq, translate(err, "change counter")
}

// pageColumns are the columns a page's queries use, derived from the page.
type pageColumns struct {
	state                         string
	updatedAt                     int64
	scheduledAt, reviewDue, notif any
	searchKey                     string
	summary, doc                  []byte
}

func columnsOf(p editorial.Page) (pageColumns, error) {
	// The working copy's content is its latest revision's: stored once, in revisions.
	bare := p
	bare.Content = content.Content{}
	doc, err := json.Marshal(bare)
	if err != nil {
		return pageColumns{}, err
	}
	summary, err := json.Marshal(p.Summary())
	if err != nil {
		return pageColumns{}, err
	}
	c := pageColumns{
		state: string(p.Workflow.State), updatedAt: ms(p.UpdatedAt),
		scheduledAt: msPtr(p.Workflow.ScheduledAt), notif: msPtr(p.ReviewDueNotified),
		searchKey: pageSearchKey(p), summary: summary, doc: doc,
	}
	if l := p.Workflow.Live; l != nil {
		c.reviewDue = ms(l.Approval.NextReviewDue)
	}
	return c, nil
}

// putPage inserts a new page or updates an existing one if it is still at the expected
// version and audit head, and keeps its search grams in step with its searchable text: in
// page_search now, or, with deferSearch, by marking the page for the search indexer
// (searchindex.go); it reports whether it marked the page.
func (s *Store) putPage(ctx context.Context, tx *sql.Tx, c *editorial.Change, deferSearch bool) (searchPending bool, err error) {
	p := c.Page
	col, err := columnsOf(p)
	if err != nil {
		return false, err
	}
	searchChanged := c.Create
	if !c.Create && len(c.Revisions) > 0 {
		// Only a new revision can change the searchable text.
		var oldKey string
		if err := s.txRow(ctx, tx, `SELECT search_key FROM pages WHERE id = ?`, p.ID).Scan(&oldKey); err != nil {
			return false, conflictIfMissing(translate(err, "page"))
		}
		searchChanged = oldKey != col.searchKey
	}
	// The page's search_pending: 1 marked, 0 indexed now, NULL (on an update) as it was.
	var pending any
	if searchChanged {
		pending = 0
		if deferSearch {
			pending = 1
		}
	}
	if c.Create {
		var n int
		if err := s.txRow(ctx, tx, `SELECT count(*) FROM pages WHERE id = ?`, p.ID).Scan(&n); err != nil {
			return false, translate(err, "page")
		}
		if n > 0 {
			return false, cms.Errorf(cms.CodeConflict, "a page with id %s exists already", p.ID)
		}
		_, err := s.exec(ctx, tx, `INSERT INTO pages (id, slug, version, revision, audit_seq, state, updated_at, scheduled_at,
			review_due, review_due_notified, search_key, summary, doc, search_pending) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			p.ID, p.Slug, p.Version, p.Workflow.Revision, p.Audit.Seq, col.state, col.updatedAt, col.scheduledAt, col.reviewDue, col.notif,
			col.searchKey, col.summary, col.doc, pending)
		if err := translate(err, "page"); cms.IsCode(err, cms.CodeConflict) {
			return false, &cms.Error{Code: cms.CodeSlugTaken, Message: "the slug " + p.Slug + " is already used by another page", Err: err}
		} else if err != nil {
			return false, err
		}
	} else {
		res, err := s.exec(ctx, tx, `UPDATE pages SET version = ?, revision = ?, audit_seq = ?, state = ?, updated_at = ?,
			scheduled_at = ?, review_due = ?, review_due_notified = ?, search_key = ?, summary = ?, doc = ?,
			search_pending = coalesce(?, search_pending)
			WHERE id = ? AND version = ? AND audit_seq = ?`,
			p.Version, p.Workflow.Revision, p.Audit.Seq, col.state, col.updatedAt, col.scheduledAt, col.reviewDue, col.notif,
			col.searchKey, col.summary, col.doc, pending, p.ID, c.ExpectVersion, c.ExpectSeq)
		if err != nil {
			return false, translate(err, "page")
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return false, cms.Errorf(cms.CodeVersionConflict, "the page was changed since you loaded it")
		}
	}
	if !searchChanged || deferSearch {
		return searchChanged, nil
	}
	var rowid int64
	if err := s.txRow(ctx, tx, `SELECT rowid FROM pages WHERE id = ?`, p.ID).Scan(&rowid); err != nil {
		return false, translate(err, "page")
	}
	return false, s.indexSearchKey(ctx, tx, rowid, col.searchKey, !c.Create)
}

// pageSearchKey is a page's search_key: its search grams as FTS5 tokens. Most saves leave
// the searchable fields (slug, title, drug names, tags) as they were, so the keys of recent
// fields are kept rather than making the grams again (about 28 µs, 3% of a save's server
// time).
func pageSearchKey(p editorial.Page) string {
	d := p.Content.Drug
	var b strings.Builder
	for _, f := range [][]string{{p.Slug, p.Content.Title, d.Name, d.GenericName}, d.BrandNames, p.Content.Tags} {
		b.WriteString(strconv.Itoa(len(f)))
		for _, v := range f {
			b.WriteString(":" + strconv.Itoa(len(v)) + ":" + v)
		}
		b.WriteByte(';')
	}
	fields := b.String()
	searchKeys.mu.Lock()
	key, ok := searchKeys.byFields[fields]
	searchKeys.mu.Unlock()
	if ok {
		return key
	}
	key = searchTokens(editorial.PageGrams(p))
	searchKeys.mu.Lock()
	if len(searchKeys.byFields) >= maxSearchKeys || searchKeys.byFields == nil {
		searchKeys.byFields = make(map[string]string)
	}
	searchKeys.byFields[fields] = key
	searchKeys.mu.Unlock()
	return key
}

// searchKeys holds the search keys of recently written searchable fields; a pure function's
// results, so one set serves every store of the process. It starts over when full.
var searchKeys struct {
	mu       sync.Mutex
	byFields map[string]string
}

const maxSearchKeys = 4096

// searchTokens writes search grams as FTS5 tokens: a gram's padding spaces become "_",
// which the table's tokenizer keeps inside tokens. Grams are folded letters, digits and
// spaces (internal/search), so a token never holds a quote or an FTS5 operator.
func searchTokens(grams []string) string {
	return strings.Join(encodeGrams(grams), " ")
}

func encodeGrams(grams []string) []string {
	out := make([]string, len(grams))
	for i, g := range grams {
		out[i] = strings.ReplaceAll(g, " ", "_")
	}
	return out
}

// gramsOf reads search tokens back as grams, in their stored (sorted) order.
func gramsOf(tokens string) []string {
	out := strings.Fields(tokens)
	for i, t := range out {
		out[i] = strings.ReplaceAll(t, "_", " ")
	}
	return out
}

// conflictIfMissing turns "the page is gone" during an update into a version conflict: the
// caller re-reads and then learns it is gone.
func conflictIfMissing(err error) error {
	if cms.IsCode(err, cms.CodeNotFound) {
		return cms.Errorf(cms.CodeVersionConflict, "the page was changed since you loaded it")
	}
	return err
}

func (s *Store) insertRevision(ctx context.Context, tx *sql.Tx, r editorial.Revision) error {
	content, err := encodeContent(r.Content)
	if err != nil {
		return err
	}
	_, err = s.exec(ctx, tx, `INSERT INTO revisions (page_id, number, content_hash, author_id, author_name, created_at, note, content)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, r.PageID, r.Number, r.ContentHash, r.Author.ID, r.Author.Name, ms(r.CreatedAt), r.Note, content)
	if err := translate(err, "revision"); cms.IsCode(err, cms.CodeConflict) {
		return &cms.Error{Code: cms.CodeVersionConflict, Message: "the page was changed since you loaded it", Err: err}
	} else {
		return err
	}
}

// insertEvents stores audit events and appends them to the verifiable log, in the same
// transaction: each event's LogIndex is written into events (the caller's slice).
func (s *Store) insertEvents(ctx context.Context, tx *sql.Tx, events []editorial.AuditEvent) error {
	if len(events) == 0 {
		return nil
	}
	first, err := s.appendLeaves(ctx, tx, events)
	if err != nil {
		return err
	}
	for i := range events {
		n := first + int64(i)
		events[i].LogIndex = &n
		if err := s.insertEvent(ctx, tx, events[i]); err != nil {
			return err
		}
	}
	return nil
}

func (s *Store) insertEvent(ctx context.Context, tx *sql.Tx, e editorial.AuditEvent) error {
	roles, err := rolesColumn(e.ActorRoles)
	if err != nil {
		return err
	}
	_, err = s.exec(ctx, tx, `INSERT INTO audit (event_id, page_id, seq, at, actor, actor_name, action, revision, data, prev_hash, hash,
		actor_roles, request_id, log_index) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		editorial.EventID(e.PageID, e.Seq), e.PageID, e.Seq, ms(e.At), e.Actor, e.ActorName,
		e.Action, e.Revision, e.Data, e.PrevHash, e.Hash, roles, e.RequestID, e.LogIndex)
	if err := translate(err, "audit event"); cms.IsCode(err, cms.CodeConflict) {
		return &cms.Error{Code: cms.CodeVersionConflict, Message: "the audit chain moved on", Err: err}
	} else {
		return err
	}
}

// rolesColumn stores an event's actor roles as a JSON array, or the empty string for none
// (events from before roles were recorded, and the scheduler's).
func rolesColumn(roles []string) (string, error) {
	if len(roles) == 0 {
		return "", nil
	}
	b, err := json.Marshal(roles)
	return string(b), err
}

// putLive writes what delivery serves of a page after a publication or unpublication.
func (s *Store) putLive(ctx context.Context, tx *sql.Tx, p *editorial.Page, snap *editorial.LiveSnapshot) error {
	live, err := jsonOrNil(p.Workflow.Live)
	if err != nil {
		return err
	}
	unpub, err := jsonOrNil(p.Workflow.Unpublished)
	if err != nil {
		return err
	}
	var snapshot []byte
	if snap != nil {
		if snapshot, err = json.Marshal(snap); err != nil {
			return err
		}
	}
	_, err = s.exec(ctx, tx, `INSERT INTO live (page_id, slug, live_seq, live, unpublished, snapshot) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (page_id) DO UPDATE SET slug = excluded.slug, live_seq = excluded.live_seq, live = excluded.live,
		unpublished = excluded.unpublished, snapshot = excluded.snapshot`, p.ID, p.Slug, p.LiveSeq, live, unpub, snapshot)
	return translate(err, "live page")
}

func jsonOrNil[T any](v *T) ([]byte, error) {
	if v == nil {
		return nil, nil
	}
	return json.Marshal(v)
}

// PageByID reads one page, with the content of its latest revision.
func (s *Store) PageByID(ctx context.Context, id string) (editorial.Page, error) {
	pages, err := s.queryPages(ctx, fullPage+` WHERE p.id = ?`, id)
	if err != nil {
		return editorial.Page{}, err
	}
	if len(pages) == 0 {
		return editorial.Page{}, cms.Errorf(cms.CodeNotFound, "page not found")
	}
	return pages[0], nil
}

// PageState reads one page without its working copy's content.
//
// It reads on the writer's connection: the service reads a page's state to change it, and
// the writer's page cache is still warm, where a reader's is dropped whole by SQLite as soon
// as any other connection has written (under a steady stream of saves, every read on a
// reader fetches each page it touches again).
func (s *Store) PageState(ctx context.Context, id string) (editorial.Page, error) {
	doc, err := s.writerRead(ctx, `SELECT doc FROM pages WHERE id = ?`, id)
	if errors.Is(err, sql.ErrNoRows) {
		return editorial.Page{}, cms.Errorf(cms.CodeNotFound, "page not found")
	}
	if err != nil {
		return editorial.Page{}, translate(err, "page")
	}
	var p editorial.Page
	return p, decode(doc, &p)
}

// writerRead runs a one-column, one-row read on the writer's connection, between two
// write transactions; sql.ErrNoRows when there is no row.
func (s *Store) writerRead(ctx context.Context, q string, args ...any) ([]byte, error) {
	rows, err := s.writerReadAll(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, sql.ErrNoRows
	}
	return rows[0], nil
}

// writerReadAll runs a one-column read on the writer's connection, between two write
// transactions, and returns the value of every row.
func (s *Store) writerReadAll(ctx context.Context, q string, args ...any) ([][]byte, error) {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	ctx = statementContext(ctx)
	var rows *sql.Rows
	var err error
	if st := s.wst.cached(q); st != nil {
		rows, err = st.QueryContext(ctx, args...)
	} else {
		s.wst.later(q)
		rows, err = s.w.QueryContext(ctx, q, args...)
	}
	if err != nil {
		return nil, err
	}
	var out [][]byte
	for rows.Next() {
		var b []byte
		if err = rows.Scan(&b); err != nil {
			break
		}
		out = append(out, b)
	}
	err = errors.Join(err, rows.Err(), rows.Close())
	s.wst.prepareLater(ctx)
	return out, err
}

// fullPage selects whole pages: the page and its working copy's content.
const fullPage = `SELECT p.doc, r.content FROM pages p JOIN revisions r ON r.page_id = p.id AND r.number = p.revision`

func decode(b []byte, v any) error {
	if err := json.Unmarshal(b, v); err != nil {
		return &cms.Error{Code: cms.CodeInternal, Message: "store error", Err: err}
	}
	return nil
}

// ListPages returns page summaries matching f, newest update first.
func (s *Store) ListPages(ctx context.Context, f editorial.ListFilter) ([]editorial.Page, error) {
	q, args := listPagesQuery(f)
	return s.queryPages(ctx, q, args...)
}

// listPagesQuery is ListPages' query: each filter's columns have an index that also gives
// the order (TestListQueriesUseIndexes).
func listPagesQuery(f editorial.ListFilter) (string, []any) {
	var where []string
	var args []any
	if f.State != "" {
		where, args = append(where, "state = ?"), append(args, f.State)
	}
	if f.ReviewOverdue {
		where, args = append(where, "review_due IS NOT NULL AND review_due < ?"), append(args, ms(f.Now))
	}
	where, args = translationFilters(f, where, args)
	if f.AfterTime != nil {
		t := ms(*f.AfterTime)
		// The first term lets the index seek to the cursor instead of walking from the top.
		where, args = append(where, "updated_at <= ? AND (updated_at < ? OR (updated_at = ? AND id < ?))"), append(args, t, t, t, f.AfterID)
	}
	q := `SELECT summary FROM pages`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY updated_at DESC, id DESC"
	if f.Limit > 0 {
		q += " LIMIT ?"
		args = append(args, f.Limit)
	}
	return q, args
}

// queryPages runs a query selecting a JSON page column, and for whole pages (fullPage) the
// content of the working copy, and decodes every row.
func (s *Store) queryPages(ctx context.Context, q string, args ...any) ([]editorial.Page, error) {
	rows, err := s.query(ctx, q, args...)
	if err != nil {
		return nil, translate(err, "pages")
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, translate(err, "pages")
	}
	pages := []editorial.Page{}
	for rows.Next() {
		var doc, content []byte
		dest := []any{&doc}
		if len(cols) == 2 {
			dest = append(dest, &content)
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, translate(err, "pages")
		}
		var p editorial.Page
		if err := decode(doc, &p); err != nil {
			return nil, err
		}
		if content != nil {
			if err := decodeContent(content, &p.Content); err != nil {
				return nil, err
			}
		}
		pages = append(pages, p)
	}
	return pages, translate(rows.Err(), "pages")
}

// PageSummaries returns the summaries of the pages with these ids.
func (s *Store) PageSummaries(ctx context.Context, ids []string) ([]editorial.Page, error) {
	if len(ids) == 0 {
		return []editorial.Page{}, nil
	}
	list, err := json.Marshal(ids)
	if err != nil {
		return nil, err
	}
	return s.queryPages(ctx, `SELECT summary FROM pages WHERE id IN (SELECT value FROM json_each(?))`, string(list))
}

// RevisionSummaries lists a page's revisions without their content.
func (s *Store) RevisionSummaries(ctx context.Context, pageID string) ([]editorial.RevisionSummary, error) {
	rows, err := s.query(ctx, `SELECT number, author_id, author_name, created_at, content_hash, note
		FROM revisions WHERE page_id = ? ORDER BY number`, pageID)
	if err != nil {
		return nil, translate(err, "revisions")
	}
	defer rows.Close()
	out := []editorial.RevisionSummary{}
	for rows.Next() {
		var r editorial.RevisionSummary
		var at int64
		if err := rows.Scan(&r.Number, &r.Author.ID, &r.Author.Name, &at, &r.ContentHash, &r.Note); err != nil {
			return nil, translate(err, "revisions")
		}
		r.CreatedAt = fromMS(at)
		out = append(out, r)
	}
	return out, translate(rows.Err(), "revisions")
}

const revisionColumns = `page_id, number, content_hash, author_id, author_name, created_at, note, content`

func scanRevision(sc interface{ Scan(...any) error }) (editorial.Revision, error) {
	var r editorial.Revision
	var at int64
	var content []byte
	if err := sc.Scan(&r.PageID, &r.Number, &r.ContentHash, &r.Author.ID, &r.Author.Name, &at, &r.Note, &content); err != nil {
		return r, translate(err, "revision")
	}
	r.ID, r.CreatedAt = editorial.RevisionID(r.PageID, r.Number), fromMS(at)
	return r, decodeContent(content, &r.Content)
}

// Revision reads revision n of a page.
func (s *Store) Revision(ctx context.Context, pageID string, n int) (editorial.Revision, error) {
	return scanRevision(s.row(ctx, `SELECT `+revisionColumns+` FROM revisions WHERE page_id = ? AND number = ?`, pageID, n))
}

// Revisions returns every revision of a page with its content, oldest first.
func (s *Store) Revisions(ctx context.Context, pageID string) ([]editorial.Revision, error) {
	rows, err := s.query(ctx, `SELECT `+revisionColumns+` FROM revisions WHERE page_id = ? ORDER BY number`, pageID)
	if err != nil {
		return nil, translate(err, "revisions")
	}
	defer rows.Close()
	out := []editorial.Revision{}
	for rows.Next() {
		r, err := scanRevision(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, translate(rows.Err(), "revisions")
}

const eventColumns = `page_id, seq, at, actor, actor_name, action, revision, data, prev_hash, hash, actor_roles, request_id, log_index`

// AuditEvents returns audit events matching f.
func (s *Store) AuditEvents(ctx context.Context, f editorial.AuditFilter) ([]editorial.AuditEvent, error) {
	q, args := auditEventsQuery(f)
	return s.queryEvents(ctx, q, args...)
}

// auditEventsQuery is the query of AuditEvents: a page's whole chain in order, or a list of
// events newest first, after a cursor, by page, actor or action.
func auditEventsQuery(f editorial.AuditFilter) (string, []any) {
	var where []string
	var args []any
	for _, c := range []struct{ col, v string }{{"page_id", f.PageID}, {"actor", f.Actor}, {"action", f.Action}} {
		if c.v != "" {
			where, args = append(where, c.col+" = ?"), append(args, c.v)
		}
	}
	if f.Accounts {
		where = append(where, "page_id = ''")
	} else if f.PageID == "" {
		where = append(where, "page_id <> ''")
	}
	order := " ORDER BY at DESC, event_id DESC"
	wholeChain := (f.PageID != "" || f.Accounts) && f.Actor == "" && f.Action == "" && f.Limit == 0
	if wholeChain {
		order = " ORDER BY seq"
	} else if f.BeforeAt != nil {
		t := ms(*f.BeforeAt)
		// The first term lets the index seek to the cursor instead of walking from the top.
		where, args = append(where, "at <= ? AND (at < ? OR (at = ? AND event_id < ?))"), append(args, t, t, t, f.BeforeID)
	}
	q := `SELECT ` + eventColumns + ` FROM audit`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += order
	if !wholeChain && f.Limit > 0 {
		q += " LIMIT ?"
		args = append(args, f.Limit)
	}
	return q, args
}

// queryEvents runs a query selecting eventColumns and decodes every row.
func (s *Store) queryEvents(ctx context.Context, q string, args ...any) ([]editorial.AuditEvent, error) {
	rows, err := s.query(ctx, q, args...)
	if err != nil {
		return nil, translate(err, "audit events")
	}
	defer rows.Close()
	out := []editorial.AuditEvent{}
	for rows.Next() {
		var e editorial.AuditEvent
		var at int64
		var roles string
		var logIndex sql.NullInt64
		if err := rows.Scan(&e.PageID, &e.Seq, &at, &e.Actor, &e.ActorName, &e.Action, &e.Revision, &e.Data, &e.PrevHash, &e.Hash,
			&roles, &e.RequestID, &logIndex); err != nil {
			return nil, translate(err, "audit events")
		}
		if roles != "" {
			if err := decode([]byte(roles), &e.ActorRoles); err != nil {
				return nil, err
			}
		}
		if logIndex.Valid {
			e.LogIndex = &logIndex.Int64
		}
		e.ID, e.At = editorial.EventID(e.PageID, e.Seq), fromMS(at)
		out = append(out, e)
	}
	return out, translate(rows.Err(), "audit events")
}

// ScheduledDue returns scheduled pages whose time has come.
func (s *Store) ScheduledDue(ctx context.Context, now time.Time) ([]editorial.Page, error) {
	return s.queryPages(ctx, fullPage+` WHERE p.scheduled_at IS NOT NULL AND p.scheduled_at <= ? AND p.state = ?`,
		ms(now), string(workflow.StateScheduled))
}

// ReviewDue returns live pages past their next review date not yet notified for it.
func (s *Store) ReviewDue(ctx context.Context, now time.Time) ([]editorial.Page, error) {
	return s.queryPages(ctx, fullPage+`
		WHERE p.review_due IS NOT NULL AND p.review_due_notified IS NOT p.review_due AND p.review_due < ?`, ms(now))
}

// AllPageIDs returns every page id in order.
func (s *Store) AllPageIDs(ctx context.Context) ([]string, error) {
	rows, err := s.query(ctx, `SELECT id FROM pages ORDER BY id`)
	if err != nil {
		return nil, translate(err, "pages")
	}
	defer rows.Close()
	out := []string{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, translate(err, "pages")
		}
		out = append(out, id)
	}
	return out, translate(rows.Err(), "pages")
}

// SlugTaken reports whether a page has this slug.
func (s *Store) SlugTaken(ctx context.Context, slug string) (bool, error) {
	var n int
	err := s.row(ctx, `SELECT count(*) FROM pages WHERE slug = ?`, slug).Scan(&n)
	return n > 0, translate(err, "pages")
}

const liveColumns = `page_id, slug, live_seq, live, unpublished, snapshot`

func scanLive(sc interface{ Scan(...any) error }) (editorial.LivePage, error) {
	var lp editorial.LivePage
	var live, unpub, snap []byte
	if err := sc.Scan(&lp.ID, &lp.Slug, &lp.LiveSeq, &live, &unpub, &snap); err != nil {
		return lp, translate(err, "live page")
	}
	if live != nil {
		lp.Live = new(workflow.Live)
		if err := decode(live, lp.Live); err != nil {
			return lp, err
		}
	}
	if unpub != nil {
		lp.Unpublished = new(workflow.Unpublished)
		if err := decode(unpub, lp.Unpublished); err != nil {
			return lp, err
		}
	}
	if snap != nil {
		lp.Snapshot = new(editorial.LiveSnapshot)
		if err := decodeSnapshot(snap, lp.Snapshot); err != nil {
			return lp, err
		}
	}
	return lp, nil
}

// EachLivePage calls fn with every page that is live or was unpublished.
func (s *Store) EachLivePage(ctx context.Context, fn func(editorial.LivePage) error) error {
	rows, err := s.query(ctx, `SELECT `+liveColumns+` FROM live`)
	if err != nil {
		return translate(err, "live pages")
	}
	defer rows.Close()
	for rows.Next() {
		lp, err := scanLive(rows)
		if err != nil {
			return err
		}
		if err := fn(lp); err != nil {
			return err
		}
	}
	return translate(rows.Err(), "live pages")
}

// LiveSnapshot returns what delivery serves of one page.
func (s *Store) LiveSnapshot(ctx context.Context, pageID string) (editorial.LivePage, error) {
	return scanLive(s.row(ctx, `SELECT `+liveColumns+` FROM live WHERE page_id = ?`, pageID))
}

// ChangeSeq returns the change counter.
func (s *Store) ChangeSeq(ctx context.Context) (int64, error) {
	var seq int64
	err := s.row(ctx, `SELECT value FROM meta WHERE key = 'change_seq'`).Scan(&seq)
	return seq, translate(err, "change counter")
}
