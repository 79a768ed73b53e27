package httpapi

import (
	"testing"
	"time"

	"github.com/monograph-cms/monograph/internal/auth"
	"github.com/monograph-cms/monograph/internal/authz"
	"github.com/monograph-cms/monograph/internal/cms"
)

// BenchmarkTokenAndPolicy is the per-request cost of access control on a management route
// before the handler runs: verifying the EdDSA access token and asking casbin. (Loading the
// user by id, the third step, is a store read and is measured with the store.)
func BenchmarkTokenAndPolicy(b *testing.B) {
	keys, err := auth.GenerateKeySet()
	if err != nil {
		b.Fatal(err)
	}
	issuer, err := auth.NewTokenIssuer(keys, "monograph", "monograph-manage", 15*time.Minute, cms.SystemClock{})
	if err != nil {
		b.Fatal(err)
	}
	token, _, err := issuer.IssueAccess("user-1", "session-1")
	if err != nil {
		b.Fatal(err)
	}
	enforcer, err := authz.New("", "")
	if err != nil {
		b.Fatal(err)
	}
	roles := []cms.Role{cms.RoleReviewer}
	approve := authz.Permission{Object: "page", Action: "approve"}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := issuer.VerifyAccess(token); err != nil {
			b.Fatal(err)
		}
		if !enforcer.Allowed(roles, approve) {
			b.Fatal("denied")
		}
	}
}

// BenchmarkPolicy is casbin's decision alone.
func BenchmarkPolicy(b *testing.B) {
	enforcer, err := authz.New("", "")
	if err != nil {
		b.Fatal(err)
	}
	roles := []cms.Role{cms.RoleWriter, cms.RoleReviewer}
	approve := authz.Permission{Object: "page", Action: "approve"}
	for b.Loop() {
		if !enforcer.Allowed(roles, approve) {
			b.Fatal("denied")
		}
	}
}
