package people

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/smtp"
	"net/textproto"
	"net/url"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
)

type deliverWorker struct {
	river.WorkerDefaults[deliverArgs]
	s *Service
}

func (w *deliverWorker) Work(ctx context.Context, job *river.Job[deliverArgs]) error {
	return w.s.Deliver(ctx, job.Args.ID, job.Attempt)
}

// errBusy is a notification another worker is delivering right now.
var errBusy = errors.New("another worker is delivering this notification")

// Deliver sends notification id over SMTP, once. It holds the
// notification's row lock from before the relay hears of the message until
// the outbox records it SENT, in one transaction: a second worker (another
// replica, a job delivered twice) waits its turn and then finds it SENT. A
// worker killed after the relay accepted the data and before the commit
// leaves it PENDING, and the job queue offers that one message again, with
// the same Message-ID (<id@host>), by which the relay or the reader's
// client can tell the copy. attempt is the job's attempt (the last one
// records FAILED).
func (s *Service) Deliver(ctx context.Context, id string, attempt int) error {
	if s.cfg.SMTP == nil {
		return errors.New("no mail relay configured")
	}
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("deliver %s: %w", id, err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx)) //nolint:errcheck // after commit: a no-op
	var to, subject, body, link string
	err = tx.QueryRow(ctx, `SELECT to_address, subject, body, coalesce(link, '') FROM notifications
		WHERE id = $1 AND status = 'PENDING' FOR UPDATE NOWAIT`, id).Scan(&to, &subject, &body, &link)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return nil // sent or failed already, or gone
	case isLockNotAvailable(err):
		return river.JobSnooze(time.Minute) // in flight elsewhere: look again, in case that worker dies
	case err != nil:
		return fmt.Errorf("deliver %s: %w", id, err)
	}
	msg := s.compose(id, to, subject, body)
	if err := s.send(ctx, to, msg); err != nil {
		tx.Rollback(ctx) //nolint:errcheck
		return s.failed(ctx, id, attempt, err)
	}
	if s.cfg.afterData != nil {
		if err := s.cfg.afterData(ctx, tx); err != nil {
			return err
		}
	}
	// Sent: the sign-in link in an invitation is not kept.
	if _, err := tx.Exec(ctx, `UPDATE notifications SET status = 'SENT', sent_at = now(), attempts = attempts + 1, last_error = NULL,
			link = NULL, body = CASE WHEN link IS NULL THEN body ELSE '' END
		WHERE id = $1`, id); err != nil {
		return fmt.Errorf("record %s sent: %w", id, err)
	}
	return tx.Commit(ctx)
}

// failed records a refused delivery: FAILED at once when the relay
// refuses the message for good (5xx) or at the last attempt, else PENDING
// with the error, for the queue to retry with its backoff.
func (s *Service) failed(ctx context.Context, id string, attempt int, sendErr error) error {
	permanent := false
	if te, ok := errors.AsType[*textproto.Error](sendErr); ok && te.Code >= 500 {
		permanent = true
	}
	final := permanent || attempt >= s.cfg.MaxAttempts
	status := "PENDING"
	if final {
		status = "FAILED"
	}
	msg := sendErr.Error()
	if len(msg) > 1000 {
		msg = msg[:1000]
	}
	if _, err := s.pool.Exec(context.WithoutCancel(ctx), `UPDATE notifications SET status = $2, attempts = attempts + 1, last_error = $3
		WHERE id = $1 AND status = 'PENDING'`, id, status, strings.ToValidUTF8(msg, "?")); err != nil {
		return fmt.Errorf("record delivery failure of %s: %w", id, err)
	}
	s.log.Warn("mail not delivered", "notification", id, "attempt", attempt, "final", final, "err", sendErr)
	if final {
		return nil
	}
	return fmt.Errorf("deliver %s: %w", id, sendErr)
}

func isLockNotAvailable(err error) bool {
	var pgErr interface{ SQLState() string }
	return errors.As(err, &pgErr) && pgErr.SQLState() == "55P03"
}

// MessageID is notification id's Message-ID: the same at every attempt.
func (s *Service) MessageID(id string) string {
	host := "localhost"
	if u, err := url.Parse(s.cfg.PublicURL); err == nil && u.Hostname() != "" {
		host = u.Hostname()
	}
	return "<" + id + "@" + host + ">"
}

// compose writes the message: UTF-8 text, quoted-printable, headers
// encoded as RFC 2047 asks.
func (s *Service) compose(id, to, subject, body string) []byte {
	var b bytes.Buffer
	h := func(k, v string) { b.WriteString(k + ": " + v + "\r\n") }
	h("From", s.cfg.MailFrom)
	h("To", to)
	h("Subject", mime.QEncoding.Encode("UTF-8", subject))
	h("Date", s.cfg.Now().UTC().Format(time.RFC1123Z))
	h("Message-ID", s.MessageID(id))
	h("MIME-Version", "1.0")
	h("Content-Type", "text/plain; charset=UTF-8")
	h("Content-Transfer-Encoding", "quoted-printable")
	h("Auto-Submitted", "auto-generated")
	b.WriteString("\r\n")
	qp := quotedprintable.NewWriter(&b)
	qp.Write([]byte(strings.ReplaceAll(body, "\n", "\r\n"))) //nolint:errcheck // a bytes.Buffer
	qp.Close()                                               //nolint:errcheck
	return b.Bytes()
}

// send hands msg to the relay: STARTTLS when it offers it, then
// authentication when the URL has a user.
func (s *Service) send(ctx context.Context, to string, msg []byte) error {
	u := s.cfg.SMTP
	host := u.Hostname()
	addr := net.JoinHostPort(host, cmpPort(u.Port()))
	d := net.Dialer{Timeout: 30 * time.Second}
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return err
	}
	if dl, ok := ctx.Deadline(); ok {
		conn.SetDeadline(dl) //nolint:errcheck
	} else {
		conn.SetDeadline(time.Now().Add(2 * time.Minute)) //nolint:errcheck
	}
	c, err := smtp.NewClient(conn, host)
	if err != nil {
		conn.Close()
		return err
	}
	defer c.Close()
	if err := c.Hello("localhost"); err != nil {
		return err
	}
	if ok, _ := c.Extension("STARTTLS"); ok {
		cfg := &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}
		if s.cfg.TLS != nil {
			cfg = s.cfg.TLS.Clone()
			if cfg.ServerName == "" {
				cfg.ServerName = host
			}
		}
		if err := c.StartTLS(cfg); err != nil {
			return err
		}
	}
	if u.User != nil && u.User.Username() != "" {
		pass, _ := u.User.Password()
		if err := c.Auth(smtp.PlainAuth("", u.User.Username(), pass, host)); err != nil {
			return err
		}
	}
	if err := c.Mail(s.cfg.MailFrom); err != nil {
		return err
	}
	if err := c.Rcpt(to); err != nil {
		return err
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	if _, err := w.Write(msg); err != nil {
		return err
	}
	if err := w.Close(); err != nil { // the relay has accepted the message
		return err
	}
	c.Quit() //nolint:errcheck // delivered whatever QUIT answers
	return nil
}

func cmpPort(p string) string {
	if p == "" {
		return "25"
	}
	return p
}
