package app

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net/url"
	"time"

	"github.com/cosp-ict/irm/internal/people"
)

// mailFlags are serve's and dev's flags for the outbox.
type mailFlags struct {
	smtpURL, from, publicURL string
}

// registerMail adds --smtp-url, --mail-from and --public-url to fs.
func registerMail(fs *flag.FlagSet, getenv func(string) string) *mailFlags {
	f := &mailFlags{}
	fs.StringVar(&f.smtpURL, "smtp-url", getenv("IRM_SMTP_URL"),
		"mail relay, smtp://user:pass@host:port (STARTTLS when offered); none: messages stay PENDING in the outbox page (env IRM_SMTP_URL)")
	fs.StringVar(&f.from, "mail-from", getenv("IRM_MAIL_FROM"), "sender address of the messages (env IRM_MAIL_FROM; default irm@ the public host)")
	fs.StringVar(&f.publicURL, "public-url", getenv("IRM_PUBLIC_URL"),
		"the address people open the pages at, for the links in messages (env IRM_PUBLIC_URL; default http:// and --addr)")
	return f
}

// config is the people service's configuration from the flags; addr is
// --addr.
func (f *mailFlags) config(addr string) (people.Config, error) {
	if f.publicURL == "" {
		f.publicURL = "http://" + addr
	}
	c := people.Config{PublicURL: f.publicURL, MailFrom: f.from}
	if u, err := url.Parse(f.publicURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return c, fmt.Errorf("--public-url %q: want http(s)://host[:port]", f.publicURL)
	}
	if f.smtpURL != "" {
		u, err := url.Parse(f.smtpURL)
		if err != nil || u.Scheme != "smtp" || u.Hostname() == "" {
			return c, fmt.Errorf("--smtp-url: want smtp://user:pass@host:port")
		}
		c.SMTP = u
	}
	return c, nil
}

// stopPeople stops the reminders and the mail workers after the HTTP
// server.
func stopPeople(ctx context.Context, p *people.Service, log *slog.Logger) {
	stopCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 15*time.Second)
	defer cancel()
	if err := p.Stop(stopCtx); err != nil {
		log.Warn("stop mail workers", "err", err)
	}
}
