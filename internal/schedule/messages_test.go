package schedule

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/cosp-ict/irm/internal/apperr"
	"github.com/cosp-ict/irm/internal/report"
)

// TestAFailedRunKeepsWhatHappenedAsMessages (issue 13): a run that fails
// keeps what happened as a message of the catalogue, read in each
// reader's language, beside its English text: a timeout (with the
// duration counted in the reader's words), an empty document, a domain
// error (its own key), and anything else as a generic sentence whose
// detail only the English text has (which an English reader reads).
func TestAFailedRunKeepsWhatHappenedAsMessages(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.renderer.hook = func(ctx context.Context, req report.Request) error {
		switch req.State {
		case "KEN":
			<-ctx.Done()
			return ctx.Err()
		case "FRA":
			return errReturnEmpty
		case "GHA":
			return apperr.NotFoundT("no cycle with id \"{id}\"", "id", "2031")
		case "BRA":
			return errors.New("disk full on /var/tmp")
		}
		return nil
	}
	cfg := fast()
	cfg.RenderTimeout, cfg.RescueAfter = 2*time.Second, time.Minute
	s := w.service(t, cfg)
	ctx := context.Background()
	runs := map[string]string{}
	for _, code := range []string{"KEN", "FRA", "GHA", "BRA"} {
		r, err := s.Render(ctx, secretariat, Input{Kind: report.CountryProfile, CycleID: "2027", State: code})
		if err != nil {
			t.Fatal(err)
		}
		runs[code] = r.ID
	}
	start(t, s)
	eventually(t, 60*time.Second, "the runs fail", func() (bool, error) {
		for _, id := range runs {
			if w.status(t, s, id).Status != Failed {
				return false, nil
			}
		}
		return true, nil
	})
	for _, c := range []struct {
		state, key, english, fr, ar string
	}{
		{"KEN", "rendering took longer than {count} seconds and was stopped",
			"rendering took longer than 2 seconds and was stopped",
			"le rendu a pris plus de 2 secondes et a été interrompu",
			"استغرق إعداد التقرير أكثر من ثانيتين فأُوقف"},
		{"FRA", "the renderer returned an empty document",
			"the renderer returned an empty document",
			"le moteur de rendu a renvoyé un document vide",
			"أعاد مولِّد التقرير مستندًا فارغًا"},
		{"GHA", "no cycle with id \"{id}\"",
			"no cycle with id \"2031\"",
			apperr.Message(apperr.NotFoundT("no cycle with id \"{id}\"", "id", "2031"), "fr"),
			apperr.Message(apperr.NotFoundT("no cycle with id \"{id}\"", "id", "2031"), "ar")},
		{"BRA", "the report could not be rendered; the service's log has the details",
			"disk full on /var/tmp",
			"le rapport n'a pas pu être produit ; le journal du service en donne le détail",
			"تعذّر إعداد التقرير؛ التفاصيل في سجل الخدمة"},
	} {
		got := w.status(t, s, runs[c.state])
		if got.ErrorMessage == nil || got.ErrorMessage.Key != c.key {
			t.Errorf("%s: message %+v, want key %q", c.state, got.ErrorMessage, c.key)
			continue
		}
		if got.Error == nil || *got.Error != c.english {
			t.Errorf("%s: English column %v, want %q", c.state, got.Error, c.english)
		}
		if e := got.ErrorIn("en"); e == nil || *e != c.english {
			t.Errorf("%s: in English %v, want %q (the English text, as before)", c.state, e, c.english)
		}
		if e := got.ErrorIn("fr"); e == nil || *e != c.fr {
			t.Errorf("%s: in French %v, want %q", c.state, e, c.fr)
		}
		if e := got.ErrorIn("ar"); e == nil || *e != c.ar {
			t.Errorf("%s: in Arabic %v, want %q", c.state, e, c.ar)
		}
		if e := got.ErrorIn("fr"); e != nil && strings.Contains(*e, "disk full") {
			t.Errorf("%s: the English detail reaches the French reader: %q", c.state, *e)
		}
	}
}

// A run stored before runs kept messages (error and warnings as English
// text only) still reads, as its text, in every language.
func TestARunWithoutMessagesShowsItsText(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	s := w.service(t, fast())
	ctx := context.Background()
	var failed, succeeded string
	if err := w.pool.QueryRow(ctx, `INSERT INTO report_runs (kind, cycle_id, scheduled_for, requested_by, status, error, finished_at, started_at)
		VALUES ('CYCLE_SYNTHESIS', '2027', now(), 'Secretariat', 'FAILED', 'rendering took longer than 10m0s and was stopped', now(), now())
		RETURNING id`).Scan(&failed); err != nil {
		t.Fatal(err)
	}
	if err := w.pool.QueryRow(ctx, `INSERT INTO report_runs (kind, cycle_id, scheduled_for, requested_by, status, warnings)
		VALUES ('CYCLE_SYNTHESIS', '2027', now(), 'Secretariat', 'QUEUED', ARRAY['no embedded font has U+1F389 ''🎉'': printed as ''□'''])
		RETURNING id`).Scan(&succeeded); err != nil {
		t.Fatal(err)
	}
	f, ok := w.status(t, s, failed), w.status(t, s, succeeded)
	if f.ErrorMessage != nil || ok.WarningMessages != nil {
		t.Fatalf("old rows read messages: %+v, %+v", f.ErrorMessage, ok.WarningMessages)
	}
	for _, lang := range []string{"en", "fr", "ar"} {
		if e := f.ErrorIn(lang); e == nil || *e != "rendering took longer than 10m0s and was stopped" {
			t.Errorf("%s: error %v, want the stored text", lang, e)
		}
		if ws := ok.WarningsIn(lang); len(ws) != 1 || ws[0] != "no embedded font has U+1F389 '🎉': printed as '□'" {
			t.Errorf("%s: warnings %q, want the stored text", lang, ws)
		}
		if e := ok.ErrorIn(lang); e != nil {
			t.Errorf("%s: a run without an error reads %q", lang, *e)
		}
	}
}

// A message's parameters are stored as jsonb takes them: a parameter
// holding invalid UTF-8 or NUL (what someone typed) is kept, mended,
// rather than losing the run's outcome.
func TestAMessageIsStoredWhateverItsParametersHold(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.renderer.hook = func(ctx context.Context, req report.Request) error {
		return apperr.NotFoundT("no cycle with id \"{id}\"", "id", "20\x0031\xff")
	}
	s := w.service(t, fast())
	run, err := s.Render(context.Background(), secretariat, synthesis)
	if err != nil {
		t.Fatal(err)
	}
	start(t, s)
	eventually(t, 30*time.Second, "the run fails", func() (bool, error) { return w.status(t, s, run.ID).Status == Failed, nil })
	got := w.status(t, s, run.ID)
	if got.ErrorMessage == nil || got.ErrorMessage.Params["id"] != "20?31?" {
		t.Fatalf("message %+v, want the id mended", got.ErrorMessage)
	}
	if got.Error == nil || *got.Error != `no cycle with id "20?31?"` {
		t.Fatalf("English error %v, want the id mended", got.Error)
	}
}
