// Package frontend embeds the built web app (frontend/dist, produced by
// `npm run build`) so that one binary serves both the API and the app.
package frontend

import (
	"embed"
	"io/fs"
)

//go:embed all:dist
var dist embed.FS

// Dist returns the built app's files, rooted at dist/. It holds only a
// placeholder until the app is built; the server then says so.
func Dist() fs.FS {
	sub, err := fs.Sub(dist, "dist")
	if err != nil {
		panic(err) // dist is embedded at compile time; it always exists
	}
	return sub
}
