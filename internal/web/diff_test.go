package web

import (
	"strings"
	"testing"
)

func render(segs []seg) string {
	var b strings.Builder
	for _, s := range segs {
		switch s.Op {
		case 1:
			b.WriteString("[+" + s.Text + "]")
		case -1:
			b.WriteString("[-" + s.Text + "]")
		default:
			b.WriteString(s.Text)
		}
	}
	return b.String()
}

// TestWordDiff: issue 17. A changed long text on the review page was
// shown whole twice; the words that changed are now marked.
func TestWordDiff(t *testing.T) {
	old, new, ok := wordDiff("The agency has 12 staff in the capital.", "The agency has 15 staff in the capital and two regions.")
	if !ok {
		t.Fatal("no diff")
	}
	if got, want := render(old), "The agency has [-12] staff in the [-capital.]"; got != want {
		t.Errorf("before: %q, want %q", got, want)
	}
	if got, want := render(new), "The agency has [+15] staff in the [+capital and two regions.]"; got != want {
		t.Errorf("after: %q, want %q", got, want)
	}
	if _, _, ok := wordDiff("alpha beta", "gamma delta"); ok {
		t.Error("texts that share no word: want no word marks")
	}
	if _, _, ok := wordDiff(strings.Repeat("a ", 3000), strings.Repeat("b ", 3000)); ok {
		t.Error("texts too long to compare: want no word marks")
	}
}
