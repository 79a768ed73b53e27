package authz

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/monograph-cms/monograph/internal/cms"
	"github.com/monograph-cms/monograph/policies"
)

func TestPolicyDecisions(t *testing.T) {
	e, err := New("", "")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		role cms.Role
		perm Permission
		want bool
	}{
		{cms.RoleWriter, Permission{"page", "save"}, true},
		{cms.RoleWriter, Permission{"page", "approve"}, false},
		{cms.RoleWriter, Permission{"page", "publish"}, false},
		{cms.RoleReviewer, Permission{"page", "approve"}, true},
		{cms.RoleReviewer, Permission{"page", "publish"}, false},
		{cms.RoleEditor, Permission{"page", "approve"}, false},
		{cms.RoleEditor, Permission{"page", "publish"}, true},
		{cms.RoleAdmin, Permission{"page", "approve"}, false},
		{cms.RoleAdmin, Permission{"user", "manage"}, true},
		{cms.RoleEditor, Permission{"user", "manage"}, false},
		{cms.Role("root"), Permission{"page", "read"}, false},
		{cms.RoleAdmin, Permission{"page", "unknown"}, false},
	}
	for _, tc := range tests {
		t.Run(string(tc.role)+"/"+tc.perm.String(), func(t *testing.T) {
			if got := e.Allowed([]cms.Role{tc.role}, tc.perm); got != tc.want {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
		})
	}
	if e.Allowed(nil, Permission{"page", "read"}) {
		t.Fatal("no roles must deny")
	}
}

// TestShippedPoliciesLoad: the model and policy in policies/ pass New's checks, embedded and
// read from their files.
func TestShippedPoliciesLoad(t *testing.T) {
	if _, err := New("", ""); err != nil {
		t.Fatalf("built-in policy refused: %v", err)
	}
	if _, err := New("../../policies/model.conf", "../../policies/policy.csv"); err != nil {
		t.Fatalf("policies/ files refused: %v", err)
	}
	crlf := writeFile(t, "crlf.csv", strings.ReplaceAll(policies.Policy, "\n", "\r\n"))
	if _, err := New("", crlf); err != nil {
		t.Fatalf("the policy with CRLF line ends refused: %v", err)
	}
}

func writeFile(t *testing.T, name, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestBrokenPoliciesRefused: a policy casbin would load while denying what it means to
// allow is refused at start, with an error naming the file, the line and the problem.
func TestBrokenPoliciesRefused(t *testing.T) {
	shipped := policies.Policy
	lines := strings.Split(shipped, "\n")
	// The shipped policy cut after its writers' section, and cut inside its last line.
	writersOnly := shipped[:strings.Index(shipped, "# Medical reviewers")]
	last := strings.TrimRight(shipped, "\n")
	cutLastLine := last[:len(last)-3]
	lastLine := len(strings.Split(last, "\n"))
	// What is left of the last line's action once cut (whatever line the policy ends with).
	lastFields := strings.Split(last[strings.LastIndex(last, "\n")+1:], ", ")
	cutAction := lastFields[len(lastFields)-1]
	cutAction = cutAction[:len(cutAction)-3]
	withoutRole := func(role string) string {
		var keep []string
		for _, l := range lines {
			if !strings.HasPrefix(l, "p, "+role+",") {
				keep = append(keep, l)
			}
		}
		return strings.Join(keep, "\n")
	}
	tests := []struct {
		name   string
		policy string
		want   []string // each must appear in the error
	}{
		{"empty file", "", []string{"grants no permission"}},
		{"only comments", "# role, object, action\n\n# nothing yet\n", []string{"grants no permission"}},
		{"truncated after the writers", writersOnly, []string{"no role is granted page:approve", "no role is granted user:manage", "truncated"}},
		{"a role left out", withoutRole("reviewer"), []string{"role reviewer has no permission"}},
		{"truncated inside the last line", cutLastLine, []string{fmt.Sprintf("line %d", lastLine), fmt.Sprintf("unknown action %q", cutAction)}},
		{"truncated to three fields", shipped + "p, admin, webh", []string{fmt.Sprintf("line %d", len(lines)), "4 fields"}},
		{"unknown role", shipped + "p, superuser, page, read\n", []string{fmt.Sprintf("line %d", len(lines)), `unknown role "superuser"`, "writer, reviewer, editor, admin"}},
		{"role in capitals", "p, Writer, page, read\n", []string{"line 1", `unknown role "Writer"`}},
		{"typo in an action", strings.Replace(shipped, "p, reviewer, page, approve", "p, reviewer, page, aprove", 1), []string{`unknown action "aprove" on "page"`, "approve"}},
		{"typo in an object", strings.Replace(shipped, "p, writer, page, read", "p, writer, pages, read", 1), []string{`unknown object "pages"`}},
		{"space inside a field", strings.Replace(shipped, "p, writer, page, save", "p, writer , page, save", 1), []string{`unknown role "writer "`}},
		{"comment after a rule", strings.Replace(shipped, "p, writer, page, save", "p, writer, page, save # drafts", 1), []string{`unknown action "save # drafts"`}},
		{"role inheritance", shipped + "g, admin, editor\n", []string{"role inheritance"}},
		{"not a rule", shipped + "writer, page, read\n", []string{"neither a permission line"}},
		{"five fields", shipped + "p, writer, page, read, allow\n", []string{"4 fields", "has 5"}},
		{"unbalanced quote", shipped + "p, \"writer, page, read\n", []string{"comma-separated"}},
		{"repeated line", shipped + "p, writer, page, read\n", []string{"repeats line"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := writeFile(t, "policy.csv", tc.policy)
			e, err := New("", path)
			if err == nil {
				t.Fatalf("New accepted the policy (%v)", e)
			}
			for _, w := range append(tc.want, path, "policies/policy.csv") {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%v", w, err)
				}
			}
		})
	}
	if _, err := New("", filepath.Join(t.TempDir(), "missing.csv")); err == nil || !strings.Contains(err.Error(), "--casbin-policy") {
		t.Fatalf("a missing policy file: %v", err)
	}
}

// TestBrokenModelsRefused: a model lacking a section, or whose matcher or effect does not
// decide by the policy lines, is refused at start.
func TestBrokenModelsRefused(t *testing.T) {
	shipped := policies.Model
	without := func(section string) string {
		i := strings.Index(shipped, "["+section+"]")
		j := strings.Index(shipped[i+1:], "[")
		if j < 0 {
			return shipped[:i]
		}
		return shipped[:i] + shipped[i+1+j:]
	}
	withMatcher := func(m string) string {
		return strings.Replace(shipped, "m = g(r.sub, p.sub) && r.obj == p.obj && r.act == p.act", m, 1)
	}
	tests := []struct {
		name  string
		model string
		want  []string
	}{
		{"empty file", "", []string{"missing"}},
		{"no request_definition", without("request_definition"), []string{"request_definition"}},
		{"no policy_definition", without("policy_definition"), []string{"policy_definition"}},
		{"no role_definition", without("role_definition"), []string{"[role_definition]"}},
		{"no policy_effect", without("policy_effect"), []string{"policy_effect"}},
		{"no matchers", without("matchers"), []string{"matchers"}},
		{"truncated inside the matcher", shipped[:strings.Index(shipped, "r.act == p.act")], []string{"model"}},
		{"two request fields", strings.Replace(shipped, "r = sub, obj, act", "r = sub, obj", 1), []string{"r = sub, obj, act"}},
		{"matcher compares the wrong fields", withMatcher("m = g(r.sub, p.sub) && r.obj == p.obj && r.act == p.obj"), []string{"denies writer page:read", "line"}},
		{"matcher allows everything", withMatcher("m = true"), []string{"allows"}},
		{"matcher ignores the role", withMatcher("m = r.obj == p.obj && r.act == p.act"), []string{`allows "writer" page:approve`}},
		{"effect inverted", strings.Replace(shipped, "e = some(where (p.eft == allow))", "e = !some(where (p.eft == deny))", 1), []string{"allows"}},
		{"unknown function", withMatcher("m = h(r.sub, p.sub) && r.obj == p.obj && r.act == p.act"), []string{"model"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := writeFile(t, "model.conf", tc.model)
			e, err := New(path, "")
			if err == nil {
				t.Fatalf("New accepted the model (%v)", e)
			}
			for _, w := range append(tc.want, path, "policies/model.conf") {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%v", w, err)
				}
			}
		})
	}
}

// TestKnownMatchesRoutes: Known is exactly the set of permissions the HTTP routes check, as
// the OpenAPI document states them (internal/httpapi's tests hold the document to the
// routes). A route with a permission missing from Known could never be granted.
func TestKnownMatchesRoutes(t *testing.T) {
	b, err := os.ReadFile("../httpapi/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	used := map[string]bool{}
	for path, ops := range doc.Paths {
		for method, raw := range ops {
			var op struct {
				Permission string `json:"x-permission"`
			}
			if json.Unmarshal(raw, &op) != nil || op.Permission == "" {
				continue
			}
			used[op.Permission] = true
			obj, act, _ := strings.Cut(op.Permission, ":")
			if !slices.Contains(Known, Permission{obj, act}) {
				t.Errorf("%s %s checks %s, which authz.Known lacks: no policy could grant it", method, path, op.Permission)
			}
		}
	}
	for _, p := range Known {
		if !used[p.String()] {
			t.Errorf("authz.Known lists %s, which no route checks", p)
		}
	}
}
