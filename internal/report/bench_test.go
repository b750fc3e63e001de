package report

import (
	"context"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkCycleSynthesis193 renders the whole Conference's synthesis of
// implementation-v1 with all 193 Member States Parties, each with a
// submitted submission and ten years of every indicator, compressed as in
// production. It reports the PDF's size and pages and the peak heap
// during the renders (sampled every millisecond). Target: under 2 s and
// 200 MiB.
func BenchmarkCycleSynthesis193(b *testing.B) {
	ctx := context.Background()
	f := newFixture(b, shippedID)
	rows, err := f.pool.Query(ctx, `UPDATE states SET party = true RETURNING code`)
	if err != nil {
		b.Fatal(err)
	}
	var codes []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			b.Fatal(err)
		}
		codes = append(codes, c)
	}
	if rows.Err() != nil || len(codes) != 193 {
		b.Fatalf("%d States Parties, want 193 (%v)", len(codes), rows.Err())
	}
	years := []int{2016, 2017, 2018, 2019, 2020, 2021, 2022, 2023, 2024, 2025}
	for i, c := range codes {
		f.submit(b, c, i%16) // sixteen distinct answer documents
		f.report(b, c, float64(10+i), years...)
	}
	// As autovacuum would after a bulk load.
	if _, err := f.pool.Exec(ctx, `ANALYZE`); err != nil {
		b.Fatal(err)
	}
	r := NewRenderer(f.pool, f.reg, f.cat, f.agg, f.stats) // compressed
	req := Request{Kind: CycleSynthesis, CycleID: cycleID}

	runtime.GC()
	var base runtime.MemStats
	runtime.ReadMemStats(&base)
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
	var doc Document
	b.ResetTimer()
	for b.Loop() {
		if doc, err = r.Render(ctx, req, fixedNow); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	close(stop)
	wg.Wait()
	b.ReportMetric(float64(len(doc.PDF)), "pdf-bytes")
	b.ReportMetric(float64(doc.Pages), "pages")
	b.ReportMetric(float64(peak.Load())/(1<<20), "peak-heap-MiB")
}
