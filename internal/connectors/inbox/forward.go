package inbox

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/rastro/rastro/internal/store"
)

// Forwarder relays the deliveries of connectors with a forward URL
// (`--forward-to`) to the platform rastro sits in front of: Meta sends a
// number's webhooks to one callback URL. Each delivery goes out unchanged
// (the raw body and the X-Hub-Signature-256 it came with, so the platform
// verifies Meta's signature itself), in the order rastro accepted them, and
// is retried with backoff until the platform answers 2xx: a delivery the
// platform refuses holds back the ones after it. The state is in the store
// beside the raw body, so a restart goes on where it stopped (a delivery
// the platform took just before a crash, not yet marked, is sent again:
// at least once, as Meta itself delivers).
type Forwarder struct {
	DB     *store.DB
	Client *http.Client
	Log    *slog.Logger
	// Idle is the pause when nothing is pending; MinBackoff doubles after
	// each refused attempt of a connector up to MaxBackoff.
	Idle, MinBackoff, MaxBackoff time.Duration
}

// NewForwarder returns a Forwarder with the defaults of `rastro serve`:
// 10 s per attempt (Meta's own timeout is about that), 1 s idle, backoff
// from 1 s to 5 min.
func NewForwarder(db *store.DB, log *slog.Logger) *Forwarder {
	return &Forwarder{DB: db, Client: &http.Client{Timeout: 10 * time.Second}, Log: log,
		Idle: time.Second, MinBackoff: time.Second, MaxBackoff: 5 * time.Minute}
}

// forwardBatch is how many pending deliveries one pass reads per connector.
const forwardBatch = 100

// Run relays until ctx ends.
func (f *Forwarder) Run(ctx context.Context) {
	type wait struct {
		backoff time.Duration
		until   time.Time
	}
	waits := map[string]*wait{} // per connector: a refusing platform waits alone
	for ctx.Err() == nil {
		cs, err := f.DB.ForwardingConnectors(ctx)
		if err != nil && ctx.Err() == nil {
			f.Log.Warn("webhook forward: reading connectors failed", "err", err)
		}
		next := time.Now().Add(f.Idle)
		for _, c := range cs {
			w := waits[c.ID]
			if w == nil {
				w = &wait{}
				waits[c.ID] = w
			}
			if time.Now().Before(w.until) {
				next = earliest(next, w.until)
				continue
			}
			sent, err := f.forwardConnector(ctx, c)
			switch {
			case ctx.Err() != nil:
				return
			case err != nil:
				w.backoff = min(max(2*w.backoff, f.MinBackoff), f.MaxBackoff)
				w.until = time.Now().Add(w.backoff)
				f.Log.Warn("webhook forward refused; retrying", "connector", c.ID, "tenant", c.Tenant, "in", w.backoff, "err", err)
				next = earliest(next, w.until)
			case sent == forwardBatch:
				w.backoff = 0
				next = time.Now() // more are waiting
			default:
				w.backoff = 0
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(time.Until(next)):
		}
	}
}

func earliest(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

// forwardConnector relays the connector's pending deliveries in order,
// stopping at the first one the platform does not take.
func (f *Forwarder) forwardConnector(ctx context.Context, c store.Connector) (sent int, err error) {
	pending, err := f.DB.NextForwards(ctx, c.ID, forwardBatch)
	if err != nil {
		return 0, err
	}
	for _, p := range pending {
		ferr := f.post(ctx, c.Settings.ForwardTo, p)
		if ctx.Err() != nil {
			return sent, ctx.Err()
		}
		reason := ""
		if ferr != nil {
			reason = ferr.Error()
		}
		if err := f.DB.MarkForward(context.WithoutCancel(ctx), p.ID, reason); err != nil {
			return sent, err
		}
		if ferr != nil {
			return sent, fmt.Errorf("delivery %d (attempt %d): %w", p.ID, p.Attempts+1, ferr)
		}
		sent++
	}
	return sent, nil
}

// post sends one delivery as Meta sent it: the raw body, its signature
// header, JSON content type.
func (f *Forwarder) post(ctx context.Context, url string, p store.PendingForward) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(p.Payload))
	if err != nil {
		return fmt.Errorf("forward request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	if p.Header != "" {
		req.Header.Set("X-Hub-Signature-256", p.Header)
	}
	res, err := f.Client.Do(req)
	if err != nil {
		return fmt.Errorf("forward to the platform: %w", err)
	}
	defer res.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
	if res.StatusCode < 200 || res.StatusCode > 299 {
		return fmt.Errorf("the platform answered %s", res.Status)
	}
	return nil
}
