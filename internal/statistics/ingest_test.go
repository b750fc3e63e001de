package statistics

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/cosp-ict/irm/internal/apperr"
	"github.com/cosp-ict/irm/internal/auth"
)

func TestObservationRevisions(t *testing.T) {
	f := newFixture(t)
	const ind, year = "OFFENCES_RECORDED", 2021
	row := func(v *float64, st Status) Row { return Row{Indicator: ind, Year: year, Value: v, Status: st} }

	// Each step builds on the one before, as a State correcting its figures would.
	steps := []struct {
		name          string
		row           Row
		wantAccepted  int
		want          stored   // the current value afterwards
		wantRevisions []stored // the superseded values afterwards
	}{
		{"the first report is revision 1", row(num(100), ""), 1,
			stored{num(100), "REPORTED", 1}, nil},
		{"resending it unchanged accepts nothing and keeps revision 1", row(num(100), Reported), 0,
			stored{num(100), "REPORTED", 1}, nil},
		{"a changed value is revision 2 and the old value is kept", row(num(120), ""), 1,
			stored{num(120), "REPORTED", 2}, []stored{{num(100), "REPORTED", 1}}},
		{"a changed status alone is revision 3", row(num(120), Estimated), 1,
			stored{num(120), "ESTIMATED", 3}, []stored{{num(100), "REPORTED", 1}, {num(120), "REPORTED", 2}}},
		{"CONFIDENTIAL with no value is revision 4", row(nil, Confidential), 1,
			stored{nil, "CONFIDENTIAL", 4}, []stored{{num(100), "REPORTED", 1}, {num(120), "REPORTED", 2}, {num(120), "ESTIMATED", 3}}},
		{"NOT_AVAILABLE, also with no value, is revision 5", row(nil, NotAvailable), 1,
			stored{nil, "NOT_AVAILABLE", 5}, []stored{{num(100), "REPORTED", 1}, {num(120), "REPORTED", 2}, {num(120), "ESTIMATED", 3}, {nil, "CONFIDENTIAL", 4}}},
		{"resending NOT_AVAILABLE accepts nothing", row(nil, NotAvailable), 0,
			stored{nil, "NOT_AVAILABLE", 5}, []stored{{num(100), "REPORTED", 1}, {num(120), "REPORTED", 2}, {num(120), "ESTIMATED", 3}, {nil, "CONFIDENTIAL", 4}}},
		{"going back to the first value is revision 6", row(num(100), Reported), 1,
			stored{num(100), "REPORTED", 6}, []stored{{num(100), "REPORTED", 1}, {num(120), "REPORTED", 2}, {num(120), "ESTIMATED", 3}, {nil, "CONFIDENTIAL", 4}, {nil, "NOT_AVAILABLE", 5}}},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			res := f.report(t, focalPoint("KEN"), "KEN", s.row)
			if len(res.Errors) > 0 || res.Accepted != s.wantAccepted {
				t.Fatalf("got accepted %d, errors:%s; want accepted %d", res.Accepted, rowErrs(res.Errors), s.wantAccepted)
			}
			got, ok := f.get(t, "KEN", ind, year, "")
			if !ok || !sameStored(got, s.want) {
				t.Fatalf("observations holds %s, want %s", showStored(got, ok), showStored(s.want, true))
			}
			revs := f.revisions(t, "KEN", ind, year, "")
			if len(revs) != len(s.wantRevisions) {
				t.Fatalf("observation_revisions holds %d rows, want %d", len(revs), len(s.wantRevisions))
			}
			for i := range revs {
				if !sameStored(revs[i], s.wantRevisions[i]) {
					t.Errorf("revision row %d: got %s, want %s", i, showStored(revs[i], true), showStored(s.wantRevisions[i], true))
				}
			}
			if got := f.counts(t); got.Observations != 1 {
				t.Errorf("observations holds %d rows, want 1", got.Observations)
			}
		})
	}

	t.Run("every accepted batch, even one that changed nothing, is one audit event", func(t *testing.T) {
		var n int
		var detail string
		err := f.pool.QueryRow(context.Background(), `SELECT count(*), max(detail::text) FILTER (WHERE id = (SELECT max(id) FROM audit_events))
			FROM audit_events WHERE action = 'statistics.report' AND subject = 'state/KEN' AND actor = 'Focal point KEN'`).Scan(&n, &detail)
		if err != nil {
			t.Fatal(err)
		}
		if n != len(steps) {
			t.Errorf("got %d audit events, want %d", n, len(steps))
		}
		if !strings.Contains(detail, `"rows": 1`) || !strings.Contains(detail, `"accepted": 1`) {
			t.Errorf("got detail %s, want rows 1 and accepted 1", detail)
		}
	})
}

func sameStored(a, b stored) bool {
	return sameOptional(a.Value, b.Value) && a.Status == b.Status && a.Revision == b.Revision
}

func showStored(s stored, ok bool) string {
	if !ok {
		return "nothing"
	}
	return fmt.Sprintf("{%s %s rev %d}", show(s.Value), s.Status, s.Revision)
}

func TestObservationKeys(t *testing.T) {
	t.Run("a breakdown row and the total are distinct keys", func(t *testing.T) {
		f := newFixture(t)
		res := f.report(t, secretariat, "KEN",
			Row{Indicator: "OFFENCES_RECORDED", Year: 2020, Value: num(10)},
			Row{Indicator: "OFFENCES_RECORDED", Year: 2020, Value: num(4), Breakdown: map[string]string{"offence": "illegal_access"}},
			Row{Indicator: "OFFENCES_RECORDED", Year: 2020, Value: num(6), Breakdown: map[string]string{"offence": "computer_related_fraud_theft"}},
		)
		if len(res.Errors) > 0 || res.Accepted != 3 {
			t.Fatalf("got accepted %d, errors:%s; want 3", res.Accepted, rowErrs(res.Errors))
		}
		for key, want := range map[string]float64{"": 10, "offence=illegal_access": 4, "offence=computer_related_fraud_theft": 6} {
			got, ok := f.get(t, "KEN", "OFFENCES_RECORDED", 2020, key)
			if !ok || !sameStored(got, stored{num(want), "REPORTED", 1}) {
				t.Errorf("key %q: got %s, want %v at revision 1", key, showStored(got, ok), want)
			}
		}
		var breakdown string
		if err := f.pool.QueryRow(context.Background(), `SELECT breakdown::text FROM observations
			WHERE breakdown_key = 'offence=illegal_access'`).Scan(&breakdown); err != nil {
			t.Fatal(err)
		}
		if breakdown != `{"offence": "illegal_access"}` {
			t.Errorf("got breakdown %s, want {\"offence\": \"illegal_access\"}", breakdown)
		}
	})

	t.Run("the same key in another State, year or indicator is another observation", func(t *testing.T) {
		f := newFixture(t)
		f.mustStore(t, "KEN", Row{Indicator: "OFFENCES_RECORDED", Year: 2020, Value: num(1)},
			Row{Indicator: "OFFENCES_RECORDED", Year: 2021, Value: num(1)},
			Row{Indicator: "PERSONS_PROSECUTED", Year: 2020, Value: num(1)})
		f.mustStore(t, "DEU", Row{Indicator: "OFFENCES_RECORDED", Year: 2020, Value: num(1)})
		if got := f.counts(t); got.Observations != 4 || got.Revisions != 0 {
			t.Fatalf("the database holds %+v, want 4 observations and no revision", got)
		}
	})

	t.Run("breakdown key order does not matter", func(t *testing.T) {
		f := newFixture(t)
		first := map[string]string{"partner": "DEU", "offence": "illegal_access"}
		f.mustStore(t, "KEN", Row{Indicator: "MLA_REQUESTS_SENT", Year: 2020, Value: num(3), Breakdown: first})
		// The CSV path gives the dimensions in column order: reversed here.
		src := NewCSVSource(strings.NewReader("indicator,year,value,offence,partner\nMLA_REQUESTS_SENT,2020,3,illegal_access,DEU\n"), f.svc.cat)
		res, err := f.svc.Report(context.Background(), secretariat, "KEN", src)
		if err != nil || len(res.Errors) > 0 || res.Accepted != 0 {
			t.Fatalf("got accepted %d, errors:%s, err %v; want the same key unchanged, accepted 0", res.Accepted, rowErrs(res.Errors), err)
		}
		src = NewCSVSource(strings.NewReader("partner,indicator,offence,year,value\nDEU,MLA_REQUESTS_SENT,illegal_access,2020,5\n"), f.svc.cat)
		res, err = f.svc.Report(context.Background(), secretariat, "KEN", src)
		if err != nil || len(res.Errors) > 0 || res.Accepted != 1 {
			t.Fatalf("got accepted %d, errors:%s, err %v; want accepted 1", res.Accepted, rowErrs(res.Errors), err)
		}
		got, ok := f.get(t, "KEN", "MLA_REQUESTS_SENT", 2020, "offence=illegal_access;partner=DEU")
		if !ok || !sameStored(got, stored{num(5), "REPORTED", 2}) {
			t.Fatalf("got %s, want 5 at revision 2", showStored(got, ok))
		}
		if got := f.counts(t); got.Observations != 1 || got.Revisions != 1 {
			t.Fatalf("the database holds %+v, want 1 observation and 1 revision", got)
		}
	})
}

// TestObservationDuplicatesOfStoredKeys: a key twice in one batch is an error whatever
// the database already holds for it.
func TestObservationDuplicatesOfStoredKeys(t *testing.T) {
	base := Row{Indicator: "OFFENCES_RECORDED", Year: 2020, Value: num(5)}
	with := func(v float64) Row { r := base; r.Value = num(v); return r }
	cases := []struct {
		name string
		rows []Row
	}{
		{"both rows change the stored value", []Row{with(6), with(7)}},
		{"both rows change it to the same value", []Row{with(6), with(6)}},
		{"the first row repeats the stored value, the second changes it", []Row{with(5), with(6)}},
		{"the first row changes the stored value, the second repeats it", []Row{with(6), with(5)}},
		{"both rows repeat the stored value", []Row{with(5), with(5)}},
	}
	for _, tc := range cases {
		t.Run(tc.name+": the later row is a duplicate and nothing changes", func(t *testing.T) {
			f := newFixture(t)
			f.mustStore(t, "KEN", base)
			before := f.counts(t)
			res, err := f.svc.ReportRows(context.Background(), secretariat, "KEN", tc.rows, nil)
			if err != nil {
				t.Fatalf("got error %v, want a duplicate row error", err)
			}
			if got, want := fieldsOf(res.Errors), []string{"1:indicator"}; !equalStrings(got, want) {
				t.Fatalf("got %v, want %v:%s", got, want, rowErrs(res.Errors))
			}
			if !strings.Contains(res.Errors[0].Message, "duplicate of row 0") {
				t.Errorf("got %q, want it to name row 0", res.Errors[0].Message)
			}
			if got := f.counts(t); got != before {
				t.Fatalf("the database holds %+v, want it unchanged %+v", got, before)
			}
			if got, ok := f.get(t, "KEN", base.Indicator, base.Year, ""); !ok || !sameStored(got, stored{num(5), "REPORTED", 1}) {
				t.Fatalf("got %s, want 5 at revision 1", showStored(got, ok))
			}
		})
	}
}

// TestObservationConcurrentCorrections: two clients correcting the same key at once
// both succeed, and every superseded value is kept exactly once.
func TestObservationConcurrentCorrections(t *testing.T) {
	f := newFixture(t)
	f.mustStore(t, "KEN", Row{Indicator: "OFFENCES_RECORDED", Year: 2020, Value: num(0)})
	const writers, rounds = 4, 10
	var wg sync.WaitGroup
	errs := make(chan error, writers*rounds)
	for w := range writers {
		wg.Go(func() {
			for r := range rounds {
				// Every write is a different value, so each one is a new revision.
				v := float64(1 + w*rounds + r)
				res, err := f.svc.ReportRows(context.Background(), focalPoint("KEN"), "KEN",
					[]Row{{Indicator: "OFFENCES_RECORDED", Year: 2020, Value: num(v)}}, nil)
				switch {
				case err != nil:
					errs <- err
				case len(res.Errors) > 0 || res.Accepted != 1:
					errs <- fmt.Errorf("value %v: accepted %d, errors:%s", v, res.Accepted, rowErrs(res.Errors))
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("a concurrent correction failed: %v", err)
	}
	cur, _ := f.get(t, "KEN", "OFFENCES_RECORDED", 2020, "")
	revs := f.revisions(t, "KEN", "OFFENCES_RECORDED", 2020, "")
	if want := 1 + writers*rounds; cur.Revision != want {
		t.Errorf("got revision %d, want %d", cur.Revision, want)
	}
	if len(revs) != cur.Revision-1 {
		t.Errorf("observation_revisions holds %d rows, want %d (one per superseded value)", len(revs), cur.Revision-1)
	}
	for i, r := range revs {
		if r.Revision != i+1 {
			t.Fatalf("revision row %d is revision %d, want %d: a superseded value was lost", i, r.Revision, i+1)
		}
	}
}

func TestObservationReportAccess(t *testing.T) {
	f := newFixture(t)
	rows := []Row{{Indicator: "OFFENCES_RECORDED", Year: 2020, Value: num(5)}}
	cases := []struct {
		name  string
		p     auth.Principal
		state string
		want  apperr.Code // "" = allowed
	}{
		{"a working-group member may not report", memberIC, "KEN", apperr.Forbidden},
		{"a focal point may not report for another State", focalPoint("DEU"), "KEN", apperr.Forbidden},
		{"a focal point may not report for an unknown State", focalPoint("DEU"), "XXX", apperr.Forbidden},
		{"a token with no role may not report", auth.Principal{Name: "nobody"}, "KEN", apperr.Forbidden},
		{"the secretariat gets NOT_FOUND for an unknown State", secretariat, "XXX", apperr.NotFound},
		{"a focal point reports for its own State", focalPoint("KEN"), "KEN", ""},
		{"a focal point reports for its own State in lower case", focalPoint("KEN"), "ken", ""},
		{"the secretariat reports for any State", secretariat, "DEU", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := f.counts(t)
			res, err := f.svc.ReportRows(context.Background(), tc.p, tc.state, rows, nil)
			if got := apperr.CodeOf(err); tc.want != "" && got != tc.want {
				t.Fatalf("got %v (code %s), want %s", err, got, tc.want)
			}
			after := f.counts(t)
			if tc.want != "" {
				if after != before {
					t.Fatalf("the database went from %+v to %+v, want no change", before, after)
				}
				return
			}
			if err != nil || len(res.Errors) > 0 {
				t.Fatalf("got %v, errors:%s; want it stored", err, rowErrs(res.Errors))
			}
			if after.Audits != before.Audits+1 {
				t.Errorf("got %d audit events, want %d", after.Audits, before.Audits+1)
			}
		})
	}
	if got, ok := f.get(t, "KEN", "OFFENCES_RECORDED", 2020, ""); !ok || got.Revision != 1 {
		t.Errorf("KEN: got %s, want one observation at revision 1", showStored(got, ok))
	}
}

func TestObservationMergeErrorsKeepsRowOrder(t *testing.T) {
	a := []RowError{{Row: 1}, {Row: 4}, {Row: 4, Field: "x"}, {Row: 9}}
	b := []RowError{{Row: 0}, {Row: 4, Field: "dup"}, {Row: 7}, {Row: 12}}
	var got []string
	for _, e := range mergeErrors(a, b) {
		got = append(got, fmt.Sprint(e.Row, e.Field))
	}
	want := []string{"0", "1", "4", "4x", "4dup", "7", "9", "12"}
	if !equalStrings(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
}
