package web_test

import (
	"encoding/base64"
	"encoding/json"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"unicode"

	"github.com/rastro/rastro/internal/demo"
	"github.com/rastro/rastro/internal/model"
	"github.com/rastro/rastro/internal/store"
	"github.com/rastro/rastro/internal/storetest"
)

// pageURL finds the URLs a page's HTML holds: links, forms, sources and
// the data-source of the cascading selects.
var pageURL = regexp.MustCompile(`(?:href|src|action|formaction|data-source)="([^"]*)"`)

// personal is what of a tenant's contacts must never be in a URL: names,
// phones and documents as sent, folded (the old Fluxo cursor's sort key),
// and phones and documents as bare digits.
type personal struct {
	texts  []string // lower case
	digits []string
}

func contactsOf(t *testing.T, raw [][]byte) personal {
	t.Helper()
	var p personal
	for _, b := range raw {
		var ev model.Event
		if err := json.Unmarshal(b, &ev); err != nil {
			t.Fatal(err)
		}
		if ev.Type != model.TypeContactUpserted || ev.Contact == nil {
			continue
		}
		c := ev.Contact
		if c.Name != "" {
			p.texts = append(p.texts, strings.ToLower(c.Name), store.SearchKey(c.Name))
		}
		for _, v := range append([]string{c.Document}, c.Phones...) {
			if v == "" {
				continue
			}
			p.texts = append(p.texts, strings.ToLower(v))
			if d := onlyDigits(v); len(d) >= 8 {
				p.digits = append(p.digits, d)
			}
		}
	}
	if len(p.texts) == 0 {
		t.Fatal("the demo data has no contacts")
	}
	return p
}

func onlyDigits(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsDigit(r) {
			return r
		}
		return -1
	}, s)
}

// leak names the personal datum u carries, "" when none: u is read
// decoded, each of its query values and path segments also as bare digits
// and, for a cursor, as the base64 it may be.
func (p personal) leak(u string) string {
	parsed, err := url.Parse(u)
	if err != nil {
		return "unparsable URL"
	}
	values := strings.Split(parsed.Path, "/")
	for k, vs := range parsed.Query() {
		values = append(values, vs...)
		if k == "cursor" {
			for _, v := range vs {
				if b, err := base64.RawURLEncoding.DecodeString(v); err == nil {
					values = append(values, string(b))
				}
			}
		}
	}
	for _, v := range values {
		low := strings.ToLower(v)
		for _, s := range p.texts {
			if len(s) >= 4 && strings.Contains(low, s) {
				return s
			}
		}
		d := onlyDigits(v)
		for _, s := range p.digits {
			if strings.Contains(d, s) && len(d) < 2*len(s) {
				return s
			}
		}
	}
	return ""
}

// No report page puts anything personal in a URL (browser history, proxy
// and server logs, the Referer): walking the demo month's pages — every
// report, its pagination (keyset cursors), drill-downs, histories and
// the Fluxo Ágil's Ação —, no link, form or source holds a contact's name,
// phone or document.
func TestNoReportPageURLCarriesAContactsNameOrPhoneOrDocument(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s storetest.Store) {
		e := newEnv(t, s)
		p := contactsOf(t, e.raw[tenantA])
		from := demo.DefaultStart.Format("2006-01-02")
		to := demo.DefaultStart.AddDate(0, 0, 30).Format("2006-01-02")
		period := "from=" + from + "&to=" + to
		queue := []string{
			"/fluxo-agil?" + period + "&limit=10",
			"/fluxo-agil?" + period + "&limit=10&sort=name",
			"/ivr?" + period + "&group_by=ivr",
			"/ivr?" + period + "&group_by=service",
			"/agentes?" + period + "&media=voice",
		}
		for _, m := range e.media {
			queue = append(queue, "/rastreio?media="+m.ID+"&"+period+"&limit=10")
		}
		// Pages fetched per route, so every kind is walked in bounded time.
		budget := map[string]int{"/rastreio": 30, "/historico/": 15, "/fluxo-agil": 20, "/fluxo-agil/": 10, "/ivr": 5, "/agentes": 5}
		route := func(path string) string {
			for _, r := range []string{"/historico/", "/fluxo-agil/"} {
				if strings.HasPrefix(path, r) {
					return r
				}
			}
			return path
		}
		seen := map[string]bool{}
		checked, fetched := 0, map[string]int{}
		for len(queue) > 0 {
			path := queue[0]
			queue = queue[1:]
			if seen[path] {
				continue
			}
			seen[path] = true
			u, _ := url.Parse(path)
			r := route(u.Path)
			if fetched[r] >= budget[r] {
				continue
			}
			fetched[r]++
			res := e.ui(t, "admin", http.MethodGet, path, nil)
			if res.Code != http.StatusOK {
				t.Errorf("%s: %d", path, res.Code)
				continue
			}
			for _, m := range pageURL.FindAllStringSubmatch(string(res.Body), -1) {
				link := html.UnescapeString(m[1])
				checked++
				if what := p.leak(link); what != "" {
					t.Errorf("%s links %s, which carries %q", path, link, what)
				}
				if strings.HasPrefix(link, "/") && !strings.HasPrefix(link, "//") {
					queue = append(queue, link)
				}
			}
		}
		for r, n := range budget {
			if fetched[r] == 0 {
				t.Errorf("no %s page walked (fetched %v)", r, fetched)
			} else if n > 0 && fetched[r] < 2 && r != "/ivr" && r != "/agentes" {
				t.Errorf("only %d %s page walked", fetched[r], r)
			}
		}
		if fetched["/fluxo-agil"] < 3 || checked < 500 {
			t.Errorf("walked too little: %v pages, %d URLs", fetched, checked)
		}
		t.Logf("walked %v pages, checked %d URLs", fetched, checked)
	})
}
