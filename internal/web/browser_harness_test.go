package web

// Shared harness of the browser tests (headless Chromium driven by chromedp):
// a seeded site on both stores, a browser with downloads allowed, login and
// screenshots. Every browser test of the package uses these helpers; keep
// their names and signatures stable.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"

	"github.com/rastro/rastro/internal/demo"
	"github.com/rastro/rastro/internal/ingest"
	"github.com/rastro/rastro/internal/model"
	"github.com/rastro/rastro/internal/store"
	"github.com/rastro/rastro/internal/storetest"
)

// Users the seeded site has (tenant "demo").
const (
	adminUser     = "ana"
	adminPass     = "senha-forte-1"
	viewerUser    = "vitor"
	viewerPass    = "senha-forte-2"
	viewerService = "svc-sac" // the one service vitor may see
	viewerSvcName = "SAC"
	demoTenant    = "demo"
)

// stepTimeout bounds one browser step (a navigation, a wait, a click).
const stepTimeout = 60 * time.Second

// chromiumPath finds the browser: $RASTRO_CHROMIUM, then the Debian paths.
func chromiumPath(t testing.TB) string {
	t.Helper()
	candidates := []string{os.Getenv("RASTRO_CHROMIUM"), "/usr/lib/chromium/chromium", "/usr/bin/chromium"}
	for _, p := range candidates {
		if p == "" {
			continue
		}
		if st, err := os.Stat(p); err == nil && !st.IsDir() && st.Mode()&0o111 != 0 {
			return p
		}
	}
	t.Fatal("chromium not found: run `make test`, which installs it")
	return ""
}

// downloadDirs gives each test one download folder, shared by the browser
// (newBrowser) and the site (startSite.DownloadDir) made with the same t.
var downloadDirs sync.Map // testing.TB → string

func testDownloadDir(t testing.TB) string {
	if d, ok := downloadDirs.Load(t); ok {
		return d.(string)
	}
	d := t.TempDir()
	actual, loaded := downloadDirs.LoadOrStore(t, d)
	if !loaded {
		t.Cleanup(func() { downloadDirs.Delete(t) })
	}
	return actual.(string)
}

// newBrowser starts a headless Chromium with a fresh profile, a 1440×900
// window, pt-BR locale and downloads allowed into the test's download
// folder. The browser closes when the test ends.
func newBrowser(t testing.TB) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath(t)),
		chromedp.Flag("headless", true),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.NoFirstRun,
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("autoplay-policy", "no-user-gesture-required"),
		chromedp.Flag("lang", "pt-BR"),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1440, 900),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(allocCtx)
	t.Cleanup(func() {
		_ = chromedp.Cancel(ctx)
		cancelCtx()
		cancelAlloc()
	})
	// The first call starts the browser; it must not run under a timeout
	// context, or the browser would close when the timeout ends.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	_, err := chromedp.CallBrowser(ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
		Behavior:      browser.SetDownloadBehaviorBehaviorAllow,
		DownloadPath:  testDownloadDir(t),
		EventsEnabled: new(true),
	})
	if err != nil {
		t.Fatalf("allow downloads: %v", err)
	}
	return ctx
}

// testSite is a running rastro with the demo data of tenant "demo".
type testSite struct {
	URL           string
	DB            *store.DB
	Server        *Server
	Store         string // "sqlite" | "postgres"
	DownloadDir   string // where the browser of the same test saves files
	RecordingsDir string
}

// seedEvents is the demo data set, generated once per process.
var seedEvents = sync.OnceValues(func() ([][]byte, error) {
	var out [][]byte
	err := demo.Generate(context.Background(), demo.Options{Tenant: demoTenant, Legs: 400}, func(ev model.Event) error {
		b, err := json.Marshal(ev)
		if err == nil {
			out = append(out, b)
		}
		return err
	})
	return out, err
})

// startSite seeds the demo month (400 legs, synthesised recordings) into s for
// tenant "demo", creates the users ana (admin) and vitor (viewer of one
// service) and serves the UI on 127.0.0.1.
func startSite(t testing.TB, s storetest.Store) *testSite {
	t.Helper()
	ctx := context.Background()
	recDir := t.TempDir() // the demo's recordings are synthesised: none on disk
	events, err := seedEvents()
	if err != nil {
		t.Fatalf("generate demo data: %v", err)
	}
	if err := s.DB.EnsureTenant(ctx, demoTenant); err != nil {
		t.Fatal(err)
	}
	started := time.Now()
	in := ingest.New(s.DB)
	const batch = 2000
	for i := 0; i < len(events); i += batch {
		body := bytes.Join(events[i:min(i+batch, len(events))], []byte("\n"))
		if _, err := in.IngestBody(ctx, demoTenant, body); err != nil {
			t.Fatalf("ingest demo batch %d: %v", i/batch, err)
		}
	}
	t.Logf("seeded %d demo events into %s in %s", len(events), s.Name, time.Since(started).Round(time.Millisecond))
	if err := s.DB.CreateUser(ctx, adminUser, adminPass, store.Grant{Tenant: demoTenant, Role: model.RoleAdmin}); err != nil {
		t.Fatal(err)
	}
	if err := s.DB.CreateUser(ctx, viewerUser, viewerPass, store.Grant{Tenant: demoTenant, Role: model.RoleViewer, Services: []string{viewerService}}); err != nil {
		t.Fatal(err)
	}
	srv, err := New(s.DB, Config{RecordingsDir: recDir})
	if err != nil {
		t.Fatalf("web.New: %v", err)
	}
	ts := httptest.NewServer(srv) // listens on 127.0.0.1
	t.Cleanup(ts.Close)
	return &testSite{URL: ts.URL, DB: s.DB, Server: srv, Store: s.Name, DownloadDir: testDownloadDir(t), RecordingsDir: recDir}
}

// do runs browser steps with a timeout, failing the test (after a
// screenshot named "failed") on error.
func do(t testing.TB, ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	tctx, cancel := context.WithTimeout(ctx, stepTimeout)
	defer cancel()
	if err := chromedp.Do(tctx, steps...); err != nil {
		failShot(t, ctx)
		t.Fatalf("%s: %v", what, err)
	}
}

// eval evaluates a JavaScript expression (promises are awaited) and returns
// its value, failing the test on error.
func eval[T any](t testing.TB, ctx context.Context, expr string) T {
	t.Helper()
	tctx, cancel := context.WithTimeout(ctx, stepTimeout)
	defer cancel()
	v, err := chromedp.Run(tctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		failShot(t, ctx)
		t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// navigate opens a URL and returns the HTTP status of the document.
func navigate(t testing.TB, ctx context.Context, url string) int64 {
	t.Helper()
	tctx, cancel := context.WithTimeout(ctx, stepTimeout)
	defer cancel()
	resp, err := chromedp.Run(tctx, chromedp.NavigateResponse(url))
	if err != nil {
		failShot(t, ctx)
		t.Fatalf("navigate %s: %v", url, err)
	}
	if resp == nil {
		return 0
	}
	return resp.Status
}

// clickAndWait clicks what sel finds, waits for the page it loads and
// returns the HTTP status of that document.
func clickAndWait(t testing.TB, ctx context.Context, sel string) int64 {
	t.Helper()
	tctx, cancel := context.WithTimeout(ctx, stepTimeout)
	defer cancel()
	resp, err := chromedp.RunResponse(tctx, chromedp.Click(chromedp.CSS(sel), chromedp.NodeVisible))
	if err != nil {
		failShot(t, ctx)
		t.Fatalf("click %s: %v", sel, err)
	}
	if resp == nil {
		return 0
	}
	return resp.Status
}

// location is the current URL of the tab.
func location(t testing.TB, ctx context.Context) string {
	t.Helper()
	return eval[string](t, ctx, `location.href`)
}

// adminTab is a new browser tab signed in as the site's admin, and the
// collector of its page problems (pageProblems).
func adminTab(t testing.TB, site *testSite) (context.Context, func() []string) {
	t.Helper()
	ctx := newBrowser(t)
	problems := pageProblems(t, ctx)
	login(t, ctx, site, adminUser, adminPass)
	return ctx, problems
}

// login signs in through the login page and waits for the logged-in frame.
// When the tab already shows the login page (a redirect from a protected
// page), it uses that form, so the login comes back to where it was sent.
func login(t testing.TB, ctx context.Context, site *testSite, user, pass string) {
	t.Helper()
	if !eval[bool](t, ctx, `location.pathname === '/login' && !!document.getElementById('login-form')`) {
		navigate(t, ctx, site.URL+"/login")
	}
	do(t, ctx, "fill the login form",
		chromedp.WaitVisible(chromedp.ID("username")),
		chromedp.SetValue(chromedp.ID("username"), user),
		chromedp.SetValue(chromedp.ID("password"), pass),
	)
	if st := clickAndWait(t, ctx, "#login-submit"); st != 200 {
		msg := eval[string](t, ctx, `(document.querySelector('#login-error') || {}).textContent || ''`)
		failShot(t, ctx)
		t.Fatalf("login as %s: status %d %q", user, st, strings.TrimSpace(msg))
	}
	do(t, ctx, "wait for the logged-in header", chromedp.WaitVisible(chromedp.ID("user")))
}

// repoRoot finds the folder of go.mod, upward from the test's folder.
func repoRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.mod not found above the test folder")
		}
		dir = parent
	}
}

// screenshot saves the whole page as <repo>/artifacts/<TestName>-<name>.png
// (subtest slashes become underscores).
func screenshot(t testing.TB, ctx context.Context, name string) {
	t.Helper()
	tctx, cancel := context.WithTimeout(ctx, stepTimeout)
	defer cancel()
	buf, err := chromedp.Run(tctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	path := artifactPath(t, name+".png")
	if err := os.WriteFile(path, buf, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", path)
}

func artifactPath(t testing.TB, name string) string {
	dir := filepath.Join(repoRoot(t), "artifacts")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	safe := strings.NewReplacer("/", "_", " ", "_", ":", "_").Replace(t.Name())
	return filepath.Join(dir, safe+"-"+name)
}

// failShot saves a screenshot of the page a failing step left, if it can.
func failShot(t testing.TB, ctx context.Context) {
	tctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if buf, err := chromedp.Run(tctx, chromedp.CaptureScreenshot()); err == nil {
		path := artifactPath(t, "failed.png")
		if os.WriteFile(path, buf, 0o644) == nil {
			t.Logf("failure screenshot: %s", path)
		}
	}
}

// waitDownload waits for a finished download whose name ends in suffix in
// dir (Chromium renames the .crdownload file when it is complete) and
// returns its path.
func waitDownload(t testing.TB, dir, suffix string, timeout time.Duration) string {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		entries, err := os.ReadDir(dir)
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			t.Fatal(err)
		}
		for _, e := range entries {
			if strings.HasSuffix(e.Name(), suffix) && !strings.HasSuffix(e.Name(), ".crdownload") {
				return filepath.Join(dir, e.Name())
			}
		}
		if time.Now().After(deadline) {
			names := make([]string, len(entries))
			for i, e := range entries {
				names[i] = e.Name()
			}
			t.Fatalf("no download *%s in %s after %s (found %v)", suffix, dir, timeout, names)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// pageProblems collects what the console of the tab reports as errors
// (uncaught exceptions, Content-Security-Policy violations) from now on;
// call the returned func to read them.
func pageProblems(t testing.TB, ctx context.Context) func() []string {
	t.Helper()
	var mu sync.Mutex
	var problems []string
	msgs := chromedp.Console(ctx)
	cctx, cancel := context.WithCancel(ctx)
	t.Cleanup(cancel)
	go func() {
		for m, err := range msgs {
			if err != nil || cctx.Err() != nil {
				return
			}
			text := m.String()
			if m.IsException() || strings.Contains(text, "Content Security Policy") || strings.Contains(text, "Refused to") {
				mu.Lock()
				problems = append(problems, text)
				mu.Unlock()
			}
		}
	}()
	return func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), problems...)
	}
}
