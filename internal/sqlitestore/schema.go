package sqlitestore

import (
	"context"
	"database/sql"
	"fmt"
)

// migrations bring the schema from version i to i+1 (PRAGMA user_version). They only ever
// grow: a released migration is never edited, a change of schema is a new one. Open runs the
// missing ones in one transaction, so a database is at one version or the next, never
// between.
//
// Layout: each table has the columns its queries filter and sort on, with an index for every
// query the domain makes, and the rest of the record as JSON where the record is large and
// read whole (a page, a revision's content, what delivery serves).
var migrations = []string{
	// 1: the first schema.
	`
CREATE TABLE meta (
	key   TEXT PRIMARY KEY,
	value INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO meta (key, value) VALUES ('change_seq', 0);

CREATE TABLE pages (
	id                  TEXT PRIMARY KEY,
	slug                TEXT NOT NULL UNIQUE,
	version             INTEGER NOT NULL,
	revision            INTEGER NOT NULL, -- the working copy: its content is that revision's
	audit_seq           INTEGER NOT NULL,
	state               TEXT NOT NULL,
	updated_at          INTEGER NOT NULL,
	scheduled_at        INTEGER,          -- set while state is scheduled
	review_due          INTEGER,          -- the live approval's nextReviewDue, while live
	review_due_notified INTEGER,          -- the due date page.review_due went out for
	search_key          TEXT NOT NULL,    -- the search grams indexed in page_search (searchTokens)
	summary             BLOB NOT NULL,    -- JSON of the page without long content fields
	doc                 BLOB NOT NULL     -- JSON of the page without its content
);
CREATE INDEX pages_updated ON pages (updated_at DESC, id DESC);
CREATE INDEX pages_state_updated ON pages (state, updated_at DESC, id DESC);
CREATE INDEX pages_scheduled ON pages (scheduled_at) WHERE scheduled_at IS NOT NULL;
CREATE INDEX pages_review_due ON pages (review_due) WHERE review_due IS NOT NULL;
CREATE INDEX pages_review_unnotified ON pages (review_due)
	WHERE review_due IS NOT NULL AND review_due_notified IS NOT review_due;

-- The search grams of each page (internal/search) as FTS5 tokens, rowid = pages.rowid. FTS5
-- writes a page's terms as one small new segment and merges segments over time, where a
-- plain (gram, page) index would touch a hundred scattered b-tree pages per new page.
CREATE VIRTUAL TABLE page_search USING fts5(grams, tokenize = "unicode61 remove_diacritics 0 tokenchars '_'");

CREATE TABLE revisions (
	page_id      TEXT NOT NULL REFERENCES pages (id) ON DELETE CASCADE,
	number       INTEGER NOT NULL,
	content_hash TEXT NOT NULL,
	author_id    TEXT NOT NULL,
	author_name  TEXT NOT NULL,
	created_at   INTEGER NOT NULL,
	note         TEXT NOT NULL,
	content      BLOB NOT NULL,          -- JSON, zstd-compressed (compress.go)
	UNIQUE (page_id, number)
);

-- What delivery serves of a page: its live snapshot, or the tombstone of its unpublication.
CREATE TABLE live (
	page_id     TEXT PRIMARY KEY REFERENCES pages (id) ON DELETE CASCADE,
	slug        TEXT NOT NULL,
	live_seq    INTEGER NOT NULL,
	live        BLOB,                    -- JSON of workflow.Live, NULL when unpublished
	unpublished BLOB,                    -- JSON of workflow.Unpublished
	snapshot    BLOB                     -- JSON of editorial.LiveSnapshot, NULL when unpublished
);
CREATE INDEX live_slug ON live (slug);

CREATE TABLE audit (
	event_id   TEXT PRIMARY KEY,         -- "<pageId>/<seq>"
	page_id    TEXT NOT NULL,
	seq        INTEGER NOT NULL,
	at         INTEGER NOT NULL,
	actor      TEXT NOT NULL,
	actor_name TEXT NOT NULL,
	action     TEXT NOT NULL,
	revision   INTEGER NOT NULL,
	data       TEXT NOT NULL,
	prev_hash  TEXT NOT NULL,
	hash       TEXT NOT NULL,
	UNIQUE (page_id, seq)
) WITHOUT ROWID;
CREATE INDEX audit_at ON audit (at DESC, event_id DESC);
CREATE INDEX audit_actor ON audit (actor, at DESC, event_id DESC);
CREATE INDEX audit_action ON audit (action, at DESC, event_id DESC);

CREATE TABLE outbox (
	id            TEXT PRIMARY KEY,
	event         TEXT NOT NULL,
	page_id       TEXT NOT NULL,
	slug          TEXT NOT NULL,
	revision      INTEGER NOT NULL,
	at            INTEGER NOT NULL,
	fanned_out_at INTEGER
);
CREATE INDEX outbox_pending ON outbox (at, id) WHERE fanned_out_at IS NULL;
CREATE INDEX outbox_fanned ON outbox (fanned_out_at) WHERE fanned_out_at IS NOT NULL;

CREATE TABLE users (
	id            TEXT PRIMARY KEY,
	email         TEXT NOT NULL UNIQUE,
	name          TEXT NOT NULL,
	roles         TEXT NOT NULL,         -- JSON array
	credentials   TEXT NOT NULL,
	disabled      INTEGER NOT NULL,
	password_hash TEXT NOT NULL,         -- '' until enrolment
	created_at    INTEGER NOT NULL,
	updated_at    INTEGER NOT NULL,
	password_change_required INTEGER NOT NULL,
	enrolment_hash    TEXT,              -- one-time tokens: hex SHA-256 and expiry, or NULL
	enrolment_expires INTEGER,
	reset_hash        TEXT,
	reset_expires     INTEGER
);

CREATE TABLE refresh_tokens (
	hash       TEXT PRIMARY KEY,
	family_id  TEXT NOT NULL,
	user_id    TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	expires_at INTEGER NOT NULL,
	spent_at   INTEGER,
	revoked_at INTEGER
);
CREATE INDEX refresh_family ON refresh_tokens (family_id);
CREATE INDEX refresh_user ON refresh_tokens (user_id);
CREATE INDEX refresh_expires ON refresh_tokens (expires_at);

CREATE TABLE revoked_sessions (
	family_id  TEXT PRIMARY KEY,
	revoked_at INTEGER NOT NULL
);
CREATE INDEX revoked_sessions_at ON revoked_sessions (revoked_at);

CREATE TABLE webhooks (
	id                TEXT PRIMARY KEY,
	url               TEXT NOT NULL,
	events            TEXT NOT NULL,     -- JSON array
	description       TEXT NOT NULL,
	created_at        INTEGER NOT NULL,
	created_by        TEXT NOT NULL,
	secret_rotated_at INTEGER NOT NULL,
	sealed_secret     BLOB NOT NULL,
	key_id            TEXT NOT NULL
);

CREATE TABLE webhook_deliveries (
	id              TEXT PRIMARY KEY,
	webhook_id      TEXT NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
	event_id        TEXT NOT NULL,
	event           TEXT NOT NULL,
	slug            TEXT NOT NULL,
	revision        INTEGER NOT NULL,
	occurred_at     INTEGER NOT NULL,
	status          TEXT NOT NULL,
	attempts        INTEGER NOT NULL,
	last_status     INTEGER NOT NULL,
	last_error      TEXT NOT NULL,
	created_at      INTEGER NOT NULL,
	updated_at      INTEGER NOT NULL,
	next_attempt_at INTEGER NOT NULL,
	delivered_at    INTEGER,
	attempt_log     TEXT NOT NULL,       -- JSON array
	lease_until     INTEGER NOT NULL,
	lease_owner     TEXT NOT NULL
);
CREATE INDEX deliveries_pending ON webhook_deliveries (next_attempt_at, id) WHERE status = 'pending';
CREATE INDEX deliveries_webhook ON webhook_deliveries (webhook_id, created_at DESC, id DESC);
CREATE INDEX deliveries_finished ON webhook_deliveries (updated_at) WHERE status IN ('delivered', 'failed');
CREATE INDEX deliveries_leased ON webhook_deliveries (lease_owner) WHERE lease_owner <> '';

CREATE TABLE reader_reviews (
	id           TEXT PRIMARY KEY,
	slug         TEXT NOT NULL,
	name         TEXT NOT NULL,
	rating       INTEGER NOT NULL,
	body         TEXT NOT NULL,
	state        TEXT NOT NULL,
	client_hash  TEXT NOT NULL,
	created_at   INTEGER NOT NULL,
	moderated_at INTEGER,
	moderated_by TEXT,                   -- JSON
	reason       TEXT NOT NULL
);
CREATE INDEX reader_reviews_state ON reader_reviews (state, created_at DESC, id DESC);
CREATE INDEX reader_reviews_slug ON reader_reviews (slug, state, created_at DESC, id DESC);
`,
	// The verifiable log (tlog.go): every audit event's leaf index and the tree's stored
	// hashes; the actor's roles and request id of each event; the accounts chain lives in
	// audit with page_id ''. Events written before get their leaves when the store opens
	// (Store.AppendLog).
	`
ALTER TABLE audit ADD COLUMN actor_roles TEXT NOT NULL DEFAULT ''; -- JSON array, '' for none
ALTER TABLE audit ADD COLUMN request_id TEXT NOT NULL DEFAULT '';
ALTER TABLE audit ADD COLUMN log_index INTEGER;
CREATE UNIQUE INDEX audit_log_index ON audit (log_index) WHERE log_index IS NOT NULL;
CREATE INDEX audit_unlogged ON audit (at, page_id, seq) WHERE log_index IS NULL;

CREATE TABLE tlog_hashes (
	idx  INTEGER PRIMARY KEY,                -- tlog.StoredHashIndex
	hash BLOB NOT NULL
);
`,
	// Notifications derived from the audit events (internal/notify; notifications.go).
	notificationsMigration,
	// The image library (media.go).
	mediaMigration,
	// Translations (translations.go): the link of a translation to its source, its
	// locale and outdated flag, read from the page's JSON by generated columns (so the
	// page writes stay as they are) and indexed for the list filters and the source's
	// list of translations.
	`
ALTER TABLE pages ADD COLUMN translation_source TEXT
	GENERATED ALWAYS AS (json_extract(CAST(doc AS TEXT), '$.translation.source')) VIRTUAL;
ALTER TABLE pages ADD COLUMN locale TEXT
	GENERATED ALWAYS AS (json_extract(CAST(doc AS TEXT), '$.translation.locale')) VIRTUAL;
ALTER TABLE pages ADD COLUMN outdated INTEGER
	GENERATED ALWAYS AS (coalesce(json_extract(CAST(doc AS TEXT), '$.translation.outdated'), 0)) VIRTUAL;
CREATE INDEX pages_translation_source ON pages (translation_source, locale) WHERE translation_source IS NOT NULL;
CREATE INDEX pages_locale_updated ON pages (locale, outdated, updated_at DESC, id DESC);
ALTER TABLE users ADD COLUMN languages TEXT NOT NULL DEFAULT '[]'; -- JSON array of locale tags
`,
	// Notifications by event (notifications.go): what one event notified.
	notificationsEventMigration,
	// The image library's uses by sha256 and reservation time (media.go).
	mediaUsageMigration,
	// One translation per source page and locale (translations.go).
	translationUniqueMigration,
	// Lists by locale and of outdated translations in order without a sort, and no locale
	// index entry for the pages that are no translation (translations.go).
	translationListMigration,
	// Search indexing after the commit, in batches (searchindex.go).
	searchPendingMigration,
	// The search grams' vocabulary, to search by the rarest (search.go).
	searchVocabMigration,
	// Audit events appended in rowid order, and the "newest first" indexes ascending, so a
	// change writes fewer b-tree pages (appendOnlyMigration, below).
	appendOnlyMigration,
}

// appendOnlyMigration lays out what every change adds so that it goes at the end of its
// b-tree. Counted in the write-ahead log (the pages each transaction writes, on a library
// of 2,000 pages): a save wrote 17.8 pages and a create 16.9, now 15.3 and 15.1.
//
//   - The audit table was keyed by its event id ("<pageId>/<seq>", WITHOUT ROWID), so each
//     event, a row of about 340 bytes, went into a random leaf of twenty or so, which
//     split every few inserts (1.9 leaves written per save). Now rows take the next rowid
//     and fill the last leaf; UNIQUE (page_id, seq) still refuses an event whose place in
//     its chain is taken, and the event id stays as a column. It stays unique without an
//     index of its own: editorial.EventID makes it from page_id and seq, and never makes
//     one id of two pairs (page ids are 20 characters, the accounts chain's "accounts/<seq>"),
//     which the audit log's order and cursor (at, event_id) rely on.
//   - The indexes read newest first were declared DESC, so the newest entry went to the
//     left edge of the index, where a full leaf splits in two half-full ones. Ascending,
//     the newest entry goes at the right edge, where SQLite starts a new leaf and leaves
//     the old one full; SQLite reads an index backwards as fast as forwards, so the lists
//     keep their order without a sort (TestListQueriesUseIndexes,
//     TestAuditQueriesUseIndexes).
const appendOnlyMigration = `
CREATE TABLE audit_appended (
	event_id    TEXT NOT NULL,           -- "<pageId>/<seq>"
	page_id     TEXT NOT NULL,
	seq         INTEGER NOT NULL,
	at          INTEGER NOT NULL,
	actor       TEXT NOT NULL,
	actor_name  TEXT NOT NULL,
	action      TEXT NOT NULL,
	revision    INTEGER NOT NULL,
	data        TEXT NOT NULL,
	prev_hash   TEXT NOT NULL,
	hash        TEXT NOT NULL,
	actor_roles TEXT NOT NULL DEFAULT '', -- JSON array, '' for none
	request_id  TEXT NOT NULL DEFAULT '',
	log_index   INTEGER,
	UNIQUE (page_id, seq)
);
INSERT INTO audit_appended (event_id, page_id, seq, at, actor, actor_name, action, revision, data,
		prev_hash, hash, actor_roles, request_id, log_index)
	SELECT event_id, page_id, seq, at, actor, actor_name, action, revision, data,
		prev_hash, hash, actor_roles, request_id, log_index
	FROM audit ORDER BY at, page_id, seq;
DROP TABLE audit;
ALTER TABLE audit_appended RENAME TO audit;
CREATE INDEX audit_at ON audit (at, event_id);
CREATE INDEX audit_actor ON audit (actor, at, event_id);
CREATE INDEX audit_action ON audit (action, at, event_id);
CREATE UNIQUE INDEX audit_log_index ON audit (log_index) WHERE log_index IS NOT NULL;
CREATE INDEX audit_unlogged ON audit (at, page_id, seq) WHERE log_index IS NULL;

DROP INDEX pages_updated;
CREATE INDEX pages_updated ON pages (updated_at, id);
DROP INDEX pages_state_updated;
CREATE INDEX pages_state_updated ON pages (state, updated_at, id);
DROP INDEX pages_locale_updated;
CREATE INDEX pages_locale_updated ON pages (locale, updated_at, id) WHERE locale IS NOT NULL;
DROP INDEX pages_outdated_updated;
CREATE INDEX pages_outdated_updated ON pages (updated_at, id) WHERE outdated = 1;
`

// SchemaVersion is the schema version this build writes.
var SchemaVersion = len(migrations)

// migrate runs the migrations the database has not seen, in one transaction.
func (s *Store) migrate(ctx context.Context) error {
	var v int
	if err := s.w.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil {
		return err
	}
	switch {
	case v == len(migrations):
		return nil
	case v > len(migrations):
		return fmt.Errorf("the database has schema version %d, but this Monograph knows only up to %d: it was written by a newer release; run that release (or restore a backup made before the upgrade)", v, len(migrations))
	}
	if v > 0 {
		// Some migrations rebuild a table (appendOnlyMigration: 1.4 s for 40,000 audit
		// events here), so say why a start of an existing data dir takes longer, once.
		s.log.Info("store: migrating the schema (once; a large library takes a few seconds)", "from", v, "to", len(migrations))
	}
	return s.write(ctx, func(tx *sql.Tx) error {
		for i := v; i < len(migrations); i++ {
			if _, err := tx.ExecContext(ctx, migrations[i]); err != nil {
				return fmt.Errorf("migration %d: %w", i+1, err)
			}
			s.log.Info("store: schema migrated", "version", i+1)
		}
		_, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", len(migrations)))
		return err
	})
}
