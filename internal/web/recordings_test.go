package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"math"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rastro/rastro/internal/demo"
	"github.com/rastro/rastro/internal/ingest"
	"github.com/rastro/rastro/internal/model"
	"github.com/rastro/rastro/internal/recordings"
	"github.com/rastro/rastro/internal/store"
	"github.com/rastro/rastro/internal/storetest"
	"github.com/rastro/rastro/internal/web"
)

// callLines is one answered voice call of protocol with a recording_url.
func callLines(n, protocol, recordingURL string) []string {
	at := func(s int) string { return time.Date(2026, 10, 3, 9, 0, s, 0, time.UTC).Format(time.RFC3339) }
	i := "i-" + n
	return []string{
		`{"id":"` + n + `-1","type":"interaction.created","at":"` + at(0) + `","interaction":"` + i + `","media":"voice","protocol":"` + protocol + `","direction":"inbound","from":"5511999990000","to":"551130000000"}`,
		`{"id":"` + n + `-2","type":"leg.queued","at":"` + at(1) + `","interaction":"` + i + `","leg":"l-` + n + `","service_id":"svc-1"}`,
		`{"id":"` + n + `-3","type":"leg.delivered","at":"` + at(2) + `","interaction":"` + i + `","leg":"l-` + n + `","agent_id":"ag-1"}`,
		`{"id":"` + n + `-4","type":"call.updated","at":"` + at(3) + `","interaction":"` + i + `","leg":"l-` + n + `","recording_url":` + strconv.Quote(recordingURL) + `}`,
		`{"id":"` + n + `-5","type":"leg.finished","at":"` + at(9) + `","interaction":"` + i + `","leg":"l-` + n + `","status":"service completed"}`,
	}
}

// storeUnchecked stores events of tenant as they were accepted before
// recording_url was checked at ingest.
func storeUnchecked(t *testing.T, db *store.DB, tenant string, lines []string) {
	t.Helper()
	events, raw, err := ingest.Decode(ndjson(lines...), ingest.Options{Tenant: tenant})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ingest.New(db).Store(context.Background(), tenant, events, raw); err != nil {
		t.Fatal(err)
	}
}

func recPath(protocol string) string {
	return "/api/v1/interactions/" + url.PathEscape(protocol) + "/recording"
}

func writeFile(t *testing.T, path, body string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

// twoTenants serves an empty store with admin tokens of acme ("admin") and
// globex ("globex-admin").
func twoTenants(t *testing.T, s storetest.Store) *env {
	e := newBareEnv(t, s)
	e.mustToken(t, "admin", store.Grant{Tenant: tenantA, Role: model.RoleAdmin})
	e.mustToken(t, "globex-admin", store.Grant{Tenant: tenantB, Role: model.RoleAdmin})
	return e
}

func TestRecordingOfAnotherTenantIsNotPlayable(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s storetest.Store) {
		e := twoTenants(t, s)
		// globex's recording, where the shared folder had it and in
		// globex's own folder.
		writeFile(t, filepath.Join(e.RecDir, "rec", "secret.wav"), "RIFF-GLOBEX")
		writeFile(t, filepath.Join(e.RecDir, tenantB, "rec", "secret.wav"), "RIFF-GLOBEX")
		if r := e.as(t, "globex-admin", "POST", "/api/v1/events", ndjson(callLines("g1", "GLOBEX-1", "rec/secret.wav")...)); r.Code != 200 {
			t.Fatalf("globex ingest: %s", r)
		}
		if r := e.get(t, "globex-admin", recPath("GLOBEX-1")); r.Code != 200 || string(r.Body) != "RIFF-GLOBEX" {
			t.Fatalf("globex's own recording: %s", r)
		}
		// acme's admin points a call at the same name, and at globex's folder.
		if r := e.as(t, "admin", "POST", "/api/v1/events", ndjson(callLines("a1", "ACME-1", "rec/secret.wav")...)); r.Code != 200 {
			t.Fatalf("acme ingest: %s", r)
		}
		if r := e.as(t, "admin", "POST", "/api/v1/events", ndjson(callLines("a2", "ACME-2", "../"+tenantB+"/rec/secret.wav")...)); r.Code != 422 || !strings.Contains(string(r.Body), `"recording_url"`) {
			t.Errorf("acme recording_url into globex's folder: want 422 naming recording_url, got %s", r)
		}
		storeUnchecked(t, e.DB, tenantA, callLines("a2", "ACME-2", "../"+tenantB+"/rec/secret.wav"))
		storeUnchecked(t, e.DB, tenantA, callLines("a3", "ACME-3", "/../"+tenantB+"/rec/secret.wav"))
		for _, p := range []string{"ACME-1", "ACME-2", "ACME-3"} {
			r := e.get(t, "admin", recPath(p))
			if r.Code != 404 || strings.Contains(string(r.Body), "GLOBEX") {
				t.Errorf("acme plays %s: want 404, got %s", p, r)
			}
		}
		// A symbolic link in acme's folder to globex's file is not followed out.
		if err := os.MkdirAll(filepath.Join(e.RecDir, tenantA), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(filepath.Join(e.RecDir, tenantB, "rec", "secret.wav"), filepath.Join(e.RecDir, tenantA, "link.wav")); err != nil {
			t.Fatal(err)
		}
		storeUnchecked(t, e.DB, tenantA, callLines("a4", "ACME-4", "link.wav"))
		if r := e.get(t, "admin", recPath("ACME-4")); r.Code != 404 || strings.Contains(string(r.Body), "GLOBEX") {
			t.Errorf("acme plays a link to globex's file: want 404, got %s", r)
		}
	})
}

func TestRecordingURLFolderAnswers404(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s storetest.Store) {
		e := twoTenants(t, s)
		writeFile(t, filepath.Join(e.RecDir, tenantA, "rec", "a.wav"), "RIFF-A")
		for i, ref := range []string{"rec", "rec/", ".", "/"} {
			p := "FOLDER-" + strconv.Itoa(i)
			storeUnchecked(t, e.DB, tenantA, callLines("f"+strconv.Itoa(i), p, ref))
			for _, rg := range []string{"", "bytes=0-"} {
				r := e.as(t, "admin", "GET", recPath(p), nil, "Range", rg)
				if r.Code != 404 {
					t.Errorf("recording_url %q (Range %q): want 404, got %s (Content-Length %q)", ref, rg, r, r.Hdr.Get("Content-Length"))
				}
				if cl := r.Hdr.Get("Content-Length"); cl == "9223372036854775807" {
					t.Errorf("recording_url %q: bogus Content-Length %s", ref, cl)
				}
			}
		}
	})
}

func TestAbsoluteRecordingURLNeedsAllowedHost(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s storetest.Store) {
		e := twoTenants(t, s)
		ctx := context.Background()
		post := func(n, protocol, ref string) resp {
			return e.as(t, "admin", "POST", "/api/v1/events", ndjson(callLines(n, protocol, ref)...))
		}
		// No host allowed by default.
		r := post("h1", "ABS-1", "https://rec.example.com/a.wav")
		if r.Code != 422 {
			t.Fatalf("absolute recording_url without allowed hosts: want 422, got %s", r)
		}
		var be batchError
		if err := json.Unmarshal(r.Body, &be); err != nil || len(be.Errors) != 1 || be.Errors[0].Field != "recording_url" || be.Errors[0].ID != "h1-4" {
			t.Fatalf("422 should name recording_url of h1-4: %s", r)
		}
		tn, err := e.DB.Tenant(ctx, tenantA)
		if err != nil {
			t.Fatal(err)
		}
		tn.RecordingHosts = []string{"rec.example.com", "media.example.com:8443"}
		if err := e.DB.UpdateTenantSettings(ctx, tn); err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			ref string
			ok  bool
		}{
			{"https://rec.example.com/a.wav", true},
			{"https://REC.example.com:443/b.wav", true},
			{"https://media.example.com:8443/c.wav", true},
			{"https://media.example.com/c.wav", false},
			{"https://rec.example.com:8080/a.wav", false},
			{"https://evil.example/a.wav", false},
			{"https://rec.example.com@evil.example/a.wav", false},
			{`https://evil.example\@rec.example.com/a.wav`, false},
			{"//evil.example/a.wav", false},
			{"ftp://rec.example.com/a.wav", false},
		} {
			r := post("h-"+c.ref, "ABS-"+c.ref, c.ref)
			if (r.Code == 200) != c.ok {
				t.Errorf("recording_url %q: accepted %v, want %v: %s", c.ref, r.Code == 200, c.ok, r)
			}
		}
		// globex allowed nothing: acme's list is not its.
		if r := e.as(t, "globex-admin", "POST", "/api/v1/events", ndjson(callLines("g1", "G-1", "https://rec.example.com/a.wav")...)); r.Code != 422 {
			t.Errorf("globex with acme's host: want 422, got %s", r)
		}

		r = e.get(t, "admin", recPath("ABS-https://rec.example.com/a.wav"))
		if r.Code != http.StatusFound || r.Hdr.Get("Location") != "https://rec.example.com/a.wav" {
			t.Fatalf("allowed host: want 302 to it, got %d %q", r.Code, r.Hdr.Get("Location"))
		}
		// Stored before the check, or the host removed since: no redirect.
		storeUnchecked(t, e.DB, tenantA, callLines("x1", "EVIL-1", "https://evil.example/a.wav"))
		tn.RecordingHosts = []string{"media.example.com:8443"}
		if err := e.DB.UpdateTenantSettings(ctx, tn); err != nil {
			t.Fatal(err)
		}
		for _, p := range []string{"EVIL-1", "ABS-https://rec.example.com/a.wav"} {
			r := e.get(t, "admin", recPath(p))
			if r.Code != http.StatusForbidden || r.Hdr.Get("Location") != "" {
				t.Errorf("%s, host not allowed: want 403 without Location, got %d %q", p, r.Code, r.Hdr.Get("Location"))
			}
		}
	})
}

func TestEveryRangeFormStartsOneAuditedPlayback(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s storetest.Store) {
		e := twoTenants(t, s)
		ctx := context.Background()
		var mu sync.Mutex
		now := time.Date(2026, 10, 3, 12, 0, 0, 0, time.UTC)
		web.SetPlayClock(e.Srv, func() time.Time { mu.Lock(); defer mu.Unlock(); return now })
		advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
		body := strings.Repeat("RIFF-PLAY-", 100)
		writeFile(t, filepath.Join(e.RecDir, tenantA, "rec", "p.wav"), body)
		if r := e.as(t, "admin", "POST", "/api/v1/events", ndjson(callLines("p1", "PLAY-1", "rec/p.wav")...)); r.Code != 200 {
			t.Fatalf("ingest: %s", r)
		}
		plays := func(who string) int {
			t.Helper()
			log, err := e.DB.AuditLog(ctx, tenantA, 0, 10000)
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for _, a := range log {
				if a.Action == "recording.play" && a.Actor == "token:"+e.tokenIDs[who] && a.Detail["protocol"] == "PLAY-1" {
					n++
				}
			}
			return n
		}
		forms := []string{"", "bytes=0-", "bytes=00-", "bytes= 0-", "bytes=-99999999", "bytes=1-", "bytes=500-599", "bytes=0-1,5-9", "bytes=999999-"}
		for i, first := range forms {
			who := "viewer-" + strconv.Itoa(i)
			e.mustToken(t, who, store.Grant{Tenant: tenantA, Role: model.RoleViewer})
			r := e.as(t, who, "GET", recPath("PLAY-1"), nil, "Range", first)
			if r.Code != 200 && r.Code != 206 && r.Code != 416 {
				t.Fatalf("Range %q: %s", first, r)
			}
			if n := plays(who); n != 1 {
				t.Errorf("first request with Range %q: %d audit entries, want 1", first, n)
			}
			// Seeks and replays of the same playback.
			for _, again := range []string{"bytes=0-", "", "bytes=00-", "bytes=-10", "bytes=300-"} {
				advance(time.Minute)
				e.as(t, who, "GET", recPath("PLAY-1"), nil, "Range", again)
			}
			if n := plays(who); n != 1 {
				t.Errorf("Range %q then seeks within the window: %d audit entries, want 1", first, n)
			}
			// A playback after the window is another one.
			advance(10 * time.Minute)
			e.as(t, who, "GET", recPath("PLAY-1"), nil, "Range", "bytes=00-")
			if n := plays(who); n != 2 {
				t.Errorf("Range %q, a request 10 minutes after the audited one: %d audit entries, want 2", first, n)
			}
		}
		// The whole file behind the forms that used to skip the audit.
		for _, rg := range []string{"bytes=00-", "bytes= 0-", "bytes=-99999999"} {
			if r := e.get(t, "admin", recPath("PLAY-1")); r.Code != 200 || string(r.Body) != body {
				t.Fatalf("Range %q: %s", rg, r)
			}
		}
	})
}

func TestLangRedirectStaysLocal(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s storetest.Store) {
		e := newAPIEnv(t, s)
		for _, c := range []struct{ next, want string }{
			{"/%5Cevil.example", "/"},
			{"/%5C%5Cevil.example", "/"},
			{"//evil.example/x", "/"},
			{"/%09/evil.example", "/"},
			{"/%0D%0A/evil.example", "/"},
			{"https://evil.example/", "/"},
			{"javascript:alert(1)", "/"},
			{"evil.example", "/"},
			{"/x/..%5Cevil.example", "/"},
			{"/x/../%5Cevil.example", "/"},
			{"", "/"},
			{"/rastreio", "/rastreio"},
			{"/rastreio%3Fmedia%3Dvoice", "/rastreio?media=voice"},
		} {
			r := e.req(t, "GET", "/lang?lang=en&next="+c.next, "", nil)
			if loc := r.Hdr.Get("Location"); r.Code != http.StatusSeeOther || loc != c.want {
				t.Errorf("GET /lang next=%s: want 303 to %q, got %d to %q", c.next, c.want, r.Code, loc)
			}
		}
		// The login's next goes through the same rule.
		for _, next := range []string{"/%5Cevil.example", "//evil.example", "/x/..%5Cevil.example"} {
			r := e.ui(t, "admin", "GET", "/login?next="+next, nil)
			if loc := r.Hdr.Get("Location"); r.Code != http.StatusSeeOther || !strings.HasPrefix(loc, "/") || strings.HasPrefix(loc, "//") || strings.Contains(loc, `\`) {
				t.Errorf("GET /login next=%s with a session: got %d to %q", next, r.Code, loc)
			}
		}
	})
}

// A demo call's recording is synthesised on request: a Range request gets
// exactly those bytes of the synthesised file, the whole file lasts the
// leg's talk time, and the same scope and audit rules apply.
func TestDemoCallRecordingIsSynthesisedWithRanges(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s storetest.Store) {
		e := twoTenants(t, s)
		raw := seedTenant(t, e.DB, tenantA, demo.Options{Tenant: tenantA, Legs: 40, Days: 2, Seed: 5})
		var evs []model.Event
		for _, b := range raw {
			var ev model.Event
			if err := json.Unmarshal(b, &ev); err != nil {
				t.Fatal(err)
			}
			evs = append(evs, ev)
		}
		protocol, answered, recs := map[string]string{}, map[string]time.Time{}, map[string][]model.Event{}
		for _, ev := range evs {
			if ev.Protocol != "" {
				protocol[ev.Interaction] = ev.Protocol
			}
			if ev.AnsweredAt != nil {
				answered[ev.Leg] = *ev.AnsweredAt
			}
			if ev.RecordingURL != "" {
				recs[ev.Interaction] = append(recs[ev.Interaction], ev)
			}
		}
		// A one-leg answered call (the playback of a transferred call is
		// that of one of its legs).
		var call model.Event
		for _, ev := range evs {
			if r := recs[ev.Interaction]; len(r) == 1 && r[0].ID == ev.ID && strings.HasPrefix(ev.RecordingURL, "demo:talk?") && protocol[ev.Interaction] != "" {
				call = ev
				break
			}
		}
		if call.ID == "" {
			t.Fatal("no one-leg answered call with a recording in the demo")
		}
		hang := call.At
		for _, h := range []*time.Time{call.ClientHangupAt, call.AgentHangupAt} {
			if h != nil && h.Before(hang) {
				hang = *h
			}
		}
		talk := int(math.Round(hang.Sub(answered[call.Leg]).Seconds()))
		d, _, err := recordings.ParseDemo(call.RecordingURL)
		if err != nil {
			t.Fatal(err)
		}
		syn, err := recordings.NewSynth(d)
		if err != nil {
			t.Fatal(err)
		}
		file, err := io.ReadAll(syn)
		if err != nil {
			t.Fatal(err)
		}
		path := recPath(protocol[call.Interaction])

		r := e.as(t, "admin", "GET", path, nil, "Range", "bytes=100-199")
		if r.Code != http.StatusPartialContent || !bytes.Equal(r.Body, file[100:200]) {
			t.Fatalf("Range bytes=100-199 of %s: want 206 with those 100 bytes of the synthesised file, got %s", call.RecordingURL, r)
		}
		if cr := r.Hdr.Get("Content-Range"); cr != "bytes 100-199/"+strconv.Itoa(len(file)) {
			t.Errorf("Content-Range %q", cr)
		}
		r = e.get(t, "admin", path)
		if r.Code != 200 || r.Hdr.Get("Content-Type") != "audio/wav" || !bytes.Equal(r.Body, file) {
			t.Fatalf("whole recording: %d %q, %d bytes; want 200 audio/wav, the %d bytes of the synthesised file", r.Code, r.Hdr.Get("Content-Type"), len(r.Body), len(file))
		}
		if cl, want := r.Hdr.Get("Content-Length"), strconv.Itoa(44+talk*8000*2); cl != want {
			t.Errorf("Content-Length %s, want %s: %d s of talk at 8 kHz, 16-bit", cl, want, talk)
		}
		// One audited playback, as for a stored file.
		log, err := e.DB.AuditLog(context.Background(), tenantA, 0, 1000)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, a := range log {
			if a.Action == "recording.play" && a.Detail["protocol"] == protocol[call.Interaction] {
				n++
			}
		}
		if n != 1 {
			t.Errorf("%d recording.play audit entries, want 1", n)
		}
		// Another tenant does not reach it.
		if r := e.get(t, "globex-admin", path); r.Code != 404 {
			t.Errorf("globex plays acme's demo recording: want 404, got %s", r)
		}
		// A demo recording over 4 h is refused at ingest, naming the field…
		if r := e.as(t, "admin", "POST", "/api/v1/events", ndjson(callLines("d1", "DEMO-BAD", "demo:talk?seconds=999999&seed=1")...)); r.Code != 422 || !strings.Contains(string(r.Body), `"recording_url"`) {
			t.Errorf("ingest of a 999999 s demo recording: want 422 naming recording_url, got %s", r)
		}
		// …and, stored before the check, answers 404.
		storeUnchecked(t, e.DB, tenantA, callLines("d1", "DEMO-BAD", "demo:talk?seconds=999999&seed=1"))
		if r := e.get(t, "admin", recPath("DEMO-BAD")); r.Code != 404 {
			t.Errorf("demo recording of 999999 s: want 404, got %s", r)
		}
		t.Logf("%s: %d s of talk, %d bytes", call.RecordingURL, talk, len(file))
	})
}
