package questionnaire_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/cosp-ict/irm/internal/questionnaire"
	"github.com/cosp-ict/irm/questionnaires"
)

// The shipped questionnaire's id and the complete sample document that
// answers it (owned by internal/demo; read, never copied).
const (
	shippedID  = "implementation-v1"
	samplePath = "../demo/data/implementation-v1.json"
)

var (
	registryOnce sync.Once
	registry     *questionnaire.Registry
	registryErr  error
)

// shippedRegistry loads the embedded questionnaires and catalogue once.
func shippedRegistry(tb testing.TB) *questionnaire.Registry {
	tb.Helper()
	registryOnce.Do(func() {
		registry, registryErr = questionnaire.Load(questionnaires.Files(), questionnaires.Catalogue())
	})
	if registryErr != nil {
		tb.Fatalf("Load(shipped questionnaires) = %v, want no error", registryErr)
	}
	return registry
}

// shipped returns the compiled implementation-v1 questionnaire.
func shipped(tb testing.TB) *questionnaire.Questionnaire {
	tb.Helper()
	q, ok := shippedRegistry(tb).Get(shippedID)
	if !ok {
		tb.Fatalf("Get(%q) found nothing, want the shipped questionnaire", shippedID)
	}
	return q
}

// knownWorkingGroups is the catalogue's working groups keyed by id, the
// argument Compile takes.
func knownWorkingGroups(tb testing.TB) map[string]questionnaire.WorkingGroup {
	tb.Helper()
	out := map[string]questionnaire.WorkingGroup{}
	for _, wg := range shippedRegistry(tb).WorkingGroups() {
		out[wg.ID] = wg
	}
	return out
}

// second compiles testdata/second/training-survey-v2.json.
func second(tb testing.TB) *questionnaire.Questionnaire {
	tb.Helper()
	data := readFile(tb, filepath.Join("testdata", "second", "training-survey-v2.json"))
	q, err := questionnaire.Compile("training-survey-v2", data, knownWorkingGroups(tb))
	if err != nil {
		tb.Fatalf("Compile(training-survey-v2) = %v, want no error", err)
	}
	return q
}

func readFile(tb testing.TB, name string) []byte {
	tb.Helper()
	data, err := os.ReadFile(name)
	if err != nil {
		tb.Fatalf("reading %s: %v", name, err)
	}
	return data
}

func sample(tb testing.TB) []byte {
	tb.Helper()
	return readFile(tb, samplePath)
}

// validationCase is one entry of cases.json or implementation-v1.invalid.json.
type validationCase struct {
	Name    string          `json:"name"`
	Mode    string          `json:"mode"` // "draft" or "submit"
	Answers json.RawMessage `json:"answers"`
	Errors  []pathKeyword   `json:"errors"` // the exact set, order irrelevant
}

type pathKeyword struct {
	Path    string `json:"path"`
	Keyword string `json:"keyword"`
}

func (pk pathKeyword) String() string { return fmt.Sprintf("%q %s", pk.Path, pk.Keyword) }

func loadCases(tb testing.TB, name string) []validationCase {
	tb.Helper()
	var cases []validationCase
	if err := json.Unmarshal(readFile(tb, name), &cases); err != nil {
		tb.Fatalf("decoding %s: %v", name, err)
	}
	if len(cases) == 0 {
		tb.Fatalf("%s holds no cases", name)
	}
	return cases
}

func modeOf(tb testing.TB, s string) questionnaire.Mode {
	tb.Helper()
	switch s {
	case "draft":
		return questionnaire.Draft
	case "submit":
		return questionnaire.Complete
	}
	tb.Fatalf("unknown mode %q, want draft or submit", s)
	return 0
}

func modeName(m questionnaire.Mode) string {
	if m == questionnaire.Draft {
		return "Draft"
	}
	return "Complete"
}

// pairs reduces field errors to their sorted (path, keyword) pairs.
func pairs(errs []questionnaire.FieldError) []pathKeyword {
	out := make([]pathKeyword, 0, len(errs))
	for _, e := range errs {
		out = append(out, pathKeyword{e.Path, e.Keyword})
	}
	sortPairs(out)
	return out
}

func sortPairs(ps []pathKeyword) {
	slices.SortFunc(ps, func(a, b pathKeyword) int {
		if c := strings.Compare(a.Path, b.Path); c != 0 {
			return c
		}
		return strings.Compare(a.Keyword, b.Keyword)
	})
}

func formatPairs(ps []pathKeyword) string {
	if len(ps) == 0 {
		return "(none)"
	}
	var b strings.Builder
	for _, p := range ps {
		b.WriteString("\n\t\t")
		b.WriteString(p.String())
	}
	return b.String()
}

func formatErrors(errs []questionnaire.FieldError) string {
	if len(errs) == 0 {
		return "(none)"
	}
	var b strings.Builder
	for _, e := range errs {
		fmt.Fprintf(&b, "\n\t\t%q %s: %s", e.Path, e.Keyword, e.Message)
	}
	return b.String()
}

// sentenceProblem says why msg is not one human sentence, or "" if it is:
// non-empty, one line, no surrounding space, starting with a capital
// letter, a digit or a quote, ending in a single ".".
func sentenceProblem(msg string) string {
	switch {
	case msg == "":
		return "it is empty"
	case strings.TrimSpace(msg) != msg:
		return "it has leading or trailing space"
	case strings.ContainsAny(msg, "\n\r"):
		return "it spans several lines"
	case !strings.HasSuffix(msg, "."):
		return `it does not end in "."`
	case strings.HasSuffix(msg, ".."):
		return `it ends in ".."`
	}
	r, _ := utf8.DecodeRuneInString(msg)
	if !unicode.IsUpper(r) && !unicode.IsDigit(r) && r != '"' && r != '\'' {
		return "it does not start with a capital letter or a quote"
	}
	return ""
}

// undeclared is implementation-v1 without its x-languages: a file that
// declares no language, whose missing labels read English (the
// fallback the translation tests exercise).
func undeclared(tb testing.TB) *questionnaire.Questionnaire {
	tb.Helper()
	q := shipped(tb)
	raw := regexp.MustCompile(`\s*"x-languages":\s*\[[^\]]*\],`).ReplaceAll(q.Raw, nil)
	if bytes.Equal(raw, q.Raw) {
		tb.Fatal("implementation-v1 has no x-languages to take out")
	}
	u, err := questionnaire.Compile(q.ID, raw, knownWorkingGroups(tb))
	if err != nil {
		tb.Fatal(err)
	}
	if len(u.Declared) != 0 {
		tb.Fatalf("still declares %v", u.Declared)
	}
	return u
}
