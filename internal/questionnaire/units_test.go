package questionnaire_test

import (
	"maps"
	"strings"
	"testing"

	"github.com/cosp-ict/irm/internal/questionnaire"
	"github.com/cosp-ict/irm/questionnaires"
)

// expectedUnits walks what the questionnaire shows (root, sections,
// questions, their controls' fields and options, help text) and returns
// every string a translator must see, unit id → English.
func expectedUnits(q *questionnaire.Questionnaire) map[string]string {
	want := map[string]string{"#title": q.Title}
	if q.Description.Text != "" {
		want["#description"] = q.Description.Text
	}
	for _, s := range q.Sections {
		want["/"+questionnaire.EscapeToken(s.ID)+"#title"] = s.Title
		if s.Description.Text != "" {
			want["/"+questionnaire.EscapeToken(s.ID)+"#description"] = s.Description.Text
		}
	}
	var control func(c *questionnaire.Control, at string)
	control = func(c *questionnaire.Control, at string) {
		if c == nil {
			return
		}
		if c.Title != "" {
			want[at+"#title"] = c.Title
		}
		if c.Description.Text != "" {
			want[at+"#description"] = c.Description.Text
		}
		for _, ch := range c.Choices {
			want[at+"#option:"+ch.Value] = ch.Title
		}
		control(c.Item, at+"/items")
		for _, f := range c.Fields {
			control(f, at+"/"+questionnaire.EscapeToken(f.Name))
		}
	}
	for _, qq := range q.Questions {
		if qq.Group != "" {
			if l, ok := q.GroupLabels(qq.Group); ok && l.Title != "" {
				want[qq.Group+"#title"] = l.Title
			}
			if d := q.GroupDescription(qq.Group); d.Text != "" {
				want[qq.Group+"#description"] = d.Text
			}
		}
		control(qq.Control, qq.Path)
		want[qq.Path+"#title"] = qq.Title
	}
	return want
}

func TestUnitsAreEveryStringAPersonReads(t *testing.T) {
	for _, q := range []*questionnaire.Questionnaire{shipped(t), second(t)} {
		want := expectedUnits(q)
		got := map[string]string{}
		for _, u := range q.Units() {
			if _, dup := got[u.ID]; dup {
				t.Errorf("%s: unit %q listed twice", q.ID, u.ID)
			}
			got[u.ID] = u.Source
			if u.Context == "" {
				t.Errorf("%s: unit %q has no context", q.ID, u.ID)
			}
		}
		for id, en := range want {
			if got[id] != en {
				t.Errorf("%s: unit %q = %q, want %q", q.ID, id, got[id], en)
			}
		}
		for id := range got {
			if _, ok := want[id]; !ok {
				t.Errorf("%s: unit %q is not a string the questionnaire shows", q.ID, id)
			}
		}
	}
	q := shipped(t)
	qq := q.Questions[0]
	u, ok := q.Unit(qq.Path + "#title")
	if !ok || u.Target("fr") != qq.Label("fr") || u.Context == "" {
		t.Errorf("Unit(%s#title) = %+v, %v; want French %q", qq.Path, u, ok, qq.Label("fr"))
	}
}

// choiceQuestion is the first question of q with options and help text.
func choiceQuestion(t *testing.T, q *questionnaire.Questionnaire) *questionnaire.Question {
	t.Helper()
	for _, qq := range q.Questions {
		if len(qq.Choices) > 0 && qq.Description.Text != "" {
			return qq
		}
	}
	t.Fatal("no choice question with help text")
	return nil
}

// A questionnaire that declares a language (x-languages) cannot be given
// a translation that leaves one of its labels without a text in it.
func TestWithTranslationKeepsADeclaredLanguageComplete(t *testing.T) {
	q := shipped(t)
	full := map[string]string{}
	for _, u := range q.Units() {
		if t := u.Target("fr"); t != "" {
			full[u.ID] = t
		}
	}
	if _, err := q.WithTranslation("fr", full); err != nil {
		t.Fatalf("the file's own French laid over it = %v", err)
	}
	first := q.Sections[0].Questions[0].Path
	delete(full, first+"#title")
	_, err := q.WithTranslation("fr", full)
	if err == nil || !strings.Contains(err.Error(), "fr lacks 1: "+first) {
		t.Errorf("a French upload without %s = %v, want the declared language's missing label named", first, err)
	}
}

func TestWithTranslationReplacesOneLanguagesLabels(t *testing.T) {
	q := undeclared(t)
	qq := choiceQuestion(t, q)
	opt := qq.Choices[0]
	frBefore, esBefore := qq.Label("fr"), qq.Label("es")
	units := map[string]string{
		qq.Path + "#title":                         "Libellé corrigé",
		qq.Path + "#option:" + opt.Value:           "Option corrigée",
		qq.Path + "#description":                   "Aide corrigée",
		q.Sections[0].Questions[0].Path + "#title": "",
	}
	q2, err := q.WithTranslation("fr", units)
	if err != nil {
		t.Fatal(err)
	}
	q2q, _ := q2.Question(qq.Path)
	if q2q.Label("fr") != "Libellé corrigé" || q2q.Control.Label("fr") != "Libellé corrigé" {
		t.Errorf("French label = %q / control %q, want the uploaded one", q2q.Label("fr"), q2q.Control.Label("fr"))
	}
	if got := q2q.Control.OptionLabel(opt.Value, "fr"); got != "Option corrigée" || q2q.Choices[0].Label("fr") != "Option corrigée" {
		t.Errorf("French option = %q, want the uploaded one", got)
	}
	if got := q2q.Description.In("fr"); got != "Aide corrigée" || q2q.Control.Description.In("fr") != "Aide corrigée" {
		t.Errorf("French help = %q, want the uploaded one", got)
	}
	if q2q.Label("es") != esBefore {
		t.Errorf("Spanish label = %q, want %q unchanged", q2q.Label("es"), esBefore)
	}
	if qq.Label("fr") != frBefore {
		t.Errorf("the original's French label changed to %q", qq.Label("fr"))
	}
	// The upload replaces French as a whole: what it leaves out reads English.
	none, err := q.WithTranslation("fr", map[string]string{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := q2.Missing("fr"), none.Missing("fr")-2; q.Missing("fr") != 0 || got != want || want <= 0 {
		t.Errorf("Missing(fr) = %d after an upload of a label and an option, want %d (before: %d)", got, want, q.Missing("fr"))
	}
	if first := q2.Sections[0].Questions[0]; first.Label("fr") != first.Title {
		t.Errorf("a unit left empty reads %q, want the English %q", first.Label("fr"), first.Title)
	}
	if q2.Missing("es") != q.Missing("es") {
		t.Errorf("Missing(es) changed: %d → %d", q.Missing("es"), q2.Missing("es"))
	}
	if q2.ValidationSHA256 != q.ValidationSHA256 || q2.SHA256 != q.SHA256 {
		t.Error("a translation changed the questionnaire's digests")
	}
	if q2.LabelsSHA256("fr") == q.LabelsSHA256("fr") || q2.LabelsSHA256("es") != q.LabelsSHA256("es") {
		t.Error("LabelsSHA256: want French changed and Spanish not")
	}
	if got, ok := q2.Uploaded("fr"); !ok || !maps.Equal(got, units) {
		t.Errorf("Uploaded(fr) = %v, %v", got, ok)
	}
	// Dropping the upload reads the file's French again.
	q3, err := q2.WithTranslation("fr", nil)
	if err != nil {
		t.Fatal(err)
	}
	if q3.LabelsSHA256("fr") != q.LabelsSHA256("fr") {
		t.Error("WithTranslation(fr, nil) does not read the file's French again")
	}
	if _, err := q.WithTranslation("fr", map[string]string{"/nope#title": "x"}); err == nil {
		t.Error("an unknown unit was accepted")
	}
	if _, err := q.WithTranslation("en", map[string]string{}); err == nil {
		t.Error("an English overlay was accepted")
	}
}

func TestRegistryReplaceSwapsAQuestionnaire(t *testing.T) {
	r, err := questionnaire.Load(questionnaires.Files(), questionnaires.Catalogue())
	if err != nil {
		t.Fatal(err)
	}
	q, _ := r.Get(shippedID)
	qq := q.Questions[0]
	russian := map[string]string{}
	for _, u := range q.Units() {
		russian[u.ID] = u.Target("ru")
	}
	russian[qq.Path+"#title"] = "Новый"
	q2, err := q.WithTranslation("ru", russian)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Replace(q2); err != nil {
		t.Fatal(err)
	}
	got, _ := r.Get(shippedID)
	if got != q2 || r.Questionnaires()[0] != q2 {
		t.Fatal("Get after Replace does not return the replacement")
	}
	if l := got.Questions[0].Label("ru"); l != "Новый" {
		t.Errorf("Russian label = %q", l)
	}
	other, err := questionnaire.Compile("other", q.Raw, knownWorkingGroups(t))
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Replace(other); err == nil {
		t.Error("Replace accepted a questionnaire the registry does not hold")
	}
}
