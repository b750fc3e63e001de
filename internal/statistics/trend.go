package statistics

import "math"

// TrendPoint is one year of a series.
type TrendPoint struct {
	Year   int
	Value  float64
	States int // States whose values make up the point
}

// TrendSeries is a group's values by year with its summary figures; a
// figure is nil where it is undefined (too few points, a zero base).
type TrendSeries struct {
	Group     string
	Points    []TrendPoint
	ChangePct *float64 // last point over the one before, in percent
	CagrPct   *float64 // compound annual growth from the first to the last point, in percent
	Slope     *float64 // least-squares slope per year
}

// summarize fills the series' figures from its points, which must be in
// year order.
func summarize(s *TrendSeries) {
	n := len(s.Points)
	if n < 2 {
		return
	}
	first, prev, last := s.Points[0], s.Points[n-2], s.Points[n-1]
	if prev.Value != 0 {
		s.ChangePct = ptr((last.Value - prev.Value) / math.Abs(prev.Value) * 100)
	}
	if span := last.Year - first.Year; span > 0 && first.Value > 0 && last.Value >= 0 {
		s.CagrPct = ptr((math.Pow(last.Value/first.Value, 1/float64(span)) - 1) * 100)
	}
	var sx, sy float64
	for _, p := range s.Points {
		sx += float64(p.Year)
		sy += p.Value
	}
	mx, my := sx/float64(n), sy/float64(n)
	var sxy, sxx float64
	for _, p := range s.Points {
		dx := float64(p.Year) - mx
		sxy += dx * (p.Value - my)
		sxx += dx * dx
	}
	if sxx > 0 {
		s.Slope = ptr(sxy / sxx)
	}
}

func ptr(f float64) *float64 { return &f }
