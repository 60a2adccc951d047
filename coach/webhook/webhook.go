// Package webhook sends the coach's nudges and state changes to a URL as
// JSON, so Home Assistant, ntfy or a chat tool can react. It is a
// live.Publisher that only enqueues: a bounded queue sits between the
// service and the network, a full queue drops (said once in the log),
// and Run delivers with a timeout per attempt and a few retries with
// backoff. The URL may carry a token, so logs and errors name only its
// scheme and host.
package webhook

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	"posturewatch/coach/domain"
)

// Defaults of Options.
const (
	DefaultTimeout   = 5 * time.Second
	DefaultRetries   = 3
	DefaultBackoff   = time.Second
	DefaultQueueSize = 64
	maxBackoff       = 30 * time.Second
	// DrainTimeout bounds delivering what is still queued when the
	// service stops: one attempt each, no retries, so a receiver that is
	// down cannot hold up the shutdown.
	DrainTimeout = 2 * time.Second
)

// Payload is the JSON body of every call (the README documents it):
// one event, self-contained, with a title and a message in plain words
// ready to show.
type Payload struct {
	// ID is unique per event and the same on every retry of it, so a
	// receiver can ignore a repeat.
	ID       string           `json:"id"`
	Source   string           `json:"source"` // always "posturewatch"
	Type     domain.EventType `json:"type"`   // nudge, state, suggestion, break, routine, stretch, paused, resumed
	Time     time.Time        `json:"time"`
	State    domain.State     `json:"state,omitempty"`    // state events: the new state
	Previous domain.State     `json:"previous,omitempty"` // state events: the one before
	// Fault is the fault named (nudges; state events into slouching).
	Fault      domain.FaultName `json:"fault,omitempty"`
	FaultLabel string           `json:"fault_label,omitempty"`
	Title      string           `json:"title"`
	Message    string           `json:"message"`
	// DurationS: for state events how long the previous state lasted; for
	// breaks the sitting time; in seconds.
	DurationS float64 `json:"duration_s,omitempty"`
	// Routine is the stretch routine's id (suggestion and routine events).
	Routine string `json:"routine,omitempty"`
}

// Sent says which events are worth a call: what a person or a home
// automation reacts to, not the service's housekeeping.
func Sent(e domain.Event) bool {
	switch e.Type {
	case domain.EventNudge, domain.EventState, domain.EventSuggestion, domain.EventBreak,
		domain.EventRoutine, domain.EventPaused, domain.EventResumed:
		return true
	case domain.EventStretch:
		return e.Exercise == "" // the whole routine done, not each exercise
	}
	return false
}

// PayloadOf builds the body for an event.
func PayloadOf(e domain.Event, id string) Payload {
	p := Payload{ID: id, Source: "posturewatch", Type: e.Type, Time: e.Time, State: e.State,
		Previous: e.Previous, Fault: e.Fault, Message: e.Message, DurationS: e.Duration.Seconds()}
	if e.Fault != "" {
		p.FaultLabel = domain.FaultLabel(e.Fault)
	}
	if e.Routine != nil {
		p.Routine = e.Routine.ID
	}
	switch e.Type {
	case domain.EventNudge:
		p.Title = "Posture: " + domain.FaultLabel(e.Fault)
		if p.Message == "" {
			p.Message = domain.NudgeMessage(e.Fault)
		}
	case domain.EventState:
		p.Title = "Posture: " + string(e.State)
		if e.State == domain.StateSlouching && e.Fault != "" {
			p.Title += " (" + domain.FaultLabel(e.Fault) + ")"
		}
	case domain.EventSuggestion:
		p.Title = "Time for a stretch break"
	case domain.EventBreak:
		p.Title = "Time to stand up"
	case domain.EventRoutine:
		p.Title = "Stretch break started"
	case domain.EventStretch:
		p.Title = "Stretch break done"
	case domain.EventPaused:
		p.Title = "Posture monitoring paused"
	case domain.EventResumed:
		p.Title = "Posture monitoring resumed"
	default:
		p.Title = "posturewatch: " + string(e.Type)
	}
	if p.Message == "" {
		p.Message = p.Title
	}
	return p
}

// Options configure a Sender. URL is required.
type Options struct {
	URL string
	// Client makes the calls; nil: a client of its own.
	Client *http.Client
	// Timeout bounds one attempt; default DefaultTimeout.
	Timeout time.Duration
	// Retries after a failed first attempt (a network error, a timeout,
	// 429 or 5xx); default DefaultRetries. Other 4xx answers are not retried.
	Retries int
	// Backoff is the wait before the first retry, doubled for each next
	// one (at most 30 s); default DefaultBackoff.
	Backoff time.Duration
	// QueueSize bounds the events waiting; default DefaultQueueSize.
	QueueSize int
	// Wait waits d or until ctx is done (tests inject a clock); nil: a timer.
	Wait      func(ctx context.Context, d time.Duration) error
	Logger    *slog.Logger
	UserAgent string
}

// Sender delivers events to the URL. New, then Run in a goroutine; the
// Publish methods only enqueue.
type Sender struct {
	o      Options
	target string // scheme://host, the only part of the URL ever logged
	queue  chan Payload

	mu      sync.Mutex
	dropped int // since the last delivery; logged once per run of drops

	// totals since the start, for the metrics
	sentTotal, failedTotal, droppedTotal atomic.Uint64
}

// New checks the URL (http or https only) and builds the sender; it
// starts nothing.
func New(o Options) (*Sender, error) {
	if _, err := domain.ParseWebhookURL(o.URL); err != nil {
		return nil, fmt.Errorf("webhook: %w", err)
	}
	if o.Client == nil {
		o.Client = &http.Client{}
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.Retries < 0 {
		o.Retries = 0
	} else if o.Retries == 0 {
		o.Retries = DefaultRetries
	}
	if o.Backoff <= 0 {
		o.Backoff = DefaultBackoff
	}
	if o.QueueSize <= 0 {
		o.QueueSize = DefaultQueueSize
	}
	if o.Wait == nil {
		o.Wait = wait
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.UserAgent == "" {
		o.UserAgent = "posturewatch"
	}
	return &Sender{o: o, target: domain.RedactURL(o.URL), queue: make(chan Payload, o.QueueSize)}, nil
}

// Target is the URL's scheme and host: what may be shown of it.
func (s *Sender) Target() string { return s.target }

func wait(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// PublishEvent enqueues the events worth a call; it never blocks.
func (s *Sender) PublishEvent(e domain.Event) {
	if !Sent(e) {
		return
	}
	p := PayloadOf(e, newID())
	select {
	case s.queue <- p:
	default:
		s.droppedTotal.Add(1)
		s.mu.Lock()
		s.dropped++
		first := s.dropped == 1
		s.mu.Unlock()
		if first {
			s.o.Logger.Warn("webhook: the receiver is not keeping up; events are dropped until it does",
				"to", s.target, "queue", s.o.QueueSize)
		}
	}
}

// The rest of what the service publishes is not sent.
func (s *Sender) PublishStatus(domain.LiveStatus)   {}
func (s *Sender) PublishStats(domain.StatsSnapshot) {}
func (s *Sender) PublishSample(domain.Sample)       {}
func (s *Sender) PublishReps(domain.RepCount)       {}
func (s *Sender) PublishPreview(domain.Preview)     {}

// Run delivers queued events one after another until ctx is done; an
// event in flight then stops at once (its retries too), and what is still
// queued, that event first, gets one attempt each within DrainTimeout.
func (s *Sender) Run(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			s.drain(nil)
			return
		case p := <-s.queue:
			if err := s.deliver(ctx, p); err != nil {
				if ctx.Err() != nil {
					s.drain(&p)
					return
				}
				s.failedTotal.Add(1)
				s.o.Logger.Warn("webhook: event not delivered", "to", s.target, "type", p.Type, "err", err)
				continue
			}
			s.sentTotal.Add(1)
			s.mu.Lock()
			n := s.dropped
			s.dropped = 0
			s.mu.Unlock()
			if n > 0 {
				s.o.Logger.Info("webhook: the receiver keeps up again", "to", s.target, "dropped", n)
			}
		}
	}
}

// drain sends first (an event whose delivery the shutdown stopped) and
// what is queued, once each, until DrainTimeout; the first failure ends it.
func (s *Sender) drain(first *Payload) {
	ctx, cancel := context.WithTimeout(context.Background(), DrainTimeout)
	defer cancel()
	for {
		var p Payload
		if first != nil {
			p, first = *first, nil
		} else {
			select {
			case p = <-s.queue:
			default:
				return
			}
		}
		body, err := json.Marshal(p)
		if err == nil {
			err = s.post(ctx, body)
		}
		if err != nil {
			s.failedTotal.Add(uint64(len(s.queue) + 1))
			s.o.Logger.Warn("webhook: events not delivered at shutdown", "to", s.target, "left", len(s.queue)+1, "err", err)
			return
		}
		s.sentTotal.Add(1)
	}
}

// Counts are the events delivered, given up (after the retries, or at
// shutdown) and dropped because the queue was full, since the start.
func (s *Sender) Counts() (sent, failed, dropped uint64) {
	return s.sentTotal.Load(), s.failedTotal.Load(), s.droppedTotal.Load()
}

// permanent marks an answer that a retry would not change.
type permanent struct{ error }

// deliver posts p, retrying what may pass on a second try.
func (s *Sender) deliver(ctx context.Context, p Payload) error {
	body, err := json.Marshal(p)
	if err != nil {
		return fmt.Errorf("encode: %w", err)
	}
	backoff := s.o.Backoff
	var last error
	for attempt := 0; ; attempt++ {
		last = s.post(ctx, body)
		var perm permanent
		if last == nil || errors.As(last, &perm) {
			return last
		}
		if ctx.Err() != nil {
			return ctx.Err() // shutting down: no retry
		}
		if attempt >= s.o.Retries {
			return fmt.Errorf("%w (after %d attempts)", last, attempt+1)
		}
		s.o.Logger.Debug("webhook: retrying", "to", s.target, "in", backoff, "err", last)
		if err := s.o.Wait(ctx, backoff); err != nil {
			return err
		}
		backoff = min(2*backoff, maxBackoff)
	}
}

func (s *Sender) post(ctx context.Context, body []byte) error {
	actx, cancel := context.WithTimeout(ctx, s.o.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(actx, http.MethodPost, s.o.URL, bytes.NewReader(body))
	if err != nil {
		return permanent{errors.New("the URL cannot be requested")}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", s.o.UserAgent)
	resp, err := s.o.Client.Do(req)
	if err != nil {
		// a *url.Error repeats the whole URL, token and all: keep its cause only
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		if errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil {
			return fmt.Errorf("no answer within %v", s.o.Timeout)
		}
		return err
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) // lets the connection be reused
	resp.Body.Close()
	switch {
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		return nil
	case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500:
		return fmt.Errorf("answered %s", resp.Status)
	default:
		return permanent{fmt.Errorf("answered %s (not retried)", resp.Status)}
	}
}

func newID() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
