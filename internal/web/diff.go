package web

import (
	"regexp"
	"strings"
	"unicode/utf8"
)

// A long text changed between two versions shows which words changed:
// a longest common subsequence over its words (and the spaces between
// them), small enough for the answers' 4,000 characters.

// seg is a run of text in a word diff: unchanged, added or removed.
type seg struct {
	Text string
	Op   int // 0 unchanged, 1 added (in the new text), -1 removed (from the old one)
}

var wordToken = regexp.MustCompile(`\s+|[^\s]+`)

// maxDiffCells bounds the LCS table (words × words); a larger pair of
// texts is shown whole, without word marks.
const maxDiffCells = 4_000_000

// wordDiff returns before with its removed words marked and after with
// its added words marked; ok is false when the texts are too long to
// compare or share no word (then marking every word says nothing).
func wordDiff(before, after string) (old, new []seg, ok bool) {
	a, b := wordToken.FindAllString(before, -1), wordToken.FindAllString(after, -1)
	n, m := len(a), len(b)
	if n == 0 || m == 0 || (n+1)*(m+1) > maxDiffCells || !utf8.ValidString(before+after) {
		return nil, nil, false
	}
	// lcs[i][j]: the longest common subsequence of a[i:] and b[j:].
	lcs := make([][]int32, n+1)
	for i := range lcs {
		lcs[i] = make([]int32, m+1)
	}
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if a[i] == b[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	if lcs[0][0] == 0 {
		return nil, nil, false
	}
	add := func(out []seg, text string, op int) []seg {
		if k := len(out) - 1; k >= 0 && out[k].Op == op {
			out[k].Text += text
			return out
		}
		return append(out, seg{Text: text, Op: op})
	}
	i, j, words := 0, 0, 0
	for i < n || j < m {
		switch {
		case i < n && j < m && a[i] == b[j]:
			if strings.TrimSpace(a[i]) != "" {
				words++
			}
			old, new = add(old, a[i], 0), add(new, b[j], 0)
			i++
			j++
		case j < m && (i == n || lcs[i][j+1] >= lcs[i+1][j]):
			new = add(new, b[j], 1)
			j++
		default:
			old = add(old, a[i], -1)
			i++
		}
	}
	if words == 0 {
		return nil, nil, false
	}
	return old, new, true
}
