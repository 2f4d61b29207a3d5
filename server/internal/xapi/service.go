package xapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/skillgate/skillgate/server/internal/auth"
	"github.com/skillgate/skillgate/server/internal/clock"
	"github.com/skillgate/skillgate/server/internal/queue"
)

// Actor formats.
const (
	ActorMbox    = "mbox"
	ActorAccount = "account"
)

// Config is where statements go and how they name things.
type Config struct {
	// Endpoint is the LRS's xAPI endpoint ("https://lrs.example.com/xapi/");
	// statements go to <Endpoint>statements.
	Endpoint string
	// Username and Password are HTTP basic credentials (optional).
	Username, Password string
	// ActivityBase starts every activity id: <ActivityBase>/quizzes/<id>.
	ActivityBase string
	// Actor is ActorMbox (mailto:<email>) or ActorAccount (the user id at
	// AccountHomePage).
	Actor           string
	AccountHomePage string
	// Timeout bounds one request; zero means 15 s.
	Timeout time.Duration
}

// userFinder finds users without authorizing (the auth service).
type userFinder interface {
	LookupUser(ctx context.Context, id string) (*auth.User, error)
}

// RetryDelays are the waits after each failed attempt; when they are used
// up the statement is failed. The LRS refusing a statement as malformed
// (400) or as conflicting with another under its id (409) fails it at once.
var RetryDelays = []time.Duration{30 * time.Second, 2 * time.Minute, 10 * time.Minute, time.Hour, 6 * time.Hour, 24 * time.Hour}

// Service queues and sends statements.
type Service struct {
	db     *gorm.DB
	users  userFinder
	clock  clock.Clock
	cfg    *Config
	client *http.Client
	log    *slog.Logger
	queue  *queue.Queue[Queued]
}

// NewService returns the service; a nil cfg disables it (Record stores
// nothing, RunOnce sends nothing).
func NewService(g *gorm.DB, users userFinder, clk clock.Clock, cfg *Config, log *slog.Logger) *Service {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Service{db: g, users: users, clock: clk, cfg: cfg, log: log, queue: queue.New[Queued](g, clk, statementKind, log)}
	if cfg != nil {
		timeout := cfg.Timeout
		if timeout == 0 {
			timeout = 15 * time.Second
		}
		s.client = &http.Client{Timeout: timeout,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	}
	return s
}

// Enabled reports whether statements are recorded.
func (s *Service) Enabled() bool { return s != nil && s.cfg != nil }

func (s *Service) now() time.Time { return s.clock.Now().UTC().Truncate(time.Microsecond) }

// Record queues the statement of e inside tx, the transaction that makes
// the learning event, with its statement id fixed now. Recording a source
// again does nothing. Disabled, it does nothing.
func (s *Service) Record(ctx context.Context, tx *gorm.DB, e Experience) error {
	if !s.Enabled() {
		return nil
	}
	u, err := s.users.LookupUser(ctx, e.UserID)
	if err != nil {
		return fmt.Errorf("xapi: record %s: %w", e.Source, err)
	}
	st, err := s.statement(uuid.NewString(), u, e)
	if err != nil {
		return fmt.Errorf("xapi: record %s: %w", e.Source, err)
	}
	raw, err := json.Marshal(st)
	if err != nil {
		return fmt.Errorf("xapi: record %s: %w", e.Source, err)
	}
	if err := insertStatement(tx.WithContext(ctx), st.ID, e, raw, s.now()); err != nil {
		return fmt.Errorf("xapi: record %s: %w", e.Source, err)
	}
	return nil
}

// statement builds the xAPI statement of e by u.
func (s *Service) statement(id string, u *auth.User, e Experience) (*Statement, error) {
	verb := map[string]string{VerbCompleted: "completed", VerbPassed: "passed", VerbFailed: "failed"}[e.Verb]
	if verb == "" {
		return nil, fmt.Errorf("unknown verb %q", e.Verb)
	}
	obj, err := s.object(e.Activity)
	if err != nil {
		return nil, err
	}
	st := &Statement{ID: id, Verb: StatementVerb{ID: e.Verb, Display: map[string]string{"en-US": verb}}, Object: obj,
		Timestamp: e.At.UTC().Format(time.RFC3339Nano), Context: &Context{Platform: "Skillgate"}}
	switch s.cfg.Actor {
	case ActorAccount:
		st.Actor = Actor{ObjectType: "Agent", Account: &Account{HomePage: s.cfg.AccountHomePage, Name: u.ID}}
	default:
		st.Actor = Actor{ObjectType: "Agent", Name: u.DisplayName, Mbox: "mailto:" + u.Email}
	}
	if e.Parent != nil {
		parent, err := s.object(*e.Parent)
		if err != nil {
			return nil, err
		}
		st.Context.ContextActivities = &ContextActivities{Parent: []StatementObject{parent}}
	}
	if r := e.Result; r != nil {
		st.Result = &StatementResult{Score: r.Score, Success: r.Success, Completion: r.Completion}
	}
	if e.Credential != nil {
		if st.Result == nil {
			st.Result = &StatementResult{}
		}
		st.Result.Extensions = map[string]any{s.ExtensionCredential(): e.Credential}
	}
	return st, nil
}

// ExtensionCredential is the IRI of the result extension that names the
// certificate a certification earned: <XAPI_ACTIVITY_BASE>/extensions/credential.
func (s *Service) ExtensionCredential() string {
	return strings.TrimRight(s.cfg.ActivityBase, "/") + "/extensions/credential"
}

func (s *Service) object(a Activity) (StatementObject, error) {
	typ, ok := activityTypes[a.Kind]
	if !ok || a.ID == "" {
		return StatementObject{}, fmt.Errorf("activity %q/%q is not one xapi knows", a.Kind, a.ID)
	}
	o := StatementObject{ObjectType: "Activity", ID: strings.TrimRight(s.cfg.ActivityBase, "/") + "/" + string(a.Kind) + "/" + url.PathEscape(a.ID),
		Definition: &Definition{Type: typ}}
	if a.Name != "" {
		o.Definition.Name = map[string]string{"en-US": a.Name}
	}
	return o, nil
}

// RunOnce sends every due statement until none is left and returns how many
// it attempted. Statements are claimed through the job queue
// (server/internal/queue), so replicas share them. Disabled, it does nothing.
func (s *Service) RunOnce(ctx context.Context) (int, error) {
	if !s.Enabled() {
		return 0, nil
	}
	return s.queue.Drain(ctx, func(ctx context.Context, qs []Queued, lease time.Time) error {
		for i := range qs {
			if err := s.attempt(ctx, &qs[i], lease); err != nil {
				return err
			}
		}
		return nil
	})
}

// attempt sends a statement claimed with the lease ending at lease once and
// records the outcome: 400 and 409 fail it at once, anything else but 2xx
// waits for the next retry.
func (s *Service) attempt(ctx context.Context, q *Queued, lease time.Time) error {
	code, sendErr := s.send(ctx, q)
	o := queue.Outcome{Err: sendErr, Permanent: code != nil && (*code == http.StatusBadRequest || *code == http.StatusConflict),
		Set: map[string]any{"last_status": code}, Log: []any{"source", q.Source}}
	if sendErr == nil {
		o.Set["sent_at"] = s.now()
	}
	if _, err := s.queue.Finish(ctx, *q, lease, o); err != nil {
		return fmt.Errorf("xapi: %w", err)
	}
	return nil
}

// send PUTs the statement under its id (PUT /statements?statementId=),
// which the LRS stores once however often it is sent. It returns the
// status code (nil without an answer).
func (s *Service) send(ctx context.Context, q *Queued) (*int, error) {
	u := strings.TrimRight(s.cfg.Endpoint, "/") + "/statements?statementId=" + url.QueryEscape(q.ID)
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, u, bytes.NewReader(q.Statement))
	if err != nil {
		return nil, fmt.Errorf("build the request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Experience-API-Version", Version)
	req.Header.Set("User-Agent", "Skillgate-xAPI/1")
	if s.cfg.Username != "" || s.cfg.Password != "" {
		req.SetBasicAuth(s.cfg.Username, s.cfg.Password)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // the URL is logged already
		}
		return nil, err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	code := resp.StatusCode
	if code < 200 || code > 299 {
		msg := "the LRS answered " + strconv.Itoa(code)
		if t := strings.TrimSpace(string(bytes.ToValidUTF8(b, nil))); t != "" {
			msg += ": " + strings.ReplaceAll(t, "\x00", "")
		}
		return &code, errors.New(msg)
	}
	return &code, nil
}
