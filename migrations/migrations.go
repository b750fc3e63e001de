// Package migrations holds the database schema as numbered SQL files,
// embedded in the binary and applied by internal/postgres.
package migrations

import "embed"

// FS holds the migration files, named NNNNN_description.sql (goose format).
//
//go:embed *.sql
var FS embed.FS
