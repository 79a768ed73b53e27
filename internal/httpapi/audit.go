package httpapi

import (
	"github.com/gin-gonic/gin"

	"github.com/monograph-cms/monograph/internal/cms"
	"github.com/monograph-cms/monograph/internal/editorial"
)

// auditScope applies GET /manage/audit's scope parameter to f: "pages" (the default) lists
// pages' events, "accounts" the accounts chain (enrolment, logins, password and role
// changes), which has no page to filter by.
func auditScope(c *gin.Context, f *editorial.AuditFilter) error {
	switch c.Query("scope") {
	case "", "pages":
		return nil
	case "accounts":
		if f.PageID != "" {
			return cms.InvalidField("pageId", "account events belong to no page: leave pageId out with scope=accounts")
		}
		f.Accounts = true
		return nil
	default:
		return cms.InvalidField("scope", "pages or accounts")
	}
}
