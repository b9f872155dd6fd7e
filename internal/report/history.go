package report

import (
	"context"
	"errors"

	"github.com/rastro/rastro/internal/metrics"
	"github.com/rastro/rastro/internal/model"
)

// ErrNotFound is returned for a protocol, contact or recording the principal
// cannot see — whether it does not exist or is outside the scope.
var ErrNotFound = errors.New("not found")

// History builds the Ver Histórico of a protocol from its stored events, with
// the same rules as the report rows. Legs of services outside p's scope, and
// their messages, are left out.
func (r *Reports) History(ctx context.Context, p model.Principal, protocol string, desc bool) (metrics.History, error) {
	id, _, ok, err := r.DB.InteractionByProtocol(ctx, p, protocol)
	if err != nil {
		return metrics.History{}, err
	}
	if !ok {
		return metrics.History{}, ErrNotFound
	}
	events, err := r.DB.Events(ctx, p.Tenant, model.AggInteraction, id)
	if err != nil {
		return metrics.History{}, err
	}
	tc, err := r.tenant(ctx, p)
	if err != nil {
		return metrics.History{}, err
	}
	h := metrics.BuildHistory(events, protocol, r.DB.Directory(ctx, p.Tenant), tc.Config, desc)
	if p.Services != nil {
		allowed := map[string]bool{}
		for _, s := range p.Services {
			allowed[s] = true
		}
		hidden := map[string]bool{}
		var legs []metrics.HistoryLeg
		for _, l := range h.Legs {
			if allowed[l.ServiceID] {
				legs = append(legs, l)
			} else {
				hidden[l.LegID] = true
			}
		}
		var entries []metrics.HistoryEntry
		for _, e := range h.Entries {
			if e.LegID == "" || !hidden[e.LegID] {
				entries = append(entries, e)
			}
		}
		h.Legs, h.Entries = legs, entries
		h.SetServiceAndTags()
	}
	// Masked as the Rastreio masks DOCUMENTO, A PARTIR DE, PARA and NÚMERO
	// DISCADO for the same role; the contact's name is shown, as CONTATO.
	if !p.PersonalData && h.Call != nil {
		h.Call.From = maskValue("phone", h.Call.From)
		h.Call.To = maskValue("phone", h.Call.To)
		h.Call.DialedNumber = maskValue("phone", h.Call.DialedNumber)
	}
	if !p.PersonalData && h.Contact != nil {
		h.Contact.Document = maskValue("document", h.Contact.Document)
		h.Contact.Phone = maskValue("phone", h.Contact.Phone)
	}
	if h.Contact != nil {
		h.Contact.Name = model.StripBidi(h.Contact.Name)
	}
	// Text as sent may carry bidirectional controls (accepted in free
	// text, refused in ids): the page and the API show it neutralised.
	for i := range h.Entries {
		e := &h.Entries[i]
		e.Text, e.AgentName, e.ServiceName, e.Detail = model.StripBidi(e.Text), model.StripBidi(e.AgentName), model.StripBidi(e.ServiceName), model.StripBidi(e.Detail)
	}
	for i := range h.Legs {
		l := &h.Legs[i]
		l.AgentName, l.ServiceName = model.StripBidi(l.AgentName), model.StripBidi(l.ServiceName)
		l.TransferToAgent, l.TransferToService = model.StripBidi(l.TransferToAgent), model.StripBidi(l.TransferToService)
		for j := range l.Tags {
			l.Tags[j] = model.StripBidi(l.Tags[j])
		}
	}
	h.SetServiceAndTags()
	return h, nil
}

// Recording returns the recording reference of a protocol p may see.
func (r *Reports) Recording(ctx context.Context, p model.Principal, protocol string) (string, error) {
	url, ok, err := r.DB.LegRecording(ctx, p, protocol)
	if err != nil {
		return "", err
	}
	if !ok {
		return "", ErrNotFound
	}
	return url, nil
}
