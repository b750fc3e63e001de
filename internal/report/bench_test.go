package report_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/cosp-ict/irm/internal/aggregate"
	"github.com/cosp-ict/irm/internal/demo"
	"github.com/cosp-ict/irm/internal/postgres"
	"github.com/cosp-ict/irm/internal/postgres/pgtest"
	"github.com/cosp-ict/irm/internal/questionnaire"
	"github.com/cosp-ict/irm/internal/report"
	"github.com/cosp-ict/irm/internal/state"
	"github.com/cosp-ict/irm/internal/statistics"
	"github.com/cosp-ict/irm/internal/submission"
	"github.com/cosp-ict/irm/migrations"
	"github.com/cosp-ict/irm/questionnaires"
)

// BenchmarkCycleSynthesis193 renders the whole Conference's synthesis of
// implementation-v1 at the scale of "irm seed": 193 Member States
// Parties, ten cycles of submissions in every status, ten years of
// statistics with their breakdowns. It uses the database internal/app's
// aggregates benchmark keeps on the test server (same name, same digest,
// same advisory lock), seeding it with "irm seed" when it is missing —
// a quarter of an hour, once. Compressed as in production, read as the
// service's login. It reports the PDF's size and pages and the peak heap
// during the renders (sampled every millisecond), in English, Arabic and
// Chinese. Target: under 2 s and 200 MiB in each.
func BenchmarkCycleSynthesis193(b *testing.B) {
	ctx := context.Background()
	dbURL, err := seededDatabase(ctx)
	if err != nil {
		b.Fatalf("seeded database: %v", err)
	}
	app, err := pgxpool.New(ctx, pgtest.AppURL(dbURL))
	if err != nil {
		b.Fatal(err)
	}
	defer app.Close()
	reg, cat, err := content()
	if err != nil {
		b.Fatal(err)
	}
	stats := statistics.NewService(app, cat)
	r := report.NewRenderer(app, reg, cat, aggregate.NewService(app, reg, stats, submission.NewService(app, reg, aggregate.Projection{})), stats)
	// In English, and in Arabic and Chinese: right-to-left shaping,
	// the CJK font, and every State's name in those scripts (the annex).
	for _, lang := range []string{"en", "ar", "zh"} {
		b.Run(lang, func(b *testing.B) {
			renderSynthesis(b, r, report.Request{Kind: report.CycleSynthesis, CycleID: demo.ScaleCycleIDs(1)[0], Language: lang}) // the newest, seed-2027
		})
	}
}

// renderSynthesis renders req in a loop and reports its size, pages and
// peak heap.
func renderSynthesis(b *testing.B, r *report.Renderer, req report.Request) {
	ctx := context.Background()
	var err error
	runtime.GC()
	var peak atomic.Uint64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		var m runtime.MemStats
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				runtime.ReadMemStats(&m)
				if m.HeapAlloc > peak.Load() {
					peak.Store(m.HeapAlloc)
				}
			}
		}
	})
	var doc report.Document
	b.ResetTimer()
	for b.Loop() {
		if doc, err = r.Render(ctx, req, time.Date(2027, 4, 1, 9, 30, 0, 0, time.UTC)); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	close(stop)
	wg.Wait()
	if dir := os.Getenv("IRM_REPORT_DIR"); dir != "" { // to look at
		if err := os.WriteFile(dir+"/seed-"+doc.FileName, doc.PDF, 0o644); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(doc.PDF)), "pdf-bytes")
	b.ReportMetric(float64(doc.Pages), "pages")
	b.ReportMetric(float64(peak.Load())/(1<<20), "peak-heap-MiB")
}

// seededDatabase finds or makes the database "irm seed --states 193
// --cycles 10" fills, named as internal/app's aggregates benchmark names
// it (its scaleDigest) so that the two share it.
func seededDatabase(ctx context.Context) (string, error) {
	h := sha256.New()
	for _, fsys := range []fs.FS{migrations.FS, questionnaires.Files(), questionnaires.Catalogue()} {
		fs.WalkDir(fsys, ".", func(path string, d fs.DirEntry, err error) error { //nolint:errcheck
			if err == nil && !d.IsDir() {
				data, _ := fs.ReadFile(fsys, path)
				h.Write([]byte(path))
				h.Write(data)
			}
			return nil
		})
	}
	h.Write(state.Reference())
	h.Write(demo.SampleAnswers())
	h.Write([]byte(demo.ScaleVersion))
	name := "irm_bench_" + hex.EncodeToString(h.Sum(nil))[:12] + "_193x10"
	u, err := url.Parse(pgtest.AdminURL())
	if err != nil {
		return "", err
	}
	u.Path = "/" + name
	dbURL := u.String()

	admin, err := pgx.Connect(ctx, pgtest.AdminURL())
	if err != nil {
		return "", err
	}
	defer admin.Close(ctx)
	if _, err := admin.Exec(ctx, `SELECT pg_advisory_lock(7346002)`); err != nil {
		return "", err
	}
	defer admin.Exec(ctx, `SELECT pg_advisory_unlock(7346002)`) //nolint:errcheck
	var exists bool
	if err := admin.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, name).Scan(&exists); err != nil {
		return "", err
	}
	if exists {
		return dbURL, nil
	}
	// The service's login, made as pgtest and the app's benchmark make it.
	if _, err := admin.Exec(ctx, `DO $$ BEGIN
		IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '`+pgtest.AppRole+`') THEN
			CREATE ROLE `+pgtest.AppRole+` LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE PASSWORD '`+pgtest.AppRole+`';
		END IF; END $$`); err != nil {
		return "", err
	}
	if _, err := admin.Exec(ctx, `CREATE DATABASE `+pgx.Identifier{name}.Sanitize()); err != nil {
		return "", err
	}
	// What "irm seed --states 193 --cycles 10" and "irm migrate --app-role" do.
	pool, err := postgres.Open(ctx, dbURL)
	if err != nil {
		return "", err
	}
	defer pool.Close()
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	if err := postgres.Migrate(ctx, pool, migrations.FS, log); err != nil {
		return "", err
	}
	if err := state.Sync(ctx, pool); err != nil {
		return "", err
	}
	reg, cat, err := content()
	if err != nil {
		return "", err
	}
	rep, err := demo.SeedScale(ctx, pool, reg, cat, demo.ScaleOptions{States: 193, Cycles: 10, Log: log})
	if err != nil {
		return "", err
	}
	log.Info("seeded", "report", rep.String())
	if err := postgres.GrantApp(ctx, pool, pgtest.AppRole); err != nil {
		return "", err
	}
	_, err = pool.Exec(ctx, `ANALYZE`) // as autovacuum would after the load
	return dbURL, err
}

// content is the shipped questionnaires and catalogue, as the service loads them.
func content() (*questionnaire.Registry, *statistics.Catalogue, error) {
	reg, err := questionnaire.Load(questionnaires.Files(), questionnaires.Catalogue())
	if err != nil {
		return nil, nil, err
	}
	cat, err := statistics.LoadCatalogue(questionnaires.Catalogue(), func(id string) bool { _, ok := reg.WorkingGroup(id); return ok }, state.Codes())
	return reg, cat, err
}
