package editorial

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/monograph-cms/monograph/internal/cms"
	"github.com/monograph-cms/monograph/internal/content"
	"github.com/monograph-cms/monograph/internal/media"
	"github.com/monograph-cms/monograph/internal/workflow"
)

// MediaLibrary is the image library (docs/media.md): uploads checked and re-encoded by
// internal/media, metadata, who uses what, and deletion only of unused images. Uploads,
// metadata changes and deletions are audit events (actor, sha256) on the accounts chain,
// the chain of everything that is not a page's own history.
type MediaLibrary struct {
	store  media.Store
	svc    *Service
	Limits media.Limits

	// usageMu orders the recording of "used by" after commits: usageVersion holds, per
	// page and kind, the page version last recorded, so a recorder that lost a race with a
	// later change of the same page does not write its older list over the newer one.
	usageMu      sync.Mutex
	usageVersion map[string]int
}

// NewMediaLibrary returns the library over store; svc records its audit events and reads
// pages for "used by". It becomes svc.Media, so saves resolve images through it.
func NewMediaLibrary(svc *Service, store media.Store, limits media.Limits) *MediaLibrary {
	if limits.MaxBytes <= 0 {
		limits.MaxBytes = media.DefaultLimits.MaxBytes
	}
	if limits.MaxPixels <= 0 {
		limits.MaxPixels = media.DefaultLimits.MaxPixels
	}
	if limits.MaxMemory <= 0 {
		limits.MaxMemory = media.DefaultLimits.MaxMemory
	}
	l := &MediaLibrary{store: store, svc: svc, Limits: limits}
	svc.Media = l
	return l
}

// AssetView is an asset as the management API shows it.
type AssetView struct {
	media.Asset
	UsedBy []AssetUser `json:"usedBy"`
}

// AssetUser is a page using an asset, in its working copy, its live revision, or both.
type AssetUser struct {
	PageID  string `json:"pageId"`
	Slug    string `json:"slug"`
	Title   string `json:"title"`
	Working bool   `json:"working"`
	Live    bool   `json:"live"`
}

// Metadata limits.
const (
	maxAlt     = content.MaxImageAlt
	maxCaption = content.MaxImageTitle
	maxCredit  = 300
	maxLicense = 300
	maxURL     = 2000
)

// ValidateMeta checks an asset's metadata, naming each failing field as the API does:
// alt text is required unless the image is decorative (WCAG 1.1.1).
func ValidateMeta(m media.Meta) error {
	var fields []cms.FieldError
	check := func(field, s string, limit int) {
		if utf8.RuneCountInString(s) > limit {
			fields = append(fields, cms.FieldError{Field: field, Message: fmt.Sprintf("at most %d characters", limit)})
		} else if err := content.CheckVisibleText(field, s); err != nil {
			if e, ok := err.(*cms.Error); ok {
				fields = append(fields, e.Fields...)
			}
		}
	}
	check("alt", m.Alt, maxAlt)
	check("caption", m.Caption, maxCaption)
	check("credit", m.Credit, maxCredit)
	check("license", m.License, maxLicense)
	check("sourceUrl", m.SourceURL, maxURL)
	if m.Alt == "" && !m.Decorative {
		fields = append(fields, cms.FieldError{Field: "alt", Message: "required: describe the image for readers who cannot see it, or mark it decorative"})
	}
	if m.Alt != "" && m.Decorative {
		fields = append(fields, cms.FieldError{Field: "decorative", Message: "a decorative image has no alt text; clear one of them"})
	}
	if m.SourceURL != "" {
		if u, err := url.Parse(m.SourceURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			fields = append(fields, cms.FieldError{Field: "sourceUrl", Message: "must be an absolute http or https URL"})
		}
	}
	if m.LicenseExpires != "" {
		if _, err := time.Parse(time.DateOnly, m.LicenseExpires); err != nil {
			fields = append(fields, cms.FieldError{Field: "licenseExpires", Message: "must be a date as YYYY-MM-DD"})
		}
	}
	if len(fields) > 0 {
		return cms.Invalid(fields...)
	}
	return nil
}

// NormalizeMeta trims the single-line fields.
func NormalizeMeta(m media.Meta) media.Meta {
	for _, p := range []*string{&m.Alt, &m.Caption, &m.Credit, &m.License, &m.SourceURL, &m.LicenseExpires} {
		*p = strings.TrimSpace(*p)
	}
	return m
}

// Upload checks and stores an image (media.Process), answering the existing asset when the
// same bytes were uploaded before (created false; its metadata is left as it was).
func (l *MediaLibrary) Upload(ctx context.Context, actor cms.Principal, data []byte, m media.Meta) (AssetView, bool, error) {
	m = NormalizeMeta(m)
	if err := ValidateMeta(m); err != nil {
		return AssetView{}, false, err
	}
	if int64(len(data)) > l.Limits.MaxBytes {
		return AssetView{}, false, media.TooLarge(l.Limits.MaxBytes)
	}
	if existing, err := l.store.AssetBySHA256(ctx, media.SHA256Hex(data)); err == nil {
		v, err := l.view(ctx, existing)
		return v, false, err
	}
	p, err := media.ProcessContext(ctx, data, l.Limits)
	if err != nil {
		return AssetView{}, false, err
	}
	now := l.svc.clock.Now().UTC().Truncate(time.Millisecond)
	a := media.Asset{
		ID: cms.NewID(), SHA256: p.SHA256, Type: p.Type, Width: p.Width, Height: p.Height, Bytes: p.Bytes,
		Meta: m, Files: p.FileList(), CreatedAt: now, CreatedBy: actor.UserID, UpdatedAt: now,
	}
	if err := l.store.PutAsset(ctx, a, p.Files); err != nil {
		if cms.IsCode(err, cms.CodeConflict) { // the same bytes, uploaded concurrently
			if existing, err2 := l.store.AssetBySHA256(ctx, p.SHA256); err2 == nil {
				v, err := l.view(ctx, existing)
				return v, false, err
			}
		}
		return AssetView{}, false, err
	}
	l.svc.RecordAccountEvent(ctx, actor, "media.uploaded", map[string]any{"asset": a.ID, "sha256": a.SHA256, "bytes": a.Bytes})
	return AssetView{Asset: a, UsedBy: []AssetUser{}}, true, nil
}

// Get returns an asset with the pages using it; CodeNotFound.
func (l *MediaLibrary) Get(ctx context.Context, id string) (AssetView, error) {
	if !cms.ValidID(id) {
		return AssetView{}, cms.Errorf(cms.CodeNotFound, "asset not found")
	}
	a, err := l.store.AssetByID(ctx, id)
	if err != nil {
		return AssetView{}, err
	}
	return l.view(ctx, a)
}

func (l *MediaLibrary) view(ctx context.Context, a media.Asset) (AssetView, error) {
	vs, err := l.views(ctx, []media.Asset{a})
	if err != nil {
		return AssetView{}, err
	}
	return vs[0], nil
}

// views adds "used by" to assets, reading the usage and the pages' summaries once.
func (l *MediaLibrary) views(ctx context.Context, assets []media.Asset) ([]AssetView, error) {
	ids := make([]string, len(assets))
	for i, a := range assets {
		ids[i] = a.ID
	}
	use, err := l.store.MediaUsage(ctx, ids)
	if err != nil {
		return nil, err
	}
	var pageIDs []string
	for _, us := range use {
		for _, u := range us {
			pageIDs = append(pageIDs, u.PageID)
		}
	}
	slices.Sort(pageIDs)
	pages := map[string]Page{}
	if pageIDs = slices.Compact(pageIDs); len(pageIDs) > 0 {
		ps, err := l.svc.store.PageSummaries(ctx, pageIDs)
		if err != nil {
			return nil, err
		}
		for _, p := range ps {
			pages[p.ID] = p
		}
	}
	out := make([]AssetView, len(assets))
	for i, a := range assets {
		v := AssetView{Asset: a, UsedBy: []AssetUser{}}
		for _, u := range use[a.ID] {
			p, ok := pages[u.PageID]
			if !ok {
				continue // a page deleted since, or a reservation of a page never created
			}
			j := slices.IndexFunc(v.UsedBy, func(x AssetUser) bool { return x.PageID == u.PageID })
			if j < 0 {
				v.UsedBy = append(v.UsedBy, AssetUser{PageID: p.ID, Slug: p.Slug, Title: p.Content.Title})
				j = len(v.UsedBy) - 1
			}
			switch u.Kind {
			case media.UsageWorking:
				v.UsedBy[j].Working = true
			case media.UsageLive:
				v.UsedBy[j].Live = true
			}
		}
		out[i] = v
	}
	return out, nil
}

// MediaPage is one batch of the library list.
type MediaPage struct {
	Data       []AssetView `json:"data"`
	NextCursor string      `json:"nextCursor,omitempty"`
}

// List returns up to limit assets matching q, newest first, after the cursor.
func (l *MediaLibrary) List(ctx context.Context, q, cursor string, limit int) (MediaPage, error) {
	if limit <= 0 || limit > 100 {
		limit = 50
	}
	if utf8.RuneCountInString(q) > 200 {
		return MediaPage{}, cms.InvalidField("q", "at most 200 characters")
	}
	f := media.ListFilter{Query: strings.TrimSpace(q), Limit: limit + 1}
	if cursor != "" {
		at, id, ok := decodeMediaCursor(cursor)
		if !ok {
			return MediaPage{}, cms.InvalidField("cursor", "not a cursor this server gave")
		}
		f.BeforeAt, f.BeforeID = &at, id
	}
	assets, err := l.store.ListAssets(ctx, f)
	if err != nil {
		return MediaPage{}, err
	}
	page := MediaPage{}
	if len(assets) > limit {
		assets = assets[:limit]
		last := assets[limit-1]
		page.NextCursor = encodeMediaCursor(last.CreatedAt, last.ID)
	}
	if page.Data, err = l.views(ctx, assets); err != nil {
		return MediaPage{}, err
	}
	return page, nil
}

func encodeMediaCursor(at time.Time, id string) string {
	return base64.RawURLEncoding.EncodeToString(fmt.Appendf(nil, "%d/%s", at.UnixMilli(), id))
}

func decodeMediaCursor(c string) (time.Time, string, bool) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return time.Time{}, "", false
	}
	var ms int64
	var id string
	if n, err := fmt.Sscanf(string(b), "%d/%s", &ms, &id); n != 2 || err != nil || !cms.ValidID(id) {
		return time.Time{}, "", false
	}
	return time.UnixMilli(ms).UTC(), id, true
}

// MetaPatch is a PATCH of an asset's metadata: nil fields are left as they are.
type MetaPatch struct {
	Alt            *string `json:"alt"`
	Decorative     *bool   `json:"decorative"`
	Caption        *string `json:"caption"`
	Credit         *string `json:"credit"`
	License        *string `json:"license"`
	SourceURL      *string `json:"sourceUrl"`
	LicenseExpires *string `json:"licenseExpires"`
}

// Update changes an asset's metadata. Pages that use the image keep what they recorded
// at their last save (alt text and credit are signed with the page) until saved again.
func (l *MediaLibrary) Update(ctx context.Context, actor cms.Principal, id string, p MetaPatch) (AssetView, error) {
	cur, err := l.Get(ctx, id)
	if err != nil {
		return AssetView{}, err
	}
	m := cur.Meta
	for _, f := range []struct {
		v   *string
		dst *string
	}{{p.Alt, &m.Alt}, {p.Caption, &m.Caption}, {p.Credit, &m.Credit}, {p.License, &m.License}, {p.SourceURL, &m.SourceURL}, {p.LicenseExpires, &m.LicenseExpires}} {
		if f.v != nil {
			*f.dst = *f.v
		}
	}
	if p.Decorative != nil {
		m.Decorative = *p.Decorative
	}
	m = NormalizeMeta(m)
	if err := ValidateMeta(m); err != nil {
		return AssetView{}, err
	}
	a, err := l.store.UpdateAssetMeta(ctx, id, m, l.svc.clock.Now().UTC().Truncate(time.Millisecond))
	if err != nil {
		return AssetView{}, err
	}
	l.svc.RecordAccountEvent(ctx, actor, "media.updated", map[string]any{"asset": a.ID, "sha256": a.SHA256})
	return AssetView{Asset: a, UsedBy: cur.UsedBy}, nil
}

// Delete removes an unused asset and its files; media.CodeAssetInUse while a page's working
// copy or live revision uses it.
func (l *MediaLibrary) Delete(ctx context.Context, actor cms.Principal, id string) error {
	if !cms.ValidID(id) {
		return cms.Errorf(cms.CodeNotFound, "asset not found")
	}
	a, err := l.store.AssetByID(ctx, id)
	if err != nil {
		return err
	}
	if err := l.store.DeleteAsset(ctx, id, l.svc.clock.Now()); err != nil {
		return err
	}
	l.svc.RecordAccountEvent(ctx, actor, "media.deleted", map[string]any{"asset": a.ID, "sha256": a.SHA256})
	return nil
}

// ReadFile returns a file's bytes after checking them against the hash recorded for it.
func (l *MediaLibrary) ReadFile(ctx context.Context, sha, name string) (media.File, []byte, error) {
	return readVerified(ctx, l.store, sha, name)
}

func readVerified(ctx context.Context, store media.Store, sha, name string) (media.File, []byte, error) {
	f, data, err := store.ReadFile(ctx, sha, name)
	if err != nil {
		return media.File{}, nil, err
	}
	if media.SHA256Hex(data) != f.SHA256 {
		return media.File{}, nil, &cms.Error{Code: cms.CodeIntegrity,
			Message: "the stored image does not match its recorded hash; it is not served"}
	}
	return f, data, nil
}

// Store returns the library's store (delivery reads files through it).
func (l *MediaLibrary) Store() media.Store { return l.store }

// attachMedia records in c, for every asset it uses, what the asset is now (AssetRef),
// replacing whatever the client sent there. The page reserves the assets first, so a
// concurrent delete either sees the reservation (409) or has already removed the asset,
// which this then reports: unknown assets are refused naming each field that uses them.
func (s *Service) attachMedia(ctx context.Context, pageID string, c *content.Content) error {
	c.Normalize()
	c.Assets = nil
	uses := c.AssetUses()
	if len(uses) == 0 {
		return nil
	}
	if s.Media == nil {
		return cms.InvalidField(uses[0].Field, "this server has no media library")
	}
	ids := c.AssetIDs()
	valid := slices.DeleteFunc(slices.Clone(ids), func(id string) bool { return !cms.ValidID(id) })
	reserve := make([]media.Ref, len(valid))
	for i, id := range valid {
		reserve[i] = media.Ref{ID: id}
	}
	if err := s.Media.store.AddMediaUsage(ctx, pageID, media.UsageWorking, reserve, s.clock.Now()); err != nil {
		return err
	}
	assets, err := s.Media.store.AssetsByID(ctx, valid)
	if err != nil {
		return err
	}
	byID := map[string]media.Asset{}
	for _, a := range assets {
		byID[a.ID] = a
	}
	var fields []cms.FieldError
	for _, u := range uses {
		if _, ok := byID[u.Asset]; !ok {
			fields = append(fields, cms.FieldError{Field: u.Field, Message: "unknown image " + u.Asset + ": upload it to the media library first"})
		}
	}
	if len(fields) > 0 {
		return cms.Invalid(fields...)
	}
	for _, id := range ids {
		c.Assets = append(c.Assets, assetRef(byID[id]))
	}
	return nil
}

// assetRef is what content records of an asset.
func assetRef(a media.Asset) content.AssetRef {
	r := content.AssetRef{
		Asset: a.ID, SHA256: a.SHA256, Files: media.FilesDigest(a.Files), Type: string(a.Type),
		Width: a.Width, Height: a.Height, Alt: a.Alt, Decorative: a.Decorative, Credit: a.Credit,
	}
	for _, f := range a.Files {
		if !strings.HasPrefix(f.Name, "original.") {
			r.Variants = append(r.Variants, f.Width)
		}
	}
	slices.Sort(r.Variants)
	return r
}

// recordMediaUsage keeps the library's "used by" in step with a stored change: the working
// copy's assets when it stored revisions, the live revision's when what is live changed.
// Recorders run after their commits, in any order; one older than what was recorded for
// the page (by the page's version) is skipped. (Across processes on a shared store, the
// next change of the page corrects a list a reordering left stale.)
// A failure is logged: it can only make "used by" stale, and a later save corrects it.
func (s *Service) recordMediaUsage(ch *Change) {
	if s.Media == nil {
		return
	}
	if _, ok := s.Media.store.(MediaUsageCommitter); ok {
		return // recorded with the change itself
	}
	l := s.Media
	l.usageMu.Lock()
	defer l.usageMu.Unlock()
	if l.usageVersion == nil {
		l.usageVersion = map[string]int{}
	}
	// newer reports whether ch is at least as recent as what was last recorded for kind,
	// and notes it.
	newer := func(kind string) bool {
		key := ch.Page.ID + "/" + kind
		if v, ok := l.usageVersion[key]; ok && ch.Page.Version < v {
			return false
		}
		l.usageVersion[key] = ch.Page.Version
		return true
	}
	ctx, now := context.Background(), s.clock.Now()
	for _, u := range ch.MediaUsage() {
		if !newer(u.Kind) {
			continue
		}
		if err := s.Media.store.SetMediaUsage(ctx, ch.Page.ID, u.Kind, u.Refs, now); err != nil {
			s.log.Error("media: could not record the images a page uses", "pageId", ch.Page.ID, "kind", u.Kind, "error", err)
		}
	}
}

// MediaUsageCommitter is a media store that records a change's MediaUsage in the change's
// own commit (the embedded store), so "used by" never lags behind a stored page and a save
// costs one transaction. Other stores have it recorded after their commits
// (recordMediaUsage).
type MediaUsageCommitter interface {
	CommitsMediaUsage()
}

// MediaUsageSet is the library's "used by" of one page and kind after a change: the set
// replaces what was recorded.
type MediaUsageSet struct {
	Kind string
	Refs []media.Ref
}

// MediaUsage is what the change makes of its page's "used by": the working copy's assets
// when it stores revisions, the live revision's when what is live changed.
func (c *Change) MediaUsage() []MediaUsageSet {
	var out []MediaUsageSet
	if len(c.Revisions) > 0 {
		out = append(out, MediaUsageSet{Kind: media.UsageWorking, Refs: contentRefs(c.Page.Content)})
	}
	if c.LiveChange() {
		var refs []media.Ref
		if c.Live != nil {
			for _, m := range c.Live.Rendered.Media {
				refs = append(refs, media.Ref{ID: m.Asset, SHA256: m.SHA256})
			}
		}
		out = append(out, MediaUsageSet{Kind: media.UsageLive, Refs: refs})
	}
	return out
}

// contentRefs returns the assets c uses, each with the sha256 c records for it.
func contentRefs(c content.Content) []media.Ref {
	shas := map[string]string{}
	for _, r := range c.Assets {
		shas[r.Asset] = r.SHA256
	}
	var out []media.Ref
	for _, id := range c.AssetIDs() {
		out = append(out, media.Ref{ID: id, SHA256: shas[id]})
	}
	return out
}

// checkMediaGate refuses to send content to review or sign it while an image it records is
// no longer the one in the library (deleted, or stored again with other files): the
// reviewer would sign pixels nobody can be shown. Each field using the image is named.
func (s *Service) checkMediaGate(ctx context.Context, cmd workflow.Command, c content.Content) error {
	switch cmd.(type) {
	case workflow.Submit, workflow.Approve:
	default:
		return nil
	}
	missing, err := s.missingMedia(ctx, mediaRefsOf(c.Assets))
	if err != nil || len(missing) == 0 {
		return err
	}
	var fields []cms.FieldError
	for _, u := range c.AssetUses() {
		if missing[u.Asset] {
			fields = append(fields, cms.FieldError{Field: u.Field, Message: "image " + u.Asset + " is no longer in the media library as this revision records it; choose the image again"})
		}
	}
	if len(fields) == 0 {
		fields = append(fields, cms.FieldError{Field: "content.assets", Message: "an image this revision records is no longer in the media library"})
	}
	return cms.Invalid(fields...)
}

// checkLiveMedia refuses to make a signed revision live while an image it records is not
// in the library with the exact files it records: the page would go live with a picture
// delivery cannot serve.
func (s *Service) checkLiveMedia(ctx context.Context, snap *LiveSnapshot) error {
	missing, err := s.missingMedia(ctx, snap.Rendered.Media)
	if err != nil || len(missing) == 0 {
		return err
	}
	var fields []cms.FieldError
	for _, m := range snap.Rendered.Media {
		if missing[m.Asset] {
			fields = append(fields, cms.FieldError{Field: "content.assets", Message: "image " + m.Asset + " of the signed revision is no longer in the media library; restore it or sign a revision without it"})
		}
	}
	return cms.Invalid(fields...)
}

func mediaRefsOf(refs []content.AssetRef) []content.MediaRef {
	out := make([]content.MediaRef, len(refs))
	for i, r := range refs {
		out[i] = content.MediaRef{Asset: r.Asset, SHA256: r.SHA256, Files: r.Files}
	}
	return out
}

// missingMedia returns the ids of refs whose image the library does not hold with the
// recorded sha256 and files. The image is found by its sha256, so a page imported with an
// image the library holds under another id is not refused.
func (s *Service) missingMedia(ctx context.Context, refs []content.MediaRef) (map[string]bool, error) {
	if len(refs) == 0 || s.Media == nil {
		return nil, nil
	}
	missing := map[string]bool{}
	for _, r := range refs {
		a, err := s.Media.store.AssetBySHA256(ctx, r.SHA256)
		switch {
		case cms.IsCode(err, cms.CodeNotFound):
			missing[r.Asset] = true
		case err != nil:
			return nil, err
		case media.FilesDigest(a.Files) != r.Files:
			missing[r.Asset] = true
		}
	}
	return missing, nil
}

// mediaChecks runs the licence checks (content.ImageLicenseChecks) with the assets' current
// licence dates.
func (s *Service) mediaChecks(ctx context.Context, c content.Content) []content.CheckResult {
	ids := c.AssetIDs()
	if s.Media == nil || len(ids) == 0 {
		return nil
	}
	assets, err := s.Media.store.AssetsByID(ctx, ids)
	if err != nil {
		s.log.Error("media: could not read the images' licences for the checks", "error", err)
		return nil
	}
	expires := map[string]time.Time{}
	for _, a := range assets {
		if t, err := time.Parse(time.DateOnly, a.LicenseExpires); err == nil {
			expires[a.ID] = t
		}
	}
	return content.ImageLicenseChecks(c, expires, s.clock.Now(), s.cfg.CheckSeverities)
}
