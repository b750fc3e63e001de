package app_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/cosp-ict/irm/internal/app/apptest"
)

// A label asked for in a language outside the six is refused naming the
// six (it used to answer English silently), for every field that takes a
// lang; and a working group's name comes in the request's language, as an
// indicator's does.
func TestLabelLanguagesAreTheSix(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	token := env.FocalPoint(t, "GHA")
	for _, q := range []string{
		`{ questionnaire(id: "implementation-v1") { title(lang: "de") } }`,
		`{ questionnaire(id: "implementation-v1") { sections { title(lang: "de") } } }`,
		`{ questionnaire(id: "implementation-v1") { questions { label(lang: "de") } } }`,
		`{ questionnaire(id: "implementation-v1") { questions { choices { label(lang: "DE-de") } } } }`,
		`{ questionnaire(id: "implementation-v1") { title(lang: "") } }`,
	} {
		res := env.Do(t, token, q, nil)
		if res.Code() != "BAD_USER_INPUT" || !strings.Contains(res.Errors[0].Message, "ar, zh, en, fr, ru, es") {
			t.Errorf("%s: %+v, want BAD_USER_INPUT naming the six", q, res.Errors)
		}
	}
	var ok struct {
		Questionnaire struct{ Title string }
	}
	env.Do(t, token, `{ questionnaire(id: "implementation-v1") { title(lang: "ru") } }`, nil).Decode(t, &ok)
	if !strings.Contains(ok.Questionnaire.Title, "Вопросник") {
		t.Errorf("Russian title %q", ok.Questionnaire.Title)
	}

	body, _ := json.Marshal(map[string]any{"query": `{ workingGroups { id name indicators { name } } }`})
	for lang, want := range map[string]string{"": "Working Group on International Cooperation", "zh": "国际合作工作组", "fr": "Groupe de travail sur la coopération internationale"} {
		raw := env.Raw(t, "POST", "/graphql", token, map[string]string{"Content-Type": "application/json", "Accept-Language": lang}, bytes.NewReader(body))
		var out struct {
			Data struct {
				WorkingGroups []struct{ ID, Name string }
			}
		}
		if err := json.Unmarshal(raw.Body, &out); err != nil {
			t.Fatal(err)
		}
		found := false
		for _, wg := range out.Data.WorkingGroups {
			if wg.ID == "international-cooperation" {
				found = true
				if wg.Name != want {
					t.Errorf("Accept-Language %q: the working group is named %q, want %q", lang, wg.Name, want)
				}
			}
		}
		if !found {
			t.Fatalf("no international-cooperation working group: %s", raw.Body)
		}
	}
}
