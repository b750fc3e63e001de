package app_test

import (
	"context"
	"strings"
	"testing"

	"github.com/cosp-ict/irm/internal/app"
	"github.com/cosp-ict/irm/internal/auth"
	"github.com/cosp-ict/irm/internal/schedule"
)

const (
	kitQuery    = `query($q: ID!, $l: String!) { translationKit(questionnaire: $q, lang: $l) }`
	uploadQuery = `mutation($q: ID!, $l: String!, $x: String!) { uploadTranslation(questionnaire: $q, lang: $l, xliff: $x) { lang missing reviewed } }`
	labelsQuery = `query { questionnaire(id: "implementation-v1") {
	translations { lang missing reviewed }
	sections { id fr: title(lang: "fr") }
	questions { path fr: label(lang: "fr") es: label(lang: "es") choices { value fr: label(lang: "fr") } }
} }`
)

type kitLabels struct {
	Questionnaire struct {
		Translations []translationOut
		Sections     []struct{ ID, Fr string }
		Questions    []struct {
			Path, Fr, Es string
			Choices      []struct{ Value, Fr string }
		}
	}
}

// setTarget replaces the target of unit id in a kit, as a translator does.
func setTarget(t *testing.T, kit, id, text string) string {
	t.Helper()
	at := strings.Index(kit, `<trans-unit id="`+id+`"`)
	if at < 0 {
		t.Fatalf("no unit %q in the kit", id)
	}
	from := at + strings.Index(kit[at:], "<target")
	from += strings.Index(kit[from:], ">") + 1
	to := from + strings.Index(kit[from:], "</target>")
	return kit[:from] + text + kit[to:]
}

func TestTranslationKitRoundTrip(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.setParty(t, "GHA", true)
	fp := w.token(t, "Ghana focal point", auth.FocalPoint, "GHA")
	var before kitLabels
	w.env.Do(t, w.sec, labelsQuery, nil).Decode(t, &before)
	q0 := before.Questionnaire.Questions[0]
	var choice string
	var choicePath string
	for _, q := range before.Questionnaire.Questions {
		if len(q.Choices) > 0 {
			choicePath, choice = q.Path, q.Choices[0].Value
			break
		}
	}

	t.Run("a focal point may neither download nor upload", func(t *testing.T) {
		if code := w.env.Do(t, fp, kitQuery, map[string]any{"q": "implementation-v1", "l": "fr"}).Code(); code != "FORBIDDEN" {
			t.Errorf("translationKit = %s, want FORBIDDEN", code)
		}
		if code := w.env.Do(t, fp, uploadQuery, map[string]any{"q": "implementation-v1", "l": "fr", "x": "<xliff/>"}).Code(); code != "FORBIDDEN" {
			t.Errorf("uploadTranslation = %s, want FORBIDDEN", code)
		}
	})

	var out struct{ TranslationKit string }
	w.env.Do(t, w.sec, kitQuery, map[string]any{"q": "implementation-v1", "l": "fr"}).Decode(t, &out)
	kit := out.TranslationKit
	if !strings.Contains(kit, `target-language="fr"`) || !strings.Contains(kit, `<trans-unit id="`+q0.Path+`#title"`) {
		t.Fatalf("the kit is not the French kit:\n%.600s", kit)
	}
	kit = setTarget(t, kit, q0.Path+"#title", "Point focal national (révisé)")
	kit = setTarget(t, kit, choicePath+"#option:"+choice, "Choix révisé")
	// implementation-v1 declares French (x-languages): a label cleared
	// in the kit is refused (internal/translation's tests), so every one
	// keeps a text.

	t.Run("a refused upload names the problem and changes nothing", func(t *testing.T) {
		bad := strings.Replace(kit, `<trans-unit id="`+q0.Path+`#title"`, `<trans-unit id="/nowhere#title"`, 1)
		body := map[string]any{"q": "implementation-v1", "l": "fr", "x": bad}
		res := w.env.Do(t, w.sec, uploadQuery, body)
		if res.Code() != "BAD_USER_INPUT" || !strings.Contains(res.Errors[0].Message, "/nowhere#title") {
			t.Fatalf("upload = %+v, want BAD_USER_INPUT naming the unit", res.Errors)
		}
		var after kitLabels
		w.env.Do(t, w.sec, labelsQuery, nil).Decode(t, &after)
		if after.Questionnaire.Questions[0].Fr != q0.Fr {
			t.Error("a refused upload changed the French label")
		}
	})

	var up struct{ UploadTranslation translationOut }
	w.env.Do(t, w.sec, uploadQuery, map[string]any{"q": "implementation-v1", "l": "fr", "x": kit}).Decode(t, &up)
	if up.UploadTranslation != (translationOut{Lang: "fr", Missing: 0, Reviewed: false}) {
		t.Errorf("uploadTranslation = %+v, want fr, none missing, not reviewed", up.UploadTranslation)
	}
	var after kitLabels
	w.env.Do(t, fp, labelsQuery, nil).Decode(t, &after)
	aq := after.Questionnaire
	if aq.Questions[0].Fr != "Point focal national (révisé)" || aq.Questions[0].Es != q0.Es {
		t.Errorf("after the upload: fr %q, es %q", aq.Questions[0].Fr, aq.Questions[0].Es)
	}
	for _, q := range aq.Questions {
		if q.Path == choicePath && q.Choices[0].Fr != "Choix révisé" {
			t.Errorf("the French option reads %q", q.Choices[0].Fr)
		}
	}
	for _, tr := range aq.Translations {
		if tr.Lang == "fr" && (tr.Missing != 0 || tr.Reviewed) {
			t.Errorf("translations fr = %+v, want none missing, not reviewed", tr)
		}
	}
	var n int
	if err := w.env.Pool.QueryRow(context.Background(), `SELECT count(*) FROM audit_events WHERE action = 'translation.upload' AND actor = $1`, secName).Scan(&n); err != nil || n != 1 {
		t.Errorf("%d upload audit events (%v), want 1", n, err)
	}

	t.Run("a replica started later reads the upload", func(t *testing.T) {
		content := mustContent(t)
		svc, err := app.NewServices(w.env.AppPool, content, discardLog(), schedule.Config{})
		if err != nil {
			t.Fatal(err)
		}
		if err := svc.Prepare(context.Background()); err != nil {
			t.Fatal(err)
		}
		q, _ := content.Registry.Get("implementation-v1")
		if got := q.Questions[0].Label("fr"); got != "Point focal national (révisé)" {
			t.Errorf("after Prepare the French label reads %q", got)
		}
	})

	t.Run("the cycle goes on: a focal point saves and submits", func(t *testing.T) {
		s := w.mustSave(t, fp, "GHA", sample(t), -1)
		w.mustSubmit(t, fp, "GHA", s.Version)
	})
}
