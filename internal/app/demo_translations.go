package app

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"

	"github.com/monograph-cms/monograph/internal/auth"
	"github.com/monograph-cms/monograph/internal/cms"
	"github.com/monograph-cms/monograph/internal/content"
	"github.com/monograph-cms/monograph/internal/editorial"
	"github.com/monograph-cms/monograph/internal/strictjson"
)

// DemoTranslationReviewer is the demo's Spanish-speaking medical reviewer, who signs the
// Spanish translation of the ketamine page (docs/translations.md).
var DemoTranslationReviewer = DemoUser{"revisora@example.com", "Rocío Revisora", "MD", []cms.Role{cms.RoleReviewer}}

//go:embed samples/translations/*.json
var sampleTranslations embed.FS

// sampleTranslation is the shape of the files in samples/translations/.
type sampleTranslation struct {
	Source  string          `json:"source"` // the source page's slug
	Locale  string          `json:"locale"`
	Slug    string          `json:"slug"`
	Content content.Content `json:"content"`
}

// seedDemoTranslations creates the Spanish-speaking reviewer and publishes the sample
// translations through the real workflow (Walter translates and submits, Rocío signs,
// Eddie publishes) — in demo mode, when their locales are configured (--demo alone
// publishes in en and es).
func (a *App) seedDemoTranslations(ctx context.Context, users map[string]cms.Principal) error {
	locales := a.Config.LocaleSet()
	if !a.Config.Demo || !locales.Has("es") {
		return nil
	}
	d := DemoTranslationReviewer
	u, err := a.Auth.CreateUser(ctx, auth.NewUser{Email: d.Email, Name: d.Name, Password: DemoPassword, Roles: d.Roles,
		Credentials: d.Credentials, Languages: []string{locales.Source(), "es"}, OwnPassword: true})
	if err != nil {
		return fmt.Errorf("demo user %s: %w", d.Email, err)
	}
	reviewer := u.Principal()
	translator, editor := users["writer2@example.com"], users["editor@example.com"]
	files, err := fs.Glob(sampleTranslations, "samples/translations/*.json")
	if err != nil {
		return err
	}
	for _, name := range files {
		b, err := sampleTranslations.ReadFile(name)
		if err != nil {
			return err
		}
		var st sampleTranslation
		if err := strictjson.Decode(b, &st, ""); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		if !locales.Has(st.Locale) {
			continue
		}
		srcID, err := a.liveIDBySlug(ctx, st.Source)
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		p, err := a.Pages.CreateTranslation(ctx, translator, srcID, st.Locale, st.Slug, st.Content, 0, "the demo's translation")
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		if p, err = a.Pages.Submit(ctx, translator, p.ID, nil, "sample translation"); err != nil {
			return err
		}
		if p, err = a.Pages.Approve(ctx, reviewer, p.ID, nil, p.Workflow.Revision, DemoPassword, "demo sign-off of the translation"); err != nil {
			return err
		}
		if _, err = a.Pages.Publish(ctx, editor, p.ID, nil, nil); err != nil {
			return err
		}
		a.Log.Info("demo: published sample translation", "slug", st.Slug, "locale", st.Locale)
	}
	return nil
}

// errFound stops EachLivePage once the page is found.
var errFound = errors.New("found")

// liveIDBySlug returns the id of the live page with this slug.
func (a *App) liveIDBySlug(ctx context.Context, slug string) (string, error) {
	id := ""
	err := a.Store.EachLivePage(ctx, func(p editorial.LivePage) error {
		if p.Slug == slug && p.Live != nil {
			id = p.ID
			return errFound
		}
		return nil
	})
	if err != nil && !errors.Is(err, errFound) {
		return "", err
	}
	if id == "" {
		return "", fmt.Errorf("no live page %s to translate", slug)
	}
	return id, nil
}
