//go:build webadmin

// Package webadmin holds the built web admin (the Vite output in dist/), embedded into the
// binary when it is built with -tags webadmin. Build the SPA first: npm ci && npm run build.
package webadmin

import (
	"embed"
	"io/fs"
)

//go:embed all:dist
var dist embed.FS

// FS returns the built single-page app, rooted at dist/ (index.html at its top).
func FS() fs.FS {
	sub, err := fs.Sub(dist, "dist")
	if err != nil {
		panic(err) // cannot happen: "dist" is a valid path embedded above
	}
	return sub
}
