package app

import (
	"context"
	"embed"
	"fmt"
	"io/fs"

	"github.com/monograph-cms/monograph/internal/auth"
	"github.com/monograph-cms/monograph/internal/cms"
	"github.com/monograph-cms/monograph/internal/content"
	"github.com/monograph-cms/monograph/internal/strictjson"
)

// DemoPassword is the password of every demo user. Demo mode listens on loopback only.
const DemoPassword = "monograph-demo"

// DemoUser is one of the accounts `serve --demo` creates on first start.
type DemoUser struct {
	Email, Name, Credentials string
	Roles                    []cms.Role
}

// DemoUsers are the demo accounts, printed at start and listed in the README. No account is
// both admin and reviewer: whoever manages accounts cannot sign.
var DemoUsers = []DemoUser{
	{"admin@example.com", "Ada Admin", "", []cms.Role{cms.RoleAdmin}},
	{"writer@example.com", "Wendy Writer", "", []cms.Role{cms.RoleWriter}},
	{"writer2@example.com", "Walter Writer", "", []cms.Role{cms.RoleWriter}},
	{"reviewer@example.com", "Rosa Reviewer", "MD", []cms.Role{cms.RoleReviewer}},
	{"reviewer2@example.com", "Ravi Reviewer", "PharmD", []cms.Role{cms.RoleReviewer}},
	{"editor@example.com", "Eddie Editor", "", []cms.Role{cms.RoleEditor}},
}

//go:embed samples/*.json
var samples embed.FS

// samplePage is the shape of the files in samples/.
type samplePage struct {
	Slug    string          `json:"slug"`
	Content content.Content `json:"content"`
}

// SeedDemo creates the demo users and publishes the sample pages through the real workflow
// (writer drafts and submits, reviewer signs, editor publishes), once: it does nothing when
// users exist already.
func (a *App) SeedDemo(ctx context.Context) error {
	n, err := a.Store.CountUsers(ctx)
	if err != nil || n > 0 {
		return err
	}
	users := map[string]cms.Principal{}
	for _, d := range DemoUsers {
		// The demo password counts as each demo person's own, so the demo reviewers sign.
		u, err := a.Auth.CreateUser(ctx, auth.NewUser{Email: d.Email, Name: d.Name, Password: DemoPassword, Roles: d.Roles,
			Credentials: d.Credentials, OwnPassword: true})
		if err != nil {
			return fmt.Errorf("demo user %s: %w", d.Email, err)
		}
		users[d.Email] = u.Principal()
	}
	files, err := fs.Glob(samples, "samples/*.json")
	if err != nil {
		return err
	}
	for _, name := range files {
		b, err := samples.ReadFile(name)
		if err != nil {
			return err
		}
		var sp samplePage
		if err := strictjson.Decode(b, &sp, ""); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		if err := a.publishSample(ctx, sp, users); err != nil {
			return fmt.Errorf("sample %s: %w", name, err)
		}
		a.Log.Info("demo: published sample page", "slug", sp.Slug)
	}
	return a.seedDemoTranslations(ctx, users)
}

func (a *App) publishSample(ctx context.Context, sp samplePage, users map[string]cms.Principal) error {
	writer, reviewer, editor := users["writer@example.com"], users["reviewer@example.com"], users["editor@example.com"]
	if err := a.attachSampleImages(ctx, &sp, writer); err != nil { // demo_media.go
		return err
	}
	p, err := a.Pages.Create(ctx, writer, sp.Slug, sp.Content, "imported from the sample")
	if err != nil {
		return err
	}
	if p, err = a.Pages.Submit(ctx, writer, p.ID, nil, "sample page"); err != nil {
		return err
	}
	if p, err = a.Pages.Approve(ctx, reviewer, p.ID, nil, p.Workflow.Revision, DemoPassword, "demo sign-off"); err != nil {
		return err
	}
	_, err = a.Pages.Publish(ctx, editor, p.ID, nil, nil)
	return err
}
