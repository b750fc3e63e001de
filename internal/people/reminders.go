package people

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/cosp-ict/irm/internal/apperr"
	"github.com/cosp-ict/irm/internal/audit"
	"github.com/cosp-ict/irm/internal/auth"
	"github.com/cosp-ict/irm/internal/postgres"
	"github.com/cosp-ict/irm/internal/submission"
)

// Rules are a cycle's reminder rules.
type Rules struct {
	CycleID             string
	DaysBefore          []int // days before the deadline, largest first
	WeeklyAfterDeadline bool
}

// DefaultDaysBefore are the rules of a cycle that has none of its own.
var DefaultDaysBefore = []int{30, 7, 1}

// maxDaysBefore bounds a rule: a year.
const maxDaysBefore = 366

// ReminderRules returns cycle's rules (the defaults when it has none).
func (s *Service) ReminderRules(ctx context.Context, p auth.Principal, cycleID string) (Rules, error) {
	if p.Role != auth.Secretariat && p.Role != auth.FocalPoint {
		return Rules{}, apperr.ForbiddenT("a {role} token may not {action}", "role", string(p.Role), "action", apperr.Phrase("read reminder rules"))
	}
	if _, err := s.workflow.Cycle(ctx, cycleID); err != nil {
		return Rules{}, err
	}
	return s.rulesIn(ctx, s.pool, cycleID)
}

func (s *Service) rulesIn(ctx context.Context, db postgres.DB, cycleID string) (Rules, error) {
	r := Rules{CycleID: cycleID}
	err := db.QueryRow(ctx, `SELECT days_before, weekly_after_deadline FROM reminder_rules WHERE cycle_id = $1`, cycleID).
		Scan(&r.DaysBefore, &r.WeeklyAfterDeadline)
	if errors.Is(err, pgx.ErrNoRows) {
		return Rules{CycleID: cycleID, DaysBefore: slices.Clone(DefaultDaysBefore), WeeklyAfterDeadline: true}, nil
	}
	if err != nil {
		return Rules{}, fmt.Errorf("reminder rules: %w", err)
	}
	return r, nil
}

// SetReminderRules replaces cycle's rules (the secretariat).
func (s *Service) SetReminderRules(ctx context.Context, p auth.Principal, cycleID string, daysBefore []int, weekly bool) (Rules, error) {
	if err := canManage(p, apperr.Phrase("set reminder rules")); err != nil {
		return Rules{}, err
	}
	if len(daysBefore) > 20 {
		return Rules{}, apperr.BadInputT("at most 20 reminders before the deadline")
	}
	for _, d := range daysBefore {
		if d < 0 || d > maxDaysBefore {
			return Rules{}, apperr.BadInputT("daysBefore {days}: want 0 (the deadline's day) to {max}", "days", d, "max", maxDaysBefore)
		}
	}
	days := slices.Clone(daysBefore)
	slices.Sort(days)
	days = slices.Compact(days)
	slices.Reverse(days)
	if days == nil {
		days = []int{}
	}
	if _, err := s.workflow.Cycle(ctx, cycleID); err != nil {
		return Rules{}, err
	}
	r := Rules{CycleID: cycleID, DaysBefore: days, WeeklyAfterDeadline: weekly}
	err := postgres.Tx(auth.WithPrincipal(ctx, p), s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO reminder_rules (cycle_id, days_before, weekly_after_deadline, updated_by)
			VALUES ($1, $2, $3, $4) ON CONFLICT (cycle_id) DO UPDATE SET days_before = excluded.days_before,
			weekly_after_deadline = excluded.weekly_after_deadline, updated_by = excluded.updated_by, updated_at = now()`,
			cycleID, days, weekly, p.Name); err != nil {
			return fmt.Errorf("set reminder rules: %w", err)
		}
		return audit.Record(ctx, tx, audit.Event{Actor: p.Name, Action: "reminders.set", Subject: "cycle/" + cycleID,
			Detail: map[string]any{"daysBefore": days, "weeklyAfterDeadline": weekly}})
	})
	return r, err
}

// Deadline is the day by which state is to submit its answers in cycle c
// (inclusive, a UTC date): the State's own, once the secretariat granted
// it an extension (submission.DeadlineIn). Reminders are computed against
// it and nothing else.
func Deadline(ctx context.Context, db postgres.DB, c submission.Cycle, state string) (time.Time, error) {
	return submission.DeadlineIn(ctx, db, c, state)
}

// day is t's UTC date.
func day(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// reminderDays are the days on which rules remind against deadline, up
// to and including until, in order.
func reminderDays(r Rules, opens, deadline, until time.Time) []time.Time {
	var out []time.Time
	for _, d := range r.DaysBefore {
		if at := deadline.AddDate(0, 0, -d); !at.Before(opens) && !at.After(until) {
			out = append(out, at)
		}
	}
	if r.WeeklyAfterDeadline {
		for at := deadline.AddDate(0, 0, 7); !at.After(until); at = at.AddDate(0, 0, 7) {
			out = append(out, at)
		}
	}
	slices.SortFunc(out, func(a, b time.Time) int { return a.Compare(b) })
	return slices.Compact(out)
}

// Planned is one reminder: who gets what on which day.
type Planned struct {
	Day      time.Time // a UTC date
	Deadline time.Time
	CycleID  string
	State    string
	To       Contact
	Subject  string
}

// due lists the reminders of cycle c from (inclusive) to until
// (inclusive): for every State Party that has not submitted, to each of
// its focal points. db acts as the system (it reads every submission).
func (s *Service) due(ctx context.Context, tx pgx.Tx, c submission.Cycle, from, until time.Time) ([]Planned, error) {
	r, err := s.rulesIn(ctx, tx, c.ID)
	if err != nil {
		return nil, err
	}
	board, err := submission.StatusBoard(ctx, tx, c.ID)
	if err != nil {
		return nil, err
	}
	var out []Planned
	for _, st := range board {
		if !st.Party || st.SubmittedAt != nil {
			continue
		}
		deadline, err := Deadline(ctx, tx, c, st.Code)
		if err != nil {
			return nil, err
		}
		days := reminderDays(r, c.OpensOn, deadline, until)
		days = slices.DeleteFunc(days, func(d time.Time) bool { return d.Before(from) })
		if len(days) == 0 {
			continue
		}
		to, err := s.recipientsIn(ctx, tx, recipients{role: auth.FocalPoint, state: st.Code})
		if err != nil {
			return nil, err
		}
		for _, d := range days {
			for _, k := range to {
				m := s.reminder(c, st.Code, deadline, d, k)
				out = append(out, Planned{Day: d, Deadline: deadline, CycleID: c.ID, State: st.Code, To: k,
					Subject: renderSubject(m)})
			}
		}
	}
	slices.SortStableFunc(out, func(a, b Planned) int { return a.Day.Compare(b.Day) })
	return out, nil
}

func (s *Service) reminder(c submission.Cycle, state string, deadline, on time.Time, to Contact) message {
	subject, body := reminderSubject, reminderBody
	if on.After(deadline) {
		subject, body = overdueSubject, overdueBody
	}
	return message{kind: Reminder, to: to, occurrence: c.ID + "/" + state + "/" + on.Format(time.DateOnly),
		subject: subject, body: body, link: s.link("/cycles/" + c.ID + "/states/" + state),
		args: []any{"state", stateName(state, to.Language), "cycle", c.Name, "date", deadline.Format(time.DateOnly)}}
}

// SendReminders queues the reminders due at the clock's now in every
// cycle: for each State and person, the latest reminder day that has
// come (one missed while no replica ran is sent late, once; older ones
// are not). A reminder's key holds its day, so every replica may run
// this at any time and each is queued once.
func (s *Service) SendReminders(ctx context.Context) (int, error) {
	today := day(s.cfg.Now())
	cycles, err := s.workflow.Cycles(ctx)
	if err != nil {
		return 0, err
	}
	n := 0
	err = postgres.Tx(postgres.WithPrincipal(ctx, postgres.System), s.pool, func(tx pgx.Tx) error {
		for _, c := range cycles {
			if today.Before(c.OpensOn) {
				continue
			}
			planned, err := s.due(ctx, tx, c, c.OpensOn, today)
			if err != nil {
				return err
			}
			latest := map[string]Planned{} // State and person → the latest day come
			for _, p := range planned {
				latest[p.State+"/"+p.To.ID] = p
			}
			for _, p := range planned {
				if latest[p.State+"/"+p.To.ID].Day != p.Day {
					continue
				}
				_, added, err := s.queueIn(ctx, tx, s.reminder(c, p.State, p.Deadline, p.Day, p.To))
				if err != nil {
					return err
				}
				if added {
					n++
				}
			}
		}
		return nil
	})
	return n, err
}

// PreviewReminders lists who would get which reminder on which day of
// cycle from today until eight weeks after its deadline, if nobody
// submitted meanwhile (the secretariat).
func (s *Service) PreviewReminders(ctx context.Context, p auth.Principal, cycleID string) ([]Planned, error) {
	if err := canManage(p, apperr.Phrase("preview reminders")); err != nil {
		return nil, err
	}
	c, err := s.workflow.Cycle(ctx, cycleID)
	if err != nil {
		return nil, err
	}
	today := day(s.cfg.Now())
	var out []Planned
	err = postgres.Tx(postgres.WithPrincipal(ctx, postgres.System), s.pool, func(tx pgx.Tx) error {
		var err error
		out, err = s.due(ctx, tx, c, today, c.ClosesOn.AddDate(0, 0, 8*7))
		return err
	})
	return out, err
}

func renderSubject(m message) string {
	return renderText(m.to.Language, m.subject, m)
}
