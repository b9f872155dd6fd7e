package web_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rastro/rastro/internal/model"
	"github.com/rastro/rastro/internal/store"
	"github.com/rastro/rastro/internal/storetest"
	"github.com/rastro/rastro/internal/web"
)

// A tenant's long write transaction (a 56 s batch on the single SQLite
// writer) must not hold up another tenant's authenticated requests: token
// and session look-ups, and what the pages read, go through the reader
// pool, and the token's last use is written later. Liveness with a generous
// timeout, not a timing measure.
func TestOneTenantsWriteDoesNotFreezeAnotherTenantsRequests(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s storetest.Store) {
		ctx := context.Background()
		e := newBareEnv(t, s)
		if err := s.DB.EnsureTenant(ctx, tenantA); err != nil {
			t.Fatal(err)
		}
		e.mustToken(t, "b-viewer", store.Grant{Tenant: tenantB, Role: model.RoleViewer})
		e.mustSession(t, "b-viewer", store.Grant{Tenant: tenantB, Role: model.RoleViewer})
		// A token never used before: its first use has a last-use to write.
		_, fresh, err := s.DB.CreateToken(ctx, store.Grant{Tenant: tenantB, Role: model.RoleAnalyst}, "fresh")
		if err != nil {
			t.Fatal(err)
		}

		held, release, done := make(chan struct{}), make(chan struct{}), make(chan error, 1)
		go func() {
			done <- s.DB.WithTenantTx(ctx, tenantA, func(tx *store.Tx) error {
				close(held)
				<-release
				return nil
			})
		}()
		<-held
		released := false
		defer func() {
			if !released {
				close(release)
				<-done
			}
		}()

		hc := &http.Client{Timeout: 2 * time.Minute, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		type call struct {
			what string
			req  func() (*http.Request, error)
		}
		bearer := func(tok, path string) func() (*http.Request, error) {
			return func() (*http.Request, error) {
				r, err := http.NewRequest("GET", e.URL+path, nil)
				if err == nil {
					r.Header.Set("Authorization", "Bearer "+tok)
				}
				return r, err
			}
		}
		calls := []call{
			{"GET /api/v1/media (token)", bearer(e.tokens["b-viewer"], "/api/v1/media")},
			{"GET /api/v1/media (first use of a token)", bearer(fresh, "/api/v1/media")},
			{"GET /api/v1/directory/services (token)", bearer(e.tokens["b-viewer"], "/api/v1/directory/services")},
			{"GET /rastreio (session)", func() (*http.Request, error) {
				r, err := http.NewRequest("GET", e.URL+"/rastreio", nil)
				if err == nil {
					r.AddCookie(&http.Cookie{Name: web.SessionCookie, Value: e.cookies["b-viewer"]})
				}
				return r, err
			}},
		}
		for _, c := range calls {
			got := make(chan string, 1)
			go func() {
				r, err := c.req()
				if err != nil {
					got <- err.Error()
					return
				}
				res, err := hc.Do(r)
				if err != nil {
					got <- err.Error()
					return
				}
				io.Copy(io.Discard, res.Body)
				res.Body.Close()
				got <- fmt.Sprint(res.StatusCode)
			}()
			select {
			case code := <-got:
				if code != "200" {
					t.Errorf("%s while tenant %s writes: %s, want 200", c.what, tenantA, code)
				}
			case <-time.After(20 * time.Second):
				t.Errorf("%s: no answer in 20 s while tenant %s holds a write transaction (it waits for the writer)", c.what, tenantA)
				// Let it through, so the request ends and the next is tried.
				released = true
				close(release)
				<-done
				<-got
			}
		}
		if !released {
			released = true
			close(release)
			if err := <-done; err != nil {
				t.Fatal(err)
			}
		}
		// The last use noted during the write is stored once the writer is free.
		deadline := time.Now().Add(30 * time.Second)
		for {
			s.DB.FlushLastUse(ctx)
			list, err := s.DB.Tokens(ctx, tenantB)
			if err != nil {
				t.Fatal(err)
			}
			missing := 0
			for _, tk := range list {
				if tk.LastUsedAt == nil {
					missing++
				}
			}
			if missing == 0 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%d token(s) of %s have no last use after the write ended", missing, tenantB)
			}
			time.Sleep(50 * time.Millisecond)
		}
	})
}

// loginClient posts the login form from a given loopback address (the
// throttle keys on the peer address, not on X-Forwarded-For).
type loginClient struct {
	url string
	mu  sync.Mutex
	hcs map[string]*http.Client
}

func (lc *loginClient) post(ip, user, password string) (int, error) {
	lc.mu.Lock()
	hc := lc.hcs[ip]
	if hc == nil {
		d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}}
		hc = &http.Client{
			Timeout:       2 * time.Minute,
			Transport:     &http.Transport{DialContext: d.DialContext, DisableKeepAlives: true},
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		}
		lc.hcs[ip] = hc
	}
	lc.mu.Unlock()
	form := url.Values{"username": {user}, "password": {password}, "csrf": {"form-token"}, "next": {"/rastreio"}}
	r, err := http.NewRequest("POST", lc.url+"/login", strings.NewReader(form.Encode()))
	if err != nil {
		return 0, err
	}
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.AddCookie(&http.Cookie{Name: "rastro_login", Value: "form-token"})
	res, err := hc.Do(r)
	if err != nil {
		return 0, err
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res.StatusCode, nil
}

// Login guessing: each attempt is counted before its password is checked,
// per account and address and per account across addresses; the locks end.
func TestLoginThrottleCountsGuessesBeforeCheckingThem(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s storetest.Store) {
		ctx := context.Background()
		e := newBareEnv(t, s)
		var mu sync.Mutex
		now := time.Date(2026, 10, 1, 12, 0, 0, 0, time.UTC)
		s.DB.SetClock(func() time.Time { mu.Lock(); defer mu.Unlock(); return now })
		advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
		lc := &loginClient{url: e.URL, hcs: map[string]*http.Client{}}
		const right = "a-very-right-password"
		for _, u := range []string{"ana", "bea"} {
			if err := s.DB.CreateUser(ctx, u, right, store.Grant{Tenant: tenantA, Role: model.RoleViewer}); err != nil {
				t.Fatal(err)
			}
		}
		mustLogin := func(what, ip, user, pw string, want int) {
			t.Helper()
			code, err := lc.post(ip, user, pw)
			if err != nil {
				t.Fatalf("%s: %v", what, err)
			}
			if code != want {
				t.Errorf("%s: %d, want %d", what, code, want)
			}
		}

		t.Run("parallel guesses from one address", func(t *testing.T) {
			const ip = "127.0.0.2"
			codes := make([]int, 40)
			var wg sync.WaitGroup
			for i := range codes {
				wg.Add(1)
				go func() {
					defer wg.Done()
					pw := fmt.Sprintf("wrong-guess-%02d", i)
					if i == 23 {
						pw = right
					}
					code, err := lc.post(ip, "ana", pw)
					if err != nil {
						t.Error(err)
					}
					codes[i] = code
				}()
			}
			wg.Wait()
			n := map[int]int{}
			for _, c := range codes {
				n[c]++
			}
			t.Logf("%s: 40 parallel attempts: %v", s.Name, n)
			if n[401]+n[303]+n[429] != 40 {
				t.Fatalf("unexpected answers: %v", n)
			}
			// Without a success, only the free failures reach the password
			// check. A success (the right guess among the first ones) clears
			// the address's count, which allows as many failures again.
			limit := store.PairFreeFailures
			if n[303] == 1 {
				limit = 2*store.PairFreeFailures - 1
			}
			if n[303] > 1 || n[401] > limit {
				t.Errorf("%d wrong guesses reached the password check (at most %d allowed), %d logins", n[401], limit, n[303])
			}
			if n[303] == 0 {
				// Still locked: the right password waits too.
				mustLogin("right password during the lock", ip, "ana", right, 429)
			}
			advance(time.Duration(1<<(max(n[401]-store.PairFreeFailures, 0))) * time.Second)
			mustLogin("right password after the lock", ip, "ana", right, 303)
		})

		t.Run("many addresses guessing one account", func(t *testing.T) {
			advance(time.Hour)
			const home = "127.0.1.1"
			mustLogin("bea at home", home, "bea", right, 303)
			for i := 1; i <= store.AccountBudget+2; i++ {
				want := 401
				if i > store.AccountBudget {
					want = 429
				}
				mustLogin(fmt.Sprintf("guess %d from a new address", i), fmt.Sprintf("127.0.2.%d", i), "bea", "wrong-password", want)
			}
			mustLogin("the right password from another new address during the lock", "127.0.3.1", "bea", right, 429)
			mustLogin("the right password from where bea logged in before", home, "bea", right, 303)
			advance(store.AccountLock)
			mustLogin("the right password from a new address after the lock", "127.0.3.1", "bea", right, 303)
		})
	})
}
