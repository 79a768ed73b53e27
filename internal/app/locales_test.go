package app

import (
	"context"
	"strings"
	"testing"
)

func TestLocalesSetting(t *testing.T) {
	c := DefaultConfig()
	if got := c.LocaleSet().String(); got != "en" {
		t.Fatalf("default %q", got)
	}
	c.Demo = true
	if got := c.LocaleSet().String(); got != "en,es" {
		t.Fatalf("demo %q", got)
	}
	c.Locales = "cy,en"
	if got := c.LocaleSet(); got.Source() != "cy" || got.String() != "cy,en" {
		t.Fatalf("configured %q", got.String())
	}
	c.Demo = false
	c.Locales = "en,xx-!!"
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "--locales") {
		t.Fatalf("Validate: %v", err)
	}
}

// `monograph users add --languages` sets the languages a user signs in, checked against
// --locales like the API's.
func TestUsersAddLanguages(t *testing.T) {
	dir := t.TempDir()
	env := func(string) string { return "" }
	var out, errs strings.Builder
	args := []string{"--data", dir, "--locales", "en,es", "--email", "rocio@example.org", "--name", "Rocío", "--roles", "reviewer", "--languages", "es, en", "--own"}
	if err := runUsersAdd(t.Context(), args, strings.NewReader("a-long-enough-password\n"), &out, &errs, env); err != nil {
		t.Fatalf("users add: %v\n%s", err, errs.String())
	}
	bad := []string{"--data", dir, "--locales", "en,es", "--email", "x@example.org", "--name", "X", "--roles", "reviewer", "--languages", "fr", "--own"}
	if err := runUsersAdd(t.Context(), bad, strings.NewReader("a-long-enough-password\n"), &out, &errs, env); err == nil || !strings.Contains(err.Error(), "languages[0]") {
		t.Fatalf("fr accepted: %v", err)
	}
	cfg := DefaultConfig()
	cfg.DataDir, cfg.Locales, cfg.LogLevel = dir, "en,es", "error"
	a, err := Open(t.Context(), cfg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close(context.Background())
	u, err := a.Store.UserByEmail(t.Context(), "rocio@example.org")
	if err != nil || strings.Join(u.Languages, ",") != "en,es" {
		t.Fatalf("languages %v %v", u.Languages, err)
	}
}
