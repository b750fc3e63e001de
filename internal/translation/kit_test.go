package translation_test

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"html"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/cosp-ict/irm/internal/apperr"
	"github.com/cosp-ict/irm/internal/auth"
	"github.com/cosp-ict/irm/internal/postgres/pgtest"
	"github.com/cosp-ict/irm/internal/questionnaire"
	"github.com/cosp-ict/irm/internal/translation"
)

var sec = auth.Principal{Name: "Secretariat", Role: auth.Secretariat}

// kitDoc reads a kit as a translation tool would.
type kitDoc struct {
	XMLName xml.Name `xml:"urn:oasis:names:tc:xliff:document:1.2 xliff"`
	Version string   `xml:"version,attr"`
	File    struct {
		Original string `xml:"original,attr"`
		Source   string `xml:"source-language,attr"`
		Target   string `xml:"target-language,attr"`
		Datatype string `xml:"datatype,attr"`
		Units    []struct {
			ID     string `xml:"id,attr"`
			Source string `xml:"source"`
			Target *struct {
				State string `xml:"state,attr"`
				Text  string `xml:",chardata"`
			} `xml:"target"`
			Note string `xml:"note"`
		} `xml:"body>trans-unit"`
	} `xml:"file"`
}

func readKitDoc(t *testing.T, data []byte) kitDoc {
	t.Helper()
	var d kitDoc
	if err := xml.Unmarshal(data, &d); err != nil {
		t.Fatalf("the kit is not XLIFF: %v\n%s", err, data)
	}
	return d
}

// kitFile writes an XLIFF 1.2 file by hand: units are id, target pairs.
func kitFile(original, lang string, units ...string) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, `<?xml version="1.0" encoding="UTF-8"?>
<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2">
<file original="%s" source-language="en" target-language="%s" datatype="plaintext"><body>
`, original, lang)
	for i := 0; i+1 < len(units); i += 2 {
		fmt.Fprintf(&b, "<trans-unit id=\"%s\"><source>x</source><target>%s</target></trans-unit>\n", html.EscapeString(units[i]), units[i+1])
	}
	b.WriteString("</body></file></xliff>\n")
	return []byte(b.String())
}

func TestKitHoldsEveryStringWithItsEnglish(t *testing.T) {
	reg := load(t, `"title": "General provisions"`, `"title": "General <provisions> & \"rules\""`)
	q, _ := reg.Get(id)
	qq := q.Questions[0]
	// French with one label left untranslated.
	partial := map[string]string{}
	for _, u := range q.Units() {
		if t := u.Target("fr"); t != "" && u.ID != qq.Path+"#title" {
			partial[u.ID] = t
		}
	}
	q, err := q.WithTranslation("fr", partial)
	if err != nil {
		t.Fatal(err)
	}
	for _, reviewed := range []bool{false, true} {
		data, err := translation.Kit(q, "fr", reviewed)
		if err != nil {
			t.Fatal(err)
		}
		d := readKitDoc(t, data)
		if d.Version != "1.2" || d.File.Original != id || d.File.Source != "en" || d.File.Target != "fr" || d.File.Datatype != "plaintext" {
			t.Fatalf("file = %+v", d.File)
		}
		units := q.Units()
		if len(d.File.Units) != len(units) {
			t.Fatalf("%d units in the kit, want %d", len(d.File.Units), len(units))
		}
		wantState := "needs-review-translation"
		if reviewed {
			wantState = "final"
		}
		sawEscaped := false
		for i, u := range units {
			ku := d.File.Units[i]
			if ku.ID != u.ID || ku.Source != u.Source || ku.Note != u.Context {
				t.Errorf("unit %d = %q %q (%q), want %q %q (%q)", i, ku.ID, ku.Source, ku.Note, u.ID, u.Source, u.Context)
			}
			sawEscaped = sawEscaped || u.Source == `General <provisions> & "rules"`
			switch {
			case u.Target("fr") == "" && ku.Target != nil:
				t.Errorf("unit %s: a target %+v where French has none", u.ID, ku.Target)
			case u.Target("fr") != "" && (ku.Target == nil || ku.Target.Text != u.Target("fr") || ku.Target.State != wantState):
				t.Errorf("unit %s: target %+v, want %q in state %s", u.ID, ku.Target, u.Target("fr"), wantState)
			}
		}
		if !sawEscaped {
			t.Error("the section title with markup characters did not come back as written")
		}
		if ku := d.File.Units[slicesIndex(units, qq.Path+"#title")]; ku.Target != nil {
			t.Errorf("the untranslated label has a target %+v", ku.Target)
		}
	}
	// Every kind of string is in it: labels, options, help text.
	kinds := map[string]bool{}
	for _, u := range q.Units() {
		kinds[u.ID[strings.LastIndex(u.ID, "#"):][:min(8, len(u.ID)-strings.LastIndex(u.ID, "#"))]] = true
	}
	for _, k := range []string{"#title", "#option:", "#descrip"} {
		if !kinds[k] {
			t.Errorf("no %s unit in the kit (%v)", k, kinds)
		}
	}
}

func slicesIndex(units []questionnaire.Unit, id string) int {
	for i, u := range units {
		if u.ID == id {
			return i
		}
	}
	return -1
}

// state is what an upload may change: the stored uploads, the audit
// events and the registry's questionnaire.
func state(t *testing.T, pool *pgxpool.Pool, reg *questionnaire.Registry) string {
	t.Helper()
	var s string
	if err := pool.QueryRow(context.Background(), `SELECT concat(
		(SELECT string_agg(concat_ws(',', questionnaire_id, lang, units::text, file_sha256), ';') FROM translation_uploads), '|',
		(SELECT count(*) FROM audit_events WHERE action = 'translation.upload'))`).Scan(&s); err != nil {
		t.Fatal(err)
	}
	q, _ := reg.Get(id)
	return s + "|" + q.LabelsSHA256("fr") + q.LabelsSHA256("ar")
}

func TestUploadReplacesTheLanguagesLabels(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := pgtest.New(t)
	reg := load(t, "", "")
	svc := translation.NewService(pool, reg)
	q0, _ := reg.Get(id)
	qq := q0.Questions[0]
	opt := choiceOf(t, q0)

	if _, err := svc.Review(ctx, sec, id, "fr", true); err != nil {
		t.Fatal(err)
	}
	kit, err := svc.Kit(ctx, sec, id, "fr")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(kit, []byte(`state="final"`)) {
		t.Error("the kit of a reviewed language has no final target")
	}
	// The translator corrects a label and an option, and clears one.
	edited := replaceTarget(t, kit, qq.Path+"#title", "Libellé revu &amp; corrigé")
	edited = replaceTarget(t, edited, opt.unit, "Option revue")
	edited = replaceTarget(t, edited, "/"+q0.Sections[1].ID+"#title", "")

	tr, err := svc.Upload(ctx, sec, id, "fr", edited)
	if err != nil {
		t.Fatalf("Upload = %v", err)
	}
	q, _ := reg.Get(id)
	if got := q.Questions[0].Label("fr"); got != "Libellé revu & corrigé" {
		t.Errorf("French label after the upload = %q", got)
	}
	if got := opt.label(q, "fr"); got != "Option revue" {
		t.Errorf("French option after the upload = %q", got)
	}
	if got := q.Sections[1].Label("fr"); got != q.Sections[1].Title {
		t.Errorf("a cleared target reads %q, want the English %q", got, q.Sections[1].Title)
	}
	if tr.Lang != "fr" || tr.Reviewed || tr.Missing != 1 || q.Missing("fr") != 1 {
		t.Errorf("Upload = %+v (Missing %d), want fr, 1 missing, not reviewed", tr, q.Missing("fr"))
	}
	if q.ValidationSHA256 != q0.ValidationSHA256 || q.SHA256 != q0.SHA256 {
		t.Error("the upload changed what the questionnaire validates")
	}
	if q.Questions[0].Label("es") != q0.Questions[0].Label("es") {
		t.Error("the upload changed Spanish")
	}
	var units, translated, changed int
	var fileSHA string
	if err := pool.QueryRow(ctx, `SELECT (detail->>'units')::int, (detail->>'translated')::int, (detail->>'changed')::int, detail->>'fileSha256'
		FROM audit_events WHERE action = 'translation.upload' AND subject = 'questionnaire/implementation-v1/fr' AND actor = 'Secretariat'`).
		Scan(&units, &translated, &changed, &fileSHA); err != nil {
		t.Fatalf("audit event: %v", err)
	}
	if units != len(q.Units()) || translated != units-1 || changed != 3 || len(fileSHA) != 64 {
		t.Errorf("audit: %d units, %d translated, %d changed, sha %q; want %d, %d, 3", units, translated, changed, fileSHA, len(q.Units()), len(q.Units())-1)
	}

	t.Run("the kit downloaded again reads the upload, unreviewed", func(t *testing.T) {
		kit, err := svc.Kit(ctx, sec, id, "fr")
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Contains(kit, []byte("Libellé revu &amp; corrigé")) || bytes.Contains(kit, []byte(`state="final"`)) {
			t.Error("the kit does not read the uploaded labels as unreviewed")
		}
	})

	t.Run("another replica reads the upload at its refresh", func(t *testing.T) {
		other := load(t, "", "")
		svc2 := translation.NewService(pool, other)
		if q2, _ := other.Get(id); q2.Questions[0].Label("fr") == "Libellé revu & corrigé" {
			t.Fatal("the other replica reads the upload before its refresh")
		}
		if err := svc2.Refresh(ctx); err != nil {
			t.Fatal(err)
		}
		q2, _ := other.Get(id)
		if got := q2.Questions[0].Label("fr"); got != "Libellé revu & corrigé" || q2.LabelsSHA256("fr") != q.LabelsSHA256("fr") {
			t.Errorf("the other replica reads %q after its refresh", got)
		}
		// A refresh with nothing new keeps the same questionnaire.
		if err := svc2.Refresh(ctx); err != nil {
			t.Fatal(err)
		}
		if q3, _ := other.Get(id); q3 != q2 {
			t.Error("a refresh with nothing new replaced the questionnaire")
		}
	})

	t.Run("refused uploads change nothing and say why", func(t *testing.T) {
		before := state(t, pool, reg)
		doctype := []byte(strings.Replace(string(kitFile(id, "fr", qq.Path+"#title", "x")), "<xliff", "<!DOCTYPE xliff [<!ENTITY e \"boom\">]>\n<xliff", 1))
		for _, c := range []struct {
			name, lang string
			file       []byte
			code       apperr.Code
			want       []string // in the French message
		}{
			{"an unknown unit", "fr", kitFile(id, "fr", "/nowhere#title", "Nulle part"), apperr.BadInput, []string{"/nowhere#title", "n'est pas un texte de ce questionnaire"}},
			{"a unit twice", "fr", kitFile(id, "fr", qq.Path+"#title", "a", qq.Path+"#title", "b"), apperr.BadInput, []string{qq.Path + "#title", "plus d'une fois"}},
			{"another target language", "fr", kitFile(id, "es", qq.Path+"#title", "x"), apperr.BadInput, []string{"« es »", "« fr »"}},
			{"another questionnaire", "fr", kitFile("other-v1", "fr", qq.Path+"#title", "x"), apperr.BadInput, []string{"other-v1"}},
			{"English", "en", kitFile(id, "en", qq.Path+"#title", "x"), apperr.BadInput, []string{"L'anglais est la langue du questionnaire"}},
			{"malformed XML", "fr", []byte("<xliff version=\"1.2\"><file>"), apperr.BadInput, []string{"XML bien formé"}},
			{"a DOCTYPE", "fr", doctype, apperr.BadInput, []string{"DOCTYPE"}},
			{"markup in a target", "fr", kitFile(id, "fr", qq.Path+"#title", "a <g id=\"1\">b</g>"), apperr.BadInput, []string{"balisage", "<g>"}},
			{"a control character", "fr", kitFile(id, "fr", qq.Path+"#title", "a&#x85;b"), apperr.BadInput, []string{"caractères de contrôle"}},
			{"XLIFF 2.0", "fr", bytes.Replace(kitFile(id, "fr"), []byte(`version="1.2"`), []byte(`version="2.0"`), 1), apperr.BadInput, []string{"« 2.0 »"}},
			{"a focal point", "fr", kit, apperr.Forbidden, nil},
		} {
			t.Run(c.name, func(t *testing.T) {
				p := sec
				if c.code == apperr.Forbidden {
					p = auth.Principal{Name: "fp", Role: auth.FocalPoint, State: "KEN"}
				}
				_, err := svc.Upload(ctx, p, id, c.lang, c.file)
				if apperr.CodeOf(err) != c.code {
					t.Fatalf("Upload = %v, want %s", err, c.code)
				}
				fr := apperr.Message(err, "fr")
				for _, w := range c.want {
					if !strings.Contains(fr, w) {
						t.Errorf("the French refusal %q does not say %q", fr, w)
					}
				}
				if got := state(t, pool, reg); got != before {
					t.Errorf("a refused upload changed something:\n%s\n%s", before, got)
				}
			})
		}
	})

	t.Run("a dropped placeholder is refused", func(t *testing.T) {
		preg := load(t, `"title": "General provisions"`, `"title": "General provisions of {count} articles"`)
		psvc := translation.NewService(pool, preg)
		pq, _ := preg.Get(id)
		unit := "/" + pq.Sections[0].ID + "#title"
		before := state(t, pool, preg)
		_, err := psvc.Upload(ctx, sec, id, "fr", kitFile(id, "fr", unit, "Dispositions générales"))
		var refused *translation.Refused
		if apperr.CodeOf(err) != apperr.BadInput || !errors.As(err, &refused) || len(refused.Problems) != 1 {
			t.Fatalf("Upload = %v, want one problem", err)
		}
		if fr := apperr.Message(refused.Problems[0], "fr"); !strings.Contains(fr, unit) || !strings.Contains(fr, "{count}") {
			t.Errorf("the problem reads %q", fr)
		}
		if got := state(t, pool, preg); got != before {
			t.Error("a refused upload changed something")
		}
		if _, err := psvc.Upload(ctx, sec, id, "fr", kitFile(id, "fr", unit, "Dispositions générales en {count} articles")); err != nil {
			t.Errorf("an upload keeping the placeholder = %v", err)
		}
	})
	t.Run("a focal point may not download the kit", func(t *testing.T) {
		if _, err := svc.Kit(ctx, auth.Principal{Name: "fp", Role: auth.FocalPoint, State: "KEN"}, id, "fr"); apperr.CodeOf(err) != apperr.Forbidden {
			t.Errorf("Kit = %v, want FORBIDDEN", err)
		}
	})
}

// option is one option of a choice question and its unit.
type option struct {
	path, value, unit string
}

func choiceOf(t *testing.T, q *questionnaire.Questionnaire) option {
	t.Helper()
	for _, qq := range q.Questions {
		if len(qq.Choices) > 0 {
			return option{qq.Path, qq.Choices[0].Value, qq.Path + "#option:" + qq.Choices[0].Value}
		}
	}
	t.Fatal("no choice question")
	return option{}
}

func (o option) label(q *questionnaire.Questionnaire, lang string) string {
	qq, _ := q.Question(o.path)
	return qq.Control.OptionLabel(o.value, lang)
}

// replaceTarget sets the target of the unit id in a kit as a translator
// does (text is XML already: escaped).
func replaceTarget(t *testing.T, kit []byte, id, text string) []byte {
	t.Helper()
	s := string(kit)
	at := strings.Index(s, `<trans-unit id="`+html.EscapeString(id)+`"`)
	if at < 0 {
		t.Fatalf("no unit %q in the kit", id)
	}
	end := at + strings.Index(s[at:], "</trans-unit>")
	unit := s[at:end]
	from := strings.Index(unit, "<target")
	if from < 0 {
		t.Fatalf("unit %q has no target", id)
	}
	to := strings.Index(unit, "</target>") + len("</target>")
	open := unit[from : from+strings.Index(unit[from:], ">")+1]
	return []byte(s[:at] + unit[:from] + open + text + "</target>" + unit[to:] + s[end:])
}

// implementation-v1 declares its six languages (x-languages): an upload
// that leaves one of its labels without a French text is refused, naming
// the label, and changes nothing; the same kit with the label kept is
// taken, and help text may stay English.
func TestADeclaredLanguageStaysComplete(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := pgtest.New(t)
	reg := shippedRegistry(t)
	svc := translation.NewService(pool, reg)
	q0, _ := reg.Get(id)
	kit, err := svc.Kit(ctx, sec, id, "fr")
	if err != nil {
		t.Fatal(err)
	}
	label := q0.Questions[0].Path + "#title"
	before := state(t, pool, reg)
	_, err = svc.Upload(ctx, sec, id, "fr", replaceTarget(t, kit, label, ""))
	var refused *translation.Refused
	if apperr.CodeOf(err) != apperr.BadInput || !errors.As(err, &refused) || len(refused.Problems) != 1 {
		t.Fatalf("Upload without a French label = %v, want one problem", err)
	}
	if fr := apperr.Message(refused.Problems[0], "fr"); !strings.Contains(fr, label) || !strings.Contains(fr, "x-languages") {
		t.Errorf("the problem reads %q", fr)
	}
	if got := state(t, pool, reg); got != before {
		t.Error("a refused upload changed something")
	}
	help := ""
	for _, u := range q0.Units() {
		if strings.HasSuffix(u.ID, questionnaire.DescriptionUnit) && u.Target("fr") != "" {
			help = u.ID
			break
		}
	}
	if help == "" {
		t.Fatal("no translated help text")
	}
	edited := replaceTarget(t, replaceTarget(t, kit, label, "Libellé revu"), help, "")
	if _, err := svc.Upload(ctx, sec, id, "fr", edited); err != nil {
		t.Fatalf("a complete French upload = %v", err)
	}
	q, _ := reg.Get(id)
	if got := q.Questions[0].Label("fr"); got != "Libellé revu" {
		t.Errorf("French label after the upload = %q", got)
	}
}

func TestReplicasFollowStoredUploads(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pool := pgtest.New(t)
	reg, other := load(t, "", ""), load(t, "", "")
	svc, svc2 := translation.NewService(pool, reg), translation.NewService(pool, other)
	q, _ := reg.Get(id)
	unit := q.Questions[0].Path + "#title"

	t.Run("a stored string the questionnaire no longer has is left out, the rest is read", func(t *testing.T) {
		if _, err := pool.Exec(ctx, `INSERT INTO translation_uploads (questionnaire_id, lang, units, file_sha256, uploaded_by)
			VALUES ($1, 'ru', $2, repeat('a', 64), 'test')`, id, map[string]string{unit: "Устаревший", "/removed#title": "Удалено"}); err != nil {
			t.Fatal(err)
		}
		if err := svc2.Refresh(ctx); err != nil {
			t.Fatalf("Refresh = %v", err)
		}
		if q2, _ := other.Get(id); q2.Questions[0].Label("ru") != "Устаревший" {
			t.Errorf("Russian label = %q", q2.Questions[0].Label("ru"))
		}
	})

	t.Run("a replica watching reads an upload made on another", func(t *testing.T) {
		go svc2.Watch(ctx, 10*time.Millisecond)
		if _, err := svc.Upload(ctx, sec, id, "zh", kitFile(id, "zh", unit, "新的标签")); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(30 * time.Second)
		for {
			if q2, _ := other.Get(id); q2.Questions[0].Label("zh") == "新的标签" {
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("the watching replica never read the upload")
			}
			time.Sleep(10 * time.Millisecond)
		}
	})
}
