package main

import (
	"context"
	"errors"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/rastro/rastro/internal/connectors/asterisk"
	"github.com/rastro/rastro/internal/model"
	"github.com/rastro/rastro/internal/storetest"
)

// queueLogWriter appends queue_log lines as Asterisk does: each good line
// is an ENTERQUEUE of a new call (three events: interaction.created,
// interaction.entered_omni, leg.queued); every 13th line is garbage, which
// the follower lists and skips.
type queueLogWriter struct {
	t     *testing.T
	path  string
	n     int // lines written
	good  int
	epoch int64
}

func (w *queueLogWriter) append(k int) {
	w.t.Helper()
	f, err := os.OpenFile(w.path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		w.t.Fatal(err)
	}
	defer f.Close()
	var b strings.Builder
	for i := 0; i < k; i++ {
		w.n++
		w.epoch++
		if w.n%13 == 0 {
			b.WriteString("this is not a queue_log line\n")
			continue
		}
		w.good++
		fmt.Fprintf(&b, "%d|%d.%d|suporte|NONE|ENTERQUEUE||1198765%04d|1\n", w.epoch, w.epoch, w.n, w.n)
	}
	if _, err := f.WriteString(b.String()); err != nil {
		w.t.Fatal(err)
	}
}

// rotate renames the file away as logrotate does (path.1 → path.2,
// path → path.1); the writer then starts a new path.
func (w *queueLogWriter) rotate() {
	w.t.Helper()
	if _, err := os.Stat(w.path + ".1"); err == nil {
		if err := os.Rename(w.path+".1", w.path+".2"); err != nil {
			w.t.Fatal(err)
		}
	}
	if err := os.Rename(w.path, w.path+".1"); err != nil {
		w.t.Fatal(err)
	}
}

func TestFollowerKilledAtRandomAcrossTwoRotationsStoresEveryLineOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s storetest.Store) {
		seed := time.Now().UnixNano()
		t.Logf("seed %d", seed)
		rng := rand.New(rand.NewSource(seed))
		bin := rastroBinary(t)
		dir := t.TempDir()
		w := &queueLogWriter{t: t, path: filepath.Join(dir, "queue_log"), epoch: 1791205200}
		w.append(5)
		const rounds = 24
		r1 := 2 + rng.Intn(rounds/2-2)
		r2 := r1 + 1 + rng.Intn(rounds/2-1)
		// follow starts a follower; started is closed once it said it
		// follows (its signal handling is in place by then).
		follow := func() (cmd *exec.Cmd, started chan struct{}, stderr *syncBuffer) {
			cmd = exec.Command(bin, "ingest", "--follow", "--db", s.DSN, "--tenant", "acme", "--create-tenant",
				"--format", "asterisk-queue-log", w.path)
			stderr = &syncBuffer{seen: "following ", signal: make(chan struct{})}
			cmd.Stderr = stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			return cmd, stderr.signal, stderr
		}
		for round := 0; round < rounds; round++ {
			cmd, started, stderr := follow()
			if round == 0 {
				// The first run must have begun (recorded the file it
				// follows) before anything rotates; later runs are killed
				// at any moment, starting up included.
				select {
				case <-started:
				case <-time.After(90 * time.Second): // a hang guard
					t.Fatalf("the first follower never started: %s", stderr)
				}
			}
			// The writer goes on while the follower runs, and is killed
			// (SIGKILL) at a random moment: while starting, re-reading,
			// storing or idle.
			for k := rng.Intn(3); k >= 0; k-- {
				w.append(1 + rng.Intn(15))
				time.Sleep(time.Duration(rng.Intn(150)) * time.Millisecond)
			}
			if round == r1 || round == r2 {
				w.rotate()
				w.append(1 + rng.Intn(10))
			}
			time.Sleep(time.Duration(rng.Intn(400)) * time.Millisecond)
			if err := cmd.Process.Kill(); err != nil {
				t.Fatal(err)
			}
			_ = cmd.Wait()
			stored, err := s.DB.EventCount(context.Background(), "acme")
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("round %d: %d lines written, %d events stored when killed", round, w.n, stored)
		}
		want := int64(3 * w.good)

		// A last follower catches up and stops cleanly on SIGTERM.
		cmd, started, stderr := follow()
		deadline := time.Now().Add(90 * time.Second) // a hang guard, not a measure
		select {
		case <-started:
		case <-time.After(time.Until(deadline)):
			t.Fatalf("the last follower never started: %s", stderr)
		}
		var n int64
		for {
			var err error
			if n, err = s.DB.EventCount(context.Background(), "acme"); err != nil {
				t.Fatal(err)
			}
			if n >= want || time.Now().After(deadline) {
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
		if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		if err := cmd.Wait(); err != nil {
			t.Fatalf("follower on SIGTERM: %v\n%s", err, stderr)
		}
		if n, _ = s.DB.EventCount(context.Background(), "acme"); n != want {
			t.Fatalf("%d events stored, want %d (3 per good line of %d lines); last follower: %s", n, want, w.n, stderr)
		}
		// Each file translated at once gives exactly the stored events,
		// ids included: every line's events were stored, once.
		want2 := map[string]map[string]bool{}
		for _, name := range []string{w.path + ".2", w.path + ".1", w.path} {
			f, err := os.Open(name)
			if err != nil {
				t.Fatal(err)
			}
			err = asterisk.Translate(f, asterisk.Options{}, func(_ int, ev model.Event) error {
				if want2[ev.Interaction] == nil {
					want2[ev.Interaction] = map[string]bool{}
				}
				want2[ev.Interaction][ev.ID] = true
				return nil
			})
			f.Close()
			var problems asterisk.Problems
			if err != nil && !errors.As(err, &problems) {
				t.Fatal(err)
			}
		}
		for ix, ids := range want2 {
			evs, err := s.DB.Events(context.Background(), "acme", model.AggInteraction, ix)
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]bool{}
			for _, e := range evs {
				got[e.ID] = true
			}
			if !reflect.DeepEqual(got, ids) {
				t.Fatalf("interaction %s: stored %v, want %v", ix, got, ids)
			}
		}
		if !strings.Contains(stderr.String(), "(skipped)") && w.n >= 13 {
			t.Logf("the last follower listed no bad line (all were read before): %s", stderr)
		}
	})
}

// syncBuffer collects a child's stderr and closes signal when it first
// contains seen.
type syncBuffer struct {
	mu     sync.Mutex
	b      strings.Builder
	seen   string
	signal chan struct{}
	done   bool
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.b.Write(p)
	if !s.done && strings.Contains(s.b.String(), s.seen) {
		s.done = true
		close(s.signal)
	}
	return len(p), nil
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
