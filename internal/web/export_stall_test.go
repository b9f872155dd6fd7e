package web

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/rastro/rastro/internal/httpserve"
	"github.com/rastro/rastro/internal/report"
)

// TestStalledExportStopsReading: served by httpserve, an export whose
// client stops reading is cut after WriteIdle; the row source (which holds
// the store's read snapshot in a real export) sees the write error and its
// request context cancelled, stops, and the export is audited with the
// error.
func TestStalledExportStopsReading(t *testing.T) {
	ctx := context.Background()
	db, s := newExportServer(t)
	type stopped struct {
		rows   int
		err    error
		ctxErr error
	}
	done := make(chan stopped, 1)
	f, _ := report.ParseFormat("csv", "")
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r = asAcmeAdmin(r)
		rctx := r.Context()
		endless := func(emit func([]string) error) error {
			for i := 0; ; i++ {
				if err := rctx.Err(); err != nil {
					done <- stopped{i, err, err}
					return err
				}
				if err := emit([]string{strings.Repeat("x", 200), fmt.Sprint(i)}); err != nil {
					done <- stopped{i, err, rctx.Err()}
					return err
				}
			}
		}
		s.export(w, r, "test", f, "test", []string{"A", "B"}, -1, endless)
	})
	srv := httpserve.New(h, httpserve.Config{WriteIdle: 300 * time.Millisecond, Logger: s.log})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	defer srv.Close()

	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.(*net.TCPConn).SetReadBuffer(4 << 10)
	fmt.Fprint(c, "GET /export HTTP/1.1\r\nHost: x\r\n\r\n") // and never read
	select {
	case st := <-done:
		if st.err == nil || st.ctxErr == nil {
			t.Errorf("row source stopped after %d rows with %v, context %v: want the write error and a cancelled context", st.rows, st.err, st.ctxErr)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the export is still producing rows for a client that stopped reading")
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		log, err := db.AuditLog(ctx, "acme", 0, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(log) == 1 && log[0].Error != "" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("audit = %+v, want the export with its error", log)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
