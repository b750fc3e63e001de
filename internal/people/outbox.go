package people

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/cosp-ict/irm/internal/apperr"
	"github.com/cosp-ict/irm/internal/auth"
	"github.com/cosp-ict/irm/internal/i18n"
	"github.com/cosp-ict/irm/internal/state"
	"github.com/cosp-ict/irm/internal/submission"
)

// Kind is what a notification is about.
type Kind string

const (
	Invitation Kind = "INVITATION"
	Submitted  Kind = "SUBMITTED"
	Returned   Kind = "RETURNED"
	Accepted   Kind = "ACCEPTED"
	Published  Kind = "PUBLISHED"
	Reminder   Kind = "REMINDER"
)

// Status is where a notification is in its delivery.
type Status string

const (
	Pending Status = "PENDING"
	Sent    Status = "SENT"
	Failed  Status = "FAILED"
)

// Notification is one message of the outbox.
type Notification struct {
	ID        string
	Kind      Kind
	To        string
	Language  string
	Subject   string
	Body      string // "" once sent with a sign-in link (the link is not kept)
	Link      string // an invitation's sign-in link, until it is sent
	Status    Status
	Attempts  int
	LastError string
	CreatedAt time.Time
	SentAt    *time.Time
}

const notificationColumns = `id::text, kind, to_address, language, subject, body, coalesce(link, ''), status, attempts,
	coalesce(last_error, ''), created_at, sent_at`

func scanNotification(row pgx.Row) (Notification, error) {
	var n Notification
	err := row.Scan(&n.ID, &n.Kind, &n.To, &n.Language, &n.Subject, &n.Body, &n.Link, &n.Status, &n.Attempts,
		&n.LastError, &n.CreatedAt, &n.SentAt)
	return n, err
}

// message is a notification to queue.
type message struct {
	kind       Kind
	to         Contact
	occurrence string // with kind and the recipient, the notification's key
	subject    string // catalogue key and its arguments
	body       string
	args       []any
	link       string
	keepLink   bool // the link signs in: shown on the outbox page until sent
}

// queue writes m in tx (the transaction of the change that causes it)
// with its delivery job, unless a notification with the same key exists
// already. It returns the notification (the existing one for a known key).
func (s *Service) queueIn(ctx context.Context, tx pgx.Tx, m message) (Notification, bool, error) {
	lang := m.to.Language
	args := append([]any{"name", m.to.Name, "link", m.link}, m.args...)
	subject := i18n.T(lang, m.subject, args...)
	body := i18n.T(lang, m.body, args...)
	var link *string
	if m.keepLink {
		link = &m.link
	}
	key := string(m.kind) + ":" + m.to.ID + ":" + m.occurrence
	n, err := scanNotification(tx.QueryRow(ctx, `INSERT INTO notifications (key, kind, contact_id, to_address, language, subject, body, link)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (key) DO NOTHING RETURNING `+notificationColumns,
		key, string(m.kind), m.to.ID, m.to.Email, lang, subject, body, link))
	if errors.Is(err, pgx.ErrNoRows) {
		n, err = scanNotification(tx.QueryRow(ctx, `SELECT `+notificationColumns+` FROM notifications WHERE key = $1`, key))
		return n, false, err
	}
	if err != nil {
		return Notification{}, false, fmt.Errorf("queue notification: %w", err)
	}
	if _, err := s.queue.InsertTx(ctx, tx, deliverArgs{ID: n.ID}, nil); err != nil {
		return Notification{}, false, fmt.Errorf("queue delivery: %w", err)
	}
	return n, true, nil
}

// Outbox lists the newest notifications first, for the secretariat.
func (s *Service) Outbox(ctx context.Context, p auth.Principal, first int) ([]Notification, error) {
	if err := canManage(p, apperr.Phrase("read the outbox")); err != nil {
		return nil, err
	}
	if first < 1 || first > 1000 {
		return nil, apperr.BadInputT("first: {first}, want 1 to 1000", "first", first)
	}
	rows, err := s.pool.Query(ctx, `SELECT `+notificationColumns+` FROM notifications ORDER BY created_at DESC, id LIMIT $1`, first)
	if err != nil {
		return nil, fmt.Errorf("read outbox: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Notification, error) { return scanNotification(r) })
	if err != nil {
		return nil, fmt.Errorf("read outbox: %w", err)
	}
	return out, nil
}

// stateName is a State's name in lang.
func stateName(code, lang string) string {
	if n, ok := state.NameIn(code, lang); ok {
		return n
	}
	return code
}

// The catalogue keys of the messages (internal/i18n/locales).
const (
	invitationSubject = "Sign in to the implementation review"
	invitationBody    = "Hello {name},\n\nOpen this link to sign in to the implementation review. It works once and expires in 24 hours:\n{link}\n\nIf you did not expect this message, you can ignore it."
	submittedSubject  = "{state} submitted its answers for {cycle}"
	submittedBody     = "Hello {name},\n\n{state} submitted its answers for {cycle} (version {version}). Review them here:\n{link}"
	returnedSubject   = "The answers of {state} for {cycle} were returned"
	returnedBody      = "Hello {name},\n\nThe secretariat returned the answers of {state} for {cycle} with these comments:\n\n{comments}\n\nChange them and submit again here:\n{link}"
	acceptedSubject   = "The answers of {state} for {cycle} were accepted"
	acceptedBody      = "Hello {name},\n\nThe secretariat accepted the answers of {state} for {cycle}. Thank you.\n\nThey remain here:\n{link}"
	publishedSubject  = "A report on {cycle} was published"
	publishedBody     = "Hello {name},\n\nThe secretariat published a report on {cycle} for your working group. Read it here:\n{link}"
	reminderSubject   = "Reminder: the answers of {state} for {cycle} are due on {date}"
	reminderBody      = "Hello {name},\n\n{state} has not yet submitted its answers for {cycle}. They are due on {date}. Answer and submit them here:\n{link}"
	overdueSubject    = "Overdue: the answers of {state} for {cycle} were due on {date}"
	overdueBody       = "Hello {name},\n\n{state} has not yet submitted its answers for {cycle}, which were due on {date}. Answer and submit them here:\n{link}"
)

// MessageKeys are the catalogue keys of every message, for the
// catalogue's test.
func MessageKeys() []string {
	return []string{invitationSubject, invitationBody, submittedSubject, submittedBody, returnedSubject, returnedBody,
		acceptedSubject, acceptedBody, publishedSubject, publishedBody, reminderSubject, reminderBody, overdueSubject, overdueBody}
}

// perRecipient queues one message per contact, in each one's language.
func (s *Service) perRecipient(ctx context.Context, tx pgx.Tx, r recipients, build func(c Contact) message) error {
	to, err := s.recipientsIn(ctx, tx, r)
	if err != nil {
		return err
	}
	for _, c := range to {
		m := build(c)
		m.to = c
		if _, _, err := s.queueIn(ctx, tx, m); err != nil {
			return err
		}
	}
	return nil
}

// SubmissionChanged queues the messages of a submission's change, in the
// transaction that changes it (submission.Notifier): submitted → the
// secretariat's contacts; returned (with the comments) and accepted →
// the State's focal points.
func (s *Service) SubmissionChanged(ctx context.Context, tx pgx.Tx, ev submission.Event) error {
	sub, c := ev.Submission, ev.Cycle
	occ := sub.ID + "/" + strconv.Itoa(sub.Version)
	common := func(lang string) []any {
		return []any{"state", stateName(sub.StateCode, lang), "cycle", c.Name, "version", sub.Version}
	}
	switch sub.Status {
	case submission.Submitted:
		return s.perRecipient(ctx, tx, recipients{role: auth.Secretariat}, func(to Contact) message {
			return message{kind: Submitted, occurrence: occ, subject: submittedSubject, body: submittedBody, args: common(to.Language),
				link: s.link("/review/" + c.ID + "/" + sub.StateCode)}
		})
	case submission.Returned:
		q, _ := s.reg.Get(c.QuestionnaireID)
		// Each comment under the question it is about, as the recipient
		// reads the question.
		comments := func(lang string) string {
			var lines []string
			for _, cm := range ev.Comments {
				if cm.Path == nil || *cm.Path == "" {
					lines = append(lines, "- "+cm.Body)
					continue
				}
				about := *cm.Path
				if q != nil {
					if qq, ok := q.Question(about); ok {
						about = qq.Label(lang)
					}
				}
				lines = append(lines, "- "+about+": "+cm.Body)
			}
			return strings.Join(lines, "\n")
		}
		return s.perRecipient(ctx, tx, recipients{role: auth.FocalPoint, state: sub.StateCode}, func(to Contact) message {
			return message{kind: Returned, occurrence: occ, subject: returnedSubject, body: returnedBody,
				args: append(common(to.Language), "comments", comments(to.Language)),
				link: s.link("/cycles/" + c.ID + "/states/" + sub.StateCode)}
		})
	case submission.Accepted:
		return s.perRecipient(ctx, tx, recipients{role: auth.FocalPoint, state: sub.StateCode}, func(to Contact) message {
			return message{kind: Accepted, occurrence: occ, subject: acceptedSubject, body: acceptedBody, args: common(to.Language),
				link: s.link("/cycles/" + c.ID + "/states/" + sub.StateCode)}
		})
	}
	return nil
}

// ReportPublished queues the messages of a report's publication, in the
// transaction that publishes it: the members of its working group (of
// every working group when the report has none).
func (s *Service) ReportPublished(ctx context.Context, tx pgx.Tx, runID, cycleID, workingGroup string) error {
	name := cycleID
	if c, err := s.workflow.Cycle(ctx, cycleID); err == nil {
		name = c.Name
	}
	return s.perRecipient(ctx, tx, recipients{role: auth.WorkingGroup, workingGroup: workingGroup}, func(to Contact) message {
		return message{kind: Published, occurrence: runID, subject: publishedSubject, body: publishedBody,
			args: []any{"cycle", name}, link: s.link("/published")}
	})
}

// deliverArgs is the job that delivers one notification.
type deliverArgs struct {
	ID string `json:"id"`
}

func (deliverArgs) Kind() string { return "irm.deliver_notification" }

func (deliverArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{Queue: queueName} }

// renderText is key in lang with m's arguments.
func renderText(lang, key string, m message) string {
	return i18n.T(lang, key, append([]any{"name", m.to.Name, "link", m.link}, m.args...)...)
}
