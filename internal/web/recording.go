package web

import (
	"container/list"
	"errors"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/rastro/rastro/internal/model"
	"github.com/rastro/rastro/internal/recordings"
)

// playWindow: requests of one principal for one recording within this time
// of an audited one belong to the same playback (seeks, a restart, the
// download button) and are not audited again.
const playWindow = 10 * time.Minute

// maxPlays bounds the playbacks remembered; past it the oldest is
// forgotten (its next request is audited again: more entries, never fewer).
const maxPlays = 20000

// apiRecording serves a call recording with HTTP range support (the player
// seeks). A relative recording_url reaches only a regular file of the
// tenant's own folder; an absolute one is a redirect only to a host the
// tenant allowed; a demo: one is synthesised (recordings.NewSynth). One
// audit entry per playback: the first request of a principal for a
// recording, whatever its Range, within playWindow.
func (s *Server) apiRecording(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	protocol := r.PathValue("protocol")
	ref, err := s.reports.Recording(r.Context(), p, protocol)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if d, demo, err := recordings.ParseDemo(ref); demo {
		// A demo recording is synthesised, not stored: computed from its
		// seed as the requested range is read.
		var syn *recordings.Synth
		if err == nil {
			syn, err = recordings.NewSynth(d)
		}
		if err != nil {
			apiError(w, http.StatusNotFound, "recording not found")
			return
		}
		s.auditPlay(r, p, protocol)
		w.Header().Set("Content-Type", "audio/wav")
		http.ServeContent(w, r, syn.Name(), time.Time{}, syn)
		return
	}
	if u, abs, err := recordings.Absolute(ref); abs {
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
			apiError(w, http.StatusNotFound, "recording not found")
			return
		}
		t, err := s.db.Tenant(r.Context(), p.Tenant)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		// The hosts in force now: a host removed from the list is no
		// longer reached, whatever was accepted at ingest.
		if err := recordings.Check(ref, t.RecordingHosts); err != nil {
			apiError(w, http.StatusForbidden, "recording host not allowed")
			return
		}
		s.auditPlay(r, p, protocol)
		http.Redirect(w, r, u.String(), http.StatusFound)
		return
	}
	f, st, err := recordings.Open(s.cfg.RecordingsDir, p.Tenant, ref)
	if err != nil {
		if !errors.Is(err, recordings.ErrNotFound) || model.ValidTenantID(p.Tenant) != nil {
			s.log.Warn("recording not served", "tenant", p.Tenant, "protocol", protocol, "err", err)
		}
		apiError(w, http.StatusNotFound, "recording file not found")
		return
	}
	defer f.Close()
	s.auditPlay(r, p, protocol)
	if ct := map[string]string{".wav": "audio/wav", ".mp3": "audio/mpeg", ".ogg": "audio/ogg", ".gsm": "audio/x-gsm"}[strings.ToLower(filepath.Ext(st.Name()))]; ct != "" {
		w.Header().Set("Content-Type", ct)
	}
	http.ServeContent(w, r, st.Name(), st.ModTime(), f)
}

// auditPlay writes the playback's audit entry when this request starts one.
func (s *Server) auditPlay(r *http.Request, p model.Principal, protocol string) {
	if s.plays.start(p.Tenant + "\x00" + p.Actor + "\x00" + protocol) {
		s.audit(r, "recording.play", map[string]any{"protocol": protocol}, nil, nil)
	}
}

// playLog remembers the recent playbacks (principal × recording → when the
// audited request came), bounded in time and size; one per Server.
type playLog struct {
	mu    sync.Mutex
	now   func() time.Time
	max   int
	order *list.List // of *play, oldest first
	byKey map[string]*list.Element
}

type play struct {
	key string
	at  time.Time
}

func newPlayLog() *playLog {
	return &playLog{now: time.Now, max: maxPlays, order: list.New(), byKey: map[string]*list.Element{}}
}

// start reports whether a request for key starts a new playback (and, if
// so, remembers it).
func (l *playLog) start(key string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	for e := l.order.Front(); e != nil; e = l.order.Front() {
		if pl := e.Value.(*play); now.Sub(pl.at) >= playWindow || l.order.Len() > l.max {
			l.order.Remove(e)
			delete(l.byKey, pl.key)
			continue
		}
		break
	}
	if e, ok := l.byKey[key]; ok {
		if now.Sub(e.Value.(*play).at) >= 0 {
			return false
		}
		// The clock went back: start afresh.
		l.order.Remove(e)
	}
	l.byKey[key] = l.order.PushBack(&play{key: key, at: now})
	if l.order.Len() > l.max {
		old := l.order.Front()
		l.order.Remove(old)
		delete(l.byKey, old.Value.(*play).key)
	}
	return true
}
