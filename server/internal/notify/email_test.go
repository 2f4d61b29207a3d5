package notify_test

import (
	"bufio"
	"context"
	"encoding/base64"
	"errors"
	"io"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/skillgate/skillgate/server/internal/apitest"
	"github.com/skillgate/skillgate/server/internal/app"
	"github.com/skillgate/skillgate/server/internal/auth"
	"github.com/skillgate/skillgate/server/internal/notify"
)

// smtpServer is a tiny SMTP server on 127.0.0.1: EHLO, AUTH PLAIN, MAIL,
// RCPT, DATA, QUIT. RCPT answers the queued replies first (e.g. a 451), then
// 250.
type smtpServer struct {
	ln       net.Listener
	user     string
	pass     string
	mu       sync.Mutex
	rcpt     []string // replies to the next RCPTs
	messages []smtpMessage
	authed   int
}

type smtpMessage struct {
	from, to string
	data     string
}

func newSMTPServer(t *testing.T, user, pass string) *smtpServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &smtpServer{ln: ln, user: user, pass: pass}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go s.serve(c)
		}
	}()
	return s
}

func (s *smtpServer) answerRcpt(replies ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rcpt = append(s.rcpt, replies...)
}

func (s *smtpServer) got() []smtpMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]smtpMessage(nil), s.messages...)
}

func (s *smtpServer) serve(c net.Conn) {
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	r := bufio.NewReader(c)
	say := func(line string) { io.WriteString(c, line+"\r\n") }
	say("220 127.0.0.1 test ESMTP")
	var m smtpMessage
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		line = strings.TrimRight(line, "\r\n")
		verb := strings.ToUpper(strings.SplitN(line, " ", 2)[0])
		switch {
		case verb == "EHLO":
			say("250-127.0.0.1")
			say("250-8BITMIME")
			say("250 AUTH PLAIN")
		case verb == "AUTH":
			f := strings.Fields(line)
			raw, _ := base64.StdEncoding.DecodeString(f[len(f)-1])
			if len(f) == 3 && f[1] == "PLAIN" && string(raw) == "\x00"+s.user+"\x00"+s.pass {
				s.mu.Lock()
				s.authed++
				s.mu.Unlock()
				say("235 2.7.0 ok")
			} else {
				say("535 5.7.8 bad credentials")
			}
		case verb == "MAIL":
			m = smtpMessage{from: strings.TrimPrefix(line, "MAIL FROM:")}
			say("250 ok")
		case verb == "RCPT":
			s.mu.Lock()
			reply := "250 ok"
			if len(s.rcpt) > 0 {
				reply, s.rcpt = s.rcpt[0], s.rcpt[1:]
			}
			s.mu.Unlock()
			m.to = strings.TrimPrefix(line, "RCPT TO:")
			say(reply)
		case verb == "DATA":
			say("354 go ahead")
			var b strings.Builder
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if l == ".\r\n" {
					break
				}
				b.WriteString(strings.TrimPrefix(l, "."))
			}
			m.data = b.String()
			s.mu.Lock()
			s.messages = append(s.messages, m)
			s.mu.Unlock()
			say("250 queued")
		case verb == "QUIT":
			say("221 bye")
			return
		case verb == "RSET" || verb == "NOOP":
			say("250 ok")
		default:
			say("502 not implemented")
		}
	}
}

func mailEnv(t *testing.T, srv *smtpServer) *apitest.Env {
	return apitest.NewWith(t, func(c *app.Config) {
		c.Mail = &notify.MailConfig{Addr: srv.ln.Addr().String(), From: "Skillgate <noreply@skillgate.test>",
			Username: "mailer", Password: "s3cret-pass", Timeout: 5 * time.Second}
		c.PublicURL = "https://skillgate.example.com"
	})
}

func emailOf(t *testing.T, env *apitest.Env, key string) notify.Email {
	t.Helper()
	var e notify.Email
	err := env.DB.Raw(`SELECT e.* FROM notification_emails e JOIN notifications n ON n.id = e.notification_id WHERE n.key = ?`, key).
		Scan(&e).Error
	if err != nil || e.ID == "" {
		t.Fatalf("the email of %s: %v", key, err)
	}
	return e
}

func TestEmailIsDeliveredAndRetriedAfterATemporaryFailure(t *testing.T) {
	t.Parallel()
	srv := newSMTPServer(t, "mailer", "s3cret-pass")
	env := mailEnv(t, srv)
	agent := env.User("zoe@x.test", auth.RoleAgent)
	ctx := context.Background()
	err := env.App.Notify.Remind(ctx, nil, notify.Reminder{UserID: uuid.MustParse(agent.ID), Kind: "onboarding.task_due",
		Key: "task-due:7", Title: "Tâche due demain: read the fee schedule", Body: "Due tomorrow at 09:00.", Link: "/training"})
	if err != nil {
		t.Fatal(err)
	}
	if e := emailOf(t, env, "task-due:7"); e.Status != notify.EmailPending || e.Attempts != 0 {
		t.Fatalf("queued email: got %+v, want pending with no attempt", e)
	}

	srv.answerRcpt("451 4.3.0 try again later")
	n, err := env.App.Notify.RunEmailOnce(ctx)
	if err != nil || n != 1 {
		t.Fatalf("first send: got %d, %v; want one attempt", n, err)
	}
	e := emailOf(t, env, "task-due:7")
	wantNext := env.Clock.Now().Add(notify.EmailRetryDelays[0])
	if e.Status != notify.EmailPending || e.Attempts != 1 || e.NextAttemptAt == nil || !e.NextAttemptAt.Equal(wantNext) ||
		!strings.Contains(e.LastError, "451") {
		t.Fatalf("after a 451: got %+v, want pending, 1 attempt, next at %s, the 451 kept", e, wantNext)
	}
	if n, _ := env.App.Notify.RunEmailOnce(ctx); n != 0 || len(srv.got()) != 0 {
		t.Fatalf("before the retry is due: got %d attempts and %d messages, want none", n, len(srv.got()))
	}

	env.Clock.Advance(notify.EmailRetryDelays[0])
	if n, err := env.App.Notify.RunEmailOnce(ctx); err != nil || n != 1 {
		t.Fatalf("retry: got %d, %v; want one attempt", n, err)
	}
	e = emailOf(t, env, "task-due:7")
	if e.Status != notify.EmailSent || e.Attempts != 2 || e.SentAt == nil || e.ToAddress != "zoe@x.test" || e.NextAttemptAt != nil {
		t.Fatalf("after the retry: got %+v, want sent on the second attempt to zoe@x.test", e)
	}
	msgs := srv.got()
	if len(msgs) != 1 || msgs[0].to != "<zoe@x.test>" || !strings.HasPrefix(msgs[0].from, "<noreply@skillgate.test>") {
		t.Fatalf("messages: got %+v, want one from noreply to zoe", msgs)
	}
	parsed, err := mail.ReadMessage(strings.NewReader(msgs[0].data))
	if err != nil {
		t.Fatalf("the message does not parse: %v\n%s", err, msgs[0].data)
	}
	subject, err := new(mimeDecoder).DecodeHeader(parsed.Header.Get("Subject"))
	if err != nil || subject != "Tâche due demain: read the fee schedule" {
		t.Errorf("subject: got %q (%v)", subject, err)
	}
	body, _ := io.ReadAll(quotedprintable.NewReader(parsed.Body))
	for _, want := range []string{"Due tomorrow at 09:00.", "https://skillgate.example.com/training"} {
		if !strings.Contains(string(body), want) {
			t.Errorf("body %q lacks %q", body, want)
		}
	}
	if got := parsed.Header.Get("Message-ID"); got != "<"+e.ID+"@skillgate>" {
		t.Errorf("Message-ID: got %q, want the email's id", got)
	}
	if srv.authed != 2 {
		t.Errorf("AUTH PLAIN: got %d successful, want one per attempt (2)", srv.authed)
	}
}

func TestEmailFailsForGoodOnAPermanentRefusalOrWhenRetriesRunOut(t *testing.T) {
	t.Parallel()
	srv := newSMTPServer(t, "mailer", "s3cret-pass")
	env := mailEnv(t, srv)
	agent := env.User("agent@x.test", auth.RoleAgent)
	ctx := context.Background()
	for _, k := range []string{"refused", "flaky"} {
		remind(t, env, agent.ID, k, "notice "+k)
	}
	// Whichever email is sent first meets the 550; the other meets 451 on
	// every attempt.
	srv.answerRcpt("550 5.1.1 no such mailbox")
	for range len(notify.EmailRetryDelays) + 1 {
		srv.answerRcpt("451 4.3.0 later")
	}
	if _, err := env.App.Notify.RunEmailOnce(ctx); err != nil {
		t.Fatal(err)
	}
	statuses := map[notify.EmailStatus]int{}
	for _, k := range []string{"refused", "flaky"} {
		statuses[emailOf(t, env, k).Status]++
	}
	if statuses[notify.EmailFailed] != 1 || statuses[notify.EmailPending] != 1 {
		t.Fatalf("after one pass: got %v, want the 550 failed and the 451 pending", statuses)
	}
	for _, d := range notify.EmailRetryDelays {
		env.Clock.Advance(d)
		if n, err := env.App.Notify.RunEmailOnce(ctx); err != nil || n != 1 {
			t.Fatalf("retry after %s: got %d, %v", d, n, err)
		}
	}
	for _, k := range []string{"refused", "flaky"} {
		if e := emailOf(t, env, k); e.Status != notify.EmailFailed {
			t.Errorf("%s: got %+v, want failed", k, e)
		}
	}
	total := 0
	for _, k := range []string{"refused", "flaky"} {
		total += emailOf(t, env, k).Attempts
	}
	if want := 1 + len(notify.EmailRetryDelays) + 1; total != want {
		t.Errorf("attempts in all: got %d, want %d (one for the 550, every retry for the 451)", total, want)
	}
	if len(srv.got()) != 0 {
		t.Errorf("messages: got %d, want none accepted", len(srv.got()))
	}
}

func TestEmailIsSkippedForAnInactiveUser(t *testing.T) {
	t.Parallel()
	srv := newSMTPServer(t, "mailer", "s3cret-pass")
	env := mailEnv(t, srv)
	agent := env.User("gone@x.test", auth.RoleAgent)
	remind(t, env, agent.ID, "k", "a notice")
	if err := env.DB.Exec(`UPDATE users SET active = false WHERE id = ?`, agent.ID).Error; err != nil {
		t.Fatal(err)
	}
	if _, err := env.App.Notify.RunEmailOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	if e := emailOf(t, env, "k"); e.Status != notify.EmailSkipped || len(srv.got()) != 0 {
		t.Errorf("got %+v and %d messages, want skipped and nothing sent", e, len(srv.got()))
	}
}

func TestANoticeAndItsEmailExistOnlyWhenTheCallersTransactionCommits(t *testing.T) {
	t.Parallel()
	srv := newSMTPServer(t, "mailer", "s3cret-pass")
	env := mailEnv(t, srv)
	agent := env.User("rolled@x.test", auth.RoleAgent)
	ctx := context.Background()
	errChange := errors.New("the change that reminded failed")
	err := env.DB.Transaction(func(tx *gorm.DB) error {
		if err := env.App.Notify.Remind(ctx, tx, notify.Reminder{UserID: uuid.MustParse(agent.ID), Kind: "onboarding.task_due",
			Key: "rolled-back", Title: "Never sent"}); err != nil {
			return err
		}
		return errChange
	})
	if !errors.Is(err, errChange) {
		t.Fatalf("got %v, want the caller's failure", err)
	}
	if n, err := env.App.Notify.RunEmailOnce(ctx); err != nil || n != 0 || len(srv.got()) != 0 {
		t.Fatalf("got %d attempts, %d messages (%v), want nothing queued by a rolled back change", n, len(srv.got()), err)
	}
	var emails int64
	if err := env.DB.Model(&notify.Email{}).Count(&emails).Error; err != nil || emails != 0 {
		t.Errorf("got %d queued emails (%v), want none", emails, err)
	}
}
