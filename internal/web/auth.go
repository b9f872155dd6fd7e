package web

import (
	"context"
	"crypto/subtle"
	"net/http"
	"net/url"
	"strings"

	"github.com/rastro/rastro/internal/store"
)

// SessionCookie names the UI session cookie.
const SessionCookie = "rastro_session"

// bearer extracts the token of an Authorization: Bearer header.
func bearer(r *http.Request) string {
	h := r.Header.Get("Authorization")
	if len(h) > 7 && strings.EqualFold(h[:7], "bearer ") {
		return strings.TrimSpace(h[7:])
	}
	return ""
}

// session resolves the request's session cookie, if any.
func (s *Server) session(r *http.Request) (store.Session, bool) {
	c, err := r.Cookie(SessionCookie)
	if err != nil || c.Value == "" {
		return store.Session{}, false
	}
	sess, err := s.db.SessionByID(r.Context(), c.Value)
	if err != nil {
		return store.Session{}, false
	}
	return sess, true
}

func sessionFrom(r *http.Request) (store.Session, bool) {
	sess, ok := r.Context().Value(sessionKey).(store.Session)
	return sess, ok
}

func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

func csrfOK(r *http.Request, sess store.Session) bool {
	got := r.Header.Get("X-CSRF-Token")
	if got == "" {
		got = r.PostFormValue("csrf")
	}
	return got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(sess.CSRF)) == 1
}

// requireAPI authenticates an API call: a bearer token, or the UI's session
// cookie (then unsafe methods need the CSRF token in X-CSRF-Token).
func (s *Server) requireAPI(role string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if tok := bearer(r); tok != "" {
			p, err := s.db.AuthenticateToken(r.Context(), tok)
			if err != nil {
				w.Header().Set("WWW-Authenticate", `Bearer realm="rastro"`)
				apiError(w, http.StatusUnauthorized, "invalid or revoked token")
				return
			}
			if !allowed(p, role) {
				apiError(w, http.StatusForbidden, "role "+string(p.Role)+" may not do this")
				return
			}
			next.ServeHTTP(w, withPrincipal(r, p))
			return
		}
		sess, ok := s.session(r)
		if !ok {
			w.Header().Set("WWW-Authenticate", `Bearer realm="rastro"`)
			apiError(w, http.StatusUnauthorized, "authentication required: Authorization: Bearer TOKEN")
			return
		}
		if !safeMethod(r.Method) && !csrfOK(r, sess) {
			apiError(w, http.StatusForbidden, "missing or wrong CSRF token")
			return
		}
		if !allowed(sess.Principal, role) {
			apiError(w, http.StatusForbidden, "role "+string(sess.Principal.Role)+" may not do this")
			return
		}
		r = withPrincipal(r, sess.Principal)
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), sessionKey, sess)))
	})
}

// requireSession authenticates a UI page: a valid session cookie, else a
// redirect to the login page; unsafe methods need the form's CSRF token.
func (s *Server) requireSession(role string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sess, ok := s.session(r)
		if !ok {
			http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
			return
		}
		if !safeMethod(r.Method) && !csrfOK(r, sess) {
			http.Error(w, "CSRF token inválido", http.StatusForbidden)
			return
		}
		if !allowed(sess.Principal, role) {
			http.Error(w, "Acesso negado", http.StatusForbidden)
			return
		}
		r = withPrincipal(r, sess.Principal)
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), sessionKey, sess)))
	})
}
