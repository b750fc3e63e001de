// Package questionnaires embeds the questionnaire files (*.json at the top,
// one questionnaire each) and the catalogue (working groups, indicators).
package questionnaires

import (
	"embed"
	"io/fs"
)

//go:embed *.json
var files embed.FS

//go:embed catalogue/*.json
var catalogue embed.FS

// Files returns the embedded questionnaire files.
func Files() fs.FS { return files }

// Catalogue returns the embedded catalogue folder.
func Catalogue() fs.FS {
	sub, err := fs.Sub(catalogue, "catalogue")
	if err != nil {
		panic(err) // the folder is embedded at build time
	}
	return sub
}
