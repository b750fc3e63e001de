package report

import (
	"context"
	"testing"
)

// latinSampleBytes is the compressed size of sampleDocument as main
// printed it before the Arabic and Chinese fonts were added (Go fonts
// only, regular, bold and italic embedded).
const latinSampleBytes = 53406

func TestALatinReportStaysSmall(t *testing.T) {
	pdf, _, err := writePDF(context.Background(), sampleDocument(), fixedNow, "abc123", renderOptions{compress: true})
	if err != nil {
		t.Fatal(err)
	}
	if limit := latinSampleBytes * 110 / 100; len(pdf) > limit {
		t.Errorf("a Latin-only report is %d bytes, want at most %d (10%% over %d)", len(pdf), limit, latinSampleBytes)
	}
	t.Logf("%d bytes, %.1f%% of before", len(pdf), 100*float64(len(pdf))/latinSampleBytes)
}
