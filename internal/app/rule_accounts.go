package app

import (
	"context"

	"github.com/monograph-cms/monograph/internal/auth"
	"github.com/monograph-cms/monograph/internal/authz"
	"github.com/monograph-cms/monograph/internal/cms"
)

// ruleAccounts answers the editorial rules' questions about users from the account store
// and the authorization policy, so "who may publish" is written once, in policies/.
type ruleAccounts struct {
	auth     *auth.Service
	enforcer *authz.Enforcer
}

func newRuleAccounts(cfg Config, a *auth.Service) (ruleAccounts, error) {
	enforcer, err := authz.New(cfg.CasbinModel, cfg.CasbinPolicy)
	if err != nil {
		return ruleAccounts{}, err
	}
	return ruleAccounts{auth: a, enforcer: enforcer}, nil
}

func (r ruleAccounts) Account(ctx context.Context, userID string) ([]cms.Role, bool, bool, error) {
	u, err := r.auth.GetUser(ctx, userID)
	if cms.IsCode(err, cms.CodeNotFound) {
		return nil, false, false, nil
	}
	if err != nil {
		return nil, false, false, err
	}
	return u.Roles, !u.Disabled, true, nil
}

func (r ruleAccounts) MayPublish(roles []cms.Role) bool {
	return r.enforcer.Allowed(roles, authz.Permission{Object: "page", Action: "publish"})
}
