package authz

import (
	"encoding/csv"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/casbin/casbin/v2"
	"github.com/casbin/casbin/v2/model"

	"github.com/monograph-cms/monograph/internal/cms"
)

// Casbin reads policy lines leniently: a line it cannot parse, a misspelt role or action,
// a truncated file, all load without complaint, and the server then answers 403 to
// requests the policy meant to allow, with nothing in the log. So New checks the files
// itself, line by line, and refuses to start with every problem found.

// maxProblems bounds how many problems one error lists; the rest are counted.
const maxProblems = 10

// problems collects what is wrong with one file.
type problems struct {
	file string // the path, or the embedded default's name
	list []string
}

func (p *problems) add(format string, args ...any) {
	p.list = append(p.list, fmt.Sprintf(format, args...))
}

// err returns nil or one error naming the file and listing the problems, then advice.
func (p *problems) err(kind, advice string) error {
	if len(p.list) == 0 {
		return nil
	}
	var b strings.Builder
	fmt.Fprintf(&b, "casbin %s %s is unusable:", kind, p.file)
	for i, s := range p.list {
		if i == maxProblems {
			fmt.Fprintf(&b, "\n  … and %d more", len(p.list)-maxProblems)
			break
		}
		b.WriteString("\n  ")
		b.WriteString(s)
	}
	b.WriteString("\n")
	b.WriteString(advice)
	return errors.New(b.String())
}

// rule is one permission line of the policy.
type rule struct {
	line int
	role cms.Role
	perm Permission
}

// parsePolicy reads policy text as casbin's file adapter would (one CSV record per line,
// blank lines and lines starting with # skipped) and checks every line: exactly
// "p, role, object, action", a known role, a permission the server checks, no repeats. It
// also checks the policy as a whole: not empty, every role granted something, every
// permission granted to some role.
func parsePolicy(file, text string) ([]rule, error) {
	pr := &problems{file: file}
	var rules []rule
	seen := map[rule]int{} // by role and permission (line zeroed) → first line
	for i, raw := range strings.Split(text, "\n") {
		n := i + 1
		line := strings.TrimSpace(raw)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		r := csv.NewReader(strings.NewReader(line))
		r.TrimLeadingSpace = true
		fields, err := r.Read()
		if err != nil {
			pr.add("line %d: cannot be read as comma-separated values (%v)", n, err)
			continue
		}
		switch fields[0] {
		case "p":
		case "g", "g2":
			pr.add("line %d: role inheritance (%s lines) is not used: an admin is not a reviewer; grant each role its permissions with \"p, role, object, action\" lines", n, fields[0])
			continue
		default:
			pr.add("line %d: %q is neither a permission line \"p, role, object, action\" nor a # comment", n, line)
			continue
		}
		if len(fields) != 4 {
			pr.add("line %d: a permission line has 4 fields, \"p, role, object, action\"; this one has %d (is the line cut short?)", n, len(fields))
			continue
		}
		role, object, action := cms.Role(fields[1]), fields[2], fields[3]
		switch {
		case !cms.ValidRole(role):
			pr.add("line %d: unknown role %q; the roles are %s", n, role, roleNames())
		case !knownObject(object):
			pr.add("line %d: unknown object %q; the server checks the objects %s", n, object, objectNames())
		case !slices.Contains(Known, Permission{object, action}):
			pr.add("line %d: unknown action %q on %q; the server checks the actions %s on it", n, action, object, actionNames(object))
		default:
			key := rule{role: role, perm: Permission{object, action}}
			if first, dup := seen[key]; dup {
				pr.add("line %d: repeats line %d (%s %s)", n, first, role, key.perm)
				continue
			}
			seen[key] = n
			rules = append(rules, rule{line: n, role: role, perm: key.perm})
		}
	}
	if len(pr.list) == 0 {
		if len(rules) == 0 {
			pr.add("it grants no permission at all (an empty or truncated file)")
		}
		for _, role := range cms.AllRoles {
			if !slices.ContainsFunc(rules, func(r rule) bool { return r.role == role }) {
				pr.add("role %s has no permission: a user with only that role could do nothing (is the file truncated?)", role)
			}
		}
		// A permission no role holds makes its routes unusable by anyone, which is what a
		// file cut short looks like; the editorial workflow needs every one of them.
		for _, p := range Known {
			if !slices.ContainsFunc(rules, func(r rule) bool { return r.perm == p }) {
				pr.add("no role is granted %s (is the file truncated?); grant it to at least one role", p)
			}
		}
	}
	return rules, pr.err("policy", "Fix these lines, or start again from the policy shipped in policies/policy.csv (leave --casbin-policy empty to use it as built in).")
}

func roleNames() string {
	names := make([]string, len(cms.AllRoles))
	for i, r := range cms.AllRoles {
		names[i] = string(r)
	}
	return strings.Join(names, ", ")
}

const modelAdvice = "Start again from the model shipped in policies/model.conf (leave --casbin-model empty to use it as built in)."

// parseModel parses the model and checks it has the sections Monograph's requests need:
// [request_definition] r and [policy_definition] p of three fields (sub, obj, act),
// [role_definition] g, [policy_effect] e and [matchers] m.
func parseModel(file, text string) (model.Model, error) {
	pr := &problems{file: file}
	m, err := model.NewModelFromString(text)
	if err != nil {
		pr.add("%v", err)
		return nil, pr.err("model", modelAdvice)
	}
	for _, s := range []struct{ sec, key, name string }{
		{"r", "r", "request_definition"},
		{"p", "p", "policy_definition"},
		{"g", "g", "role_definition"},
		{"e", "e", "policy_effect"},
		{"m", "m", "matchers"},
	} {
		a, ok := m[s.sec][s.key]
		switch {
		case !ok || a == nil || strings.TrimSpace(a.Value) == "":
			pr.add("missing section [%s] with its line \"%s = …\"", s.name, s.key)
		case (s.sec == "r" || s.sec == "p") && len(a.Tokens) != 3:
			pr.add("[%s] %s = %s: Monograph asks with three fields, \"%s = sub, obj, act\"", s.name, s.key, a.Value, s.key)
		}
	}
	return m, pr.err("model", modelAdvice)
}

// checkDecisions asks the enforcer about every known role and permission and compares its
// answer with the policy lines: a model whose matcher or effect is wrong (denies everything,
// allows everything, fails at run time) is found here, at start, not by users.
func checkDecisions(e *casbin.SyncedCachedEnforcer, rules []rule, modelFile, policyFile string) error {
	pr := &problems{file: modelFile}
	granted := map[rule]int{}
	for _, r := range rules {
		granted[rule{role: r.role, perm: r.perm}] = r.line
	}
	failed := false // an error repeats for every question: reported once
	ask := func(role, obj, act string, want bool, why string) {
		if failed {
			return
		}
		got, err := e.Enforce(role, obj, act)
		switch {
		case err != nil:
			failed = true
			pr.add("deciding %q %s:%s fails: %v", role, obj, act, err)
		case got != want && want:
			pr.add("denies %s %s:%s, which %s grants", role, obj, act, why)
		case got != want:
			pr.add("allows %s, which %s", fmt.Sprintf("%q %s:%s", role, obj, act), why)
		}
	}
	for _, role := range cms.AllRoles {
		for _, p := range Known {
			line, ok := granted[rule{role: role, perm: p}]
			if ok {
				ask(string(role), p.Object, p.Action, true, fmt.Sprintf("%s line %d", policyFile, line))
			} else {
				ask(string(role), p.Object, p.Action, false, "no policy line grants")
			}
		}
	}
	ask("", "page", "read", false, "no policy line grants")
	ask("nobody", "page", "read", false, "no policy line grants")
	ask(string(cms.RoleAdmin), "page", "no-such-action", false, "no policy line grants")
	return pr.err("model", "Its [matchers] or [policy_effect] do not decide by the policy lines. "+modelAdvice)
}
