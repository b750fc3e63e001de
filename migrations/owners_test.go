package migrations_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/cosp-ict/irm/migrations"
)

// owners is the one list of which package owns each table and view: only
// the owner's SQL names it; every other package asks the owner's Go API.
// ARCHITECTURE.md describes the rooms; this list is what is checked.
var owners = map[string]string{
	"answer_facts":          "internal/aggregate",
	"audit_events":          "internal/audit",
	"audit_pending":         "internal/audit",
	"audit_chain":           "internal/audit",
	"audit_chain_head":      "internal/audit",
	"idempotency_keys":      "internal/idempotency",
	"irm_principal_key":     "internal/postgres", // read only by the owner's irm_act and irm_sealed
	"observations":          "internal/statistics",
	"observation_revisions": "internal/statistics",
	"observations_visible":  "internal/statistics",
	"report_runs":           "internal/schedule",
	"report_files":          "internal/schedule",
	"report_schedules":      "internal/schedule",
	"states":                "internal/state",
	"contacts":              "internal/people",
	"sign_in_links":         "internal/people",
	"notifications":         "internal/people",
	"reminder_rules":        "internal/people",
	"cycles":                "internal/submission",
	"questionnaire_digests": "internal/submission",
	"submissions":           "internal/submission",
	"submission_versions":   "internal/submission",
	"submission_answers":    "internal/submission",
	"review_comments":       "internal/submission",
	"extensions":            "internal/submission",
	"consents":              "internal/submission",
	"tokens":                "internal/auth",
	"translation_reviews":   "internal/translation",
	"translation_uploads":   "internal/translation",
	"web_sessions":          "internal/web",
	"web_key":               "internal/web",
}

// readers are the reads across a boundary that remain, each in a
// statement whose plan needs the join (aggregates over every State), or
// in bulk work that the owner's API would make row by row. The list only
// shrinks: a new one fails the test.
var readers = map[string][]string{
	"states":      {"internal/aggregate", "internal/statistics", "internal/submission"}, // group by regional group, party, developing
	"submissions": {"internal/aggregate"},                                               // which submissions count
}

// tableRef finds a table named in SQL: after FROM, JOIN, INTO, UPDATE,
// TABLE or TRUNCATE, or in a FROM list after a comma.
var tableRef = regexp.MustCompile(`(?i)\b(?:FROM|JOIN|INTO|UPDATE|TABLE|TRUNCATE)\s+(?:ONLY\s+)?([a-z_][a-z0-9_]*)`)

// TestEveryTableHasOneOwner: every table and view the migrations create is
// in owners, and the SQL in Go string literals outside a table's owner
// names it only where readers says so.
func TestEveryTableHasOneOwner(t *testing.T) {
	created := regexp.MustCompile(`(?i)CREATE\s+(?:TABLE|(?:OR\s+REPLACE\s+)?VIEW)\s+(?:IF\s+NOT\s+EXISTS\s+)?([a-z_][a-z0-9_]*)`)
	err := fs.WalkDir(migrations.FS, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".sql") {
			return err
		}
		data, err := fs.ReadFile(migrations.FS, path)
		if err != nil {
			return err
		}
		for _, m := range created.FindAllStringSubmatch(string(data), -1) {
			if _, ok := owners[m[1]]; !ok && !strings.HasPrefix(m[1], "river_") {
				t.Errorf("%s creates %s, which has no owner in owners", path, m[1])
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	found := map[string][]string{} // table → packages whose SQL names it
	for pkg, sql := range sqlLiterals(t, "..") {
		for _, s := range sql {
			for _, m := range tableRef.FindAllStringSubmatch(s, -1) {
				if _, ok := owners[m[1]]; ok && !slices.Contains(found[m[1]], pkg) {
					found[m[1]] = append(found[m[1]], pkg)
				}
			}
		}
	}
	for table, pkgs := range found {
		sort.Strings(pkgs)
		for _, pkg := range pkgs {
			if pkg != owners[table] && !slices.Contains(readers[table], pkg) {
				t.Errorf("%s names %s in its SQL, which %s owns: ask %s's API instead", pkg, table, owners[table], owners[table])
			}
		}
	}
	for table, pkgs := range readers {
		for _, pkg := range pkgs {
			if !slices.Contains(found[table], pkg) {
				t.Errorf("readers lists %s reading %s, which it no longer does: take it out of the list", pkg, table)
			}
		}
	}
}

// TestThePagesDoNotImportTheDemo: the demo data is make run's, not the
// web application's (the explorer gets its sample through web.Deps).
func TestThePagesDoNotImportTheDemo(t *testing.T) {
	for _, pkg := range []string{"internal/web", "graph", "internal/submission", "internal/aggregate", "internal/report"} {
		files, _ := filepath.Glob(filepath.Join("..", pkg, "*.go"))
		for _, name := range files {
			if strings.HasSuffix(name, "_test.go") {
				continue
			}
			f, err := parser.ParseFile(token.NewFileSet(), name, nil, parser.ImportsOnly)
			if err != nil {
				t.Fatal(err)
			}
			for _, imp := range f.Imports {
				if strings.HasSuffix(strings.Trim(imp.Path.Value, `"`), "/internal/demo") {
					t.Errorf("%s imports internal/demo", name)
				}
			}
		}
	}
}

// sqlLiterals returns the string literals of every non-test Go file under
// root, by package directory (relative to root, slash-separated).
func sqlLiterals(t *testing.T, root string) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); path != root && (strings.HasPrefix(name, ".") || name == "testdata" || name == "node_modules") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, 0)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, filepath.Dir(path))
		pkg := filepath.ToSlash(rel)
		ast.Inspect(f, func(n ast.Node) bool {
			if lit, ok := n.(*ast.BasicLit); ok && lit.Kind == token.STRING {
				if s, err := strconv.Unquote(lit.Value); err == nil {
					out[pkg] = append(out[pkg], s)
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
