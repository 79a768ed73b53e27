package editorial

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"

	"github.com/monograph-cms/monograph/internal/cms"
	"github.com/monograph-cms/monograph/internal/content"
	"github.com/monograph-cms/monograph/internal/workflow"
)

// signedSnapshot derives what delivery serves of a publication from the stored revision it
// names: the revision's content is read from the store, its canonical hash recomputed and
// compared with the publication and with the signature it was published under, and only
// then rendered. Nothing of the page document (its working copy, an imported snapshot) is
// trusted: live bytes are always the bytes a reviewer signed.
func (s *Service) signedSnapshot(ctx context.Context, pageID string, live *workflow.Live) (*LiveSnapshot, error) {
	r, err := s.store.Revision(ctx, pageID, live.Revision)
	if err != nil {
		return nil, err
	}
	if err := checkSigned(r, live); err != nil {
		s.log.Error("integrity: refusing to publish", "pageId", pageID, "revision", live.Revision, "error", err)
		return nil, err
	}
	snap := &LiveSnapshot{
		Revision: live.Revision, ContentHash: live.ContentHash, Rendered: content.Render(r.Content),
		Approval: live.Approval, PublishedAt: live.PublishedAt, PublishedBy: live.PublishedBy,
		// What a translation renders, from the signed revision itself (never the page's link).
		TranslationOf: r.Content.TranslationOf,
	}
	snap.Seal = s.seal(pageID, snap)
	return snap, nil
}

// seal returns the snapshot's seal under SnapshotKey ("" without a key): an HMAC of the
// page id and every field delivery serves from the snapshot.
func (s *Service) seal(pageID string, snap *LiveSnapshot) string {
	if len(s.SnapshotKey) == 0 {
		return ""
	}
	sealed := *snap
	sealed.Seq, sealed.Seal = 0, ""
	body, err := json.Marshal(sealed)
	if err != nil {
		return ""
	}
	m := hmac.New(sha256.New, s.SnapshotKey)
	m.Write([]byte("monograph live snapshot\n" + pageID + "\n"))
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

// sealHolds reports whether a stored snapshot carries a valid seal and is the snapshot of
// the page's live revision under its approval.
func (s *Service) sealHolds(lp LivePage) bool {
	snap, live := lp.Snapshot, lp.Live
	if snap == nil || live == nil || snap.Seal == "" || len(s.SnapshotKey) == 0 {
		return false
	}
	if snap.Revision != live.Revision || snap.ContentHash != live.ContentHash ||
		snap.Approval.Revision != snap.Revision || snap.Approval.ContentHash != snap.ContentHash {
		return false
	}
	want := s.seal(lp.ID, snap)
	return want != "" && hmac.Equal([]byte(want), []byte(snap.Seal))
}

// checkSigned reports, as CodeIntegrity, a revision whose stored content does not hash to
// what the publication and its approval name.
func checkSigned(r Revision, live *workflow.Live) error {
	c := r.Content
	got := content.Hash(c)
	switch {
	case got != r.ContentHash || got != live.ContentHash:
		return &cms.Error{Code: cms.CodeIntegrity, Message: fmt.Sprintf(
			"revision %d's stored content hashes to %s, not to the %s that was signed; nothing was published — run `monograph audit verify` and restore the store from a backup",
			r.Number, got, live.ContentHash)}
	case live.Approval.Revision != r.Number || live.Approval.ContentHash != got:
		return &cms.Error{Code: cms.CodeIntegrity, Message: fmt.Sprintf(
			"the approval is for revision %d (%s), not for revision %d as stored; nothing was published — run `monograph audit verify`",
			live.Approval.Revision, live.Approval.ContentHash, r.Number)}
	}
	return nil
}

// DeriveLive returns what delivery may serve of a live page loaded from the store: its
// stored snapshot when that carries a valid seal (made when it was derived from the
// verified revision, under a key the store does not hold), else a snapshot derived anew
// from the stored live revision, checking the signature as publishing does. A page whose
// stored bytes no longer match their signature is returned with CodeIntegrity and must not
// be served.
func (s *Service) DeriveLive(ctx context.Context, lp LivePage) (LivePage, error) {
	if lp.Live == nil {
		lp.Snapshot = nil
		return lp, nil
	}
	if s.sealHolds(lp) {
		return lp, nil
	}
	snap, err := s.signedSnapshot(ctx, lp.ID, lp.Live)
	if err != nil {
		return LivePage{}, err
	}
	snap.Seq = lp.LiveSeq
	if lp.Snapshot != nil {
		snap.Seq = lp.Snapshot.Seq
	}
	lp.Snapshot = snap
	return lp, nil
}
