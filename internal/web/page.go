package web

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"strings"

	"github.com/rastro/rastro/internal/model"
)

// Page plumbing shared by every page: the frame data, the language, the
// templates and their rendering, the static bundle. What one page shows
// lives in its ui_*.go file; request.go reads parameters, response.go
// answers errors, widgets.go holds the view types the templates draw.

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// partialsTemplate holds the blocks every page may use (multiselect,
// filter fields, report table, exports); it is parsed with each page.
const partialsTemplate = "partials.html"

// Page is what every template gets: the page's own Data plus the frame
// (language, translations, the logged-in user, the CSRF token, the nav).
type Page struct {
	Title     string
	Active    string // nav key: rastreio, fluxo, ivr, agents, auditoria (also names the search button and problems of a report form)
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

// newPage starts the page of request r in its language; render fills in
// the frame.
func newPage(r *http.Request, title, active string) Page {
	return Page{Title: title, Active: active, Lang: lang(r)}
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
	"add": func(a, b int) int { return a + b },
	// withPage hands a partial a value and the page (for T):
	// {{template "agg-cells" (withPage $ .)}}.
	"withPage": func(page Page, v any) pageAnd { return pageAnd{Page: page, V: v} },
}

// pageAnd is a value with the page it is drawn on.
type pageAnd struct {
	Page Page
	V    any
}

func containsString(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// parseTemplates parses layout.html and partials.html with each page
// template.
func parseTemplates() (map[string]*template.Template, error) {
	pages, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, fmt.Errorf("list templates: %w", err)
	}
	out := map[string]*template.Template{}
	for _, p := range pages {
		name := strings.TrimPrefix(p, "templates/")
		if name == "layout.html" || name == partialsTemplate {
			continue
		}
		t, err := template.New("layout.html").Funcs(templateFuncs).ParseFS(templateFS, "templates/layout.html", "templates/"+partialsTemplate, p)
		if err != nil {
			return nil, fmt.Errorf("parse template %s: %w", name, err)
		}
		out[name] = t
	}
	return out, nil
}

// render executes a page template inside the layout. Rendering goes to a
// buffer first so a template error never sends half a page; it is
// answered like any other page error.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, page Page) {
	page.Lang = lang(r)
	page.Query = r.URL.Query()
	if sess, ok := sessionFrom(r); ok {
		page.User, page.CSRF = sess.Username, sess.CSRF
		page.Principal = sess.Principal
		page.Role = string(sess.Principal.Role)
	}
	page.DataNote = s.dataNote(r, page)
	body, err := s.execute(name, page)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// execute runs template name inside the layout.
func (s *Server) execute(name string, page Page) ([]byte, error) {
	t, ok := s.templates[name]
	if !ok {
		return nil, fmt.Errorf("unknown template %s", name)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout.html", page); err != nil {
		return nil, fmt.Errorf("render %s: %w", name, err)
	}
	return buf.Bytes(), nil
}

// staticHandler serves the embedded bundle (app.js, app.css; no CDN).
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
