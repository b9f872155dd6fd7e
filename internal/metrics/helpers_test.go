package metrics

import (
	"bufio"
	"encoding/json"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/rastro/rastro/internal/model"
)

// testDir is a Directory built from directory events (or by hand).
type testDir struct {
	services, users, tags, ivrs map[string]string
	contacts                    map[string]model.Contact
}

func newTestDir() *testDir {
	return &testDir{services: map[string]string{}, users: map[string]string{}, tags: map[string]string{}, ivrs: map[string]string{}, contacts: map[string]model.Contact{}}
}

func (d *testDir) ServiceName(id string) string { return d.services[id] }
func (d *testDir) UserName(id string) string    { return d.users[id] }
func (d *testDir) TagName(id string) string     { return d.tags[id] }
func (d *testDir) IVRName(id string) string     { return d.ivrs[id] }
func (d *testDir) Contact(id string) (model.Contact, bool) {
	c, ok := d.contacts[id]
	return c, ok
}

// absorb takes the directory events out of evs into d and returns the rest.
func (d *testDir) absorb(evs []model.Event) []model.Event {
	var rest []model.Event
	for _, e := range evs {
		switch e.Type {
		case model.TypeServiceUpserted:
			d.services[e.Service.ID] = e.Service.Name
		case model.TypeUserUpserted:
			d.users[e.User.ID] = e.User.Name
		case model.TypeTagUpserted:
			d.tags[e.Tag.ID] = e.Tag.Name
		case model.TypeIVRUpserted:
			d.ivrs[e.IVR.ID] = e.IVR.Name
		case model.TypeContactUpserted:
			d.contacts[e.Contact.ID] = *e.Contact
		default:
			rest = append(rest, e)
		}
	}
	return rest
}

// readNDJSON decodes a batch, Seq by line.
func readNDJSON(t *testing.T, path string) []model.Event {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []model.Event
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	line := 0
	for sc.Scan() {
		line++
		if len(sc.Bytes()) == 0 {
			continue
		}
		var e model.Event
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatalf("line %d: %v", line, err)
		}
		e.Seq = int64(line)
		out = append(out, e)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// tb builds a timeline by hand: times are "15:04:05" of a fixed day in
// São Paulo (or RFC 3339), Seq in order of creation.
type tb struct {
	day  string
	seq  int64
	evs  []model.Event
	ixID string
}

func newTB(ix string) *tb { return &tb{day: "2025-06-02", ixID: ix} }

func (b *tb) at(s string) time.Time {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t
	}
	t, err := time.ParseInLocation("2006-01-02 15:04:05.999999999", b.day+" "+s, DefaultTZ)
	if err != nil {
		panic(err)
	}
	return t
}

func (b *tb) add(typ, at string, fill func(e *model.Event)) *tb {
	b.seq++
	e := model.Event{ID: typ + "@" + at + "#" + itoa(b.seq), Type: typ, At: b.at(at), Seq: b.seq, Interaction: b.ixID}
	if fill != nil {
		fill(&e)
	}
	b.evs = append(b.evs, e)
	return b
}

func (b *tb) created(at, media string, fill func(e *model.Event)) *tb {
	return b.add(model.TypeInteractionCreated, at, func(e *model.Event) {
		e.Media = media
		if fill != nil {
			fill(e)
		}
	})
}
func (b *tb) omni(at string) *tb { return b.add(model.TypeEnteredOmni, at, nil) }
func (b *tb) queued(at, leg, svc string) *tb {
	return b.add(model.TypeLegQueued, at, func(e *model.Event) { e.Leg, e.ServiceID = leg, svc })
}
func (b *tb) delivered(at, leg, agent string) *tb {
	return b.add(model.TypeLegDelivered, at, func(e *model.Event) { e.Leg, e.AgentID = leg, agent })
}
func (b *tb) msg(at, leg, sender string) *tb {
	return b.add(model.TypeMessage, at, func(e *model.Event) {
		e.Leg, e.Sender, e.MessageID, e.Text = leg, sender, "m"+itoa(b.seq), sender+" says"
	})
}
func (b *tb) hold(at, leg, kind string) *tb {
	return b.add(model.TypeHoldStarted, at, func(e *model.Event) { e.Leg, e.Kind = leg, kind })
}
func (b *tb) holdEnd(at, leg string) *tb {
	return b.add(model.TypeHoldEnded, at, func(e *model.Event) { e.Leg = leg })
}
func (b *tb) transfer(at, leg, newLeg, svc, agent string) *tb {
	return b.add(model.TypeLegTransferred, at, func(e *model.Event) {
		e.Leg, e.NewLeg, e.ToServiceID, e.ToAgentID = leg, newLeg, svc, agent
	})
}
func (b *tb) finished(at, leg, status string, fill func(e *model.Event)) *tb {
	return b.add(model.TypeLegFinished, at, func(e *model.Event) {
		e.Leg, e.Status = leg, status
		if fill != nil {
			fill(e)
		}
	})
}
func (b *tb) call(at, leg string, fill func(e *model.Event)) *tb {
	return b.add(model.TypeCallUpdated, at, func(e *model.Event) {
		e.Leg = leg
		fill(e)
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func fp(v float64) *float64 { return &v }

// cell returns the cell of header h of a row.
func cell(t *testing.T, r model.LegRow, h string) string {
	t.Helper()
	for i, c := range model.ColumnsFor(r.Media) {
		if c == h {
			return r.Cells[i]
		}
	}
	t.Fatalf("no column %q for media %q", h, r.Media)
	return ""
}

func secs(p *float64) float64 {
	if p == nil {
		return -1
	}
	return *p
}

func stdDir() *testDir {
	d := newTestDir()
	d.services["svc-sac"] = "SAC"
	d.services["svc-fin"] = "Financeiro"
	d.users["ag-carla"] = "Carla Dias"
	d.users["ag-bruno"] = "Bruno Lima"
	no, yes := false, true
	d.contacts["ct-ze"] = model.Contact{ID: "ct-ze", Name: "José Silva", Document: "390.533.447-05", Emails: []string{"Ze@Example.org"}, Phones: []string{"+55 (11) 98765-1234"}, Portfolio: &no, ExternalID: "ext-9"}
	d.contacts["ct-acme"] = model.Contact{ID: "ct-acme", Name: "ACME Ltda", Document: "12.ABC.345/01DE-35", Portfolio: &yes}
	return d
}
