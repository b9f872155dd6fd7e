package httpserve

import (
	"errors"
	"io"
	"net/http"
	"os"
	"sync"
	"time"
)

// errBodyTimeout is what a handler's later writes get once the middleware
// answered 408 for it.
var errBodyTimeout = errors.New("request body too slow: answered 408")

// bodyGuard wraps a request body: the connection's read deadline is pushed
// BodyWindow ahead each time BodyMinBytes more bytes arrived, so a body
// that keeps moving is read whatever its size, and one that delivers less
// than BodyMinBytes in a window hits the deadline; its handler's answer is
// then replaced by 408 and the connection closed. At the end of the body
// the deadline is lifted (the server's background read must not cut a
// long answer) and the connection stops counting as pending.
type bodyGuard struct {
	rc       io.ReadCloser
	ctl      *http.ResponseController
	gw       *guardWriter
	window   time.Duration
	minBytes int64
	got      int64 // bytes since the deadline was last pushed
	done     func()
	once     sync.Once
}

func (b *bodyGuard) Read(p []byte) (int, error) {
	n, err := b.rc.Read(p)
	if n > 0 {
		b.got += int64(n)
		if b.got >= b.minBytes {
			b.got = 0
			_ = b.ctl.SetReadDeadline(time.Now().Add(b.window))
		}
	}
	switch {
	case err == io.EOF:
		b.finish()
	case err != nil && errors.Is(err, os.ErrDeadlineExceeded):
		// The deadline stays in the past: the server's attempt to read
		// the rest of the body after the handler fails at once too.
		b.gw.bodyTimeout()
		b.once.Do(b.done)
	}
	return n, err
}

func (b *bodyGuard) Close() error { return b.rc.Close() }

func (b *bodyGuard) finish() {
	b.once.Do(func() {
		_ = b.ctl.SetReadDeadline(time.Time{})
		b.done()
	})
}

// guardWriter wraps the ResponseWriter: every write (or flush) first
// pushes the connection's write deadline WriteIdle ahead, so an answer
// streams as long as the client reads it and is cut when the client stops
// for WriteIdle; a failed write cancels the handler's context, so a
// stalled export stops reading the store at once. It records the status and
// the body bytes for the log and the metrics, keeps Flush and ReadFrom
// (sendfile for recordings) and unwraps for http.ResponseController.
type guardWriter struct {
	w       http.ResponseWriter
	ctl     *http.ResponseController
	idle    time.Duration
	cancel  func()
	metrics *Metrics

	mu       sync.Mutex
	status   int
	bytes    int64
	taken    bool // the middleware answered 408 in the handler's place
	failed   bool
	timedOut bool
}

func (g *guardWriter) Header() http.Header { return g.w.Header() }

func (g *guardWriter) Unwrap() http.ResponseWriter { return g.w }

func (g *guardWriter) WriteHeader(code int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.taken {
		return
	}
	if g.status == 0 && code >= 200 {
		g.status = code
	}
	g.w.WriteHeader(code)
}

func (g *guardWriter) Write(p []byte) (int, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.taken {
		return 0, errBodyTimeout
	}
	if g.status == 0 {
		g.status = http.StatusOK
	}
	g.extend()
	n, err := g.w.Write(p)
	g.bytes += int64(n)
	g.check(err)
	return n, err
}

// FlushError flushes (http.ResponseController prefers it to Flush).
func (g *guardWriter) FlushError() error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.taken {
		return errBodyTimeout
	}
	if g.status == 0 {
		g.status = http.StatusOK
	}
	g.extend()
	err := g.ctl.Flush()
	g.check(err)
	return err
}

// Flush implements http.Flusher.
func (g *guardWriter) Flush() { _ = g.FlushError() }

// readFromChunk bounds one ReadFrom step: the write deadline is pushed
// before each, so a file goes out by sendfile as long as every chunk does
// within WriteIdle.
const readFromChunk = 256 << 10

// ReadFrom copies src by chunks through the underlying ReadFrom (sendfile
// when src is a file or a LimitedReader of one, as http.ServeContent gives).
func (g *guardWriter) ReadFrom(src io.Reader) (int64, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.taken {
		return 0, errBodyTimeout
	}
	if g.status == 0 {
		g.status = http.StatusOK
	}
	rf, ok := g.w.(io.ReaderFrom)
	if !ok {
		rf = writerFunc(g.w.Write)
	}
	// Flatten one LimitedReader so the chunk stays a LimitedReader of the
	// file (net's sendfile looks through exactly one).
	inner, left := src, int64(-1)
	if lr, ok := src.(*io.LimitedReader); ok {
		inner, left = lr.R, lr.N
	}
	var total int64
	for left != 0 {
		size := int64(readFromChunk)
		if left > 0 && left < size {
			size = left
		}
		g.extend()
		n, err := rf.ReadFrom(&io.LimitedReader{R: inner, N: size})
		total += n
		g.bytes += n
		if left > 0 {
			left -= n
		}
		if err != nil {
			g.check(err)
			if lr, ok := src.(*io.LimitedReader); ok {
				lr.N = left
			}
			return total, err
		}
		if n < size {
			break // src is exhausted
		}
	}
	if lr, ok := src.(*io.LimitedReader); ok {
		lr.N = left
	}
	return total, nil
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) ReadFrom(r io.Reader) (int64, error) {
	return io.Copy(writerOnly{f}, r)
}

type writerOnly struct{ f writerFunc }

func (w writerOnly) Write(p []byte) (int, error) { return w.f(p) }

func (g *guardWriter) extend() {
	_ = g.ctl.SetWriteDeadline(time.Now().Add(g.idle))
}

// check cancels the handler's context on the first failed write.
func (g *guardWriter) check(err error) {
	if err == nil || g.failed {
		return
	}
	g.failed = true
	if errors.Is(err, os.ErrDeadlineExceeded) {
		g.timedOut = true
		g.metrics.writeTimeout()
	}
	g.cancel()
}

// bodyTimeout answers 408 in the handler's place when nothing was sent
// yet; either way the connection is closed after the answer (its body is
// unread) and the handler's context is cancelled.
func (g *guardWriter) bodyTimeout() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.metrics.bodyTimeout()
	defer g.cancel()
	if g.taken || g.status != 0 {
		return
	}
	h := g.w.Header()
	for _, k := range []string{"Content-Length", "Content-Disposition", "Content-Encoding", "Set-Cookie", "Location", "Etag", "Last-Modified"} {
		h.Del(k)
	}
	h.Set("Connection", "close")
	h.Set("Content-Type", "text/plain; charset=utf-8")
	g.extend()
	g.w.WriteHeader(http.StatusRequestTimeout)
	n, _ := io.WriteString(g.w, "request body too slow\n")
	g.status, g.bytes, g.taken = http.StatusRequestTimeout, int64(n), true
}

func (g *guardWriter) result() (status int, bytes int64) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.status, g.bytes
}
