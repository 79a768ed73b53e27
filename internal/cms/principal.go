package cms

import (
	"slices"
	"time"
)

// Role is one of the fixed editorial roles.
type Role string

// The roles. A user may hold several.
const (
	RoleWriter   Role = "writer"
	RoleReviewer Role = "reviewer"
	RoleEditor   Role = "editor"
	RoleAdmin    Role = "admin"
)

// AllRoles lists every role, in a stable order.
var AllRoles = []Role{RoleWriter, RoleReviewer, RoleEditor, RoleAdmin}

// ValidRole reports whether r is a known role.
func ValidRole(r Role) bool { return slices.Contains(AllRoles, r) }

// Principal is the authenticated caller of a management request, as loaded from the store on
// that request (so a disabled user or a role change takes effect at once).
type Principal struct {
	UserID      string
	Email       string
	Name        string
	Credentials string
	Roles       []Role
	// RequestID is the id of the request acting (X-Request-Id), carried into the audit
	// events it causes; empty for the scheduler and the command line.
	RequestID string
}

// Has reports whether the principal holds role r.
func (p Principal) Has(r Role) bool { return slices.Contains(p.Roles, r) }

// Clock tells the time. Production uses SystemClock; tests inject a controllable one.
type Clock interface {
	Now() time.Time
}

// SystemClock is the real clock, in UTC.
type SystemClock struct{}

// Now returns the current UTC time, truncated to the millisecond: that is what BSON stores,
// so a time read back from the store equals the time that was hashed or compared.
func (SystemClock) Now() time.Time { return time.Now().UTC().Truncate(time.Millisecond) }
