package web

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/rastro/rastro/internal/store"
)

// sessionTTL is how long a UI login lasts.
const sessionTTL = 12 * time.Hour

// loginData is what login.html shows.
type loginData struct {
	Username string
	Next     string
	Error    string // a pt-BR label, translated by the template
	// Wait is the throttle wait in whole seconds (429), 0 otherwise.
	Wait int
	// CSRF is the form's token, the twin of the loginCSRFCookie.
	CSRF string
}

// loginCSRFCookie holds the login form's token (double submit). The cookie
// is SameSite=Strict, so a form posted from another site arrives without
// it: nobody can log a browser into an account of theirs (login CSRF) and
// watch what its user then looks at.
const loginCSRFCookie = "rastro_login"

// renderLogin shows the login form with a fresh token.
func (s *Server) renderLogin(w http.ResponseWriter, r *http.Request, status int, data loginData) {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	data.CSRF = hex.EncodeToString(b)
	http.SetCookie(w, &http.Cookie{
		Name: loginCSRFCookie, Value: data.CSRF, Path: "/login", MaxAge: 3600,
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: s.cfg.SecureCookies,
	})
	s.render(w, r, status, "login.html", Page{Title: "Entrar", Data: data})
}

// loginFormFromHere tells whether the posted form came from a login page
// this browser was shown: its token matches the cookie.
func loginFormFromHere(r *http.Request) bool {
	c, err := r.Cookie(loginCSRFCookie)
	return err == nil && c.Value != "" && subtle.ConstantTimeCompare([]byte(c.Value), []byte(r.PostFormValue("csrf"))) == 1
}

// safeNext keeps only local paths (localPath) as a redirect target after
// login, so the login page cannot be used to send a user elsewhere; the
// login and logout themselves lead to the Rastreio.
func safeNext(next string) string {
	next = localPath(next, "/rastreio")
	if p, _, _ := strings.Cut(next, "?"); p == "/login" || p == "/logout" {
		return "/rastreio"
	}
	return next
}

// clientIP is the peer address of the request. X-Forwarded-For is not
// trusted: anyone could send it to escape the login throttle.
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// loginPage shows the login form; a logged-in browser goes straight on.
func (s *Server) loginPage(w http.ResponseWriter, r *http.Request) {
	next := safeNext(r.URL.Query().Get("next"))
	if _, ok := s.session(r); ok {
		http.Redirect(w, r, next, http.StatusSeeOther)
		return
	}
	s.renderLogin(w, r, http.StatusOK, loginData{Next: next})
}

// loginPost checks the credentials, throttled per account and client IP and
// per account across addresses (store/throttle.go; the wait is shown, never
// slept on the server), audits the outcome and opens a session.
func (s *Server) loginPost(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		http.Error(w, "formulário inválido", http.StatusBadRequest)
		return nil
	}
	username := strings.TrimSpace(r.PostFormValue("username"))
	password := r.PostFormValue("password")
	next := safeNext(r.PostFormValue("next"))
	data := loginData{Username: username, Next: next}
	if !loginFormFromHere(r) {
		data.Error = "O formulário de entrada expirou. Entre de novo."
		s.renderLogin(w, r, http.StatusForbidden, data)
		return nil
	}
	ip := clientIP(r)
	ctx := context.WithoutCancel(r.Context())

	// The attempt is counted before the password is checked (one write
	// transaction): parallel guesses cannot all pass a check that reads
	// "no failures yet". A success gives the slot back.
	wait, err := s.db.BeginLogin(ctx, username, ip)
	if err != nil {
		return fmt.Errorf("login throttle: %w", err)
	}
	if wait > 0 {
		data.Wait = int(math.Ceil(wait.Seconds()))
		data.Error = "Muitas tentativas."
		// Not audited: a throttled attempt costs the attacker nothing, so
		// writing each one would let anyone grow the audit table at will.
		s.log.Info("login throttled", "user", username, "ip", ip, "wait_s", data.Wait)
		w.Header().Set("Retry-After", fmt.Sprint(data.Wait))
		s.renderLogin(w, r, http.StatusTooManyRequests, data)
		return nil
	}

	p, err := s.db.CheckPassword(ctx, username, password)
	if err != nil {
		if !errors.Is(err, store.ErrBadCredentials) {
			return fmt.Errorf("login: %w", err)
		}
		// A failure is audited in the tenant of the account it tried (so
		// the tenant's admins see attacks on their users); unknown
		// usernames go to tenant "".
		s.auditLogin(ctx, s.db.AccountTenant(ctx, username), username, "login.failed", map[string]any{"ip": ip})
		data.Error = "Usuário ou senha inválidos"
		s.renderLogin(w, r, http.StatusUnauthorized, data)
		return nil
	}
	if err := s.db.LoginSucceeded(ctx, username, ip); err != nil {
		s.log.Error("login throttle clear", "err", err)
	}
	id, err := s.db.CreateSession(ctx, username, sessionTTL)
	if err != nil {
		return fmt.Errorf("create session: %w", err)
	}
	notePrincipal(r, p)
	s.auditLogin(ctx, p.Tenant, username, "login", map[string]any{"ip": ip})
	http.SetCookie(w, &http.Cookie{
		Name: SessionCookie, Value: id, Path: "/",
		MaxAge: int(sessionTTL / time.Second), HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: s.cfg.SecureCookies,
	})
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}

// auditLogin writes a login audit entry directly: there is no principal in
// the request context yet.
func (s *Server) auditLogin(ctx context.Context, tenant, username, action string, detail map[string]any) {
	e := store.AuditEntry{Tenant: tenant, At: time.Now(), Actor: "user:" + username, Action: action, Detail: detail}
	if err := s.db.Audit(ctx, e); err != nil {
		s.log.Error("audit write failed", "action", action, "err", err)
	}
}

// logout ends the session (requireSession already checked the CSRF token).
func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(SessionCookie); err == nil && c.Value != "" {
		if err := s.db.DeleteSession(context.WithoutCancel(r.Context()), c.Value); err != nil {
			s.log.Error("delete session", "err", err)
		}
	}
	s.audit(r, "logout", map[string]any{"ip": clientIP(r)}, nil, nil)
	http.SetCookie(w, &http.Cookie{
		Name: SessionCookie, Value: "", Path: "/", MaxAge: -1, Expires: time.Unix(0, 0),
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: s.cfg.SecureCookies,
	})
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}
