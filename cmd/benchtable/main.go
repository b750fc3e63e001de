// Command benchtable is a development tool: it reads "go test -bench"
// output on stdin and prints one aligned table per benchmark, its
// sub-benchmarks as rows and their metrics (ns/op, rows/s, p50-ms ...) as
// columns, so that each table has only the columns its rows report.
// Failures (and what "irm seed" said it made) are printed after the
// tables, and a failure makes it exit 1, so that "make bench" fails.
// "make bench" uses it.
package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"text/tabwriter"
)

// preferred puts the columns a reader looks for first in this order;
// others follow in the order they first appear.
var preferred = []string{"p50-ms", "p95-ms", "viewer-p50-ms", "1cycle-p50-ms", "1cycle-p95-ms", "x-1cycle", "saves/s"}

type row struct {
	name    string
	metrics map[string]string
}

type table struct {
	title string
	units []string
	rows  []row
}

func main() {
	tables, notes, failed := read(os.Stdin)
	if len(tables) == 0 {
		fmt.Println("no benchmark results")
	}
	for i, t := range tables {
		if i > 0 {
			fmt.Println()
		}
		t.print(os.Stdout)
	}
	if len(notes) > 0 {
		fmt.Println()
		fmt.Println(strings.Join(notes, "\n"))
	}
	if failed {
		os.Exit(1)
	}
}

// noted says whether a line that is not a result is shown anyway: what
// the seed made, and every failure with the lines that explain it.
func noted(line string) bool {
	t := strings.TrimSpace(line)
	for _, p := range []string{"irm seed ", "--- FAIL", "FAIL", "panic:", "ok ", "_test.go:"} {
		if strings.HasPrefix(t, p) || (p == "_test.go:" && strings.Contains(t, p)) {
			return true
		}
	}
	return false
}

// read groups the result lines by package and top-level benchmark, and
// keeps the lines noted says to show.
func read(r io.Reader) (tables []*table, notes []string, failed bool) {
	byTitle := map[string]*table{}
	pkg := ""
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if p, ok := strings.CutPrefix(line, "pkg: "); ok {
			pkg = p[strings.LastIndex(p, "/")+1:]
			continue
		}
		if !strings.HasPrefix(line, "Benchmark") {
			if noted(line) {
				notes = append(notes, line)
				failed = failed || strings.Contains(line, "FAIL") || strings.HasPrefix(strings.TrimSpace(line), "panic:")
			}
			continue
		}
		f := strings.Fields(line)
		if len(f) < 4 {
			continue
		}
		name := strings.TrimPrefix(f[0], "Benchmark")
		top, sub, _ := strings.Cut(name, "/")
		if sub == "" {
			sub = top
		}
		title := pkg + "." + trimProcs(top)
		t := byTitle[title]
		if t == nil {
			t = &table{title: title}
			byTitle[title] = t
			tables = append(tables, t)
		}
		r := row{name: trimProcs(sub), metrics: map[string]string{"iterations": f[1]}}
		for i := 2; i+1 < len(f); i += 2 {
			r.metrics[f[i+1]] = f[i]
			if !slices.Contains(t.units, f[i+1]) {
				t.units = append(t.units, f[i+1])
			}
		}
		t.rows = append(t.rows, r)
	}
	for _, t := range tables {
		slices.SortStableFunc(t.units, func(a, b string) int { return rank(a) - rank(b) })
	}
	return tables, notes, failed
}

func rank(unit string) int {
	if i := slices.Index(preferred, unit); i >= 0 {
		return i
	}
	return len(preferred)
}

// trimProcs drops the -GOMAXPROCS suffix go test adds to names.
func trimProcs(name string) string {
	if i := strings.LastIndexByte(name, '-'); i > 0 && strings.Trim(name[i+1:], "0123456789") == "" && i+1 < len(name) {
		return name[:i]
	}
	return name
}

func (t *table) print(out io.Writer) {
	fmt.Fprintln(out, t.title)
	w := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprint(w, "\t")
	for _, u := range t.units {
		fmt.Fprintf(w, "%s\t", u)
	}
	fmt.Fprintln(w)
	for _, r := range t.rows {
		fmt.Fprintf(w, "%s\t", r.name)
		for _, u := range t.units {
			v := r.metrics[u]
			if v == "" {
				v = "-"
			}
			fmt.Fprintf(w, "%s\t", v)
		}
		fmt.Fprintln(w)
	}
	w.Flush()
}
