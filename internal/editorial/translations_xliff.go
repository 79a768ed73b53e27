package editorial

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/monograph-cms/monograph/internal/cms"
	"github.com/monograph-cms/monograph/internal/content"
	"github.com/monograph-cms/monograph/internal/locale"
	"github.com/monograph-cms/monograph/internal/xliff"
)

// CodeXLIFFMismatch refuses an XLIFF file whose units are not those of the source revision
// it names, or which names another source revision than the one translated now (422; the
// problem's errors name each unit).
const CodeXLIFFMismatch cms.Code = "xliff_mismatch"

// xliffOriginal is the <file original> of an export: the source page and revision.
func xliffOriginal(pageID string, revision int) string {
	return "monograph:page/" + pageID + "/revision/" + strconv.Itoa(revision)
}

func parseOriginal(s string) (pageID string, revision int, ok bool) {
	rest, found := strings.CutPrefix(s, "monograph:page/")
	if !found {
		return "", 0, false
	}
	id, n, found := strings.Cut(rest, "/revision/")
	rev, err := strconv.Atoi(n)
	return id, rev, found && err == nil && rev > 0
}

// exportRevision is the source revision translated now: the live one, else the latest.
func exportRevision(src Page) int {
	if src.Workflow.Live != nil {
		return src.Workflow.Live.Revision
	}
	return src.Workflow.Revision
}

// translationInto returns the translation of a source into loc, or found false.
func (s *Service) translationInto(ctx context.Context, sourceID, loc string) (Page, bool, error) {
	trs, err := s.store.Translations(ctx, sourceID)
	if err != nil {
		return Page{}, false, err
	}
	for _, t := range trs {
		if t.Translation != nil && t.Translation.Locale == loc {
			return t, true, nil
		}
	}
	return Page{}, false, nil
}

// ExportXLIFF returns the XLIFF 2.1 document of a source page's live (else latest)
// revision for translation into target: one unit per translatable field, with the text of
// the existing translation into target as the units' targets where it has the field.
func (s *Service) ExportXLIFF(ctx context.Context, sourceID, target string) ([]byte, error) {
	src, err := s.sourcePage(ctx, sourceID)
	if err != nil {
		return nil, err
	}
	loc, err := s.Locales.TranslationLocale("target", target)
	if err != nil {
		return nil, err
	}
	n := exportRevision(src)
	r, err := s.store.Revision(ctx, src.ID, n)
	if err != nil {
		return nil, err
	}
	var have *content.Content
	if t, found, err := s.translationInto(ctx, src.ID, loc); err != nil {
		return nil, err
	} else if found {
		full, err := s.store.PageByID(ctx, t.ID)
		if err != nil {
			return nil, err
		}
		have = &full.Content
	}
	return xliff.Encode(xliff.Document{SrcLang: s.Locales.Source(), TrgLang: loc, Original: xliffOriginal(src.ID, n),
		Units: xliff.Units(r.Content, have)})
}

// ImportXLIFF reads a translated XLIFF file into the translation of a source page into loc:
// a new revision of it (expectVersion must be its version), or, when there is none yet, a
// new translation at slug. The file must name the source revision translated now (live,
// else latest) and carry exactly its units with their source text and a target; otherwise
// nothing is written and the error (CodeXLIFFMismatch) names each unit. created reports a
// new translation.
func (s *Service) ImportXLIFF(ctx context.Context, actor cms.Principal, sourceID, loc string, expectVersion *int, slug string, data []byte) (p Page, created bool, err error) {
	src, err := s.sourcePage(ctx, sourceID)
	if err != nil {
		return Page{}, false, err
	}
	if loc, err = s.Locales.TranslationLocale("locale", loc); err != nil {
		return Page{}, false, err
	}
	doc, err := xliff.Decode(data)
	if err != nil {
		return Page{}, false, cms.InvalidField("body", err.Error())
	}
	var fields []cms.FieldError
	if tag, err := locale.Canonical(doc.TrgLang); err != nil || tag != loc {
		fields = append(fields, cms.FieldError{Field: "xliff.trgLang", Message: fmt.Sprintf("%q: the file must be a translation into %s", doc.TrgLang, loc)})
	}
	if tag, err := locale.Canonical(doc.SrcLang); err != nil || tag != s.Locales.Source() {
		fields = append(fields, cms.FieldError{Field: "xliff.srcLang", Message: fmt.Sprintf("%q: the source language is %s", doc.SrcLang, s.Locales.Source())})
	}
	want := exportRevision(src)
	if id, n, ok := parseOriginal(doc.Original); !ok || id != src.ID || n != want {
		fields = append(fields, cms.FieldError{Field: "xliff.file.original", Message: fmt.Sprintf(
			"%q: the file must be made from revision %d of this page (%s); export it again", doc.Original, want, xliffOriginal(src.ID, want))})
	}
	if len(fields) > 0 {
		return Page{}, false, &cms.Error{Code: CodeXLIFFMismatch, Message: "the file is not for the source revision translated now; nothing was written", Fields: fields}
	}
	base, err := s.store.Revision(ctx, src.ID, want)
	if err != nil {
		return Page{}, false, err
	}
	c, bad := xliff.Apply(base.Content, doc.Units)
	if len(bad) > 0 {
		for _, m := range bad {
			fields = append(fields, cms.FieldError{Field: m.Unit, Message: m.Problem})
		}
		return Page{}, false, &cms.Error{Code: CodeXLIFFMismatch, Message: fmt.Sprintf("%d units do not match source revision %d; nothing was written", len(bad), want), Fields: fields}
	}
	existing, found, err := s.translationInto(ctx, src.ID, loc)
	if err != nil {
		return Page{}, false, err
	}
	note := fmt.Sprintf("imported from XLIFF (source revision %d)", want)
	if !found {
		if slug == "" {
			return Page{}, false, cms.InvalidField("slug", "required to create the translation: give ?slug=")
		}
		p, err := s.CreateTranslation(ctx, actor, src.ID, loc, slug, c, want, note)
		return p, err == nil, err
	}
	if expectVersion == nil {
		return Page{}, false, cms.Errorf(cms.CodePreconditionRequired, "send If-Match with the translation's version, so nobody's changes are overwritten")
	}
	p, err = s.saveTranslation(ctx, actor, existing.ID, *expectVersion, base, &c, note)
	return p, false, err
}
