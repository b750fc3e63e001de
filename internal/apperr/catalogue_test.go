package apperr_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/cosp-ict/irm/internal/apperr"
	"github.com/cosp-ict/irm/internal/i18n"
)

// keyArg is, for each constructor of a catalogue-keyed message, the
// position of its key: apperr's, and the CSV upload's row reasons.
var keyArg = map[string]int{
	"apperr.T": 1, "apperr.E": 2, "apperr.NotFoundT": 0, "apperr.ConflictT": 0, "apperr.BadInputT": 0,
	"apperr.ForbiddenT": 0, "apperr.TooLargeT": 0, "apperr.LimitT": 0, "apperr.TooManyRequestsT": 1,
	"apperr.Phrase": 0, "rowError": 2, "bad": 1,
	"i18n.M": 0, // a message kept as data (a report run's failure or warning)
}

// codeKeys reads the module's Go code (tests aside) for the keys its
// domain errors are made with: every one must be a string literal.
func codeKeys(t *testing.T) map[string][]string {
	t.Helper()
	root := filepath.Join("..", "..")
	keys := map[string][]string{}
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == ".git" || d.Name() == "node_modules" || d.Name() == ".cache") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		f, err := parser.ParseFile(fset, path, src, 0)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			var name string
			switch fn := call.Fun.(type) {
			case *ast.Ident:
				name = fn.Name
			case *ast.SelectorExpr:
				if x, ok := fn.X.(*ast.Ident); ok {
					name = x.Name + "." + fn.Sel.Name
				}
			}
			at, ok := keyArg[name]
			if !ok || at >= len(call.Args) {
				return true
			}
			if name == "apperr.Phrase" && f.Name.Name == "apperr" {
				return true
			}
			if id, ok := call.Args[at].(*ast.Ident); ok && id.Name == "key" {
				return true // a constructor passing its own key on
			}
			lit, ok := call.Args[at].(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				{
					t.Errorf("%s: the key of %s is not a string literal", fset.Position(call.Pos()), name)
				}
				return true
			}
			key, _ := strconv.Unquote(lit.Value)
			keys[key] = append(keys[key], fset.Position(call.Pos()).String())
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return keys
}

// TestEveryDomainMessageIsInTheCatalogue: each key the code makes an
// error with is in the catalogue (and so, by i18n's own test, in all six
// languages with its placeholders).
func TestEveryDomainMessageIsInTheCatalogue(t *testing.T) {
	keys := codeKeys(t)
	if len(keys) < 100 {
		t.Fatalf("found %d keys in the code, want the domain's errors", len(keys))
	}
	keys["internal error (request {request})"] = []string{"apperr.InternalMessage"}
	var missing []string
	for k, at := range keys {
		if !i18n.Has(k) {
			missing = append(missing, strconv.Quote(k)+" ("+at[0]+")")
		}
	}
	slices.Sort(missing)
	for _, m := range missing {
		t.Errorf("not in the catalogue: %s", m)
	}
}

// TestNoEnglishDomainMessageInAnotherLanguage: every domain message,
// made with each of its placeholders given a value, reads in French,
// Arabic and Chinese (and Russian and Spanish) as a sentence of its own,
// not the English one, and with every placeholder filled.
func TestNoEnglishDomainMessageInAnotherLanguage(t *testing.T) {
	keys := codeKeys(t)
	keys["internal error (request {request})"] = nil
	for key := range keys {
		var args []any
		for _, ph := range i18n.KeyPlaceholders(key) {
			args = append(args, ph, "⟨"+ph+"⟩")
		}
		err := apperr.E(apperr.BadInput, 0, key, args...)
		en := err.In("en")
		for _, lang := range []string{"fr", "ar", "zh", "ru", "es"} {
			got := err.In(lang)
			if got == en {
				t.Errorf("%s: %q is the English message", lang, key)
			}
			for _, ph := range i18n.KeyPlaceholders(key) {
				if !strings.Contains(got, "⟨"+ph+"⟩") {
					t.Errorf("%s: %q drops {%s}: %q", lang, key, ph, got)
				}
			}
			if strings.ContainsAny(strings.NewReplacer("⟨", "", "⟩", "").Replace(got), "{}") && !strings.Contains(key, "{\"") {
				t.Errorf("%s: %q leaves a placeholder unfilled: %q", lang, key, got)
			}
		}
	}
}

// A parameter that is itself a domain error, or a phrase of the
// catalogue, is given in the reader's language too; the English message
// stays what logs read.
func TestNestedMessagesAreTranslated(t *testing.T) {
	inner := apperr.BadInputT(`"{value}" is not a value of dimension {dimension}`, "value", "XX", "dimension", "sex")
	err := apperr.BadInputT("breakdown: {reason}", "reason", inner)
	if got, want := err.Error(), `breakdown: "XX" is not a value of dimension sex`; got != want {
		t.Fatalf("English: got %q, want %q", got, want)
	}
	fr := apperr.Message(err, "fr")
	if !strings.Contains(fr, "XX") || strings.Contains(fr, "is not a value") {
		t.Fatalf("French: %q", fr)
	}
	forbidden := apperr.ForbiddenT("a {role} token may not {action}", "role", "FOCAL_POINT", "action", apperr.Phrase("open a cycle"))
	if zh := apperr.Message(forbidden, "zh"); strings.Contains(zh, "open a cycle") || !strings.Contains(zh, "FOCAL_POINT") {
		t.Fatalf("Chinese: %q", zh)
	}
}

// englishOnly are the constructors of a domain error without a catalogue
// key: its message is English in every language.
var englishOnly = map[string]bool{
	"apperr.New": true, "apperr.NotFoundf": true, "apperr.Conflictf": true, "apperr.BadInputf": true,
	"apperr.Forbiddenf": true, "apperr.TooLargef": true, "apperr.Limitf": true, "apperr.TooManyRequests": true,
}

// TestNoDomainErrorIsEnglishOnly (issue 13): outside internal/app (the
// command line's own refusals, read in a terminal) no code makes a
// domain error without a catalogue key, so every message a client or a
// page shows is in the reader's language.
func TestNoDomainErrorIsEnglishOnly(t *testing.T) {
	root := filepath.Join("..", "..")
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == ".git" || d.Name() == "node_modules" || d.Name() == ".cache" ||
			path == filepath.Join(root, "internal", "app") || path == filepath.Join(root, "internal", "apperr")) {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			if sel, ok := call.Fun.(*ast.SelectorExpr); ok {
				if x, ok := sel.X.(*ast.Ident); ok && englishOnly[x.Name+"."+sel.Sel.Name] {
					t.Errorf("%s: %s.%s makes an English-only message: use its catalogue-keyed form (apperr.T, ...T)",
						fset.Position(call.Pos()), x.Name, sel.Sel.Name)
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
