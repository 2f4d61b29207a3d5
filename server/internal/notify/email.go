package notify

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/smtp"
	"net/textproto"
	"strings"
	"time"

	"github.com/skillgate/skillgate/server/internal/apperr"
	"github.com/skillgate/skillgate/server/internal/queue"
)

// MailConfig is how emails leave: an SMTP server (SMTP_ADDR), the sender
// address (SMTP_FROM) and optional PLAIN credentials.
type MailConfig struct {
	// Addr is the server's host:port (587 for STARTTLS submission).
	Addr string
	// From is the sender, an address with an optional name
	// ("Skillgate <noreply@example.com>").
	From     string
	Username string
	Password string
	// Timeout bounds one delivery (connect to QUIT); zero means 30 s.
	Timeout time.Duration
}

// EmailRetryDelays are the waits after each failed attempt; when they are
// used up the email is failed. A permanent refusal (an SMTP 5xx answer)
// fails it at once.
var EmailRetryDelays = []time.Duration{time.Minute, 5 * time.Minute, 30 * time.Minute, 2 * time.Hour, 6 * time.Hour}

// mailer hands one message to the mail system.
type mailer interface {
	Send(ctx context.Context, from, to string, msg []byte) error
}

// RunEmailOnce sends every queued email that is due until none is left, and
// returns how many it attempted. Emails are claimed through the job queue
// (server/internal/queue: FOR UPDATE SKIP LOCKED and a lease), so several
// replicas share the queue and never send one email at once. Without SMTP
// configured it does nothing.
func (s *Service) RunEmailOnce(ctx context.Context) (int, error) {
	if s.mailer == nil {
		return 0, nil
	}
	return s.emails.Drain(ctx, func(ctx context.Context, es []Email, lease time.Time) error {
		for i := range es {
			if err := s.attemptEmail(ctx, &es[i], lease); err != nil {
				return err
			}
		}
		return nil
	})
}

// attemptEmail sends an email claimed with the lease ending at lease once
// and records the outcome. An error means the outcome could not be
// recorded; the lease then runs out and the email is attempted again.
func (s *Service) attemptEmail(ctx context.Context, e *Email, lease time.Time) error {
	n, err := s.store.Notification(ctx, e.NotificationID)
	if err != nil {
		return err
	}
	now := s.now()
	u, err := s.users.LookupUser(ctx, n.UserID)
	var o queue.Outcome
	switch {
	case apperr.Is(err, apperr.NotFound) || (err == nil && (!u.Active || u.Email == "")):
		o = queue.Outcome{Status: string(EmailSkipped), Err: errors.New("the user is inactive or has no address")}
	case err != nil:
		return err
	default:
		var sendErr error
		if msg, err := s.message(e, n, u.Email, now); err != nil {
			sendErr = permanent{err}
		} else {
			sendErr = s.mailer.Send(ctx, s.opts.Mail.From, u.Email, msg)
		}
		var perm permanent
		o = queue.Outcome{Err: sendErr, Permanent: errors.As(sendErr, &perm), Set: map[string]any{"to_address": u.Email},
			Log: []any{"notification_id", n.ID}}
		if sendErr == nil {
			o.Set["sent_at"] = now
		}
	}
	if _, err := s.emails.Finish(ctx, *e, lease, o); err != nil {
		return fmt.Errorf("notify: %w", err)
	}
	return nil
}

// permanent marks a failure that retrying cannot fix.
type permanent struct{ error }

func (p permanent) Unwrap() error { return p.error }

// message renders the email of notice n to the address: plain text, UTF-8,
// quoted-printable, with the link made absolute by PublicURL.
func (s *Service) message(e *Email, n *Notification, to string, now time.Time) ([]byte, error) {
	from, err := mail.ParseAddress(s.opts.Mail.From)
	if err != nil {
		return nil, fmt.Errorf("SMTP_FROM: %w", err)
	}
	rcpt, err := mail.ParseAddress(to)
	if err != nil {
		return nil, fmt.Errorf("the user's address %q: %w", to, err)
	}
	var b bytes.Buffer
	hdr := func(k, v string) { fmt.Fprintf(&b, "%s: %s\r\n", k, v) }
	hdr("From", from.String())
	hdr("To", rcpt.String())
	hdr("Subject", mime.QEncoding.Encode("utf-8", n.Title))
	hdr("Date", now.Format(time.RFC1123Z))
	hdr("Message-ID", "<"+e.ID+"@skillgate>")
	hdr("MIME-Version", "1.0")
	hdr("Content-Type", "text/plain; charset=utf-8")
	hdr("Content-Transfer-Encoding", "quoted-printable")
	hdr("Auto-Submitted", "auto-generated")
	b.WriteString("\r\n")
	text := n.Body
	if link := s.absolute(n.Link); link != "" {
		text += "\n\n" + link
	}
	text += "\n\n-- \nSkillgate. You get this email because it is in your Skillgate inbox too.\n"
	qp := quotedprintable.NewWriter(&b)
	if _, err := qp.Write([]byte(strings.ReplaceAll(text, "\n", "\r\n"))); err != nil {
		return nil, err
	}
	if err := qp.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// absolute puts PublicURL before a path link.
func (s *Service) absolute(link string) string {
	if link == "" || !strings.HasPrefix(link, "/") || s.opts.PublicURL == "" {
		return link
	}
	return strings.TrimRight(s.opts.PublicURL, "/") + link
}

// smtpMailer delivers through one SMTP server with net/smtp: STARTTLS
// whenever the server offers it (required unless the server is on a
// loopback address), then PLAIN authentication when credentials are set.
type smtpMailer struct{ cfg MailConfig }

// Send delivers msg from from to to. A 5xx answer is permanent.
func (m *smtpMailer) Send(ctx context.Context, from, to string, msg []byte) error {
	timeout := m.cfg.Timeout
	if timeout == 0 {
		timeout = 30 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	host, _, err := net.SplitHostPort(m.cfg.Addr)
	if err != nil {
		return permanent{fmt.Errorf("SMTP_ADDR: %w", err)}
	}
	conn, err := (&net.Dialer{}).DialContext(ctx, "tcp", m.cfg.Addr)
	if err != nil {
		return fmt.Errorf("smtp: connect: %w", err)
	}
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	c, err := smtp.NewClient(conn, host)
	if err != nil {
		conn.Close()
		return classify("greeting", err)
	}
	defer c.Close()
	if ok, _ := c.Extension("STARTTLS"); ok {
		if err := c.StartTLS(&tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}); err != nil {
			return classify("starttls", err)
		}
	} else if !isLoopback(host) {
		return errors.New("smtp: the server does not offer STARTTLS; refusing to send in the clear")
	}
	if m.cfg.Username != "" {
		if err := c.Auth(smtp.PlainAuth("", m.cfg.Username, m.cfg.Password, host)); err != nil {
			return classify("auth", err)
		}
	}
	sender, _ := mail.ParseAddress(from)
	if err := c.Mail(sender.Address); err != nil {
		return classify("MAIL FROM", err)
	}
	if err := c.Rcpt(to); err != nil {
		return classify("RCPT TO", err)
	}
	w, err := c.Data()
	if err != nil {
		return classify("DATA", err)
	}
	if _, err := w.Write(msg); err != nil {
		return classify("DATA", err)
	}
	if err := w.Close(); err != nil {
		return classify("DATA", err)
	}
	_ = c.Quit() // the message is accepted once DATA is answered 250
	return nil
}

// classify wraps an SMTP failure; a 5xx answer is permanent.
func classify(step string, err error) error {
	var te *textproto.Error
	if errors.As(err, &te) && te.Code >= 500 {
		return permanent{fmt.Errorf("smtp: %s: %w", step, err)}
	}
	return fmt.Errorf("smtp: %s: %w", step, err)
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
