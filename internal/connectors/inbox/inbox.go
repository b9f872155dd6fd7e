// Package inbox is the path of a webhook delivery once its credential and
// signature were checked: stored raw first (durable, deduplicated), then
// translated into events and ingested. A delivery that cannot be
// translated stays stored, marked failed with the reason, listed by
// `rastro connector errors` and translated again by `rastro connector
// replay` (after an upgrade, say).
package inbox

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/rastro/rastro/internal/connectors/chatwoot"
	"github.com/rastro/rastro/internal/connectors/whatsapp"
	"github.com/rastro/rastro/internal/ingest"
	"github.com/rastro/rastro/internal/store"
)

// Inbox stores and translates deliveries.
type Inbox struct {
	DB     *store.DB
	Ingest *ingest.Ingester
}

// New returns an Inbox over db.
func New(db *store.DB, in *ingest.Ingester) *Inbox { return &Inbox{DB: db, Ingest: in} }

// Accept stores one delivery of connector c; signature is the header that
// vouched for it (relayed with it when the connector forwards, see
// Forwarder). stored is false for a redelivery (nothing stored). A payload the translator cannot read is
// stored all the same, already marked failed. Only a store error is an
// error: the platform must then retry.
func (b *Inbox) Accept(ctx context.Context, c store.Connector, deliveryID, signature string, payload []byte) (d store.Delivery, stored bool, err error) {
	d = store.Delivery{ConnectorID: c.ID, Tenant: c.Tenant, DeliveryID: deliveryID, Payload: payload, ReceivedAt: time.Now().UTC(),
		Forward: c.Settings.ForwardTo != "", ForwardHeader: signature}
	var peekErr error
	d.Event, d.Thread, d.EventAt, peekErr = peek(c.Kind, payload)
	if d.EventAt.IsZero() {
		d.EventAt = d.ReceivedAt
	}
	stored, err = b.DB.InsertDelivery(ctx, &d)
	if err != nil || !stored {
		return d, stored, err
	}
	if peekErr != nil {
		d.State, d.Error = store.DeliveryFailed, peekErr.Error()
		if err := b.DB.MarkDelivery(ctx, d.ID, d.Error); err != nil {
			return d, true, err
		}
	}
	return d, true, nil
}

// Translate translates the thread of delivery d (every stored delivery of
// the same conversation, so the result does not depend on arrival order)
// and ingests the events; duplicates of events already stored are dropped
// by the store. Each delivery of the thread is then marked translated, or
// failed with its reason. The error is the ingestion's (the events were
// refused or the store failed): d is then marked failed with it.
func (b *Inbox) Translate(ctx context.Context, c store.Connector, d store.Delivery) error {
	if d.State == store.DeliveryFailed && d.Thread == "" {
		return nil // unreadable: nothing to translate
	}
	dels, err := b.DB.ThreadDeliveries(ctx, c.ID, d.Thread)
	if err != nil {
		return err
	}
	lines, bad := translate(c, dels)
	if len(lines) > 0 {
		// A WhatsApp message seen through both feeds is stored once.
		switch c.Kind {
		case store.ConnectorWhatsApp:
			if lines, err = b.joinOtherFeed(ctx, c.Tenant, lines); err != nil {
				return err
			}
		case store.ConnectorChatwoot:
			if err := b.claimFromWhatsApp(ctx, c.Tenant, lines); err != nil {
				return err
			}
		}
	}
	var ingestErr error
	if len(lines) > 0 {
		_, ingestErr = b.Ingest.IngestBody(ctx, c.Tenant, append(bytes.Join(lines, []byte("\n")), '\n'))
	}
	if ingestErr != nil {
		reason := "events refused: " + ingestErr.Error()
		if err := b.DB.MarkDelivery(ctx, d.ID, reason); err != nil {
			return errors.Join(ingestErr, err)
		}
		return fmt.Errorf("translate %s delivery %d: %w", c.Kind, d.ID, ingestErr)
	}
	for i, x := range dels {
		reason := ""
		if e := bad[i]; e != nil {
			reason = e.Error()
		}
		if x.State == store.DeliveryTranslated && reason == "" {
			continue
		}
		if err := b.DB.MarkDelivery(ctx, x.ID, reason); err != nil {
			return err
		}
	}
	return nil
}

// ReplayResult counts a replay.
type ReplayResult struct {
	Threads, Translated, Failed int
}

// Replay translates again every pending or failed delivery of the tenant,
// one translation per conversation.
func (b *Inbox) Replay(ctx context.Context, tenant string) (ReplayResult, error) {
	var res ReplayResult
	all, err := b.DB.Deliveries(ctx, tenant, "", 0)
	if err != nil {
		return res, err
	}
	connectors := map[string]store.Connector{}
	connector := func(id string) (store.Connector, error) {
		c, ok := connectors[id]
		if !ok {
			var err error
			if c, err = b.DB.Connector(ctx, id); err != nil {
				return c, err
			}
			connectors[id] = c
		}
		return c, nil
	}
	type threadKey struct{ connector, thread string }
	first := map[threadKey]store.Delivery{}
	var keys []threadKey
	for _, d := range all {
		if d.State == store.DeliveryTranslated || d.State == store.DeliveryAnonymized {
			continue
		}
		if d.State == store.DeliveryFailed {
			// Read again: an upgraded translator may read it now.
			c, err := connector(d.ConnectorID)
			if err != nil {
				return res, err
			}
			ev, thread, at, perr := peek(c.Kind, d.Payload)
			if perr != nil {
				if err := b.DB.MarkDelivery(ctx, d.ID, perr.Error()); err != nil {
					return res, err
				}
				res.Failed++
				continue
			}
			if at.IsZero() {
				at = d.ReceivedAt
			}
			if thread != d.Thread {
				if err := b.DB.SetDeliveryThread(ctx, d.ID, ev, thread, at); err != nil {
					return res, err
				}
				d.Thread = thread
			}
		}
		k := threadKey{d.ConnectorID, d.Thread}
		if _, ok := first[k]; !ok {
			first[k] = d
			keys = append(keys, k)
		}
	}
	sort.Slice(keys, func(i, j int) bool { return first[keys[i]].ID < first[keys[j]].ID })
	for _, k := range keys {
		c, err := connector(k.connector)
		if err != nil {
			return res, err
		}
		res.Threads++
		if err := b.Translate(ctx, c, first[k]); err != nil {
			if ctx.Err() != nil {
				return res, ctx.Err()
			}
			res.Failed++
			continue
		}
		res.Translated++
	}
	return res, nil
}

// peek reads a payload's event, thread and time with its kind's translator.
func peek(kind string, payload []byte) (event, thread string, at time.Time, err error) {
	switch kind {
	case store.ConnectorChatwoot:
		return chatwoot.Peek(payload)
	case store.ConnectorWhatsApp:
		return whatsapp.Peek(payload)
	}
	return "", "", time.Time{}, fmt.Errorf("connector kind %q has no translator", kind)
}

// translate translates the deliveries of one thread of connector c; bad
// holds, by index into dels, the deliveries that could not be read.
func translate(c store.Connector, dels []store.Delivery) (lines [][]byte, bad map[int]error) {
	switch c.Kind {
	case store.ConnectorChatwoot:
		ins := make([]chatwoot.Input, len(dels))
		for i, x := range dels {
			ins[i] = chatwoot.Input{Payload: x.Payload, ReceivedAt: x.ReceivedAt}
		}
		return chatwoot.Translate(ins, chatwoot.Options{APIInboxMedia: c.Settings.APIInboxMedia})
	case store.ConnectorWhatsApp:
		// Each WhatsApp payload is its own thread (it is self-contained).
		bad = map[int]error{}
		for i, x := range dels {
			l, err := whatsapp.Translate(x.Payload, x.ReceivedAt)
			if err != nil {
				bad[i] = err
			}
			lines = append(lines, l...)
		}
		return lines, bad
	}
	bad = map[int]error{}
	for i := range dels {
		bad[i] = fmt.Errorf("connector kind %q has no translator", c.Kind)
	}
	return nil, bad
}

// ConversationLink is the address of a Chatwoot-fed interaction in
// Chatwoot ("{--chatwoot-url}/app/accounts/{account}/conversations/{id}"),
// or "" when the interaction is not Chatwoot's, its connector has no
// --chatwoot-url, or no stored delivery of it names the account yet.
func ConversationLink(ctx context.Context, db *store.DB, tenant, interactionID string) (string, error) {
	conv, ok := strings.CutPrefix(interactionID, "chatwoot-")
	if !ok || conv == "" {
		return "", nil
	}
	cs, err := db.Connectors(ctx, tenant)
	if err != nil {
		return "", err
	}
	for _, c := range cs {
		if c.Kind != store.ConnectorChatwoot || c.Settings.ChatwootURL == "" {
			continue
		}
		base, err := store.PlatformURL(c.Settings.ChatwootURL)
		if err != nil {
			continue // only http(s) bases are ever linked
		}
		dels, err := db.ThreadDeliveries(ctx, c.ID, conv)
		if err != nil {
			return "", err
		}
		for _, d := range dels {
			if acc := chatwoot.AccountID(d.Payload); acc != "" {
				return base + "/app/accounts/" + url.PathEscape(acc) + "/conversations/" + url.PathEscape(conv), nil
			}
		}
	}
	return "", nil
}
