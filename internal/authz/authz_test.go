package authz

import (
	"testing"

	"github.com/monograph-cms/monograph/internal/cms"
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
