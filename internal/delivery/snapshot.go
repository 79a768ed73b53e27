package delivery

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"iter"
	"net/http"
	"net/url"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/monograph-cms/monograph/internal/cms"
	"github.com/monograph-cms/monograph/internal/search"
)

// snapshot is everything delivery serves at one moment. It is never changed after build;
// only its list cache fills in.
type snapshot struct {
	byID    map[string]*entry
	bySlug  map[string]*entry // live and unpublished
	byTitle []*entry          // live, by (titleKey, slug)
	byDate  []*entry          // live, by (publishedAt desc, slug)
	bySeq   []*entry          // live and unpublished, by seq
	// translations holds, by source page id, the ids of the pages that translate it
	// (hidden ones included): linkTranslations finds a source's family by it.
	translations map[string][]string
	maxSeq       int64
	marks        []seqMark
	// nextFlip is the earliest nextReviewDue of a live page not yet flagged overdue.
	nextFlip time.Time
	// listModified is the latest publication or unpublication: the lists' Last-Modified.
	listModified time.Time

	notFound, gone *response
	defaultList    *response // GET /api/v1/pages with no query

	listMu    sync.RWMutex
	lists     map[string]*response // raw query → response
	listCap   int
	listBuilt map[string]*response // normalised query → response

	// searchIndex finds live pages (by their position in byTitle) for the list's q; built
	// on the first query after a change, so publishing costs nothing for it.
	searchOnce  sync.Once
	searchIndex *search.Index
	grams       *search.Table
}

// bodies yields every page body the snapshot serves (pages, JSON-LD documents, and those of
// hidden translations), each once: the JSON-LD document without relations (ldBase) only
// when it is not the one served.
func (sn *snapshot) bodies() iter.Seq[*pageBody] {
	return func(yield func(*pageBody) bool) {
		for _, e := range sn.byID {
			for _, x := range []*entry{e, e.full} {
				if x == nil {
					continue
				}
				base := x.ldBase
				if base == x.jsonLD {
					base = nil
				}
				for _, pb := range []*pageBody{x.page, x.jsonLD, base} {
					if pb != nil && !yield(pb) {
						return
					}
				}
			}
		}
	}
}

// build derives a snapshot of entries from scratch: at the first load, and when more pages
// changed at once than buildFrom moves one by one.
func (s *Service) build(entries map[string]*entry, marks []seqMark) *snapshot {
	sn := s.newSnapshot(entries, marks)
	sn.bySlug = make(map[string]*entry, len(entries))
	for _, e := range entries {
		if old := sn.bySlug[e.slug]; old != nil && old.seq > e.seq {
			continue // a slug reused by another page: the newer change wins
		}
		sn.bySlug[e.slug] = e
	}
	for _, e := range sn.bySlug {
		sn.bySeq = append(sn.bySeq, e)
		if e.live {
			sn.byTitle = append(sn.byTitle, e)
		}
	}
	sn.translations = map[string][]string{}
	for id, e := range entries {
		if b := e.unhidden(); b.tr != nil {
			sn.translations[b.tr.Page] = append(sn.translations[b.tr.Page], id)
		}
	}
	sn.byDate = slices.Clone(sn.byTitle)
	slices.SortFunc(sn.byTitle, cmpTitle)
	slices.SortFunc(sn.byDate, cmpDate)
	slices.SortFunc(sn.bySeq, cmpSeq)
	sn.summarise()
	return sn
}

// newSnapshot returns a snapshot of entries with nothing derived from them yet.
func (s *Service) newSnapshot(entries map[string]*entry, marks []seqMark) *snapshot {
	return &snapshot{
		byID: entries, marks: marks,
		notFound: problem(http.StatusNotFound, cms.CodeNotFound, "page not found", ""),
		gone:     problem(http.StatusGone, cms.CodeGone, "this page was unpublished", ""),
		lists:    map[string]*response{}, listBuilt: map[string]*response{}, listCap: s.cfg.ListCacheSize,
		grams: s.grams,
	}
}

// summarise sets what the snapshot derives from its ordered entries: the highest change
// number, the lists' Last-Modified, the next overdue flip and the default list.
func (sn *snapshot) summarise() {
	for _, e := range sn.bySeq {
		sn.count(e)
	}
	sn.finish()
}

// count takes e into the lists' Last-Modified and the next overdue flip.
func (sn *snapshot) count(e *entry) {
	sn.listModified = later(sn.listModified, e.modified())
	if e.flips() && (sn.nextFlip.IsZero() || e.review.NextReviewDue.Before(sn.nextFlip)) {
		sn.nextFlip = e.review.NextReviewDue
	}
}

// finish sets the highest change number and the default list, once the lists are ordered.
func (sn *snapshot) finish() {
	if n := len(sn.bySeq); n > 0 {
		sn.maxSeq = sn.bySeq[n-1].seq
	}
	sn.defaultList, _ = sn.list(listQuery{limit: defaultLimit, sort: sortTitle})
}

// modified is when e last changed what the lists show: its publication, or its withdrawal.
func (e *entry) modified() time.Time {
	if e.live {
		return e.publishedAt
	}
	return e.goneAt
}

// flips reports whether e's review can fall due while it is served: live, not yet overdue.
func (e *entry) flips() bool { return e.live && !e.review.Overdue }

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func cmpTitle(a, b *entry) int {
	if c := strings.Compare(a.titleKey, b.titleKey); c != 0 {
		return c
	}
	return strings.Compare(a.slug, b.slug)
}

// cmpSeq orders by change number; pages sharing one (a family raised together) by slug, so
// the order is one and the same however the snapshot was built.
func cmpSeq(a, b *entry) int {
	if c := cmpInt(a.seq, b.seq); c != 0 {
		return c
	}
	return strings.Compare(a.slug, b.slug)
}

func cmpDate(a, b *entry) int {
	if c := b.publishedAt.Compare(a.publishedAt); c != 0 {
		return c
	}
	return strings.Compare(a.slug, b.slug)
}

// problem encodes an RFC 9457 problem document in the shape httpapi uses.
func problem(status int, code cms.Code, detail string, field string) *response {
	body := map[string]any{
		"type": "https://monograph.dev/problems/" + string(code), "title": http.StatusText(status),
		"status": status, "code": code, "detail": detail,
	}
	if field != "" {
		body["errors"] = []cms.FieldError{{Field: field, Message: detail}}
	}
	b, _ := marshal(body)
	return newResponse(status, ctProblem, b, "", time.Time{})
}

// List queries.

const (
	defaultLimit = 20
	maxLimit     = 100
	maxQueryLen  = 200
	sortTitle    = "title"
	sortDate     = "-publishedAt"
)

type listQuery struct {
	limit     int
	sort      string
	q         string   // lowercased
	qGrams    []string // search grams of q (internal/search)
	drugClass string   // lowercased
	tag       string   // lowercased
	locale    string   // canonical BCP 47 tag, "" for every locale (translations.go)
	after     *cursor
}

// cursor is the position after the last item of a list page: its sort key and slug, never
// an offset, so publications and unpublications of other pages between two requests
// neither skip nor repeat an item.
type cursor struct {
	Sort string `json:"o"`
	Key  string `json:"k"`
	Slug string `json:"s"`
}

func (c cursor) encode() string {
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

func sortKey(sort string, e *entry) string {
	if sort == sortDate {
		return e.publishedAt.Format(time.RFC3339Nano)
	}
	return e.titleKey
}

// parseListQuery reads the list parameters; unknown parameters are ignored. Errors name
// the field.
func parseListQuery(raw string) (listQuery, *response) {
	v, _ := url.ParseQuery(raw) // malformed pairs are dropped, like unknown ones
	q := listQuery{limit: defaultLimit, sort: sortTitle}
	if l := v.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > maxLimit {
			return q, problem(http.StatusBadRequest, cms.CodeInvalid, "an integer between 1 and 100", "limit")
		}
		q.limit = n
	}
	switch so := v.Get("sort"); so {
	case "", sortTitle:
	case sortDate:
		q.sort = sortDate
	default:
		return q, problem(http.StatusBadRequest, cms.CodeInvalid, "title or -publishedAt", "sort")
	}
	for _, f := range []struct {
		name string
		dst  *string
	}{{"q", &q.q}, {"drugClass", &q.drugClass}, {"tag", &q.tag}} {
		val := strings.TrimSpace(v.Get(f.name))
		if utf8.RuneCountInString(val) > maxQueryLen || !utf8.ValidString(val) || strings.ContainsRune(val, 0) {
			return q, problem(http.StatusBadRequest, cms.CodeInvalid, "at most 200 characters of valid text", f.name)
		}
		*f.dst = strings.ToLower(val)
	}
	if q.q != "" {
		q.qGrams = search.QueryGrams(q.q)
	}
	if tag, ok := localeOfQuery(v.Get("locale")); ok {
		q.locale = tag
	} else {
		return q, problem(http.StatusBadRequest, cms.CodeInvalid, "a BCP 47 language tag such as es", "locale")
	}
	if c := v.Get("cursor"); c != "" {
		b, err := base64.RawURLEncoding.DecodeString(c)
		var cur cursor
		if err != nil || json.Unmarshal(b, &cur) != nil || cur.Slug == "" {
			return q, problem(http.StatusBadRequest, cms.CodeInvalid, "not a cursor from this API", "cursor")
		}
		if cur.Sort != q.sort {
			return q, problem(http.StatusBadRequest, cms.CodeInvalid, "this cursor belongs to another sort order", "cursor")
		}
		if cur.Sort == sortDate {
			if _, err := time.Parse(time.RFC3339Nano, cur.Key); err != nil {
				return q, problem(http.StatusBadRequest, cms.CodeInvalid, "not a cursor from this API", "cursor")
			}
		}
		q.after = &cur
	}
	return q, nil
}

func (q listQuery) key() string {
	var b strings.Builder
	b.WriteString(strconv.Itoa(q.limit))
	for _, s := range []string{q.sort, q.q, q.drugClass, q.tag, q.locale} {
		b.WriteByte(0)
		b.WriteString(s)
	}
	if q.after != nil {
		b.WriteByte(0)
		b.WriteString(q.after.Key)
		b.WriteByte(0)
		b.WriteString(q.after.Slug)
	}
	return b.String()
}

func (q listQuery) matches(e *entry) bool {
	return (q.drugClass == "" || slices.Contains(e.drugClasses, q.drugClass)) &&
		(q.tag == "" || slices.Contains(e.tags, q.tag)) &&
		(q.locale == "" || e.locale == q.locale)
}

// listFor answers a list request from the cache, building and caching it on a miss.
func (sn *snapshot) listFor(raw string) *response {
	if raw == "" {
		return sn.defaultList
	}
	sn.listMu.RLock()
	r := sn.lists[raw]
	sn.listMu.RUnlock()
	if r != nil {
		return r
	}
	q, bad := parseListQuery(raw)
	if bad != nil {
		return bad
	}
	k := q.key()
	sn.listMu.RLock()
	r = sn.listBuilt[k]
	sn.listMu.RUnlock()
	if r == nil {
		r, _ = sn.list(q)
	}
	sn.listMu.Lock()
	if len(sn.lists)+len(sn.listBuilt) < sn.listCap {
		sn.lists[raw] = r
		sn.listBuilt[k] = r
	}
	sn.listMu.Unlock()
	return r
}

// searchHits returns the live pages matching the query grams, in title order.
func (sn *snapshot) searchHits(grams []string) []*entry {
	sn.searchOnce.Do(func() {
		docs := make([][]uint32, len(sn.byTitle))
		// The first search after a start computes every page's grams (lazyGrams), on
		// every core.
		var wg sync.WaitGroup
		workers := runtime.GOMAXPROCS(0)
		for w := range workers {
			wg.Go(func() {
				for i := w; i < len(docs); i += workers {
					docs[i] = sn.byTitle[i].grams.of(sn.grams)
				}
			})
		}
		wg.Wait()
		sn.searchIndex = search.NewIndex(docs)
	})
	hits := sn.searchIndex.Search(sn.grams.Lookup(grams), search.MinShared(len(grams)))
	out := make([]*entry, len(hits))
	for i, h := range hits {
		out[i] = sn.byTitle[h.Doc]
	}
	return out
}

// list builds one list page.
func (sn *snapshot) list(q listQuery) (*response, error) {
	order, cmp := sn.byTitle, cmpTitle
	if q.sort == sortDate {
		order, cmp = sn.byDate, cmpDate
	}
	if q.q != "" {
		// Only the pages the index finds, in the requested order: never a scan of all.
		order = sn.searchHits(q.qGrams)
		if q.sort == sortDate {
			slices.SortFunc(order, cmpDate)
		}
	}
	start := 0
	if c := q.after; c != nil {
		probe := &entry{slug: c.Slug, titleKey: c.Key}
		if q.sort == sortDate {
			probe.publishedAt, _ = time.Parse(time.RFC3339Nano, c.Key)
		}
		// The first item strictly after the cursor's position.
		start, _ = slices.BinarySearchFunc(order, probe, cmp)
		if start < len(order) && cmp(order[start], probe) == 0 {
			start++
		}
	}
	var buf bytes.Buffer
	buf.WriteString(`{"data":[`)
	n := 0
	var last *entry
	more := false
	for _, e := range order[start:] {
		if !q.matches(e) {
			continue
		}
		if n == q.limit {
			more = true
			break
		}
		if n > 0 {
			buf.WriteByte(',')
		}
		buf.Write(e.item)
		last = e
		n++
	}
	buf.WriteByte(']')
	if more {
		buf.WriteString(`,"nextCursor":"`)
		buf.WriteString(cursor{Sort: q.sort, Key: sortKey(q.sort, last), Slug: last.slug}.encode())
		buf.WriteByte('"')
	}
	buf.WriteByte('}')
	body := buf.Bytes()
	return newResponse(http.StatusOK, ctJSON, body, strongETag("list", body), sn.listModified.Truncate(time.Second)), nil
}

// Sync feed.

// Change kinds in the sync feed.
const (
	ChangePublished   = "published"
	ChangeUnpublished = "unpublished"
)

type syncChange struct {
	Slug     string    `json:"slug"`
	Change   string    `json:"change"`
	Revision int       `json:"revision"`
	Seq      int64     `json:"seq"`
	At       time.Time `json:"at"`
}

const tokenPrefix = "v1:"

func encodeToken(seq int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte(tokenPrefix + strconv.FormatInt(seq, 10)))
}

func decodeToken(t string) (int64, bool) {
	b, err := base64.RawURLEncoding.DecodeString(t)
	if err != nil || !bytes.HasPrefix(b, []byte(tokenPrefix)) {
		return 0, false
	}
	n, err := strconv.ParseInt(string(b[len(tokenPrefix):]), 10, 64)
	return n, err == nil && n >= 0
}

// syncSince answers GET /api/v1/sync. Without since: every live page. With since: every
// change numbered after it (a page changed twice shows once, as it is now). next never
// passes a change seen less than grace ago, so a change that commits out of order is not
// skipped; a client may therefore see a change twice and must apply changes idempotently.
func (sn *snapshot) syncSince(raw string, now time.Time, grace time.Duration) *response {
	v, _ := url.ParseQuery(raw)
	var since int64
	full := true
	if t := v.Get("since"); t != "" {
		n, ok := decodeToken(t)
		if !ok {
			return problem(http.StatusBadRequest, cms.CodeInvalid, "not a sync token from this API", "since")
		}
		since, full = n, false
	}
	changes := []syncChange{}
	loc, ok := localeOfQuery(v.Get("locale"))
	if !ok {
		return problem(http.StatusBadRequest, cms.CodeInvalid, "a BCP 47 language tag such as es", "locale")
	}
	i, _ := slices.BinarySearchFunc(sn.bySeq, since+1, func(e *entry, s int64) int { return cmpInt(e.seq, s) })
	for _, e := range sn.bySeq[i:] {
		switch {
		case loc != "" && e.locale != loc && e.locale != "":
			// Another locale's change. A withdrawn page's locale is not known (its signed
			// snapshot is gone: locale ""), so its withdrawal is reported in every locale:
			// a client mirroring one locale must not keep a page that is gone.
		case e.live:
			changes = append(changes, syncChange{Slug: e.slug, Change: ChangePublished, Revision: e.revision, Seq: e.seq, At: e.publishedAt})
		case !full:
			changes = append(changes, syncChange{Slug: e.slug, Change: ChangeUnpublished, Revision: e.goneRevision, Seq: e.seq, At: e.goneAt})
		}
	}
	var safe int64
	for _, m := range sn.marks {
		if !m.At.After(now.Add(-grace)) {
			safe = m.Seq
		}
	}
	b, _ := marshal(struct {
		Changes []syncChange `json:"changes"`
		Next    string       `json:"next"`
	}{changes, encodeToken(max(since, safe))})
	return newResponse(http.StatusOK, ctJSON, b, "", time.Time{})
}
