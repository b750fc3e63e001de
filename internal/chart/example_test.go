package chart_test

import (
	"fmt"
	"strings"

	"github.com/cosp-ict/irm/internal/chart"
)

func ExampleBar_SVG() {
	c := &chart.Bar{
		Title:      "Completeness by regional group",
		Categories: []string{"African", "Asia-Pacific"},
		Series:     []chart.Series{{Name: "Submitted", Values: []float64{42.5, 60}}},
		Unit:       "%",
	}
	svg := string(c.SVG())
	fmt.Println(strings.HasPrefix(svg, "<svg"), strings.Contains(svg, "African: 42.5%"))
	// Output: true true
}
