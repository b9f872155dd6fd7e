package demo

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rastro/rastro/internal/model"
	"github.com/rastro/rastro/internal/recordings"
)

var (
	defOnce   sync.Once
	defEvents []model.Event
	defErr    error
)

// defaultSet is the default data set, generated once for the tests.
func defaultSet(t *testing.T) []model.Event {
	t.Helper()
	defOnce.Do(func() {
		defErr = Generate(context.Background(), Options{Tenant: "demo"}, func(e model.Event) error {
			defEvents = append(defEvents, e)
			return nil
		})
	})
	if defErr != nil {
		t.Fatal(defErr)
	}
	return defEvents
}

func streamHash(t *testing.T, opt Options) (string, int) {
	t.Helper()
	h := sha256.New()
	n := 0
	err := Generate(context.Background(), opt, func(e model.Event) error {
		b, err := json.Marshal(e)
		if err != nil {
			return err
		}
		h.Write(b)
		h.Write([]byte{'\n'})
		n++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%x", h.Sum(nil)), n
}

func TestDeterministic(t *testing.T) {
	a, na := streamHash(t, Options{})
	b, nb := streamHash(t, Options{Seed: 1, Legs: 3000, Days: 30, Start: DefaultStart})
	if a != b || na != nb {
		t.Fatalf("same options, different streams: %s (%d) vs %s (%d)", a, na, b, nb)
	}
	c, _ := streamHash(t, Options{Seed: 2})
	if c == a {
		t.Fatal("seed 2 gives the same stream as seed 1")
	}
}

func TestIDsUniqueAndTimesInMonth(t *testing.T) {
	evs := defaultSet(t)
	start, end := DefaultStart, DefaultStart.AddDate(0, 0, 30)
	seen := make(map[string]bool, len(evs))
	for i, e := range evs {
		if e.ID != fmt.Sprintf("demo-%d", i+1) {
			t.Fatalf("event %d has id %q", i, e.ID)
		}
		if seen[e.ID] {
			t.Fatalf("duplicate id %s", e.ID)
		}
		seen[e.ID] = true
		if e.Tenant != "" {
			t.Fatalf("%s carries a tenant", e.ID)
		}
		for _, at := range []*time.Time{&e.At, e.AnsweredAt, e.ClientHangupAt, e.AgentHangupAt} {
			if at == nil {
				continue
			}
			if at.Before(start) || !at.Before(end) {
				t.Fatalf("%s %s: time %s outside the month", e.ID, e.Type, at)
			}
			if _, off := at.Zone(); off != -3*3600 {
				t.Fatalf("%s: offset %d", e.ID, off)
			}
		}
	}
	b, _ := json.Marshal(evs[len(evs)/2])
	if !bytes.Contains(b, []byte(`-03:00"`)) {
		t.Fatalf("no -03:00 offset on the wire: %s", b)
	}
}

func TestOptionsRespected(t *testing.T) {
	start := time.Date(2025, 2, 10, 15, 0, 0, 0, time.UTC) // its date is taken
	lo := time.Date(2025, 2, 10, 0, 0, 0, 0, Zone)
	hi := lo.AddDate(0, 0, 3)
	n, legs := 0, 0
	err := Generate(context.Background(), Options{Legs: 60, Days: 3, Start: start, Seed: 7}, func(e model.Event) error {
		n++
		if e.At.Before(lo) || !e.At.Before(hi) {
			return fmt.Errorf("%s %s at %s outside [%s, %s)", e.ID, e.Type, e.At, lo, hi)
		}
		if e.Type == model.TypeLegFinished || e.Type == model.TypeLegTransferred {
			legs++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if legs < 40 || legs > 90 {
		t.Fatalf("asked 60 legs, got %d", legs)
	}
}

func TestEmitErrorAndCancel(t *testing.T) {
	stop := errors.New("stop")
	calls := 0
	err := Generate(context.Background(), Options{}, func(model.Event) error {
		calls++
		if calls == 100 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || calls != 100 {
		t.Fatalf("err %v after %d calls", err, calls)
	}
	ctx, cancel := context.WithCancel(context.Background())
	calls = 0
	err = Generate(ctx, Options{}, func(model.Event) error {
		calls++
		if calls == 5000 {
			cancel()
		}
		return nil
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("cancel: err %v", err)
	}
}

// ---- content ----------------------------------------------------------------------

func jitterClass(j float64) string {
	switch {
	case j < 70:
		return "Alta"
	case j < 151:
		return "Média"
	}
	return "Baixa"
}

func lossClass(l float64) string {
	switch {
	case l <= 1:
		return "Alta"
	case l <= 5:
		return "Média"
	}
	return "Baixa"
}

type set map[string]int

func (s set) need(t *testing.T, what string, want []string, min int) {
	t.Helper()
	for _, w := range want {
		if s[w] < min {
			t.Errorf("%s %q: %d (want ≥ %d); all: %v", what, w, s[w], min, map[string]int(s))
		}
	}
}

func TestCoverage(t *testing.T) {
	evs := defaultSet(t)
	media, vstat, jit, loss, qual, lstat, bot, ivrOut, kinds, senders, started, dirs, origins, reasons :=
		set{}, set{}, set{}, set{}, set{}, set{}, set{}, set{}, set{}, set{}, set{}, set{}, set{}, set{}
	users, services, tags, ivrIDs, clients, campaigns, batches := set{}, set{}, set{}, set{}, set{}, set{}, set{}
	created := map[string]string{} // interaction → media
	legsOf := map[string]map[string]bool{}
	ended := map[string]bool{}
	inactive, userTags := 0, set{}
	withExt, voiceLogin := map[string]bool{}, map[string]bool{}
	var legless, mediaLogin int
	holdStart, holdEnd := 0, 0
	convByContact := set{}
	handedTo := []string{}
	batchContacts := 0
	loginsPerDay := set{}
	noLegIVR := map[string]string{}
	for _, e := range evs {
		switch e.Type {
		case model.TypeUserUpserted:
			users[e.User.ID]++
			if e.User.Status == "inativo" {
				inactive++
			}
			if e.User.Extension != "" {
				withExt[e.User.ID] = true
			}
			for _, tg := range e.User.Tags {
				userTags[tg]++
			}
		case model.TypeServiceUpserted:
			services[e.Service.ID]++
		case model.TypeTagUpserted:
			tags[e.Tag.ID]++
		case model.TypeIVRUpserted:
			ivrIDs[e.IVR.ID]++
		case model.TypeClientUpserted:
			clients[e.Client.ID]++
		case model.TypeCampaignUpserted:
			campaigns[e.Campaign.ID]++
		case model.TypeBatchUpserted:
			batches[e.Batch.ID]++
		case model.TypeContactUpserted:
			if e.Contact.BatchID != "" {
				batchContacts++
			}
		case model.TypeInteractionCreated:
			media[e.Media]++
			created[e.Interaction] = e.Media
			origins[e.Origin]++
			if e.StartedBy != "" {
				started[e.StartedBy]++
			}
			if e.Direction != "" {
				dirs[e.Direction]++
			}
		case model.TypeLegQueued:
			if legsOf[e.Interaction] == nil {
				legsOf[e.Interaction] = map[string]bool{}
			}
			legsOf[e.Interaction][e.Leg] = true
		case model.TypeLegFinished:
			lstat[e.Status]++
			ended[e.Leg] = true
		case model.TypeLegTransferred:
			lstat[model.StatusTransfer]++
			ended[e.Leg] = true
		case model.TypeCallUpdated:
			if e.VoiceStatus != "" {
				vstat[e.VoiceStatus]++
			}
			if e.JitterMs != nil {
				jc, lc := jitterClass(*e.JitterMs), lossClass(*e.PacketLossPct)
				jit[jc]++
				loss[lc]++
				worse := jc
				if lc == "Baixa" || lc == "Média" && jc == "Alta" {
					worse = lc
				}
				qual[worse]++
			}
		case model.TypeMessage:
			senders[e.Sender]++
			if e.Leg == "" {
				legless++
			}
		case model.TypeHoldStarted:
			kinds[e.Kind]++
			holdStart++
		case model.TypeHoldEnded:
			holdEnd++
		case model.TypeIVRLeft:
			ivrOut[e.Outcome]++
			if e.Outcome != "transferred" {
				noLegIVR[e.Interaction] = e.Outcome
			}
		case model.TypeBotStarted:
			convByContact[e.ContactID]++
		case model.TypeBotEnded:
			bot[e.Outcome]++
			if e.Outcome == "handed_off" {
				handedTo = append(handedTo, e.Interaction)
			}
		case model.TypeAgentLogin:
			if e.Media != "" {
				mediaLogin++
			}
			if e.Media == model.MediaVoice {
				voiceLogin[e.AgentID] = true
			}
			loginsPerDay[e.AgentID+e.At.Format("2006-01-02")+e.Media]++
		case model.TypeAgentPauseStart:
			reasons[e.Reason]++
		}
	}
	media.need(t, "media", []string{"whatsapp", "voice", "chat", "email", "sms", "reclameaqui", "instagram"}, 30)
	total := len(created)
	share := func(m string) float64 { return float64(media[m]) / float64(total) }
	for m, r := range map[string][2]float64{"voice": {0.25, 0.36}, "whatsapp": {0.25, 0.36}, "chat": {0.11, 0.19}, "email": {0.07, 0.13}} {
		if s := share(m); s < r[0] || s > r[1] {
			t.Errorf("media %s share %.3f outside %v", m, s, r)
		}
	}
	vstat.need(t, "voice_status", model.VoiceStatuses, 5)
	jit.need(t, "jitter class", []string{"Alta", "Média", "Baixa"}, 20)
	loss.need(t, "loss class", []string{"Alta", "Média", "Baixa"}, 20)
	qual.need(t, "call quality", []string{"Alta", "Média", "Baixa"}, 20)
	lstat.need(t, "leg status", append(slices.Clone(model.LegStatuses), model.StatusTransfer), 5)
	bot.need(t, "bot outcome", model.BotOutcomes, 10)
	ivrOut.need(t, "ivr outcome", model.IVROutcomes, 10)
	kinds.need(t, "hold kind", model.HoldKinds, 10)
	senders.need(t, "sender", model.Senders, 10)
	started.need(t, "started_by", model.StartedBy, 10)
	dirs.need(t, "direction", model.Directions, 50)
	origins.need(t, "origin", []string{"", "Portal", "Zendesk", "Salesforce", "Pipedrive"}, 20)
	reasons.need(t, "pause reason", []string{"Almoço", "Banheiro", "Treinamento", "Feedback"}, 10)
	userTags.need(t, "user tag", []string{"junior", "pleno", "senior", "noturno", "bilingue"}, 2)
	// The agents are the staffing plan's (TestStaffing…), two hired during
	// the month and one who never works; those who take calls have an
	// extension.
	g := &gen{opt: Options{}.withDefaults()}
	g.start = g.opt.Start
	if planned := len(g.staffPlan()); len(users) != planned+3 || inactive < 1 || len(voiceLogin) == 0 {
		t.Errorf("agents %d (plan %d + 3), inativo %d, logged in to voice %d", len(users), planned, inactive, len(voiceLogin))
	}
	for id := range voiceLogin {
		if !withExt[id] {
			t.Errorf("%s logs in to voice without an extension", id)
		}
	}
	if len(services) < 8 || len(tags) < 10 || len(ivrIDs) != 3 || len(clients) != 3 || len(campaigns) != 6 || len(batches) < 12 {
		t.Errorf("services %d tags %d ivrs %d clients %d campaigns %d batches %d", len(services), len(tags), len(ivrIDs), len(clients), len(campaigns), len(batches))
	}
	if legless < 100 || holdStart <= holdEnd || mediaLogin == 0 {
		t.Errorf("messages without leg %d, holds %d/%d ended, logins with media %d", legless, holdStart, holdEnd, mediaLogin)
	}
	twice := 0
	for _, n := range loginsPerDay {
		if n >= 2 {
			twice++
		}
	}
	if twice == 0 {
		t.Error("no agent logged in twice in a day")
	}
	several := 0
	for _, n := range convByContact {
		if n > 1 {
			several++
		}
	}
	if several == 0 || batchContacts < 100 {
		t.Errorf("contacts with several conversations %d, batch contacts %d", several, batchContacts)
	}
	for _, id := range handedTo {
		if created[id] == "" {
			t.Errorf("handed_off to unknown interaction %q", id)
		}
	}
	for id, out := range noLegIVR {
		if len(legsOf[id]) > 0 {
			t.Errorf("%s %s in the IVR but has legs", id, out)
		}
	}
	// Legs: about Options.Legs, each ended exactly once; ~10% multi-leg protocols.
	nLegs, multi := 0, 0
	for id, ls := range legsOf {
		nLegs += len(ls)
		if len(ls) > 1 {
			multi++
		}
		for l := range ls {
			if !ended[l] {
				t.Errorf("%s: leg %s never ends", id, l)
			}
		}
	}
	if nLegs < 2850 || nLegs > 3150 || len(ended) != nLegs {
		t.Errorf("legs %d (ended %d), want ≈ 3000", nLegs, len(ended))
	}
	if r := float64(multi) / float64(len(legsOf)); r < 0.06 || r > 0.16 {
		t.Errorf("multi-leg share %.3f", r)
	}
	t.Logf("events %d, interactions %d, legs %d, multi-leg %d, media %v, leg status %v, voice %v, bot %v",
		len(evs), total, nLegs, multi, map[string]int(media), map[string]int(lstat), map[string]int(vstat), map[string]int(bot))
}

// Leg events in a sane order; WhatsApp conversations that expired.
func TestLegConsistencyAndExpiration(t *testing.T) {
	evs := defaultSet(t)
	type legInfo struct {
		queued, delivered, end time.Time
		msgs                   []time.Time
	}
	legs := map[string]*legInfo{}
	get := func(id string) *legInfo {
		if legs[id] == nil {
			legs[id] = &legInfo{}
		}
		return legs[id]
	}
	mediaOf := map[string]string{}
	createdAt := map[string]time.Time{}
	lastClient := map[string]time.Time{}
	finishedAt := map[string]time.Time{}
	for _, e := range evs {
		switch e.Type {
		case model.TypeInteractionCreated:
			mediaOf[e.Interaction], createdAt[e.Interaction] = e.Media, e.At
		case model.TypeLegQueued:
			get(e.Leg).queued = e.At
		case model.TypeLegDelivered:
			get(e.Leg).delivered = e.At
		case model.TypeMessage:
			if e.Leg != "" {
				get(e.Leg).msgs = append(get(e.Leg).msgs, e.At)
			}
			if e.Sender == "client" && e.At.After(lastClient[e.Interaction]) {
				lastClient[e.Interaction] = e.At
			}
		case model.TypeLegFinished, model.TypeLegTransferred:
			get(e.Leg).end = e.At
			if e.Type == model.TypeLegFinished {
				finishedAt[e.Interaction] = e.At
			}
		}
	}
	for id, l := range legs {
		if l.queued.IsZero() || l.end.IsZero() {
			t.Fatalf("leg %s: queued %v end %v", id, l.queued, l.end)
		}
		if !l.delivered.IsZero() && l.delivered.Before(l.queued) || l.end.Before(l.queued) || !l.delivered.IsZero() && l.end.Before(l.delivered) {
			t.Fatalf("leg %s: queued %s delivered %s end %s", id, l.queued, l.delivered, l.end)
		}
		for _, m := range l.msgs {
			if m.Before(l.queued) || m.After(l.end) {
				t.Fatalf("leg %s: message at %s outside %s–%s", id, m, l.queued, l.end)
			}
		}
	}
	for id, at := range finishedAt {
		if at.Before(createdAt[id]) {
			t.Fatalf("%s finished before it was created", id)
		}
	}
	expired, wa := 0, 0
	for id, m := range mediaOf {
		if m != model.MediaWhatsApp || finishedAt[id].IsZero() {
			continue
		}
		wa++
		if lc := lastClient[id]; !lc.IsZero() && finishedAt[id].Sub(lc) > 24*time.Hour {
			expired++
		}
	}
	if r := float64(expired) / float64(wa); expired < 5 || r > 0.1 {
		t.Errorf("expired WhatsApp conversations: %d of %d", expired, wa)
	}
}

// Some events arrive after later interactions (out-of-order ingestion).
func TestLateArrivals(t *testing.T) {
	evs := defaultSet(t)
	first, last := map[string]int{}, map[string]int{}
	var order []string
	contactSeen := map[string]int{}
	lateContacts := 0
	for i, e := range evs {
		if e.Type == model.TypeContactUpserted {
			if at, ok := contactSeen[e.Contact.ID]; ok && at < 0 {
				lateContacts++
			}
			contactSeen[e.Contact.ID] = i
			continue
		}
		if e.ContactID != "" {
			if _, ok := contactSeen[e.ContactID]; !ok {
				contactSeen[e.ContactID] = -1
			}
		}
		if k, _ := e.Aggregate(); k != model.AggInteraction {
			continue
		}
		if _, ok := first[e.Interaction]; !ok {
			first[e.Interaction] = i
			order = append(order, e.Interaction)
		}
		last[e.Interaction] = i
	}
	interleaved := 0
	for k := 0; k+1 < len(order); k++ {
		if last[order[k]] > first[order[k+1]] {
			interleaved++
		}
	}
	if interleaved < 10 || lateContacts < 5 {
		t.Errorf("late interaction events %d, contacts named before their upsert %d", interleaved, lateContacts)
	}
}

func validCPF(d string) bool {
	if len(d) != 11 || strings.Count(d, d[:1]) == 11 {
		return false
	}
	for k := 9; k <= 10; k++ {
		s := 0
		for i := 0; i < k; i++ {
			s += int(d[i]-'0') * (k + 1 - i)
		}
		v := s * 10 % 11 % 10
		if int(d[k]-'0') != v {
			return false
		}
	}
	return true
}

func validCNPJ(d string) bool {
	if len(d) != 14 {
		return false
	}
	for k, n := range []int{12, 13} {
		s, w := 0, 2
		for i := n - 1; i >= 0; i-- {
			s += int(d[i]-'0') * w
			if w++; w > 9 {
				w = 2
			}
		}
		v := 11 - s%11
		if v >= 10 {
			v = 0
		}
		if int(d[12+k]-'0') != v {
			return false
		}
	}
	return true
}

func docDigits(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' || r >= 'A' && r <= 'Z' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func TestDocumentsValid(t *testing.T) {
	if !validCPF("39053344705") || validCPF("39053344706") || !validCNPJ("11222333000181") || !validCNPJ("12ABC34501DE35") {
		t.Fatal("the test's own CPF/CNPJ check is wrong")
	}
	cpfs, cnpjs, alnum := 0, 0, 0
	check := func(where, doc string) {
		d := docDigits(doc)
		switch len(d) {
		case 11:
			cpfs++
			if !validCPF(d) {
				t.Errorf("%s: invalid CPF %s", where, doc)
			}
		case 14:
			cnpjs++
			if strings.ContainsAny(d, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") {
				alnum++
			}
			if !validCNPJ(d) {
				t.Errorf("%s: invalid CNPJ %s", where, doc)
			}
		default:
			t.Errorf("%s: document %q is neither CPF nor CNPJ", where, doc)
		}
	}
	for _, e := range defaultSet(t) {
		if e.Type == model.TypeContactUpserted && e.Contact.Document != "" {
			check(e.Contact.ID, e.Contact.Document)
		}
		if e.Type == model.TypeLegFinished && e.Document != "" {
			check(e.ID, e.Document)
		}
	}
	if cpfs < 500 || cnpjs < 30 {
		t.Errorf("CPFs %d, CNPJs %d (alphanumeric %d)", cpfs, cnpjs, alnum)
	}
	t.Logf("CPFs %d, CNPJs %d (alphanumeric %d)", cpfs, cnpjs, alnum)
}

// Required fields of EVENTS.md, read back from the JSON each event marshals to.
var required = map[string][]string{
	model.TypeServiceUpserted:    {"service.id", "service.name"},
	model.TypeUserUpserted:       {"user.id", "user.name", "user.tags", "user.status"},
	model.TypeTagUpserted:        {"tag.id", "tag.name"},
	model.TypeIVRUpserted:        {"ivr.id", "ivr.name"},
	model.TypeClientUpserted:     {"client.id", "client.name"},
	model.TypeCampaignUpserted:   {"campaign.id", "campaign.name", "campaign.client_id"},
	model.TypeBatchUpserted:      {"batch.id", "batch.name", "batch.campaign_id"},
	model.TypeContactUpserted:    {"contact.id"},
	model.TypeInteractionCreated: {"interaction", "media"},
	model.TypeEnteredOmni:        {"interaction"},
	model.TypeLegQueued:          {"interaction", "leg", "service_id"},
	model.TypeLegDelivered:       {"interaction", "leg", "agent_id"},
	model.TypeMessage:            {"interaction", "message_id", "sender"},
	model.TypeHoldStarted:        {"interaction", "leg", "kind"},
	model.TypeHoldEnded:          {"interaction", "leg"},
	model.TypeLegTransferred:     {"interaction", "leg", "new_leg"},
	model.TypeLegFinished:        {"interaction", "leg", "status"},
	model.TypeCallUpdated:        {"interaction"},
	model.TypeIVREntered:         {"interaction", "ivr_id"},
	model.TypeIVROption:          {"interaction", "ivr_id", "option"},
	model.TypeIVRLeft:            {"interaction", "ivr_id", "outcome"},
	model.TypeBotStarted:         {"conversation", "flow", "client_id", "campaign_id", "batch_id", "contact_id"},
	model.TypeBotMessage:         {"conversation", "message_id", "sender"},
	model.TypeBotStep:            {"conversation", "step"},
	model.TypeBotEnded:           {"conversation", "outcome"},
	model.TypeAgentLogin:         {"agent_id"},
	model.TypeAgentLogout:        {"agent_id"},
	model.TypeAgentPauseStart:    {"agent_id", "reason"},
	model.TypeAgentPauseEnd:      {"agent_id"},
}

var enums = map[string][]string{
	"media": {"whatsapp", "voice", "chat", "email", "sms", "reclameaqui", "instagram"},
}

func TestRequiredFieldsInJSON(t *testing.T) {
	perType := map[string]int{}
	for _, e := range defaultSet(t) {
		req, ok := required[e.Type]
		if !ok {
			t.Fatalf("%s: unknown type %q", e.ID, e.Type)
		}
		perType[e.Type]++
		if perType[e.Type] > 400 { // a sample of each type
			continue
		}
		b, err := json.Marshal(e)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		for _, f := range []string{"id", "type", "at"} {
			if s, _ := m[f].(string); s == "" {
				t.Fatalf("%s: no %s: %s", e.ID, f, b)
			}
		}
		if _, err := time.Parse(time.RFC3339Nano, m["at"].(string)); err != nil || !strings.HasSuffix(m["at"].(string), "-03:00") {
			t.Fatalf("%s: at %v (%v)", e.ID, m["at"], err)
		}
		for _, path := range req {
			v := any(m)
			for _, p := range strings.Split(path, ".") {
				obj, _ := v.(map[string]any)
				v = obj[p]
			}
			if v == nil || v == "" {
				t.Fatalf("%s (%s): required %s missing: %s", e.ID, e.Type, path, b)
			}
		}
		in := func(field string, allowed []string) {
			if s, _ := m[field].(string); s != "" && !slices.Contains(allowed, s) {
				t.Fatalf("%s: %s = %q not in %v", e.ID, field, s, allowed)
			}
		}
		in("media", enums["media"])
		switch e.Type {
		case model.TypeMessage:
			in("sender", model.Senders)
		case model.TypeBotMessage:
			in("sender", model.BotSenders)
		case model.TypeLegFinished:
			in("status", model.LegStatuses)
		case model.TypeCallUpdated:
			in("voice_status", model.VoiceStatuses)
		case model.TypeHoldStarted:
			in("kind", model.HoldKinds)
		case model.TypeIVRLeft:
			in("outcome", model.IVROutcomes)
			if m["outcome"] == "transferred" && m["service_id"] == nil {
				t.Fatalf("%s: transferred without service_id", e.ID)
			}
		case model.TypeBotEnded:
			in("outcome", model.BotOutcomes)
		case model.TypeInteractionCreated:
			in("direction", model.Directions)
			in("started_by", model.StartedBy)
			if m["media"] == "whatsapp" && m["started_by"] == nil {
				t.Fatalf("%s: whatsapp without started_by", e.ID)
			}
		case model.TypeUserUpserted:
			if s := e.User.Status; !slices.Contains(model.UserStatuses, s) {
				t.Fatalf("%s: user status %q", e.ID, s)
			}
		case model.TypeLegTransferred:
			if m["to_service_id"] == nil && m["to_agent_id"] == nil {
				t.Fatalf("%s: transfer to nowhere", e.ID)
			}
		}
	}
	if len(perType) != len(required) {
		var missing []string
		for k := range required {
			if perType[k] == 0 {
				missing = append(missing, k)
			}
		}
		sort.Strings(missing)
		t.Errorf("types never generated: %v", missing)
	}
}

// ---- recordings --------------------------------------------------------------------

// Every recording of the demo is synthesised on request: a conversation as
// long as its leg's talk time (answer to hang-up), a message left short.
func TestRecordingsLastTheLegsTalkTime(t *testing.T) {
	var evs []model.Event
	// 1,000 legs: the staffed queues leave ~1 message ("recado") in 150 legs.
	if err := Generate(context.Background(), Options{Tenant: "acme", Legs: 1000}, func(e model.Event) error {
		evs = append(evs, e)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	answered := map[string]time.Time{} // leg → answered_at (some events arrive late)
	for _, e := range evs {
		if e.AnsweredAt != nil {
			answered[e.Leg] = *e.AnsweredAt
		}
	}
	talks, messages := 0, 0
	distinct := map[uint64]bool{}
	check := func(e model.Event) error {
		if e.RecordingURL == "" {
			return nil
		}
		d, ok, err := recordings.ParseDemo(e.RecordingURL)
		if !ok || err != nil {
			return fmt.Errorf("%s: recording_url %q is not a synthesised recording (%v)", e.ID, e.RecordingURL, err)
		}
		if err := recordings.Check(e.RecordingURL, nil); err != nil {
			return fmt.Errorf("%s: recording_url %q refused at ingest: %v", e.ID, e.RecordingURL, err)
		}
		distinct[d.Seed] = true
		switch d.Kind {
		case recordings.SynthTalk:
			talks++
			ans, ok := answered[e.Leg]
			if !ok {
				return fmt.Errorf("%s: a conversation recorded on leg %s, never answered", e.ID, e.Leg)
			}
			hang := e.At
			for _, h := range []*time.Time{e.ClientHangupAt, e.AgentHangupAt} {
				if h != nil && h.Before(hang) {
					hang = *h
				}
			}
			if want := max(1, int(math.Round(hang.Sub(ans).Seconds()))); d.Seconds != want {
				return fmt.Errorf("%s: recording of %d s, talk time %s", e.ID, d.Seconds, hang.Sub(ans))
			}
		case recordings.SynthMessage:
			messages++
			if e.VoiceStatus != "message_left" || d.Seconds < 8 || d.Seconds > 30 {
				return fmt.Errorf("%s: message recording of %d s on a %q call", e.ID, d.Seconds, e.VoiceStatus)
			}
		}
		return nil
	}
	for _, e := range evs {
		if err := check(e); err != nil {
			t.Fatal(err)
		}
	}
	if talks < 50 || messages < 1 || len(distinct) != talks+messages {
		t.Fatalf("%d conversations, %d messages, %d distinct seeds", talks, messages, len(distinct))
	}
	t.Logf("%d conversations and %d messages recorded", talks, messages)
}

// ---- scale -----------------------------------------------------------------------

func TestLargeSetStreams(t *testing.T) {
	if testing.Short() {
		t.Skip("large set")
	}
	const want = 200_000
	legs, events := 0, 0
	begin := time.Now()
	err := Generate(context.Background(), Options{Legs: want}, func(e model.Event) error {
		events++
		if e.Type == model.TypeLegFinished || e.Type == model.TypeLegTransferred {
			legs++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	el := time.Since(begin)
	if legs < want*95/100 || legs > want*105/100 {
		t.Fatalf("legs %d, want ≈ %d", legs, want)
	}
	// The time is logged, not asserted: on a shared machine it measures the
	// load, not the generator (BenchmarkGenerate measures it).
	t.Logf("%d legs, %d events in %s", legs, events, el)
}

func BenchmarkGenerate(b *testing.B) {
	for i := 0; i < b.N; i++ {
		_ = Generate(context.Background(), Options{Legs: 3000}, func(model.Event) error { return nil })
	}
}
