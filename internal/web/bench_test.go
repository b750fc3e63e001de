package web_test

import (
	"context"
	"io"
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/cosp-ict/irm/internal/app"
	"github.com/cosp-ict/irm/internal/auth"
	"github.com/cosp-ict/irm/internal/demo"
)

// BenchmarkQuestionnairePage serves sections of implementation-v1 with a
// complete draft, as a signed-in focal point: the time a page takes on the
// server (session, submission, validation of every section for the
// progress, rendering) with its p95, and the weight of the page with its
// assets (the stylesheet and the script).
func BenchmarkQuestionnairePage(b *testing.B) {
	// Measured without the per-address rate limit, which a benchmark's
	// loop from one address would hit.
	s := newSiteWith(b, app.HandlerOptions{Limits: app.Limits{RatePerAddress: -1, RatePerToken: -1}})
	fp := auth.Principal{Name: "bench", Role: auth.FocalPoint, State: "GHA"}
	ctx := auth.WithPrincipal(context.Background(), fp)
	if _, err := s.Workflow.SaveDraft(ctx, fp, implCycle, "GHA", demo.SampleAnswers(), nil); err != nil {
		b.Fatal(err)
	}
	c := newClient(b, s)
	if r := c.signIn(s.token(b, auth.FocalPoint, "GHA")); r.Status != http.StatusSeeOther {
		b.Fatalf("sign-in: %d", r.Status)
	}
	for _, section := range []string{"criminalization", "international_cooperation"} {
		b.Run(section, func(b *testing.B) {
			url := s.URL + "/cycles/" + implCycle + "/states/GHA?section=" + section
			var page int
			durations := make([]time.Duration, 0, b.N)
			for b.Loop() {
				start := time.Now()
				res, err := c.http.Get(url)
				if err != nil {
					b.Fatal(err)
				}
				body, _ := io.ReadAll(res.Body)
				res.Body.Close()
				durations = append(durations, time.Since(start))
				if res.StatusCode != http.StatusOK {
					b.Fatalf("HTTP %d", res.StatusCode)
				}
				page = len(body)
			}
			sort.Slice(durations, func(i, j int) bool { return durations[i] < durations[j] })
			b.ReportMetric(float64(durations[len(durations)*95/100].Microseconds())/1000, "p95-ms")
			b.ReportMetric(float64(page+assetBytes(b, s.URL))/1024, "KB-with-assets")
		})
	}
}

func assetBytes(b *testing.B, base string) int {
	n := 0
	for _, a := range []string{"/static/app.css", "/static/app.js"} {
		res, err := http.Get(base + a)
		if err != nil {
			b.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK || !strings.Contains(res.Header.Get("Cache-Control"), "max-age") {
			b.Fatalf("%s: HTTP %d, Cache-Control %q", a, res.StatusCode, res.Header.Get("Cache-Control"))
		}
		n += len(body)
	}
	return n
}
