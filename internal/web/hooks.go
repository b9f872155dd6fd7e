package web

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/rastro/rastro/internal/connectors/inbox"
	"github.com/rastro/rastro/internal/store"
)

// Webhooks of real platforms (issue 15). They answer outside session and
// bearer authentication: the key in the path is the credential (random,
// per tenant, stored hashed, revocable: `rastro connector`). The request
// log names the route pattern, never the path, so keys are not logged.

// ChatwootMaxSkew is how old (or early) an X-Chatwoot-Timestamp may be.
const ChatwootMaxSkew = 5 * time.Minute

// hookConnector resolves the key of a hook request. Unknown, revoked and
// other-kind keys answer 404 and are audited without the key.
func (s *Server) hookConnector(w http.ResponseWriter, r *http.Request, kind string) (store.Connector, bool) {
	c, err := s.db.ConnectorByKey(r.Context(), kind, r.PathValue("key"))
	if errors.Is(err, store.ErrUnknownConnector) {
		s.auditHook(r, "", kind, "hook.unknown_key", "unknown or revoked key")
		apiError(w, http.StatusNotFound, "not found")
		return c, false
	}
	if err != nil {
		s.fail(w, r, err)
		return c, false
	}
	return c, true
}

// auditHook records a refused webhook (the key is never written). The
// caller may be anyone on the network: one entry per address, tenant and
// action per 10 minutes (the playback window), so refused requests cannot
// fill the audit table.
func (s *Server) auditHook(r *http.Request, tenant, kind, action, reason string) {
	if !s.refusedHooks.start(clientIP(r) + "\x00" + tenant + "\x00" + kind + "\x00" + action) {
		return
	}
	e := store.AuditEntry{Tenant: tenant, At: time.Now(), Actor: "webhook:" + kind, Action: action,
		Detail: map[string]any{"ip": clientIP(r), "reason": reason}}
	if err := s.db.Audit(context.WithoutCancel(r.Context()), e); err != nil {
		s.log.Error("audit write failed", "action", action, "err", err)
	}
}

// hookBody reads a webhook body within the events API's limit.
func (s *Server) hookBody(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.cfg.MaxBatchBytes))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			apiError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("body larger than %d bytes", s.cfg.MaxBatchBytes))
			return nil, false
		}
		apiError(w, http.StatusBadRequest, "could not read body: "+err.Error())
		return nil, false
	}
	return body, true
}

// checkChatwootSignature verifies X-Chatwoot-Signature when the connector
// has a secret: "sha256=" and the hex HMAC-SHA256, keyed by the secret, of
// "{X-Chatwoot-Timestamp}.{body}"; the timestamp (Unix seconds) must be
// within ChatwootMaxSkew of now.
func checkChatwootSignature(c store.Connector, h http.Header, body []byte, now time.Time) error {
	secret := c.Settings.Secret
	if secret == "" {
		return nil
	}
	ts := h.Get("X-Chatwoot-Timestamp")
	sig := h.Get("X-Chatwoot-Signature")
	if ts == "" || sig == "" {
		return errors.New("X-Chatwoot-Signature and X-Chatwoot-Timestamp are required (the connector has a secret)")
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return errors.New("X-Chatwoot-Timestamp is not Unix seconds")
	}
	if d := now.Sub(time.Unix(sec, 0)); d > ChatwootMaxSkew || d < -ChatwootMaxSkew {
		return fmt.Errorf("X-Chatwoot-Timestamp is %s away from now (at most %s)", d.Round(time.Second), ChatwootMaxSkew)
	}
	got, ok := strings.CutPrefix(sig, "sha256=")
	want := hmac.New(sha256.New, []byte(secret))
	want.Write([]byte(ts))
	want.Write([]byte{'.'})
	want.Write(body)
	gotRaw, err := hex.DecodeString(got)
	if !ok || err != nil || !hmac.Equal(gotRaw, want.Sum(nil)) {
		return errors.New("X-Chatwoot-Signature does not match")
	}
	return nil
}

// hookKind is what differs between the platforms whose deliveries
// postHook accepts.
type hookKind struct {
	connector string // the store.Connector kind of the hook's keys
	// verify checks a delivery's signature against the connector's
	// settings; its error is the 401's reason.
	verify func(c store.Connector, h http.Header, body []byte, now time.Time) error
	// idHeader carries the platform's delivery id, sigHeader the signature
	// kept with the body; "" when the platform has none to keep.
	idHeader, sigHeader string
}

// chatwootHook: the answer is 200 once the payload is stored (or known);
// a translation problem is kept with the delivery, not answered: Chatwoot
// would only retry the same payload.
func chatwootHook() hookKind {
	return hookKind{connector: store.ConnectorChatwoot, verify: checkChatwootSignature, idHeader: "X-Chatwoot-Delivery"}
}

// whatsAppHook: Meta sends no delivery id: a redelivery is the same body,
// dropped by its hash. The signature header is kept to be relayed with the
// body (--forward-to).
func whatsAppHook() hookKind {
	return hookKind{connector: store.ConnectorWhatsApp, verify: checkWhatsAppSignature, sigHeader: "X-Hub-Signature-256"}
}

// postHook stores a delivery of kind's platform once its signature is
// checked, then translates it (acceptDelivery).
func (s *Server) postHook(kind hookKind) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		c, ok := s.hookConnector(w, r, kind.connector)
		if !ok {
			return
		}
		body, ok := s.hookBody(w, r)
		if !ok {
			return
		}
		if err := kind.verify(c, r.Header, body, time.Now()); err != nil {
			s.auditHook(r, c.Tenant, kind.connector, "hook.bad_signature", err.Error())
			apiError(w, http.StatusUnauthorized, err.Error())
			return
		}
		// The delivery id is used only once the signature vouched for it.
		// Get("") is "": net/http answers 400 to a header without a name.
		s.acceptDelivery(w, r, c, r.Header.Get(kind.idHeader), r.Header.Get(kind.sigHeader), body)
	}
}

func (s *Server) acceptDelivery(w http.ResponseWriter, r *http.Request, c store.Connector, deliveryID, signature string, body []byte) {
	if len(deliveryID) > 128 {
		deliveryID = deliveryID[:128]
	}
	ib := inbox.New(s.db, s.ingest)
	ctx := r.Context()
	d, stored, err := ib.Accept(ctx, c, deliveryID, signature, body)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if !stored {
		writeJSON(w, http.StatusOK, map[string]any{"stored": false, "duplicate": true})
		return
	}
	// Stored durably: whatever happens next, the payload is not lost.
	if err := ib.Translate(context.WithoutCancel(ctx), c, d); err != nil {
		s.log.Warn("webhook delivery kept untranslated", "connector", c.ID, "tenant", c.Tenant, "delivery", d.ID, "err", err)
	}
	writeJSON(w, http.StatusOK, map[string]any{"stored": true, "duplicate": false})
}

// getWhatsApp answers Meta's verification handshake: hub.mode=subscribe
// and the connector's verify token echo hub.challenge as text/plain;
// anything else is 403.
func (s *Server) getWhatsApp(w http.ResponseWriter, r *http.Request) {
	c, ok := s.hookConnector(w, r, store.ConnectorWhatsApp)
	if !ok {
		return
	}
	q := r.URL.Query()
	token := q.Get("hub.verify_token")
	if q.Get("hub.mode") != "subscribe" || c.Settings.VerifyToken == "" ||
		subtle.ConstantTimeCompare([]byte(token), []byte(c.Settings.VerifyToken)) != 1 {
		s.auditHook(r, c.Tenant, store.ConnectorWhatsApp, "hook.bad_verify_token", "hub.mode is not subscribe or hub.verify_token does not match")
		apiError(w, http.StatusForbidden, "hub.mode must be subscribe and hub.verify_token the connector's verify token")
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	_, _ = io.WriteString(w, q.Get("hub.challenge"))
}

// checkWhatsAppSignature verifies X-Hub-Signature-256: "sha256=" and the
// hex HMAC-SHA256 of the raw body keyed by the connector's app secret.
func checkWhatsAppSignature(c store.Connector, h http.Header, body []byte, _ time.Time) error {
	appSecret := c.Settings.AppSecret
	sig := h.Get("X-Hub-Signature-256")
	if sig == "" {
		return errors.New("X-Hub-Signature-256 is required")
	}
	got, ok := strings.CutPrefix(sig, "sha256=")
	want := hmac.New(sha256.New, []byte(appSecret))
	want.Write(body)
	gotRaw, err := hex.DecodeString(got)
	if !ok || err != nil || appSecret == "" || !hmac.Equal(gotRaw, want.Sum(nil)) {
		return errors.New("X-Hub-Signature-256 does not match")
	}
	return nil
}
