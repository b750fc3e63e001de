package chart

import "testing"

// A Chinese label is measured one em a character, so that a chart's
// labels in Chinese are not cut at the edge.
func TestApproxMeasureGivesChineseOneEmACharacter(t *testing.T) {
	const size = 10
	if got, want := ApproxMeasure("亚洲－太平洋国家", size, false), 8.0*size; got < want {
		t.Errorf("got %v, want at least %v", got, want)
	}
	if got, want := ApproxMeasure("African States", size, false), 8.0*size; got > want+5*size {
		t.Errorf("Latin text: got %v, want about %v", got, want)
	}
}
