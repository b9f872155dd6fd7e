package web

import (
	"bytes"
	"embed"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"strings"

	"github.com/rastro/rastro/internal/model"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Page is what every template gets: the page's own Data plus the frame
// (language, translations, the logged-in user, the CSRF token, the nav).
type Page struct {
	Title     string
	Active    string // nav key: rastreio, fluxo, ivr, agentes, auditoria
	Lang      string // "pt" | "en"
	User      string
	Role      string
	Principal model.Principal
	CSRF      string
	// Query is the current request's query, for links that keep filters.
	Query url.Values
	Data  any
	// DataNote says where a report page's numbers come from (dataNote).
	DataNote string
}

// T translates a pt-BR label for the page's language.
func (p Page) T(s string) string { return translate(p.Lang, s) }

// lang picks the UI language: ?lang=, then the cookie, then pt-BR.
func lang(r *http.Request) string {
	if l := r.URL.Query().Get("lang"); l == "en" || l == "pt" {
		return l
	}
	if c, err := r.Cookie("rastro_lang"); err == nil && (c.Value == "en" || c.Value == "pt") {
		return c.Value
	}
	return "pt"
}

var templateFuncs = template.FuncMap{
	"join":     strings.Join,
	"contains": func(list []string, v string) bool { return containsString(list, v) },
	"add":      func(a, b int) int { return a + b },
	"queryWith": func(q url.Values, key, value string) string {
		c := url.Values{}
		for k, v := range q {
			c[k] = append([]string(nil), v...)
		}
		if value == "" {
			c.Del(key)
		} else {
			c.Set(key, value)
		}
		return c.Encode()
	},
	"screenColumn": func(c string) bool { return !model.CSVOnlyColumns[c] },
}

func containsString(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// parseTemplates parses layout.html with each page template.
func parseTemplates() (map[string]*template.Template, error) {
	pages, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	out := map[string]*template.Template{}
	for _, p := range pages {
		name := strings.TrimPrefix(p, "templates/")
		if name == "layout.html" {
			continue
		}
		t, err := template.New("layout.html").Funcs(templateFuncs).ParseFS(templateFS, "templates/layout.html", p)
		if err != nil {
			return nil, err
		}
		out[name] = t
	}
	return out, nil
}

// render executes a page template inside the layout. Rendering goes to a
// buffer first so a template error never sends half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, page Page) {
	page.Lang = lang(r)
	page.Query = r.URL.Query()
	if sess, ok := sessionFrom(r); ok {
		page.User, page.CSRF = sess.Username, sess.CSRF
		page.Principal = sess.Principal
		page.Role = string(sess.Principal.Role)
	}
	page.DataNote = s.dataNote(r, page)
	t, ok := s.templates[name]
	if !ok {
		s.log.Error("unknown template", "name", name)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout.html", page); err != nil {
		s.log.Error("render", "template", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// staticHandler serves the embedded assets (no CDN).
func staticHandler() http.Handler {
	sub, _ := fs.Sub(staticFS, "static")
	return http.StripPrefix("/static/", http.FileServer(http.FS(sub)))
}

// setLang remembers the chosen language.
func (s *Server) setLang(w http.ResponseWriter, r *http.Request) {
	l := r.URL.Query().Get("lang")
	if l != "en" {
		l = "pt"
	}
	http.SetCookie(w, &http.Cookie{Name: "rastro_lang", Value: l, Path: "/", MaxAge: 365 * 24 * 3600, HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.cfg.SecureCookies})
	http.Redirect(w, r, localPath(r.URL.Query().Get("next"), "/"), http.StatusSeeOther)
}
