// Command benchtable is a development tool: it reads "go test -bench"
// output on stdin and prints one aligned table, with each benchmark's
// custom metrics (rows/s, ratio ...) as columns. "make bench" uses it.
package main

import (
	"bufio"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"
)

func main() {
	type row struct {
		name    string
		metrics map[string]string
	}
	var rows []row
	var units []string
	seen := map[string]bool{}
	pkg := ""
	sc := bufio.NewScanner(os.Stdin)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if p, ok := strings.CutPrefix(line, "pkg: "); ok {
			pkg = p[strings.LastIndex(p, "/")+1:]
			continue
		}
		if !strings.HasPrefix(line, "Benchmark") {
			continue
		}
		f := strings.Fields(line)
		if len(f) < 4 {
			continue
		}
		r := row{name: pkg + "." + strings.TrimPrefix(f[0], "Benchmark"), metrics: map[string]string{"iterations": f[1]}}
		for i := 2; i+1 < len(f); i += 2 {
			r.metrics[f[i+1]] = f[i]
			if !seen[f[i+1]] {
				seen[f[i+1]] = true
				units = append(units, f[i+1])
			}
		}
		rows = append(rows, r)
	}
	if len(rows) == 0 {
		fmt.Println("no benchmark results")
		return
	}
	w := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprint(w, "benchmark\t")
	for _, u := range units {
		fmt.Fprintf(w, "%s\t", u)
	}
	fmt.Fprintln(w)
	for _, r := range rows {
		fmt.Fprintf(w, "%s\t", r.name)
		for _, u := range units {
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
