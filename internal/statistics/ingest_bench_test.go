package statistics_test

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"strconv"
	"testing"
	"testing/fstest"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/cosp-ict/irm/internal/auth"
	"github.com/cosp-ict/irm/internal/postgres/pgtest"
	"github.com/cosp-ict/irm/internal/statistics"
	"github.com/cosp-ict/irm/questionnaires"
)

// benchCatalogue has one indicator with two 200-value dimensions, so that
// one State's file can hold 1,000,000 distinct keys (200 × 200 × 25 years).
func benchCatalogue(b *testing.B) *statistics.Catalogue {
	b.Helper()
	schema, err := fsReadFile(questionnaires.Catalogue(), statistics.IndicatorsSchemaFile)
	if err != nil {
		b.Fatal(err)
	}
	vals := ""
	for i := range 200 {
		if i > 0 {
			vals += ","
		}
		vals += fmt.Sprintf(`"v%03d"`, i)
	}
	cat := fmt.Sprintf(`{"dimensions": [{"id": "a", "name": "A", "values": [%s]}, {"id": "b", "name": "B", "values": [%s]}],
		"indicators": [{"code": "BENCH_COUNT", "name": "Bench", "description": "Benchmark indicator.", "unit": "count",
			"integer": true, "minimum": 0, "workingGroups": ["international-cooperation"], "dimensions": ["a", "b"]}]}`, vals, vals)
	c, err := statistics.LoadCatalogue(fstest.MapFS{
		statistics.IndicatorsFile:       {Data: []byte(cat)},
		statistics.IndicatorsSchemaFile: {Data: schema},
	}, func(string) bool { return true }, nil)
	if err != nil {
		b.Fatal(err)
	}
	return c
}

// benchCSV streams n distinct rows of the bench indicator as CSV, never
// holding the file in memory.
func benchCSV(n int) io.Reader {
	pr, pw := io.Pipe()
	go func() {
		w := newBufWriter(pw)
		w.WriteString("indicator,year,value,status,a,b\n")
		last := time.Now().Year()
		for i := range n {
			year := last - i/40000
			k := i % 40000
			w.WriteString("BENCH_COUNT,")
			w.WriteString(strconv.Itoa(year))
			w.WriteString(",")
			w.WriteString(strconv.Itoa(i % 997))
			w.WriteString(",REPORTED,v")
			w.WriteString(pad3(k / 200))
			w.WriteString(",v")
			w.WriteString(pad3(k % 200))
			w.WriteString("\n")
		}
		pw.CloseWithError(w.Flush())
	}()
	return pr
}

// BenchmarkIngestCSV measures the CSV path (parse, validate, stage, merge)
// against a plain COPY of the same rows, already typed, into a table of
// the same shape as observations (same columns and keys), with no parsing,
// validation or merge. Each run gets a fresh database. It reports both
// throughputs, their ratio (the target is at least 0.5) and the peak Go
// heap during the CSV ingest, which must not grow with the file's size.
func BenchmarkIngestCSV(b *testing.B) {
	for _, n := range []int{100_000, 1_000_000} {
		b.Run(fmt.Sprintf("rows=%d", n), func(b *testing.B) {
			cat := benchCatalogue(b)
			p := auth.Principal{Name: "bench", Role: auth.Secretariat}
			ctx := context.Background()
			var csvRate, copyRate, peak []float64
			for b.Loop() {
				b.StopTimer()
				pool := pgtest.New(b)
				if _, err := pool.Exec(ctx, `CREATE TABLE plain_copy (LIKE observations INCLUDING ALL)`); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()

				start := time.Now()
				copied, err := plainCopy(ctx, pool, n)
				if err != nil || copied != int64(n) {
					b.Fatalf("copied %d of %d: %v", copied, n, err)
				}
				copyRate = append(copyRate, float64(n)/time.Since(start).Seconds())

				svc := statistics.NewService(pool, cat)
				stop := watchHeap()
				start = time.Now()
				res, err := svc.Report(ctx, p, "KEN", statistics.NewCSVSource(benchCSV(n), cat))
				elapsed := time.Since(start)
				peak = append(peak, stop())
				if err != nil || len(res.Errors) > 0 || res.Accepted != n {
					b.Fatalf("accepted %d of %d, err %v, errors %v", res.Accepted, n, err, first(res.Errors))
				}
				csvRate = append(csvRate, float64(n)/elapsed.Seconds())

				b.StopTimer()
				pool.Close()
				b.StartTimer()
			}
			b.ReportMetric(mean(csvRate), "csv-rows/s")
			b.ReportMetric(mean(copyRate), "copy-rows/s")
			b.ReportMetric(mean(csvRate)/mean(copyRate), "csv/copy")
			b.ReportMetric(mean(peak), "peak-heap-MB")
			b.ReportMetric(0, "ns/op")
		})
	}
}

// watchHeap samples the Go heap until the returned function is called,
// which returns the peak in MiB.
func watchHeap() func() float64 {
	runtime.GC()
	done := make(chan struct{})
	result := make(chan float64)
	go func() {
		var peak uint64
		var m runtime.MemStats
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		for {
			runtime.ReadMemStats(&m)
			peak = max(peak, m.HeapAlloc)
			select {
			case <-done:
				result <- float64(peak) / (1 << 20)
				return
			case <-t.C:
			}
		}
	}()
	return func() float64 { close(done); return <-result }
}

func plainCopy(ctx context.Context, pool *pgxpool.Pool, n int) (int64, error) {
	last := time.Now().Year()
	now := time.Now()
	i := 0
	return pool.CopyFrom(ctx, pgx.Identifier{"plain_copy"},
		[]string{"indicator", "breakdown_key", "year", "state_code", "breakdown", "value", "status", "revision", "reported_at", "reported_by"},
		pgx.CopyFromFunc(func() ([]any, error) {
			if i >= n {
				return nil, nil
			}
			k := i % 40000
			a, bb := "v"+pad3(k/200), "v"+pad3(k%200)
			v := float64(i % 997)
			row := []any{"BENCH_COUNT", "a=" + a + ";b=" + bb, last - i/40000, "KEN",
				[]byte(`{"a":"` + a + `","b":"` + bb + `"}`), &v, "REPORTED", 1, now, "bench"}
			i++
			return row, nil
		}))
}

func pad3(n int) string {
	s := strconv.Itoa(n)
	for len(s) < 3 {
		s = "0" + s
	}
	return s
}

func mean(xs []float64) float64 {
	s := 0.0
	for _, x := range xs {
		s += x
	}
	return s / float64(len(xs))
}

func first(errs []statistics.RowError) any {
	if len(errs) == 0 {
		return nil
	}
	return errs[0]
}
