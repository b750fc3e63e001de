package schedule

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cosp-ict/irm/internal/apperr"
	"github.com/cosp-ict/irm/internal/auth"
	"github.com/cosp-ict/irm/internal/report"
)

func TestRenderQueuesARunAndAWorkerRendersIt(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	s := w.service(t, fast())
	ctx := context.Background()
	run, err := s.Render(ctx, secretariat, Input{Kind: report.CycleSynthesis, CycleID: "2027", WorkingGroup: "international-cooperation"})
	if err != nil {
		t.Fatal(err)
	}
	if run.Status != Queued || run.Schedule != nil || run.URL() != nil || run.RequestedBy != "Secretariat" {
		t.Fatalf("got %+v, want a QUEUED run by hand without a URL", run)
	}
	if n := w.count(t, `SELECT count(*) FROM river_job WHERE args->>'run_id' = $1`, run.ID); n != 1 {
		t.Fatalf("render jobs for the run: got %d, want 1", n)
	}
	start(t, s)
	eventually(t, 30*time.Second, "run succeeds", func() (bool, error) {
		return w.status(t, s, run.ID).Status == Succeeded, nil
	})
	got := w.status(t, s, run.ID)
	f, err := s.PDF(ctx, secretariat, run.ID)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(f.PDF)
	switch {
	case !strings.HasPrefix(string(f.PDF), "%PDF-"):
		t.Fatalf("stored bytes are not a PDF: %q", f.PDF[:min(20, len(f.PDF))])
	case *got.SHA256 != hex.EncodeToString(sum[:]) || f.SHA256 != *got.SHA256:
		t.Fatalf("sha256: run %s, file %s, bytes %x", *got.SHA256, f.SHA256, sum)
	case *got.Bytes != len(f.PDF) || *got.Pages != 1 || *got.Fingerprint != "fp-2027":
		t.Fatalf("got bytes %d pages %d fingerprint %s, want %d, 1, fp-2027", *got.Bytes, *got.Pages, *got.Fingerprint, len(f.PDF))
	case f.Name != "cycle-synthesis-2027-en.pdf" || *got.FileName != f.Name:
		t.Fatalf("file name: got %q, want the renderer's name made safe: cycle-synthesis-2027-en.pdf", f.Name)
	case got.StartedAt == nil || got.FinishedAt == nil || got.FinishedAt.Before(*got.StartedAt):
		t.Fatalf("started %v finished %v", got.StartedAt, got.FinishedAt)
	case *got.URL() != "/reports/"+run.ID+".pdf":
		t.Fatalf("url: got %s", *got.URL())
	}
}

func TestBadInputQueuesNothing(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	s := w.service(t, fast())
	cases := []struct {
		name string
		in   Input
		code apperr.Code
	}{
		{"a country profile without a State is bad input", Input{Kind: report.CountryProfile, CycleID: "2027"}, apperr.BadInput},
		{"a State on a synthesis is bad input", Input{Kind: report.CycleSynthesis, CycleID: "2027", State: "KEN"}, apperr.BadInput},
		{"a working group on a technical-assistance report is bad input", Input{Kind: report.TechnicalAssistance, CycleID: "2027", WorkingGroup: "international-cooperation"}, apperr.BadInput},
		{"an unknown kind is bad input", Input{Kind: "ANNUAL", CycleID: "2027"}, apperr.BadInput},
		{"no cycle is bad input", Input{Kind: report.CycleSynthesis}, apperr.BadInput},
		{"an unknown cycle is not found", Input{Kind: report.CycleSynthesis, CycleID: "2031"}, apperr.NotFound},
		{"an unknown State is not found", Input{Kind: report.CountryProfile, CycleID: "2027", State: "XXX"}, apperr.NotFound},
		{"an unknown working group is not found", Input{Kind: report.CycleSynthesis, CycleID: "2027", WorkingGroup: "gardening"}, apperr.NotFound},
		{"a language other than the six is bad input", Input{Kind: report.CycleSynthesis, CycleID: "2027", Language: "de"}, apperr.BadInput},
		{"a language in capitals is bad input", Input{Kind: report.CycleSynthesis, CycleID: "2027", Language: "ZH"}, apperr.BadInput},
	}
	before := w.snapshot(t)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := s.Render(context.Background(), secretariat, c.in)
			if got := apperr.CodeOf(err); got != c.code {
				t.Fatalf("render: got %s (%v), want %s", got, err, c.code)
			}
			_, err = s.CreateSchedule(context.Background(), secretariat, ScheduleInput{Report: c.in, Cron: "@weekly"})
			if got := apperr.CodeOf(err); got != c.code {
				t.Fatalf("schedule: got %s (%v), want %s", got, err, c.code)
			}
			if after := w.snapshot(t); after != before {
				t.Fatalf("the database changed:\n got %s\nwant %s", after, before)
			}
		})
	}
}

// TestWhoReadsWhichRun is the access matrix of runs at the service: the
// secretariat reads every run, anyone a published one, a focal point its
// own State's country profile too; what one may not read does not exist.
func TestWhoReadsWhichRun(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	s := w.service(t, fast())
	ctx := context.Background()
	render := func(in Input) string {
		r, err := s.Render(ctx, secretariat, in)
		if err != nil {
			t.Fatal(err)
		}
		return r.ID
	}
	synthesis := render(Input{Kind: report.CycleSynthesis, CycleID: "2027"})
	published := render(Input{Kind: report.CycleSynthesis, CycleID: "2027", WorkingGroup: "international-cooperation"})
	kenProfile := render(Input{Kind: report.CountryProfile, CycleID: "2027", State: "ken"})
	start(t, s)
	for _, id := range []string{synthesis, published, kenProfile} {
		eventually(t, 30*time.Second, "run succeeds", func() (bool, error) { return w.status(t, s, id).Status == Succeeded, nil })
	}
	if _, err := s.Publish(ctx, secretariat, published); err != nil {
		t.Fatal(err)
	}
	readers := map[string][]auth.Principal{
		synthesis:  {secretariat},
		published:  {secretariat, kenya, france, member},
		kenProfile: {secretariat, kenya},
	}
	names := map[string]string{synthesis: "an unpublished synthesis", published: "a published synthesis", kenProfile: "Kenya's unpublished profile"}
	for id, allowed := range readers {
		for _, p := range []auth.Principal{secretariat, kenya, france, member} {
			want := false
			for _, a := range allowed {
				want = want || a.Name == p.Name
			}
			t.Run(p.Name+" reading "+names[id], func(t *testing.T) {
				_, err := s.Run(ctx, p, id)
				_, ferr := s.PDF(ctx, p, id)
				list, lerr := s.Runs(ctx, p, RunFilter{})
				if lerr != nil {
					t.Fatal(lerr)
				}
				listed := false
				for _, r := range list {
					listed = listed || r.ID == id
				}
				if want && (err != nil || ferr != nil || !listed) {
					t.Fatalf("want readable: run %v, pdf %v, listed %v", err, ferr, listed)
				}
				if !want && (apperr.CodeOf(err) != apperr.NotFound || apperr.CodeOf(ferr) != apperr.NotFound || listed) {
					t.Fatalf("want NOT_FOUND and unlisted: run %v, pdf %v, listed %v", err, ferr, listed)
				}
			})
		}
	}
}

func TestPublishing(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	s := w.service(t, fast())
	ctx := context.Background()
	queued, err := s.Render(ctx, secretariat, Input{Kind: report.CycleSynthesis, CycleID: "2027"})
	if err != nil {
		t.Fatal(err)
	}
	t.Run("a queued run cannot be published", func(t *testing.T) {
		before := w.snapshot(t)
		_, err := s.Publish(ctx, secretariat, queued.ID)
		if apperr.CodeOf(err) != apperr.Conflict {
			t.Fatalf("got %v, want CONFLICT", err)
		}
		if after := w.snapshot(t); after != before {
			t.Fatalf("the database changed")
		}
	})
	t.Run("only the secretariat publishes", func(t *testing.T) {
		for _, p := range []auth.Principal{kenya, member} {
			if _, err := s.Publish(ctx, p, queued.ID); apperr.CodeOf(err) != apperr.Forbidden {
				t.Fatalf("%s: got %v, want FORBIDDEN", p.Name, err)
			}
		}
	})
	t.Run("an unknown run is not found", func(t *testing.T) {
		for _, id := range []string{"00000000-0000-0000-0000-000000000000", "nope"} {
			if _, err := s.Publish(ctx, secretariat, id); apperr.CodeOf(err) != apperr.NotFound {
				t.Fatalf("%s: got %v, want NOT_FOUND", id, err)
			}
		}
	})
	start(t, s)
	eventually(t, 30*time.Second, "run succeeds", func() (bool, error) { return w.status(t, s, queued.ID).Status == Succeeded, nil })
	t.Run("a succeeded run is published once", func(t *testing.T) {
		r, err := s.Publish(ctx, secretariat, queued.ID)
		if err != nil || !r.Published {
			t.Fatalf("got %+v, %v", r, err)
		}
		audits := w.count(t, `SELECT count(*) FROM audit_events WHERE action = 'report.publish'`)
		if r, err := s.Publish(ctx, secretariat, queued.ID); err != nil || !r.Published {
			t.Fatalf("again: got %+v, %v", r, err)
		}
		if again := w.count(t, `SELECT count(*) FROM audit_events WHERE action = 'report.publish'`); again != audits || audits != 1 {
			t.Fatalf("publish events: %d then %d, want 1 and 1", audits, again)
		}
	})
}

func TestARunKeepsItsLanguageAndWarnings(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	s := w.service(t, fast())
	ctx := context.Background()
	en, err := s.Render(ctx, secretariat, Input{Kind: report.CycleSynthesis, CycleID: "2027"})
	if err != nil {
		t.Fatal(err)
	}
	zh, err := s.Render(ctx, secretariat, Input{Kind: report.CycleSynthesis, CycleID: "2027", Language: "zh"})
	if err != nil {
		t.Fatal(err)
	}
	if en.Language != "en" || zh.Language != "zh" {
		t.Fatalf("languages: got %q and %q, want en (the default) and zh", en.Language, zh.Language)
	}
	sched, err := s.CreateSchedule(ctx, secretariat, ScheduleInput{Report: Input{Kind: report.CycleSynthesis, CycleID: "2027", Language: "ar"}, Cron: "@weekly"})
	if err != nil {
		t.Fatal(err)
	}
	if sched.Language != "ar" {
		t.Fatalf("schedule language: got %q, want ar", sched.Language)
	}
	start(t, s)
	eventually(t, 30*time.Second, "runs succeed", func() (bool, error) {
		return w.status(t, s, en.ID).Status == Succeeded && w.status(t, s, zh.ID).Status == Succeeded, nil
	})
	gotEN, gotZH := w.status(t, s, en.ID), w.status(t, s, zh.ID)
	if len(gotEN.Warnings) != 0 || len(gotZH.Warnings) != 1 || !strings.Contains(gotZH.Warnings[0], "U+1F389") {
		t.Fatalf("warnings: got %q and %q, want none and the renderer's one", gotEN.Warnings, gotZH.Warnings)
	}
	// The warning is kept as a message too (issue 13): each reader reads
	// it in their language; the English column keeps the English.
	if got, want := gotZH.Warnings[0], `no embedded font has U+1F389 "🎉": printed as "□"`; got != want {
		t.Errorf("English warning %q, want %q", got, want)
	}
	if len(gotEN.WarningMessages) != 0 || gotEN.WarningMessages == nil || len(gotZH.WarningMessages) != 1 ||
		gotZH.WarningMessages[0].Params["codepoint"] != "U+1F389" || gotZH.WarningMessages[0].Params["character"] != "🎉" {
		t.Fatalf("warning messages: got %+v and %+v, want none (kept) and the emoji's", gotEN.WarningMessages, gotZH.WarningMessages)
	}
	if got, want := gotZH.WarningsIn("ar"), []string{"لا يحوي أيٌّ من الخطوط المضمَّنة الحرف U+1F389 «🎉»: طُبع بدلاً منه «□»"}; !slices.Equal(got, want) {
		t.Errorf("Arabic warnings %q, want %q", got, want)
	}
	if got := gotZH.WarningsIn("fr"); len(got) != 1 || !strings.HasPrefix(got[0], "aucune police intégrée") {
		t.Errorf("French warnings %q", got)
	}
	if *gotZH.FileName != "cycle-synthesis-2027-zh.pdf" {
		t.Fatalf("file name %q, want cycle-synthesis-2027-zh.pdf", *gotZH.FileName)
	}
	// A schedule's tick runs in the schedule's language.
	if _, err := w.pool.Exec(ctx, `UPDATE report_schedules SET next_run_at = now() - interval '1 second' WHERE id = $1`, sched.ID); err != nil {
		t.Fatal(err)
	}
	eventually(t, 30*time.Second, "the schedule fires", func() (bool, error) {
		return w.count(t, `SELECT count(*) FROM report_runs WHERE schedule_id = $1 AND language = 'ar'`, sched.ID) == 1, nil
	})
}
