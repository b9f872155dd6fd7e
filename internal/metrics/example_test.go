package metrics

import (
	"encoding/json"
	"math/rand"
	"os"
	"testing"

	"github.com/rastro/rastro/internal/model"
)

const exampleDir = "testdata/"

// TestWorkedExampleChatHoldAndPersonalQueue feeds the SPEC worked example
// and compares every expected cell.
func TestWorkedExampleChatHoldAndPersonalQueue(t *testing.T) {
	evs := readNDJSON(t, exampleDir+"chat-hold-and-personal-queue.ndjson")
	raw, err := os.ReadFile(exampleDir + "chat-hold-and-personal-queue.expected.json")
	if err != nil {
		t.Fatal(err)
	}
	var want map[string]string
	if err := json.Unmarshal(raw, &want); err != nil {
		t.Fatal(err)
	}
	dir := newTestDir()
	rest := dir.absorb(evs)
	ix := DeriveInteraction(rest, "", dir, Config{})
	if len(ix.Legs) != 1 {
		t.Fatalf("legs = %d, want 1", len(ix.Legs))
	}
	row := ix.Legs[0]
	cols := model.ColumnsFor("chat")
	if len(row.Cells) != len(cols) {
		t.Fatalf("cells = %d, columns = %d", len(row.Cells), len(cols))
	}
	for i, h := range cols {
		w, ok := want[h]
		if !ok {
			continue
		}
		if row.Cells[i] != w {
			t.Errorf("%s = %q, want %q", h, row.Cells[i], w)
		}
	}
	for h := range want {
		found := false
		for _, c := range cols {
			found = found || c == h
		}
		if !found {
			t.Errorf("expected header %q is not a chat column", h)
		}
	}
	// Typed fields agree with the cells.
	if secs(row.Duration) != 536 || secs(row.TMI) != 180 || secs(row.TMP) != 356 || secs(row.TM1R) != 16 || secs(row.TMR) != 67 {
		t.Errorf("metrics = dur %v tmi %v tmp %v tm1r %v tmr %v", secs(row.Duration), secs(row.TMI), secs(row.TMP), secs(row.TM1R), secs(row.TMR))
	}
	if row.Expired == nil || *row.Expired {
		t.Errorf("Expired = %v, want false", row.Expired)
	}
	if row.ServiceID != "svc-sac" || row.AgentID != "ag-carla" || row.ContactID != "ct-ze" || row.Seq != 1 || row.Bucket != "2025-06-02 15" {
		t.Errorf("typed fields = %+v", row)
	}
	if len(row.Emails) != 1 || row.Emails[0] != "ze@example.org" {
		t.Errorf("Emails = %v", row.Emails)
	}
	if ix.ProtocolBase != "000002788847100008120605202" || ix.ProtocolGiven != "" {
		t.Errorf("protocols = %q / %q", ix.ProtocolBase, ix.ProtocolGiven)
	}
}

// TestArrivalOrderIrrelevant shuffles the example (arrival order = Seq) and
// gets the same row.
func TestArrivalOrderIrrelevant(t *testing.T) {
	evs := readNDJSON(t, exampleDir+"chat-hold-and-personal-queue.ndjson")
	dir := newTestDir()
	rest := dir.absorb(evs)
	base := DeriveInteraction(rest, "", dir, Config{})
	rng := rand.New(rand.NewSource(7))
	for i := 0; i < 50; i++ {
		sh := append([]model.Event(nil), rest...)
		rng.Shuffle(len(sh), func(a, b int) { sh[a], sh[b] = sh[b], sh[a] })
		for j := range sh {
			sh[j].Seq = int64(j + 1)
		}
		got := DeriveInteraction(sh, "", dir, Config{})
		if len(got.Legs) != 1 || !equalStrings(got.Legs[0].Cells, base.Legs[0].Cells) {
			t.Fatalf("shuffle %d: cells differ:\n%v\n%v", i, got.Legs[0].Cells, base.Legs[0].Cells)
		}
	}
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
