package app

import (
	"context"
	"strings"

	"github.com/monograph-cms/monograph/internal/locale"
)

// LocaleSet returns the configured locales (Validate has checked them). The demo, which
// ships a Spanish translation, publishes in English and Spanish unless told otherwise.
func (c *Config) LocaleSet() locale.Set {
	list := c.Locales
	if list == "" && c.Demo {
		list = "en,es"
	}
	s, err := locale.Parse(list)
	if err != nil {
		return locale.Set{}
	}
	return s
}

// Languages tells the editorial rules which languages a user signs in (the translations'
// language rule).
func (r ruleAccounts) Languages(ctx context.Context, userID string) ([]string, error) {
	return r.auth.Languages(ctx, userID)
}

// splitList reads a comma-separated flag value, dropping empty items.
func splitList(s string) []string {
	var out []string
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}
