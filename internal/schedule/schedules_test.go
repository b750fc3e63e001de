package schedule

import (
	"context"
	"testing"
	"time"

	"github.com/cosp-ict/irm/internal/apperr"
	"github.com/cosp-ict/irm/internal/auth"
)

func mustTime(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestSpecsAndZones(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, cron, zone string
		from             string
		want             []string // the next ticks, UTC
	}{
		{"a weekly spec fires on Mondays in UTC", "0 6 * * MON", "", "2027-03-03T00:00:00Z", []string{"2027-03-08T06:00:00Z", "2027-03-15T06:00:00Z"}},
		{"@daily fires at midnight in the zone", "@daily", "Asia/Tokyo", "2027-03-03T00:00:00Z", []string{"2027-03-03T15:00:00Z", "2027-03-04T15:00:00Z"}},
		{"@weekly fires on Sunday midnight", "@weekly", "UTC", "2027-03-03T00:00:00Z", []string{"2027-03-07T00:00:00Z"}},
		{"Paris keeps 06:30 local across spring forward", "30 6 * * *", "Europe/Paris", "2027-03-27T00:00:00Z",
			[]string{"2027-03-27T05:30:00Z", "2027-03-28T04:30:00Z", "2027-03-29T04:30:00Z"}},
		{"Paris keeps 06:30 local across fall back", "30 6 * * *", "Europe/Paris", "2027-10-30T00:00:00Z",
			[]string{"2027-10-30T04:30:00Z", "2027-10-31T05:30:00Z"}},
		{"New York keeps 09:00 local across spring forward", "0 9 * * *", "America/New_York", "2027-03-13T00:00:00Z",
			[]string{"2027-03-13T14:00:00Z", "2027-03-14T13:00:00Z"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sp, err := parseSpec(c.cron, c.zone)
			if err != nil {
				t.Fatal(err)
			}
			at := mustTime(t, c.from)
			for _, w := range c.want {
				at = sp.next(at)
				if !at.Equal(mustTime(t, w)) {
					t.Fatalf("got %s, want %s", at.Format(time.RFC3339), w)
				}
			}
		})
	}
}

func TestBadSpecsAndZonesAreBadInput(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ name, cron, zone string }{
		{"an empty spec", " ", "UTC"},
		{"four fields", "0 6 * *", "UTC"},
		{"six fields", "0 0 6 * * MON", "UTC"},
		{"a minute of 60", "60 6 * * *", "UTC"},
		{"an unknown descriptor", "@fortnightly", "UTC"},
		{"a zone inside the spec", "CRON_TZ=Europe/Paris 0 6 * * *", "UTC"},
		{"an unknown zone", "@daily", "Europe/Atlantis"},
		{"the machine's zone", "@daily", "Local"},
		{"a path as a zone", "@daily", "../../etc/passwd"},
	} {
		t.Run(c.name+" is bad input", func(t *testing.T) {
			if _, err := parseSpec(c.cron, c.zone); apperr.CodeOf(err) != apperr.BadInput {
				t.Fatalf("got %v, want BAD_USER_INPUT", err)
			}
		})
	}
}

func TestScheduleNextRunAtHonoursTheZone(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	cfg := fast()
	cfg.MinInterval = time.Hour
	s := w.service(t, cfg)
	s.now = func() time.Time { return mustTime(t, "2027-03-27T12:00:00Z") }
	ctx := context.Background()
	sched, err := s.CreateSchedule(ctx, secretariat, ScheduleInput{Report: synthesis, Cron: "30 6 * * *", Timezone: "Europe/Paris"})
	if err != nil {
		t.Fatal(err)
	}
	if want := mustTime(t, "2027-03-28T04:30:00Z"); !sched.NextRunAt.Equal(want) || sched.Timezone != "Europe/Paris" {
		t.Fatalf("nextRunAt: got %s in %s, want %s (06:30 CEST, the day summer time starts)", sched.NextRunAt, sched.Timezone, want)
	}
	t.Run("a spec that fires more often than allowed is bad input", func(t *testing.T) {
		_, err := s.CreateSchedule(ctx, secretariat, ScheduleInput{Report: synthesis, Cron: "*/10 * * * *"})
		if apperr.CodeOf(err) != apperr.BadInput {
			t.Fatalf("got %v, want BAD_USER_INPUT", err)
		}
	})
	t.Run("a spec that never fires is bad input", func(t *testing.T) {
		_, err := s.CreateSchedule(ctx, secretariat, ScheduleInput{Report: synthesis, Cron: "0 0 30 2 *"})
		if apperr.CodeOf(err) != apperr.BadInput {
			t.Fatalf("got %v, want BAD_USER_INPUT", err)
		}
	})
	t.Run("only the secretariat manages schedules", func(t *testing.T) {
		before := w.snapshot(t)
		for _, p := range []auth.Principal{kenya, member} {
			if _, err := s.CreateSchedule(ctx, p, ScheduleInput{Report: synthesis, Cron: "@weekly"}); apperr.CodeOf(err) != apperr.Forbidden {
				t.Fatalf("create as %s: %v", p.Name, err)
			}
			if _, err := s.SetScheduleActive(ctx, p, sched.ID, false); apperr.CodeOf(err) != apperr.Forbidden {
				t.Fatalf("pause as %s: %v", p.Name, err)
			}
			if err := s.DeleteSchedule(ctx, p, sched.ID); apperr.CodeOf(err) != apperr.Forbidden {
				t.Fatalf("delete as %s: %v", p.Name, err)
			}
			if _, err := s.Schedules(ctx, p); apperr.CodeOf(err) != apperr.Forbidden {
				t.Fatalf("list as %s: %v", p.Name, err)
			}
		}
		if after := w.snapshot(t); after != before {
			t.Fatal("a refused call changed the database")
		}
	})
	t.Run("a paused schedule shows the tick it would fire at if resumed", func(t *testing.T) {
		s.now = func() time.Time { return mustTime(t, "2027-03-29T12:00:00Z") }
		p, err := s.SetScheduleActive(ctx, secretariat, sched.ID, false)
		if err != nil || p.Active || !p.NextRunAt.Equal(mustTime(t, "2027-03-30T04:30:00Z")) {
			t.Fatalf("paused: %+v, %v", p, err)
		}
	})
}
