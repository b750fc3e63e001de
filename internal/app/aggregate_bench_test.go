package app_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cosp-ict/irm/internal/app/apptest"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/cosp-ict/irm/internal/app"
	"github.com/cosp-ict/irm/internal/audit"
	"github.com/cosp-ict/irm/internal/auth"
	"github.com/cosp-ict/irm/internal/demo"
	"github.com/cosp-ict/irm/internal/postgres"
	"github.com/cosp-ict/irm/internal/postgres/pgtest"
	"github.com/cosp-ict/irm/internal/questionnaire"
	"github.com/cosp-ict/irm/internal/state"
	"github.com/cosp-ict/irm/migrations"
	"github.com/cosp-ict/irm/questionnaires"
)

// The aggregates benchmark runs at the scale of the real Conference: 193
// States Parties, ten cycles of submissions in every status and ten years
// of statistics (IRM_BENCH_STATES and IRM_BENCH_CYCLES make it smaller).
// "irm seed" builds two databases on the test server once and keeps them,
// named by a digest of everything that goes into them: one with only the
// newest cycle, and a copy of it seeded with the older cycles too, so
// that every read of the newest cycle is measured with 1 and with 10
// cycles stored. Nothing of this runs without -bench.

var scale struct {
	once     sync.Once
	one, all string // database URLs: newest cycle only, every cycle
	states   int
	cycles   int
	err      error
}

func benchEnvInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

// scaleDigest names the seeded databases after the migrations, the
// reference data, the questionnaires and catalogue, and the seed itself.
func scaleDigest() string {
	h := sha256.New()
	for _, fsys := range []fs.FS{migrations.FS, questionnaires.Files(), questionnaires.Catalogue()} {
		fs.WalkDir(fsys, ".", func(path string, d fs.DirEntry, err error) error { //nolint:errcheck
			if err == nil && !d.IsDir() {
				b, _ := fs.ReadFile(fsys, path)
				h.Write([]byte(path))
				h.Write(b)
			}
			return nil
		})
	}
	h.Write(state.Reference())
	h.Write(demo.SampleAnswers())
	h.Write([]byte(demo.ScaleVersion))
	return hex.EncodeToString(h.Sum(nil))[:12]
}

func dbURL(name string) string {
	u, err := url.Parse(pgtest.AdminURL())
	if err != nil {
		panic(err)
	}
	u.Path = "/" + name
	return u.String()
}

// scaleDatabases seeds (or finds) the two databases, once per process,
// under an advisory lock so that concurrent benchmark runs share them.
func scaleDatabases(b *testing.B) (one, all string) {
	b.Helper()
	scale.once.Do(func() {
		scale.states = benchEnvInt("IRM_BENCH_STATES", 193)
		scale.cycles = benchEnvInt("IRM_BENCH_CYCLES", 10)
		scale.err = buildScaleDatabases()
	})
	if scale.err != nil {
		b.Fatalf("seeded databases: %v", scale.err)
	}
	return scale.one, scale.all
}

func buildScaleDatabases() error {
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, pgtest.AdminURL())
	if err != nil {
		return err
	}
	defer admin.Close(ctx)
	if _, err := admin.Exec(ctx, `SELECT pg_advisory_lock(7346002)`); err != nil {
		return err
	}
	defer admin.Exec(ctx, `SELECT pg_advisory_unlock(7346002)`) //nolint:errcheck
	// The service runs as pgtest's app role, under row-level security, as
	// in production; pgtest makes the same role the same way.
	if _, err := admin.Exec(ctx, `DO $$ BEGIN
		IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '`+pgtest.AppRole+`') THEN
			CREATE ROLE `+pgtest.AppRole+` LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE PASSWORD '`+pgtest.AppRole+`';
		END IF; END $$`); err != nil {
		return fmt.Errorf("create role %s: %w", pgtest.AppRole, err)
	}
	prefix := "irm_bench_" + scaleDigest() + "_"
	oneName := fmt.Sprintf("%s%dx1", prefix, scale.states)
	allName := fmt.Sprintf("%s%dx%d", prefix, scale.states, scale.cycles)
	scale.one, scale.all = dbURL(oneName), dbURL(allName)

	// Databases of an older digest are stale: drop them, they are large.
	rows, err := admin.Query(ctx, `SELECT datname FROM pg_database WHERE datname LIKE 'irm\_bench\_%' AND datname NOT LIKE $1 || '%'`, prefix)
	if err != nil {
		return err
	}
	stale, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return err
	}
	for _, name := range stale {
		if _, err := admin.Exec(ctx, `DROP DATABASE IF EXISTS `+pgx.Identifier{name}.Sanitize()+` WITH (FORCE)`); err != nil {
			return err
		}
	}
	exists := func(name string) (bool, error) {
		var ok bool
		err := admin.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, name).Scan(&ok)
		return ok, err
	}
	seed := func(name string, cycles int) error {
		var out bytes.Buffer
		noEnv := func(string) string { return "" }
		err := app.Run(ctx, []string{"irm", "seed", "--database-url", dbURL(name),
			"--states", strconv.Itoa(scale.states), "--cycles", strconv.Itoa(cycles)}, noEnv, &out, os.Stderr)
		fmt.Fprint(os.Stderr, out.String())
		if err != nil {
			return err
		}
		return app.Run(ctx, []string{"irm", "migrate", "--database-url", dbURL(name), "--app-role", pgtest.AppRole},
			noEnv, io.Discard, io.Discard)
	}
	hasOne, err := exists(oneName)
	if err != nil {
		return err
	}
	hasAll, err := exists(allName)
	if err != nil {
		return err
	}
	if !hasOne {
		if _, err := admin.Exec(ctx, `CREATE DATABASE `+pgx.Identifier{oneName}.Sanitize()); err != nil {
			return err
		}
	}
	// A run interrupted half-way is finished here; a complete one is checked.
	if err := seed(oneName, 1); err != nil {
		return err
	}
	if scale.cycles == 1 {
		scale.all = scale.one
		return nil
	}
	if !hasAll {
		// The older cycles go onto a file copy of the one-cycle database.
		if _, err := admin.Exec(ctx, `CREATE DATABASE `+pgx.Identifier{allName}.Sanitize()+
			` TEMPLATE `+pgx.Identifier{oneName}.Sanitize()+` STRATEGY FILE_COPY`); err != nil {
			return err
		}
	}
	return seed(allName, scale.cycles)
}

// benchServer is the real HTTP handler over one database, and a second
// one whose pool records every statement, for the plans.
type benchServer struct {
	url, tracedURL string
	pool           *pgxpool.Pool // as the owner, for setting up
	app            *pgxpool.Pool // as the app role, for replaying statements
	rec            *recorder
	client         *http.Client
	reg            *questionnaire.Registry
}

func newBenchServer(b *testing.B, dsn string) *benchServer {
	b.Helper()
	ctx := context.Background()
	content, err := app.LoadContent("")
	if err != nil {
		b.Fatal(err)
	}
	pool, err := postgres.Open(ctx, dsn)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(pool.Close)
	appPool, err := postgres.Open(ctx, pgtest.AppURL(dsn))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(appPool.Close)
	log := slog.New(slog.DiscardHandler)
	h := apptest.Handler(b, appPool, content, log, benchOptions)
	srv := httptest.NewServer(h)
	b.Cleanup(srv.Close)
	// The saves' audit events are chained as irm serve chains them.
	sealerCtx, stopSealer := context.WithCancel(ctx)
	sealed := make(chan struct{})
	go func() {
		defer close(sealed)
		audit.RunSealer(sealerCtx, appPool, audit.SealEvery, log)
	}()
	b.Cleanup(func() { stopSealer(); <-sealed })

	rec := &recorder{}
	cfg, err := pgxpool.ParseConfig(pgtest.AppURL(dsn))
	if err != nil {
		b.Fatal(err)
	}
	cfg.ConnConfig.RuntimeParams["timezone"] = "UTC"
	cfg.ConnConfig.Tracer = rec
	traced, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(traced.Close)
	th := apptest.Handler(b, traced, content, log, benchOptions)
	tsrv := httptest.NewServer(th)
	b.Cleanup(tsrv.Close)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 32}}
	return &benchServer{url: srv.URL, tracedURL: tsrv.URL, pool: pool, app: appPool, rec: rec, client: client, reg: content.Registry}
}

func (s *benchServer) token(b *testing.B, t auth.NewToken) string {
	b.Helper()
	t.Name = fmt.Sprintf("%s (benchmark %d)", t.Name, time.Now().UnixNano()) // live token names are unique
	secret, err := auth.NewStore(s.pool).Create(context.Background(), t)
	if err != nil {
		b.Fatal(err)
	}
	return secret
}

func gqlBody(query string, vars map[string]any) []byte {
	out, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		panic(err)
	}
	return out
}

// post sends one GraphQL request and fails on any error in the answer.
func (s *benchServer) post(base, token string, body []byte) (json.RawMessage, time.Duration, error) {
	req, err := http.NewRequest(http.MethodPost, base+"/graphql", bytes.NewReader(body))
	if err != nil {
		return nil, 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	start := time.Now()
	resp, err := s.client.Do(req)
	if err != nil {
		return nil, 0, err
	}
	raw, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	took := time.Since(start)
	if err != nil {
		return nil, 0, err
	}
	var out struct {
		Data   json.RawMessage
		Errors []any
	}
	if err := json.Unmarshal(raw, &out); err != nil || resp.StatusCode != http.StatusOK || len(out.Errors) > 0 {
		return nil, 0, fmt.Errorf("status %d: %.400s", resp.StatusCode, raw)
	}
	return out.Data, took, nil
}

// recorder keeps the statements a pool runs while on.
type recorder struct {
	mu    sync.Mutex
	on    bool
	stmts []recorded
}

type recorded struct {
	sql  string
	args []any
}

func (r *recorder) TraceQueryStart(ctx context.Context, _ *pgx.Conn, d pgx.TraceQueryStartData) context.Context {
	r.mu.Lock()
	if r.on {
		r.stmts = append(r.stmts, recorded{d.SQL, slices.Clone(d.Args)})
	}
	r.mu.Unlock()
	return ctx
}

func (r *recorder) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

func (r *recorder) capture(fn func()) []recorded {
	r.mu.Lock()
	r.on, r.stmts = true, nil
	r.mu.Unlock()
	fn()
	r.mu.Lock()
	defer r.mu.Unlock()
	r.on = false
	return r.stmts
}

func percentile(d []time.Duration, p float64) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	if len(s) == 0 {
		return 0
	}
	return s[min(len(s)-1, int(p*float64(len(s))))]
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

const (
	qViewer       = `{ viewer { role } }`
	qCompleteness = `query($c: ID!) { completeness(cycle: $c) { group states notStarted drafts submitted accepted rate } }`
	qQuestion     = `query($c: ID!, $p: ID!) { questionAggregate(cycle: $c, path: $p, groupBy: REGIONAL_GROUP) {
		respondents counts { option count share } numeric { n mean median }
		byGroup { group respondents counts { option count share } numeric { n mean median } } } }`
	qSummary = `query($w: ID!, $c: ID!) { workingGroupSummary(workingGroup: $w, cycle: $c) {
		workingGroup { id } cycle { id }
		completeness { group states notStarted drafts submitted accepted rate }
		questions { question { path kind } respondents counts { option count share } numeric { n sum mean median min max }
			byGroup { group respondents counts { option count share } numeric { n sum mean median min max } } }
		indicators { indicator { code } trend { group points { year value states } changePct cagrPct slope } } } }`
	qTrend = `query($i: ID!) { trend(indicator: $i, groupBy: REGIONAL_GROUP) { group points { year value states } changePct cagrPct slope } }`
	qSave  = `mutation($c: ID!, $s: ID!, $v: Int!, $a: JSON!) { saveDraft(cycle: $c, state: $s, expectedVersion: $v, answers: $a) {
		submission { version status } errors { path message } } }`
)

// read is one measured read: a name and the request that makes it.
type read struct {
	name string
	body []byte
}

// BenchmarkAggregatesAtScale measures, through the real HTTP handler at
// full scale, the reads working groups make and a parallel saveDraft,
// each beside a trivial viewer query on the same server; it writes the
// plans of their statements to bench-plans.txt and fails if a plan reads
// observations or answer_facts whole.
func BenchmarkAggregatesAtScale(b *testing.B) {
	oneURL, allURL := scaleDatabases(b)
	newest := demo.ScaleCycleIDs(1)[0]
	// Both databases are served at once, and each read goes to one then
	// the other by turns, so that the two see the same machine load.
	one, all := newBenchServer(b, oneURL), newBenchServer(b, allURL)
	member := func(srv *benchServer) string {
		return srv.token(b, auth.NewToken{Name: "bench member", Role: auth.WorkingGroup, WorkingGroups: workingGroupIDs(srv.reg)})
	}
	oneMember, allMember := member(one), member(all)
	reads := aggregateReads(b, all, newest)
	viewer := gqlBody(qViewer, nil)
	for _, r := range reads {
		b.Run(r.name, func(b *testing.B) { measureRead(b, all, one, allMember, oneMember, r.body, viewer) })
	}
	saves := prepareSaves(b, all, newest, 8)
	b.Run("saveDraftParallel8", func(b *testing.B) { measureSaves(b, all, saves, allMember, viewer) })

	var plans strings.Builder
	var badPlans []string
	fmt.Fprintf(&plans, "# EXPLAIN (ANALYZE, BUFFERS) of the statements behind each request: %d States, %d cycles stored, cycle %s\n# %s\n\n",
		scale.states, scale.cycles, newest, time.Now().UTC().Format(time.RFC3339))
	for _, r := range reads {
		badPlans = append(badPlans, explain(b, all, &plans, r.name, allMember, r.body)...)
	}
	badPlans = append(badPlans, explainSave(b, all, &plans, saves[0])...)
	fmt.Fprintf(&plans, "## saveDraftParallel8: where the saves waited\n%s\n", saveWaits)
	path := filepath.Join(moduleRoot(b), "bench-plans.txt")
	if err := os.WriteFile(path, []byte(plans.String()), 0o644); err != nil {
		b.Fatal(err)
	}
	if len(badPlans) > 0 {
		b.Fatalf("sequential scans of observations or answer_facts (see %s):\n%s", path, strings.Join(badPlans, "\n"))
	}
}

func workingGroupIDs(reg *questionnaire.Registry) []string {
	var out []string
	for _, wg := range reg.WorkingGroups() {
		out = append(out, wg.ID)
	}
	return out
}

// aggregateReads lists the reads: every working group's summary, the
// question with the most options by regional group, completeness, and
// the trend of the indicator with the most observations.
func aggregateReads(b *testing.B, srv *benchServer, cycle string) []read {
	b.Helper()
	var out []read
	for _, id := range workingGroupIDs(srv.reg) {
		out = append(out, read{"workingGroupSummary=" + id, gqlBody(qSummary, map[string]any{"w": id, "c": cycle})})
	}
	q, _ := srv.reg.Get(demo.QuestionnaireID)
	var widest *questionnaire.Question
	for _, qq := range q.Questions {
		if widest == nil || len(qq.Options) > len(widest.Options) {
			widest = qq
		}
	}
	out = append(out, read{"questionAggregate", gqlBody(qQuestion, map[string]any{"c": cycle, "p": widest.Path})})
	out = append(out, read{"completeness", gqlBody(qCompleteness, map[string]any{"c": cycle})})
	var largest string
	if err := srv.pool.QueryRow(context.Background(), `SELECT indicator FROM observations
		GROUP BY indicator ORDER BY count(*) DESC, indicator LIMIT 1`).Scan(&largest); err != nil {
		b.Fatal(err)
	}
	out = append(out, read{"trend", gqlBody(qTrend, map[string]any{"i": largest})})
	return out
}

// minSamples is the fewest requests a percentile is taken over.
const minSamples = 40

// minSaves is the fewest saves the parallel save rate is taken over.
const minSaves = 2000

// measureRead times each request on the database with every cycle, the
// same on the one with the newest cycle only, and a viewer query on the
// first, untimed, for the baseline of the same server at the same moment.
func measureRead(b *testing.B, all, one *benchServer, allToken, oneToken string, body, viewer []byte) {
	took := make([]time.Duration, 0, b.N)
	tookOne := make([]time.Duration, 0, b.N)
	viewers := make([]time.Duration, 0, b.N)
	for _, srv := range []*benchServer{all, one} { // warm: the first request reads from disk
		token := allToken
		if srv == one {
			token = oneToken
		}
		if _, _, err := srv.post(srv.url, token, body); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for i := range max(b.N, minSamples) {
		if i >= b.N {
			b.StopTimer() // more samples than iterations, for a meaningful p95
		}
		_, d, err := all.post(all.url, allToken, body)
		if err != nil {
			b.Fatal(err)
		}
		took = append(took, d)
		b.StopTimer()
		_, v, err := all.post(all.url, allToken, viewer)
		if err != nil {
			b.Fatal(err)
		}
		viewers = append(viewers, v)
		_, d1, err := one.post(one.url, oneToken, body)
		if err != nil {
			b.Fatal(err)
		}
		tookOne = append(tookOne, d1)
		if i+1 < b.N {
			b.StartTimer()
		}
	}
	b.StartTimer()
	p50, p50one := ms(percentile(took, 0.5)), ms(percentile(tookOne, 0.5))
	b.ReportMetric(p50, "p50-ms")
	b.ReportMetric(ms(percentile(took, 0.95)), "p95-ms")
	b.ReportMetric(ms(percentile(viewers, 0.5)), "viewer-p50-ms")
	b.ReportMetric(p50one, "1cycle-p50-ms")
	b.ReportMetric(ms(percentile(tookOne, 0.95)), "1cycle-p95-ms")
	if p50one > 0 {
		b.ReportMetric(p50/p50one, "x-1cycle")
	}
}

// saver is one client updating its own State's draft.
type saver struct {
	state, token, cycle string
	version             int
	docs                [2]json.RawMessage
	n                   int
}

// next is the body of the client's next save: the two complete documents
// by turns, so that every save changes the draft.
func (s *saver) next() []byte {
	return gqlBody(qSave, map[string]any{"c": s.cycle, "s": s.state, "v": s.version, "a": s.docs[s.n%2]})
}

// prepareSaves picks n States whose submission in cycle is a draft, each
// with its focal point's token and its current version.
func prepareSaves(b *testing.B, srv *benchServer, cycle string, n int) []*saver {
	b.Helper()
	rows, err := srv.pool.Query(context.Background(), `SELECT state_code, version FROM submissions
		WHERE cycle_id = $1 AND status = 'DRAFT' ORDER BY state_code LIMIT $2`, cycle, n)
	if err != nil {
		b.Fatal(err)
	}
	var out []*saver
	var doc map[string]any
	if err := json.Unmarshal(demo.SampleAnswers(), &doc); err != nil {
		b.Fatal(err)
	}
	for rows.Next() {
		s := &saver{cycle: cycle}
		if err := rows.Scan(&s.state, &s.version); err != nil {
			b.Fatal(err)
		}
		// Unique to this run, so that the first save changes the draft too.
		impl := doc["implementation"].(map[string]any)
		impl["main_challenges"] = fmt.Sprintf("Retention of trained staff (%s, run %d, a).", s.state, time.Now().UnixNano())
		a, _ := json.Marshal(doc)
		impl["main_challenges"] = fmt.Sprintf("Retention of trained staff (%s, run %d, b).", s.state, time.Now().UnixNano())
		c, _ := json.Marshal(doc)
		s.docs = [2]json.RawMessage{a, c}
		out = append(out, s)
	}
	if rows.Err() != nil || len(out) < n {
		b.Fatalf("%d States with a draft in %s (%v), want %d", len(out), cycle, rows.Err(), n)
	}
	for _, s := range out {
		s.token = srv.token(b, auth.NewToken{Name: "bench focal point " + s.state, Role: auth.FocalPoint, State: s.state})
	}
	return out
}

// save sends the client's next save and keeps the version it got.
func (s *saver) save(srv *benchServer, base string) (time.Duration, error) {
	data, d, err := srv.post(base, s.token, s.next())
	if err != nil {
		return 0, err
	}
	var out struct {
		SaveDraft struct {
			Submission *struct{ Version int }
			Errors     []any
		}
	}
	if err := json.Unmarshal(data, &out); err != nil || out.SaveDraft.Submission == nil || len(out.SaveDraft.Errors) > 0 ||
		out.SaveDraft.Submission.Version != s.version+1 {
		return 0, fmt.Errorf("save of %s at version %d: %s", s.state, s.version, data)
	}
	s.version++
	s.n++
	return d, nil
}

// measureSaves runs b.N saves from len(savers) clients at once.
func measureSaves(b *testing.B, srv *benchServer, savers []*saver, token string, viewer []byte) {
	var next atomic.Int64
	took := make([][]time.Duration, len(savers))
	var wg sync.WaitGroup
	var failed atomic.Value
	// Warm up: every client's connection opened, its first (larger) change
	// made and the statements prepared before the clock starts.
	for _, s := range savers {
		for range 5 {
			if _, err := s.save(srv, srv.url); err != nil {
				b.Fatal(err)
			}
		}
	}
	// A rate over a few seconds, not over the second b.N is sized for:
	// the first runs of b.N are short enough for one fsync or sealer pass
	// to weigh on them.
	n := max(b.N, minSaves)
	stop := sampleWaits(srv)
	b.ResetTimer()
	for c, s := range savers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for next.Add(1) <= int64(n) {
				d, err := s.save(srv, srv.url)
				if err != nil {
					failed.Store(err)
					return
				}
				took[c] = append(took[c], d)
			}
		}()
	}
	wg.Wait()
	elapsed := b.Elapsed()
	b.StopTimer()
	saveWaits = stop()
	if err, _ := failed.Load().(error); err != nil {
		b.Fatal(err)
	}
	var viewers []time.Duration
	for range 50 {
		_, v, err := srv.post(srv.url, token, viewer)
		if err != nil {
			b.Fatal(err)
		}
		viewers = append(viewers, v)
	}
	all := slices.Concat(took...)
	b.ReportMetric(float64(n)/elapsed.Seconds(), "saves/s")
	b.ReportMetric(ms(percentile(all, 0.5)), "p50-ms")
	b.ReportMetric(ms(percentile(all, 0.95)), "p95-ms")
	b.ReportMetric(ms(percentile(viewers, 0.5)), "viewer-p50-ms")
}

// saveWaits is what the service's connections were doing during the
// last parallel save run, for bench-plans.txt.
var saveWaits string

// sampleWaits samples, every 5 ms until stopped, what the service's
// backends are doing (active on CPU, or waiting on a lock, the WAL ...),
// and returns the counts.
func sampleWaits(srv *benchServer) (stop func() string) {
	done := make(chan struct{})
	out := make(chan string)
	go func() {
		counts := map[string]int{}
		samples := 0
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				keys := slices.Sorted(maps.Keys(counts))
				slices.SortStableFunc(keys, func(a, b string) int { return counts[b] - counts[a] })
				var sb strings.Builder
				fmt.Fprintf(&sb, "%d samples of the app role's backends, every 5 ms (state: wait event):\n", samples)
				for _, k := range keys {
					fmt.Fprintf(&sb, "  %6d  %s\n", counts[k], k)
				}
				out <- sb.String()
				return
			case <-tick.C:
			}
			rows, err := srv.pool.Query(context.Background(), `SELECT state || coalesce(': ' || wait_event_type || '/' || wait_event, '')
				FROM pg_stat_activity WHERE usename = $1 AND datname = current_database() AND state <> 'idle'`, pgtest.AppRole)
			if err != nil {
				continue
			}
			states, _ := pgx.CollectRows(rows, pgx.RowTo[string])
			samples++
			for _, st := range states {
				counts[st]++
			}
		}
	}()
	return func() string { close(done); return <-out }
}

var seqScan = regexp.MustCompile(`Seq Scan on (observations|answer_facts)\b`)

// explain sends one request through the recording server and writes the
// plan of every statement it ran, each re-run under EXPLAIN (ANALYZE,
// BUFFERS) in a transaction rolled back; it returns the statements that
// read observations or answer_facts by a sequential scan.
func explain(b *testing.B, srv *benchServer, w io.Writer, name, token string, body []byte) []string {
	b.Helper()
	var err error
	stmts := srv.rec.capture(func() { _, _, err = srv.post(srv.tracedURL, token, body) })
	if err != nil {
		b.Fatal(err)
	}
	return explainAll(b, srv, w, name, stmts)
}

// explainSave records one save of s; its statements are replayed with the
// version the draft has now and the other document, so that the update
// really happens (and is rolled back) as it did.
func explainSave(b *testing.B, srv *benchServer, w io.Writer, s *saver) []string {
	b.Helper()
	var err error
	other := s.docs[(s.n+1)%2] // what the draft does not hold after the save below
	stmts := srv.rec.capture(func() { _, err = s.save(srv, srv.tracedURL) })
	if err != nil {
		b.Fatal(err)
	}
	doc, err := questionnaire.DecodeAnswers(other)
	if err != nil {
		b.Fatal(err)
	}
	canonical, err := json.Marshal(doc) // as the service stores it
	if err != nil {
		b.Fatal(err)
	}
	for _, st := range stmts {
		for i, a := range st.args {
			switch v := a.(type) {
			case int:
				if v == s.version-1 {
					st.args[i] = s.version
				}
			case []byte:
				if len(v) > 1000 {
					st.args[i] = canonical
				}
			case string:
				if len(v) > 1000 {
					st.args[i] = string(canonical)
				}
			}
		}
	}
	return explainAll(b, srv, w, "saveDraft", stmts)
}

var snapshotImport = regexp.MustCompile(`\s*SET TRANSACTION SNAPSHOT '[^']*';`)

func explainAll(b *testing.B, srv *benchServer, w io.Writer, name string, stmts []recorded) []string {
	b.Helper()
	var bad []string
	ctx := context.Background()
	// Replayed in order in one transaction as the app role, rolled back:
	// the principal's settings (set as the service's transactions begin)
	// apply, so row-level security shapes the plans as it does the reads.
	err := pgx.BeginFunc(ctx, srv.app, func(tx pgx.Tx) error {
		for i, st := range stmts {
			sql := strings.TrimSpace(st.sql)
			verb := strings.Trim(strings.ToUpper(strings.Fields(sql + " x")[0]), "(;")
			if verb == "BEGIN" {
				if _, rest, ok := strings.Cut(sql, ";"); ok {
					// A transaction beside a summary's imports its
					// snapshot; the replay has one transaction of its own.
					rest = snapshotImport.ReplaceAllString(rest, "")
					if _, err := tx.Exec(ctx, rest); err != nil {
						return fmt.Errorf("principal of %s: %w", name, err)
					}
				}
				continue
			}
			if !slices.Contains([]string{"SELECT", "WITH", "INSERT", "UPDATE", "DELETE"}, verb) {
				if verb != "COMMIT" && verb != "ROLLBACK" && verb != "SAVEPOINT" && verb != "RELEASE" {
					return fmt.Errorf("%s statement %d is neither a query nor transaction control, so it would go unchecked: %.80s", name, i+1, sql)
				}
				continue
			}
			rows, err := tx.Query(ctx, "EXPLAIN (ANALYZE, BUFFERS) "+sql, st.args...)
			if err != nil {
				return fmt.Errorf("explain %s statement %d: %w\n%s", name, i+1, err, sql)
			}
			lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
			if err != nil {
				return fmt.Errorf("explain %s statement %d: %w\n%s", name, i+1, err, sql)
			}
			if strings.Contains(sql, "FROM tokens") || strings.Contains(sql, "audit_events") || strings.HasPrefix(sql, "SELECT set_config") {
				continue // the token lookup and the audit append are not what is measured here
			}
			plan := strings.Join(lines, "\n")
			fmt.Fprintf(w, "## %s, statement %d\n%s\n\n%s\n\n", name, i+1, compact(sql), plan)
			if seqScan.MatchString(plan) {
				bad = append(bad, fmt.Sprintf("%s statement %d: %s", name, i+1, seqScan.FindString(plan)))
			}
		}
		return errRollback
	})
	if err != nil && err != errRollback {
		b.Fatal(err)
	}
	return bad
}

var errRollback = fmt.Errorf("rollback")

func compact(sql string) string { return strings.Join(strings.Fields(sql), " ") }

func moduleRoot(b *testing.B) string {
	dir, err := os.Getwd()
	if err != nil {
		b.Fatal(err)
	}
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d
		}
		if filepath.Dir(d) == d {
			return dir
		}
	}
}

// benchOptions serve the benchmark without rate limits: its loops send far
// more requests per second from one token than a person would.
var benchOptions = app.HandlerOptions{Limits: app.Limits{RatePerToken: -1, RatePerAddress: -1}}
