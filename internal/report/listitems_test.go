package report

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/cosp-ict/irm/internal/questionnaire"
	"github.com/cosp-ict/irm/internal/submission"
)

// listOptionLabels reads, straight from the questionnaire's file, the
// labels (x-choice-labels) of the options of each list question's item
// fields: path → field → value → lang → label.
func listOptionLabels(t *testing.T, q *questionnaire.Questionnaire) map[string]map[string]map[string]map[string]string {
	t.Helper()
	var root map[string]any
	if err := json.Unmarshal(q.Raw, &root); err != nil {
		t.Fatal(err)
	}
	resolve := func(n map[string]any) map[string]any {
		for n != nil {
			ref, _ := n["$ref"].(string)
			if !strings.HasPrefix(ref, "#/") {
				return n
			}
			cur := root
			for _, p := range strings.Split(ref[2:], "/") {
				cur, _ = cur[p].(map[string]any)
			}
			n = cur
		}
		return n
	}
	out := map[string]map[string]map[string]map[string]string{}
	for _, qq := range q.Questions {
		if qq.Kind != questionnaire.List {
			continue
		}
		n := resolve(root)
		for _, part := range strings.Split(strings.TrimPrefix(qq.Path, "/"), "/") {
			props, _ := n["properties"].(map[string]any)
			child, _ := props[part].(map[string]any)
			n = resolve(child)
		}
		items, _ := n["items"].(map[string]any)
		props, _ := resolve(items)["properties"].(map[string]any)
		for field, raw := range props {
			p, _ := raw.(map[string]any)
			p = resolve(p)
			cl, ok := p["x-choice-labels"].(map[string]any)
			if !ok {
				if it, _ := p["items"].(map[string]any); it != nil {
					cl, ok = resolve(it)["x-choice-labels"].(map[string]any)
				}
			}
			if !ok {
				continue
			}
			if out[qq.Path] == nil {
				out[qq.Path] = map[string]map[string]map[string]string{}
			}
			out[qq.Path][field] = map[string]map[string]string{}
			for v, byLang := range cl {
				m := map[string]string{}
				for l, s := range byLang.(map[string]any) {
					m[l] = s.(string)
				}
				out[qq.Path][field][v] = m
			}
		}
	}
	return out
}

// TestListItemOptionsPrintTheirLabels: the options of a list's item fields
// (arrays of objects with enum properties) print as the questionnaire
// labels them in the report's language, not as their codes (issue 13).
func TestListItemOptionsPrintTheirLabels(t *testing.T) {
	t.Parallel()
	f := newFixture(t, shippedID)
	f.submit(t, "CIV", 0)
	cur, _ := submission.SubmissionIn(context.Background(), f.pool, cycleID, "CIV")
	var answers map[string]any
	if err := json.Unmarshal(cur.Answers, &answers); err != nil {
		t.Fatal(err)
	}
	labels := listOptionLabels(t, f.q)
	if len(labels) == 0 {
		t.Fatalf("%s has no list whose items have labelled options", f.q.ID)
	}
	for _, lang := range []string{"fr", "ru", "zh", "es"} {
		t.Run(lang, func(t *testing.T) {
			_, text := f.render(t, Request{Kind: CountryProfile, CycleID: cycleID, State: "CIV", Language: lang})
			spaceless := strings.Join(strings.Fields(text), "")
			checked := 0
			for path, fields := range labels {
				items, _ := getPointer(answers, path)
				list, _ := items.([]any)
				for _, it := range list {
					obj, _ := it.(map[string]any)
					for field, options := range fields {
						var values []string
						switch v := obj[field].(type) {
						case string:
							values = []string{v}
						case []any:
							for _, e := range v {
								s, _ := e.(string)
								values = append(values, s)
							}
						}
						for _, v := range values {
							label := options[v][lang]
							if label == "" {
								t.Fatalf("%s %s: option %q has no %s label", path, field, v, lang)
							}
							checked++
							// A cell may wrap: every word of the label is
							// on the page (Chinese: the label's characters
							// in a row, lines joined).
							if lang == "zh" {
								if !strings.Contains(spaceless, strings.Join(strings.Fields(label), "")) {
									t.Errorf("%s %s: %q is not printed as %q", path, field, v, label)
								}
								continue
							}
							// (or at a hyphen)
							for _, w := range strings.FieldsFunc(label, func(r rune) bool { return r == ' ' || r == '-' }) {
								if !strings.Contains(text, w) {
									t.Errorf("%s %s: %q is not printed as %q (no %q)", path, field, v, label, w)
								}
							}
						}
					}
				}
			}
			if checked == 0 {
				t.Fatal("the answers hold no list item with an option")
			}
		})
	}
}

// TestIndicatorsReadInTheReportsLanguage: a synthesis in French prints
// each indicator's description and unit as the catalogue gives them in
// French (issue 13), not the English ones.
func TestIndicatorsReadInTheReportsLanguage(t *testing.T) {
	t.Parallel()
	f := newFixture(t, shippedID)
	f.parties(t, "CIV")
	f.submit(t, "CIV", 0)
	f.report(t, "CIV", 10, 2021, 2022)
	_, text := f.render(t, Request{Kind: CycleSynthesis, CycleID: cycleID, Language: "fr"})
	flat := flatten(text)
	checked := 0
	for _, ind := range f.cat.Indicators {
		fr := strings.Fields(ind.DescriptionIn("fr"))
		en := strings.Fields(ind.Description)
		if !strings.Contains(flat, strings.Join(fr[:6], " ")) {
			continue // not in this synthesis
		}
		checked++
		if strings.Contains(flat, strings.Join(en[:8], " ")) {
			t.Errorf("%s: the English description is printed too", ind.Code)
		}
		if ind.Unit == "persons" && !strings.Contains(flat, "(personnes)") {
			t.Errorf("%s: the unit is not printed as (personnes)", ind.Code)
		}
	}
	if checked == 0 {
		t.Fatal("no indicator's description is printed in French")
	}
}
