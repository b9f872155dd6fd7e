package web

import (
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/rastro/rastro/internal/storetest"
)

func TestBrowserLoginScopeLogoutAndThrottle(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s storetest.Store) {
		site := startSite(t, s)
		ctx := newBrowser(t)
		problems := pageProblems(t, ctx)

		// A page without a session goes to the login, which comes back to it.
		navigate(t, ctx, site.URL+"/rastreio?media=voice")
		if u := location(t, ctx); !strings.Contains(u, "/login?next=") {
			t.Fatalf("without a session /rastreio went to %s, want the login", u)
		}
		do(t, ctx, "login page", chromedp.WaitVisible(chromedp.ID("login-form")))
		if next := eval[string](t, ctx, `document.querySelector('input[name=next]').value`); next != "/rastreio?media=voice" {
			t.Fatalf("hidden next = %q", next)
		}
		screenshot(t, ctx, "1-login")

		// The scoped viewer sees only its service, with personal data masked.
		login(t, ctx, site, viewerUser, viewerPass)
		if u := location(t, ctx); !strings.HasSuffix(u, "/rastreio?media=voice") {
			t.Fatalf("after login at %s, want /rastreio?media=voice", u)
		}
		services := eval[[]string](t, ctx, `[...document.querySelectorAll('input[name=services]')].map(i => i.parentNode.textContent.trim())`)
		if len(services) != 1 || services[0] != viewerSvcName {
			t.Fatalf("services offered to the viewer = %q, want [%s]", services, viewerSvcName)
		}
		eval[bool](t, ctx, `(() => { const m = document.getElementById('media'); m.value = 'whatsapp'; m.dispatchEvent(new Event('change', {bubbles: true})); return true; })()`)
		do(t, ctx, "whatsapp filters", chromedp.WaitVisible(chromedp.CSS(`fieldset[data-filter="service_status"]`)))
		if st := clickAndWait(t, ctx, "#search"); st != 200 {
			t.Fatalf("search answered %d", st)
		}
		col := func(name string) []string {
			return eval[[]string](t, ctx, `(() => {
				const hs = [...document.querySelectorAll('#results thead th')].map(th => th.textContent.trim());
				const i = hs.indexOf(`+strconv.Quote(name)+`);
				if (i < 0) return ['<no column>'];
				return [...document.querySelectorAll('#results tbody tr')].map(tr => tr.children[i].textContent.trim());
			})()`)
		}
		svc := col("SERVIÇO")
		if len(svc) == 0 {
			t.Fatal("the viewer sees no row")
		}
		for _, v := range svc {
			if v != viewerSvcName {
				t.Fatalf("the viewer sees a row of service %q (%q)", v, svc)
			}
		}
		docs, masked := 0, 0
		for _, v := range col("DOCUMENTO") {
			if v == "" {
				continue
			}
			docs++
			if strings.Contains(v, "*") {
				masked++
			}
		}
		if docs == 0 || masked != docs {
			t.Fatalf("documents: %d shown, %d masked; want every one masked", docs, masked)
		}
		screenshot(t, ctx, "2-viewer-results")

		// A voice history of the viewer: the phones of the call are masked too.
		navigate(t, ctx, site.URL+"/rastreio?media=voice")
		if st := clickAndWait(t, ctx, "#results tbody tr:first-child a.hist"); st != 200 {
			t.Fatalf("viewer history answered %d", st)
		}
		details := eval[map[string]string](t, ctx, `Object.fromEntries([...document.querySelectorAll('#call-details > div')].map(d => [d.querySelector('dt').textContent.trim(), d.querySelector('dd').textContent.trim()]))`)
		for _, k := range []string{"De", "Para", "Número discado"} {
			if v := details[k]; v != "—" && !strings.Contains(v, "*") {
				t.Errorf("viewer history: %s = %q is not masked", k, v)
			}
		}
		if n := eval[int](t, ctx, `[...document.querySelectorAll('#path .path-who strong')].filter(s => s.textContent.trim() !== `+strconv.Quote(viewerSvcName)+`).length`); n != 0 {
			t.Errorf("viewer history shows %d legs of other services", n)
		}

		// Log out: back to the login page, and the pages need a login again.
		if st := clickAndWait(t, ctx, "#logout"); st != 200 {
			t.Fatalf("logout answered %d", st)
		}
		if u, _ := url.Parse(location(t, ctx)); u.Path != "/login" {
			t.Fatalf("after logout at %s, want /login", u)
		}
		navigate(t, ctx, site.URL+"/rastreio")
		if u, _ := url.Parse(location(t, ctx)); u.Path != "/login" {
			t.Fatalf("after logout /rastreio went to %s, want /login", u)
		}

		// Five wrong passwords (waiting when the page says so), then the
		// sixth attempt is throttled.
		attempt := func(pass string) int64 {
			do(t, ctx, "fill the login form",
				chromedp.WaitVisible(chromedp.ID("username")),
				chromedp.WaitEnabled(chromedp.ID("login-submit")),
				chromedp.SetValue(chromedp.ID("username"), viewerUser),
				chromedp.SetValue(chromedp.ID("password"), pass),
			)
			return clickAndWait(t, ctx, "#login-submit")
		}
		for failures := 0; failures < 5; {
			switch st := attempt("senha-errada"); st {
			case 401:
				failures++
				if msg := eval[string](t, ctx, `document.getElementById('login-error').textContent.trim()`); msg != "Usuário ou senha inválidos" {
					t.Fatalf("401 message = %q", msg)
				}
			case 429:
				wait := eval[string](t, ctx, `document.getElementById('login-error').getAttribute('data-wait')`)
				n, err := strconv.Atoi(wait)
				if err != nil || n < 1 {
					t.Fatalf("429 without a wait: %q", wait)
				}
				time.Sleep(time.Duration(n) * time.Second)
			default:
				t.Fatalf("wrong password answered %d", st)
			}
		}
		if st := attempt("senha-errada"); st != 429 {
			t.Fatalf("sixth attempt answered %d, want 429", st)
		}
		msg := eval[string](t, ctx, `document.getElementById('login-error').textContent.replace(/\s+/g, ' ').trim()`)
		if !strings.HasPrefix(msg, "Muitas tentativas. Aguarde ") || !strings.HasSuffix(msg, " s.") {
			t.Fatalf("throttle message = %q", msg)
		}
		if !eval[bool](t, ctx, `document.getElementById('login-submit').disabled`) {
			t.Error("the submit button is not disabled while the wait runs")
		}
		screenshot(t, ctx, "3-throttled")

		if p := problems(); len(p) > 0 {
			t.Errorf("console problems: %q", p)
		}
	})
}
