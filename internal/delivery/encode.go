package delivery

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/monograph-cms/monograph/internal/content"
	"github.com/monograph-cms/monograph/internal/editorial"
	"github.com/monograph-cms/monograph/internal/workflow"
)

// slugPattern is the slug rule of docs/api.md; a path that does not match is simply unknown.
var slugPattern = regexp.MustCompile(`^[a-z0-9]+(?:-[a-z0-9]+)*$`)

const maxSlugLen = 100

// entry is one page as delivery holds it: immutable once built (a change builds a new one).
type entry struct {
	id   string
	slug string
	seq  int64
	live bool

	// Live pages only.
	revision    int
	contentHash string
	publishedAt time.Time
	review      workflow.MedicalReview // Overdue as encoded in page
	titleKey    string                 // lowercased title, the title sort key
	grams       *lazyGrams             // search grams of slug, title, drug names and tags
	drugClasses []string               // lowercased
	tags        []string               // lowercased
	stats       ReviewStats
	page        *pageBody // GET /api/v1/pages/{slug}
	jsonLD      *pageBody // ?format=jsonld
	headLen     int       // the page JSON up to headLen is everything before "medicalReview"
	item        []byte    // the list item JSON

	media []content.MediaRef // the images it uses, for /media/ (media.go)

	// Unpublished pages only.
	goneAt       time.Time
	goneRevision int

	// Translations (translations.go): what a translation renders (nil on a source page),
	// the page's locale and its Content-Language header, where the translation block
	// starts in the page JSON (it ends at headLen), whether the block names siblings, the
	// JSON-LD without relations, and for a translation hidden because its source is not
	// live, the entry it stands for.
	tr      *content.TranslationOf
	locale  string
	langHdr []string
	baseLen int
	linked  bool
	block   []byte
	own     int64 // the page's own change number when seq was raised by its family (ownSeq)
	ldBase  *pageBody
	full    *entry
}

// response is an encoded answer with its headers, ready to write.
type response struct {
	status      int
	body        []byte
	etag        string // quoted
	lastMod     time.Time
	contentType []string
	etagHdr     []string
	lastModHdr  []string
	length      []string
}

var (
	ctJSON    = []string{"application/json; charset=utf-8"}
	ctLD      = []string{"application/ld+json; charset=utf-8"}
	ctProblem = []string{"application/problem+json; charset=utf-8"}
)

func newResponse(status int, ct []string, body []byte, etag string, lastMod time.Time) *response {
	r := &response{status: status, body: body, etag: etag, lastMod: lastMod, contentType: ct,
		length: []string{strconv.Itoa(len(body))}}
	if etag != "" {
		r.etagHdr = []string{etag}
	}
	if !lastMod.IsZero() {
		r.lastModHdr = []string{lastMod.UTC().Format(http.TimeFormat)}
	}
	return r
}

// strongETag derives a strong entity tag from the live content hash and the exact bytes:
// whatever else goes into the bytes (overdue flag, review figures), the bytes never change
// under the same tag.
func strongETag(contentHash string, body []byte) string {
	h := sha256.New()
	h.Write([]byte(contentHash))
	h.Write([]byte{0})
	h.Write(body)
	return `"` + base64.RawURLEncoding.EncodeToString(h.Sum(nil)[:18]) + `"`
}

// marshal encodes v as JSON with <, > and & escaped (\u003c…): the delivered strings hold
// HTML, and websites paste JSON into <script> elements, where a literal "</script>" in
// any field would end the element. The bytes never carry a literal "<" at all.
func marshal(v any) ([]byte, error) { return json.Marshal(v) }

// pageHead is the delivered page without its review blocks (they are appended, see
// encodeTail, so an overdue flip or new review figures re-encode only the tail).
type pageHead struct {
	Slug string `json:"slug"`
	content.Rendered
	Revision    int       `json:"revision"`
	PublishedAt time.Time `json:"publishedAt"`
	UpdatedAt   time.Time `json:"updatedAt"`
}

// medicalReview is the "medically reviewed by" attestation.
type medicalReview struct {
	Reviewer      workflow.Reviewer `json:"reviewer"`
	ReviewedAt    time.Time         `json:"reviewedAt"`
	NextReviewDue time.Time         `json:"nextReviewDue"`
	Overdue       bool              `json:"overdue"`
}

// readerReviews is the "reviews" block: reader opinions, not medical review.
type readerReviews struct {
	Count         int      `json:"count"`
	AverageRating *float64 `json:"averageRating"`
	Kind          string   `json:"kind"`
}

// ReaderOpinionKind marks the reader-review block, so no website mistakes it for the
// medical review.
const ReaderOpinionKind = "reader_opinion"

func encodeTail(mr *workflow.MedicalReview, st ReviewStats, preview bool) []byte {
	var b bytes.Buffer
	b.WriteString(`,"medicalReview":`)
	if mr == nil {
		b.WriteString("null")
	} else {
		m, _ := marshal(medicalReview{
			Reviewer: mr.Reviewer, ReviewedAt: mr.ReviewedAt.UTC(), NextReviewDue: mr.NextReviewDue.UTC(), Overdue: mr.Overdue,
		})
		b.Write(m)
	}
	rr := readerReviews{Count: st.Count, Kind: ReaderOpinionKind}
	if st.Count > 0 {
		avg := float64(int(st.Average*100+0.5)) / 100
		rr.AverageRating = &avg
	}
	b.WriteString(`,"reviews":`)
	m, _ := marshal(rr)
	b.Write(m)
	if preview {
		b.WriteString(`,"preview":true`)
	}
	b.WriteByte('}')
	return b.Bytes()
}

// encodePage returns the delivered page JSON and the length of its head.
func encodePage(h pageHead, mr *workflow.MedicalReview, st ReviewStats, preview bool) ([]byte, int, error) {
	h.Rendered = nonNil(h.Rendered)
	h.PublishedAt, h.UpdatedAt = h.PublishedAt.UTC(), h.UpdatedAt.UTC()
	head, err := marshal(h)
	if err != nil {
		return nil, 0, err
	}
	head = head[:len(head)-1] // drop '}'
	body := append(head, encodeTail(mr, st, preview)...)
	return body, len(head), nil
}

// listItem is one entry of GET /api/v1/pages.
type listItem struct {
	Slug        string    `json:"slug"`
	Title       string    `json:"title"`
	Summary     string    `json:"summary"`
	Drug        itemDrug  `json:"drug"`
	PublishedAt time.Time `json:"publishedAt"`
	Revision    int       `json:"revision"`
	Locale      string    `json:"locale"`
}

type itemDrug struct {
	Name        string   `json:"name"`
	DrugClasses []string `json:"drugClasses"`
}

// newEntry builds the delivery entry of p, or nil when p has nothing to deliver. It refuses
// a snapshot whose workflow facts disagree with it: failing closed beats serving unreviewed
// text. hot offers the page's identity bytes to the hot cache: a publication is likely to
// be read at once, while a full load would fill the cache with whichever pages the store
// happened to yield first (and hold tens of MB no gzip client needs), so a load leaves
// the cache to fill from the identity requests that come (hotCache.write).
func (s *Service) newEntry(p editorial.LivePage, now time.Time, hot bool) *entry {
	if len(p.Slug) > maxSlugLen || !slugPattern.MatchString(p.Slug) {
		s.log.Error("delivery: page with an invalid slug ignored", "pageId", p.ID)
		return nil
	}
	e := &entry{id: p.ID, slug: p.Slug, seq: p.LiveSeq}
	if ls := p.Snapshot; ls != nil {
		l := p.Live
		switch {
		case l == nil || l.Revision != ls.Revision || l.ContentHash != ls.ContentHash:
			s.log.Error("delivery: live snapshot does not match the workflow's live revision; not served", "pageId", p.ID)
		case ls.Approval.Revision != ls.Revision || ls.Approval.ContentHash != ls.ContentHash || ls.Approval.Meaning != workflow.MeaningApproved:
			s.log.Error("delivery: live snapshot without a matching approval; not served", "pageId", p.ID)
		default:
			if err := s.fillLive(e, ls, now, hot); err != nil {
				s.log.Error("delivery: cannot encode page", "pageId", p.ID, "error", err)
				return nil
			}
			return e
		}
	}
	if u := p.Unpublished; u != nil {
		e.goneAt, e.goneRevision = u.At.UTC(), u.Revision
		return e
	}
	return nil
}

func (s *Service) fillLive(e *entry, ls *editorial.LiveSnapshot, now time.Time, hot bool) error {
	r := nonNil(ls.Rendered)
	live := workflow.Live{Revision: ls.Revision, ContentHash: ls.ContentHash, Approval: ls.Approval, PublishedAt: ls.PublishedAt}
	e.live = true
	e.revision, e.contentHash, e.publishedAt = ls.Revision, ls.ContentHash, ls.PublishedAt.UTC()
	e.review = live.MedicalReview(now)
	e.stats = s.stats[e.slug]
	e.titleKey = strings.ToLower(r.Title)
	e.grams = &lazyGrams{slug: e.slug, title: r.Title, name: r.Drug.Name, generic: r.Drug.GenericName, brands: r.Drug.BrandNames, tags: r.Tags}
	e.drugClasses = lowerAll(r.Drug.DrugClasses)
	e.tags = lowerAll(r.Tags)
	e.media = r.Media

	body, headLen, err := encodePage(pageHead{
		Slug: e.slug, Rendered: r, Revision: e.revision, PublishedAt: e.publishedAt, UpdatedAt: e.publishedAt,
	}, &e.review, e.stats, false)
	if err != nil {
		return err
	}
	body, headLen = s.withLocale(e, ls, body, headLen)
	e.headLen = headLen
	if hot {
		e.page = s.hot.newPageBody(body, strongETag(e.contentHash, body), e.lastModified())
	} else {
		e.page = s.hot.newColdBody(ctJSON, body, strongETag(e.contentHash, body), e.lastModified())
	}

	ld, err := jsonLD(e.slug, s.cfg.SiteURL, r, ls, e.locale)
	if err != nil {
		return err
	}
	e.jsonLD = s.hot.newColdBody(ctLD, ld, strongETag(e.contentHash, ld), e.publishedAt)
	e.ldBase = e.jsonLD

	e.item, err = marshal(listItem{
		Slug: e.slug, Title: r.Title, Summary: r.Summary,
		Drug:        itemDrug{Name: r.Drug.Name, DrugClasses: r.Drug.DrugClasses},
		PublishedAt: e.publishedAt, Revision: e.revision, Locale: e.locale,
	})
	return err
}

// lastModified is the publication time, or the moment the review fell due if later (the
// bytes changed then).
func (e *entry) lastModified() time.Time {
	t := e.publishedAt
	if e.review.Overdue && e.review.NextReviewDue.After(t) {
		t = e.review.NextReviewDue.UTC()
	}
	return t.Truncate(time.Second)
}

// refresh returns e with its overdue flag and review figures as of now, re-encoding only
// the tail of the page JSON; e itself when nothing changed.
func (s *Service) refresh(e *entry, now time.Time) *entry {
	if !e.live {
		return e
	}
	overdue := workflow.ReviewOverdue(&workflow.Approval{NextReviewDue: e.review.NextReviewDue}, now)
	st := s.stats[e.slug]
	if overdue == e.review.Overdue && st == e.stats {
		return e
	}
	n := *e
	n.review.Overdue, n.stats = overdue, st
	head := s.hot.peek(e.page)[:e.headLen:e.headLen]
	body := append(head, encodeTail(&n.review, st, false)...)
	n.page = s.hot.newPageBody(body, strongETag(n.contentHash, body), n.lastModified())
	return &n
}

func lowerAll(list []string) []string {
	out := make([]string, len(list))
	for i, v := range list {
		out[i] = strings.ToLower(strings.TrimSpace(v))
	}
	return out
}

// nonNil returns r with every nil list replaced by an empty one, so the delivered JSON
// always has arrays, never null.
func nonNil(r content.Rendered) content.Rendered {
	r.Drug.BrandNames = orEmpty(r.Drug.BrandNames)
	r.Drug.DrugClasses = orEmpty(r.Drug.DrugClasses)
	if r.Drug.ControlledStatus == nil {
		r.Drug.ControlledStatus = []content.ControlledStatus{}
	}
	if r.Sections == nil {
		r.Sections = []content.RenderedSection{}
	}
	if r.ClinicalUses == nil {
		r.ClinicalUses = []content.RenderedClinicalUse{}
	}
	r.Routes = orEmpty(r.Routes)
	r.SideEffects.Common = orEmpty(r.SideEffects.Common)
	r.SideEffects.Serious = orEmpty(r.SideEffects.Serious)
	r.PatientGuidance = orEmpty(r.PatientGuidance)
	if r.References == nil {
		r.References = []content.Reference{}
	}
	r.Tags = orEmpty(r.Tags)
	return r
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// EncodePreview renders the working copy (latest revision) of any page in the delivery
// shape, with "preview": true, for the writers' preview link. The Markdown is rendered once
// per revision (previews, see preview_cache.go), the rest encoded per call.
// medicalReview is the approval of exactly that revision, or null; publishedAt is the live
// revision's publication time, or null.
func EncodePreview(p editorial.Page, now time.Time) ([]byte, error) {
	var mr *workflow.MedicalReview
	if a := p.Workflow.Approval; a != nil && a.Revision == p.Workflow.Revision && a.ContentHash == p.Workflow.ContentHash {
		l := workflow.Live{Approval: *a}
		m := l.MedicalReview(now)
		mr = &m
	}
	type previewHead struct {
		Slug string `json:"slug"`
		content.Rendered
		Revision    int        `json:"revision"`
		State       string     `json:"state"`
		PublishedAt *time.Time `json:"publishedAt"`
		UpdatedAt   time.Time  `json:"updatedAt"`
	}
	h := previewHead{
		Slug: p.Slug, Rendered: nonNil(previews.render(p.ID, p.Content)), Revision: p.Workflow.Revision,
		State: string(p.Workflow.State), UpdatedAt: p.UpdatedAt.UTC(),
	}
	if l := p.Workflow.Live; l != nil {
		t := l.PublishedAt.UTC()
		h.PublishedAt = &t
	}
	head, err := marshal(h)
	if err != nil {
		return nil, err
	}
	return append(head[:len(head)-1], encodeTail(mr, ReviewStats{}, true)...), nil
}
