package authz

import (
	"slices"
	"strings"
)

// Known lists every permission the server checks: each management route is registered with
// one of them (internal/httpapi, whose OpenAPI document names it as x-permission), and the
// editorial rules ask for page:publish. A policy line naming anything else can never take
// effect, so New refuses it as the typo it almost certainly is; a route with a new
// permission needs its entry here (authz_test.go checks the two agree).
var Known = []Permission{
	{"self", "read"},
	{"self", "update"},
	{"render", "use"},
	{"page", "read"},
	{"page", "create"},
	{"page", "save"},
	{"page", "settings"},
	{"page", "submit"},
	{"page", "request_changes"},
	{"page", "approve"},
	{"page", "publish"},
	{"page", "unpublish"},
	{"page", "cancel_schedule"},
	{"page", "preview"},
	{"page", "audit"},
	{"audit", "read"},
	{"review", "moderate"},
	{"user", "manage"},
	{"webhook", "manage"},
	{"media", "read"},
	{"media", "write"},
	{"media", "delete"},
	{"notification", "read"},
	{"notification", "update"},
}

// knownObject reports whether any known permission is on object.
func knownObject(object string) bool {
	return slices.ContainsFunc(Known, func(p Permission) bool { return p.Object == object })
}

// objectNames lists the known objects, for messages.
func objectNames() string {
	var names []string
	for _, p := range Known {
		if !slices.Contains(names, p.Object) {
			names = append(names, p.Object)
		}
	}
	return strings.Join(names, ", ")
}

// actionNames lists the known actions on object, for messages.
func actionNames(object string) string {
	var names []string
	for _, p := range Known {
		if p.Object == object {
			names = append(names, p.Action)
		}
	}
	return strings.Join(names, ", ")
}
