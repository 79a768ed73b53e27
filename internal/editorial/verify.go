package editorial

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/monograph-cms/monograph/internal/cms"
	"github.com/monograph-cms/monograph/internal/content"
	"github.com/monograph-cms/monograph/internal/workflow"
)

// Signing is one approval found in a page's record: who signed, which revision, and the
// roles the signer's event recorded (empty for events written before roles were recorded).
type Signing struct {
	PageID   string
	Seq      int
	Signer   string
	Name     string
	Revision int
	Roles    []string
	// Credentials are the signer's credentials as the approval recorded them.
	Credentials string
	// Locale is the translation's locale the approval recorded ("" for a source page, and
	// for approvals written before the locale was recorded), and Languages the signer's
	// languages it recorded with it.
	Locale    string
	Languages []string
}

// PageRecord is everything stored about one page that its record must account for.
type PageRecord struct {
	Page      Page
	Revisions []Revision
	Events    []AuditEvent
	// Snapshot is what the store holds for delivery, when it holds one; nil skips the
	// comparison of live bytes (an export carries none).
	Snapshot *LiveSnapshot
}

// VerifyPage recomputes everything a page's record lets one recompute, and returns the first
// thing that does not hold (nil when all does) with the signings found, for the caller to
// check against the accounts:
//   - the hash chain, link by link, and the page's chain head;
//   - each revision's content hash, from its stored content;
//   - each create and save event against the revision it names (author and hash);
//   - each approval against its revision's hash, by a signer who authored neither that
//     revision nor any since the previous signoff;
//   - each publication against an approval of the same revision and hash that no
//     unpublication voided since;
//   - the page's workflow facts (latest revision and hash, approval, live revision) against
//     what the events say;
//   - the live bytes held for delivery against the rendering of the approved revision.
func VerifyPage(rec PageRecord) ([]Signing, *ChainBreak) {
	p := rec.Page
	id := p.ID
	fail := func(seq int, format string, args ...any) ([]Signing, *ChainBreak) {
		return nil, &ChainBreak{PageID: id, Seq: seq, Reason: fmt.Sprintf(format, args...)}
	}
	if br := VerifyChain(id, rec.Events, p.Audit); br != nil {
		return nil, br
	}
	w := p.Workflow
	if len(rec.Revisions) < w.Revision || w.Revision < 1 {
		return fail(0, "the page's latest revision is %d but %d revisions are stored", w.Revision, len(rec.Revisions))
	}
	revs := rec.Revisions[:w.Revision]
	for i, r := range revs {
		if r.Number != i+1 {
			return fail(0, "revision %d is stored as number %d", i+1, r.Number)
		}
		if h := content.Hash(r.Content); h != r.ContentHash {
			return fail(0, "revision %d: the stored content hashes to %s, not to its recorded %s (the content was altered)", r.Number, h, r.ContentHash)
		}
	}
	if revs[len(revs)-1].ContentHash != w.ContentHash {
		return fail(0, "the page's content hash %s is not its latest revision's", w.ContentHash)
	}
	if reason := checkTranslationLink(p, revs[len(revs)-1]); reason != "" {
		return fail(0, "%s", reason)
	}
	revision := func(n int) *Revision {
		if n < 1 || n > len(revs) {
			return nil
		}
		return &revs[n-1]
	}

	type signed struct {
		hash, reviewer string
	}
	var (
		signings  []Signing
		authors   []string           // since the last signoff
		approvals = map[int]signed{} // standing approvals, by revision
		live      *signed
		liveRev   int
	)
	for _, e := range rec.Events {
		data := map[string]any{}
		_ = json.Unmarshal([]byte(orEmptyObject(e.Data)), &data)
		hash, _ := data["contentHash"].(string)
		switch workflow.Action(e.Action) {
		case workflow.ActionCreate, workflow.ActionSave, ActionRebase:
			r := revision(e.Revision)
			if r == nil || r.ContentHash != hash || r.Author.ID != e.Actor {
				return fail(e.Seq, "%s of revision %d by %s does not match the stored revision", e.Action, e.Revision, e.Actor)
			}
			if !slices.Contains(authors, e.Actor) {
				authors = append(authors, e.Actor)
			}
		case workflow.ActionApprove:
			r := revision(e.Revision)
			switch {
			case r == nil || r.ContentHash != hash:
				return fail(e.Seq, "the approval signs %s, which is not revision %d's content hash", hash, e.Revision)
			case r.Author.ID == e.Actor || slices.Contains(authors, e.Actor):
				return fail(e.Seq, "approved by %s, an author of the text they signed", e.Actor)
			}
			creds := ""
			if rv, ok := data["reviewer"].(map[string]any); ok {
				creds, _ = rv["credentials"].(string)
			}
			loc, langs, reason := signedLanguage(data, r)
			if reason != "" {
				return fail(e.Seq, "%s", reason)
			}
			signings = append(signings, Signing{PageID: id, Seq: e.Seq, Signer: e.Actor, Name: e.ActorName, Revision: e.Revision,
				Roles: e.ActorRoles, Credentials: creds, Locale: loc, Languages: langs})
			approvals[e.Revision] = signed{hash, e.Actor}
			authors = nil
		case workflow.ActionPublish, workflow.ActionScheduledPublish:
			if e.Action == string(workflow.ActionScheduledPublish) && data["outcome"] != "published" {
				continue
			}
			a, ok := approvals[e.Revision]
			if !ok || a.hash != hash {
				return fail(e.Seq, "revision %d (%s) was published without a standing approval of that hash", e.Revision, hash)
			}
			live, liveRev = &a, e.Revision
			authors = nil
		case workflow.ActionUnpublish:
			clear(approvals) // taking a page down voids its approval
			live, liveRev = nil, 0
		}
	}

	if a := w.Approval; a != nil {
		got, ok := approvals[a.Revision]
		if !ok || got.hash != a.ContentHash || got.reviewer != a.Reviewer.ID {
			return fail(0, "the page's approval (revision %d by %s) is not in its record", a.Revision, a.Reviewer.ID)
		}
	}
	if l := w.Live; l != nil {
		if live == nil || liveRev != l.Revision || live.hash != l.ContentHash ||
			l.Approval.Revision != l.Revision || l.Approval.ContentHash != l.ContentHash || l.Approval.Reviewer.ID != live.reviewer {
			return fail(0, "the live revision %d (%s) is not the last one its record published under an approval", l.Revision, l.ContentHash)
		}
	} else if live != nil {
		return fail(0, "the record says revision %d is live, the page says nothing is", liveRev)
	}
	if snap := rec.Snapshot; snap != nil {
		l := w.Live
		if l == nil {
			return fail(0, "the store holds live bytes for a page that is not live")
		}
		if snap.Revision != l.Revision || snap.ContentHash != l.ContentHash {
			return fail(0, "the live bytes are of revision %d (%s), the page's live revision is %d", snap.Revision, snap.ContentHash, l.Revision)
		}
		want, _ := json.Marshal(content.Render(revision(l.Revision).Content))
		got, _ := json.Marshal(snap.Rendered)
		if !bytes.Equal(want, got) {
			return fail(0, "the live bytes held for delivery are not the rendering of the approved revision %d", l.Revision)
		}
	}
	return signings, nil
}

// CheckSigners checks each signing against the accounts: the signer has an account, and
// held the reviewer role when signing (by the roles its event recorded, or, for events
// written before roles were recorded, by the account's roles now).
func CheckSigners(ctx context.Context, accounts Accounts, signings []Signing) *ChainBreak {
	for _, sg := range signings {
		br := func(reason string) *ChainBreak { return &ChainBreak{PageID: sg.PageID, Seq: sg.Seq, Reason: reason} }
		if accounts == nil {
			return br("no account store to check the signer " + sg.Signer + " against")
		}
		roles, _, found, err := accounts.Account(ctx, sg.Signer)
		if err != nil {
			return br("could not read the signer's account: " + err.Error())
		}
		if !found {
			return br(fmt.Sprintf("approval of revision %d is signed by %q (%s), who has no account in this store", sg.Revision, sg.Name, sg.Signer))
		}
		had := slices.Contains(sg.Roles, string(cms.RoleReviewer))
		if len(sg.Roles) == 0 {
			had = slices.Contains(roles, cms.RoleReviewer)
		}
		if !had {
			return br(fmt.Sprintf("approval of revision %d is signed by %q (%s), who was not a reviewer", sg.Revision, sg.Name, sg.Signer))
		}
		// The language rule, by the languages the signature recorded (translations.go).
		if err := workflow.CheckLanguage(sg.Locale, sg.Languages); err != nil {
			return br(fmt.Sprintf("approval of revision %d, in %s, is signed by %q (%s), whose languages %v did not include it", sg.Revision, sg.Locale, sg.Name, sg.Signer, sg.Languages))
		}
	}
	return nil
}

// signedLanguage reads the language rule an approval recorded: the locale and the signer's
// languages. An approval that records a locale must be of a translation into it, with the
// languages recorded too; an approval without one (a source page, or written before the
// locale was recorded) passes. It returns why it does not hold ("" when it does).
func signedLanguage(data map[string]any, r *Revision) (string, []string, string) {
	loc, _ := data["locale"].(string)
	if _, ok := data["locale"]; ok && loc == "" {
		return "", nil, "the approval's locale is not a language tag"
	}
	if loc == "" {
		return "", nil, ""
	}
	if tr := r.Content.TranslationOf; tr == nil || tr.Locale != loc {
		return "", nil, fmt.Sprintf("the approval records the locale %s, but revision %d is no translation into it", loc, r.Number)
	}
	raw, ok := data["languages"].([]any)
	if !ok {
		return "", nil, "the approval records a locale without the signer's languages"
	}
	langs := make([]string, 0, len(raw))
	for _, v := range raw {
		l, ok := v.(string)
		if !ok {
			return "", nil, "the approval's languages are not language tags"
		}
		langs = append(langs, l)
	}
	return loc, langs, ""
}

// VerifyAudit verifies every page's record (VerifyPage) and its signers against the
// accounts, and returns the first failure, naming the page and event, or nil. progress,
// when set, is called after each page.
func (s *Service) VerifyAudit(ctx context.Context, progress func(done, total int)) (*ChainBreak, error) {
	ids, err := s.store.AllPageIDs(ctx)
	if err != nil {
		return nil, err
	}
	for i, id := range ids {
		p, err := s.store.PageByID(ctx, id)
		if err != nil {
			return nil, err
		}
		events, err := s.store.AuditEvents(ctx, AuditFilter{PageID: id})
		if err != nil {
			return nil, err
		}
		revs, err := s.store.Revisions(ctx, id)
		if err != nil {
			return nil, err
		}
		rec := PageRecord{Page: p, Revisions: revs, Events: events}
		if lp, err := s.store.LiveSnapshot(ctx, id); err == nil {
			rec.Snapshot = lp.Snapshot
		} else if !cms.IsCode(err, cms.CodeNotFound) {
			return nil, err
		}
		signings, br := VerifyPage(rec)
		if br == nil {
			br = CheckSigners(ctx, s.Accounts, signings)
		}
		if br != nil {
			return br, nil
		}
		if progress != nil {
			progress(i+1, len(ids))
		}
	}
	return nil, nil
}
