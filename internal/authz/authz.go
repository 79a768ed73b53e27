// Package authz decides whether a role may perform an action, with casbin over the model and
// policy in policies/. It is the only importer of casbin.
package authz

import (
	"fmt"
	"os"
	"strings"

	"github.com/casbin/casbin/v2"
	stringadapter "github.com/casbin/casbin/v2/persist/string-adapter"

	"github.com/monograph-cms/monograph/internal/cms"
	"github.com/monograph-cms/monograph/policies"
)

// Permission is one (object, action) pair of the policy, e.g. {"page", "approve"}.
type Permission struct {
	Object string
	Action string
}

// String returns "object:action".
func (p Permission) String() string { return p.Object + ":" + p.Action }

// Enforcer answers permission questions. It is built once at start and only read after,
// so casbin's decision cache (keyed by role, object, action) never goes stale.
type Enforcer struct {
	e *casbin.SyncedCachedEnforcer
}

// New builds the enforcer from the model and policy files at the given paths, or from the
// embedded defaults where a path is empty. It refuses files that would leave the server
// silently denying (or allowing) what the policy says: a model lacking a section or whose
// decisions do not follow the policy lines, a policy line that is malformed or names an
// unknown role, object or action, an empty or truncated policy. The error names the file,
// the lines and what to do.
func New(modelPath, policyPath string) (*Enforcer, error) {
	modelText, policyText := policies.Model, policies.Policy
	modelFile, policyFile := "policies/model.conf (built in)", "policies/policy.csv (built in)"
	if modelPath != "" {
		b, err := os.ReadFile(modelPath)
		if err != nil {
			return nil, fmt.Errorf("read casbin model: %w (fix --casbin-model, or leave it empty for the built-in model)", err)
		}
		modelText, modelFile = string(b), modelPath
	}
	if policyPath != "" {
		b, err := os.ReadFile(policyPath)
		if err != nil {
			return nil, fmt.Errorf("read casbin policy: %w (fix --casbin-policy, or leave it empty for the built-in policy)", err)
		}
		policyText, policyFile = string(b), policyPath
	}
	m, err := parseModel(modelFile, modelText)
	if err != nil {
		return nil, err
	}
	rules, err := parsePolicy(policyFile, policyText)
	if err != nil {
		return nil, err
	}
	// casbin is given the lines as checked, one canonical line per rule.
	var b strings.Builder
	for _, r := range rules {
		fmt.Fprintf(&b, "p, %s, %s, %s\n", r.role, r.perm.Object, r.perm.Action)
	}
	e, err := casbin.NewSyncedCachedEnforcer(m, stringadapter.NewAdapter(b.String()))
	if err != nil {
		return nil, fmt.Errorf("casbin policy %s: %w", policyFile, err)
	}
	if err := checkDecisions(e, rules, modelFile, policyFile); err != nil {
		return nil, err
	}
	return &Enforcer{e: e}, nil
}

// Allowed reports whether any of the roles grants the permission. It fails closed: an
// enforcement error denies.
func (e *Enforcer) Allowed(roles []cms.Role, p Permission) bool {
	for _, r := range roles {
		ok, err := e.e.Enforce(string(r), p.Object, p.Action)
		if err == nil && ok {
			return true
		}
	}
	return false
}
