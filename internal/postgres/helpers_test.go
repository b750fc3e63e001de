package postgres_test

import (
	"io/fs"
	"log/slog"
	"testing"

	"github.com/cosp-ict/irm/migrations"
)

func migrationsFS() fs.FS   { return migrations.FS }
func discard() *slog.Logger { return slog.New(slog.DiscardHandler) }
func migrationCount(t *testing.T) int {
	names, err := fs.Glob(migrations.FS, "*.sql")
	if err != nil {
		t.Fatal(err)
	}
	return len(names)
}
