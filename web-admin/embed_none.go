//go:build !webadmin

// Package webadmin holds the built web admin when the binary is built with -tags webadmin.
// Without that tag (plain go build / go test) there is nothing embedded and FS returns nil:
// the server then answers /admin/ with a note that the admin was not built.
package webadmin

import "io/fs"

// FS returns nil: this binary was built without the web admin.
func FS() fs.FS { return nil }
