// Package authz decides whether a role may perform an action, with casbin over the model and
// policy in policies/. It is the only importer of casbin.
package authz

import (
	"fmt"
	"os"
	"strings"

	"github.com/casbin/casbin/v2"
	"github.com/casbin/casbin/v2/model"
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
// embedded defaults where a path is empty.
func New(modelPath, policyPath string) (*Enforcer, error) {
	modelText, policyText := policies.Model, policies.Policy
	if modelPath != "" {
		b, err := os.ReadFile(modelPath)
		if err != nil {
			return nil, fmt.Errorf("read casbin model: %w", err)
		}
		modelText = string(b)
	}
	if policyPath != "" {
		b, err := os.ReadFile(policyPath)
		if err != nil {
			return nil, fmt.Errorf("read casbin policy: %w", err)
		}
		policyText = string(b)
	}
	m, err := model.NewModelFromString(modelText)
	if err != nil {
		return nil, fmt.Errorf("casbin model: %w", err)
	}
	e, err := casbin.NewSyncedCachedEnforcer(m, stringadapter.NewAdapter(stripComments(policyText)))
	if err != nil {
		return nil, fmt.Errorf("casbin policy: %w", err)
	}
	return &Enforcer{e: e}, nil
}

// stripComments removes comment and blank lines, which the string adapter does not skip.
func stripComments(policy string) string {
	var b strings.Builder
	for _, line := range strings.Split(policy, "\n") {
		t := strings.TrimSpace(line)
		if t == "" || strings.HasPrefix(t, "#") {
			continue
		}
		b.WriteString(t)
		b.WriteByte('\n')
	}
	return b.String()
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
