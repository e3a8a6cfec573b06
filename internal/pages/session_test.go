package pages

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"healthcode/internal/service"
)

// cookieOf returns the value of the cookie name b holds for its site.
func (b *browser) cookieOf(name string) string {
	b.t.Helper()
	site, err := url.Parse(b.base)
	if err != nil {
		b.t.Fatal(err)
	}
	for _, ck := range b.c.Jar.Cookies(site) {
		if ck.Name == name {
			return ck.Value
		}
	}
	return ""
}

// plant sets a cookie in b's jar, as a sibling subdomain over plain HTTP
// could with Domain= the parent domain.
func (b *browser) plant(name, value string) {
	b.t.Helper()
	site, err := url.Parse(b.base)
	if err != nil {
		b.t.Fatal(err)
	}
	b.c.Jar.SetCookies(site, []*http.Cookie{{Name: name, Value: value, Path: "/"}})
}

// stillLoggedIn fails unless b's session still opens the citizen pages.
func (b *browser) stillLoggedIn() {
	b.t.Helper()
	if p := b.get("/app/apply"); p.path != "/app/apply" {
		b.t.Errorf("the session ended: landed on %s", p.path)
	}
}

// TestFormTokenOfAnotherSessionIsRefused: a form token is bound to the
// session it was made for, so one copied from another session, or from
// before logging in, opens nothing.
func TestFormTokenOfAnotherSessionIsRefused(t *testing.T) {
	s := newSite(t)
	alice, bob := s.browser(t), s.browser(t)
	bob.get("/login")
	beforeLogin := bob.csrf
	alice.login("13900000011").must(t, http.StatusOK, "/app/apply")
	bob.login("13900000012").must(t, http.StatusOK, "/app/apply")
	if alice.csrf == bob.csrf || bob.csrf == beforeLogin {
		t.Fatal("two sessions, or a session and the browser before it, share a form token")
	}
	for _, secret := range []string{bob.cookieOf(cookieSession), bob.cookieOf(cookieCSRF)} {
		if bob.csrf == secret {
			t.Fatal("the form token repeats a cookie")
		}
	}
	for name, token := range map[string]string{"alice's": alice.csrf, "bob's before logging in": beforeLogin} {
		t.Run(name, func(t *testing.T) {
			bob.post("/logout", url.Values{"csrf": {token}}).must(t, http.StatusForbidden, "", "表单已过期")
			bob.stillLoggedIn()
		})
	}
	bob.post("/logout", url.Values{}).must(t, http.StatusOK, "/")
	alice.stillLoggedIn()
}

// TestPlantedCookieGivesNoFormToken is the attack the binding stops: an
// attacker who can set the victim's cookies (a sibling subdomain over
// plain HTTP) plants the browser id whose form token they fetched for
// themselves, or any well-formed value repeated in the form; the victim's
// session refuses both.
func TestPlantedCookieGivesNoFormToken(t *testing.T) {
	s := newSite(t)
	attacker, victim := s.browser(t), s.browser(t)
	attacker.get("/login")
	id, token := attacker.cookieOf(cookieCSRF), attacker.csrf
	victim.login("13900000013").must(t, http.StatusOK, "/app/apply")

	victim.plant(cookieCSRF, id)
	victim.post("/logout", url.Values{"csrf": {token}}).must(t, http.StatusForbidden, "", "表单已过期")
	victim.stillLoggedIn()

	planted := strings.Repeat("a", 43)
	victim.plant(cookieCSRF, planted)
	victim.post("/logout", url.Values{"csrf": {planted}}).must(t, http.StatusForbidden, "", "表单已过期")
	victim.stillLoggedIn()
}

// newTLSSite is newSite served over HTTPS, as a browser sees a
// deployment behind its TLS proxy.
func newTLSSite(t *testing.T) *site {
	t.Helper()
	return newSiteServed(t, service.Config{Issuer: "330100", Dev: true}, httptest.NewTLSServer)
}

// TestHTTPSUsesHostPrefixedCookiesAndHSTS walks a login and a logout over
// HTTPS without JavaScript: every cookie carries the __Host- prefix, an
// unprefixed session cookie (which anyone able to plant one could have
// set) is not read, and answers carry Strict-Transport-Security.
func TestHTTPSUsesHostPrefixedCookiesAndHSTS(t *testing.T) {
	s := newTLSSite(t)
	b := s.browser(t)
	b.login("13900000014").must(t, http.StatusOK, "/app/apply", "申领健康码")
	site, err := url.Parse(s.srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	cookies := b.c.Jar.Cookies(site)
	if len(cookies) < 2 {
		t.Fatalf("cookies %v, want the browser id and the session", cookies)
	}
	for _, ck := range cookies {
		if !strings.HasPrefix(ck.Name, "__Host-") {
			t.Errorf("cookie %s over HTTPS lacks the __Host- prefix", ck.Name)
		}
	}
	session := b.cookieOf("__Host-" + cookieSession)

	req, err := http.NewRequest("GET", s.srv.URL+"/app", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.AddCookie(&http.Cookie{Name: cookieSession, Value: session})
	client := s.srv.Client()
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if loc := res.Header.Get("Location"); res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/login") {
		t.Errorf("an unprefixed session cookie over HTTPS: status %d to %q, want 303 to /login", res.StatusCode, loc)
	}
	if got := res.Header.Get("Strict-Transport-Security"); !strings.HasPrefix(got, "max-age=") {
		t.Errorf("Strict-Transport-Security %q over HTTPS", got)
	}
	b.post("/logout", url.Values{}).must(t, http.StatusOK, "/")
}

// TestPagesKeepTheirOwnPolicyUnderTheAPIs: mounted in the API's server,
// whose answers load nothing, pages and their scripts keep the policy
// that lets the vendored jsQR, the camera and inline QR images work.
func TestPagesKeepTheirOwnPolicyUnderTheAPIs(t *testing.T) {
	s := newSite(t)
	for _, path := range []string{"/login", "/checkpoint", "/static/jsQR.js"} {
		res, err := http.Get(s.srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		csp := res.Header.Get("Content-Security-Policy")
		for _, want := range []string{"default-src 'self'", "media-src 'self' blob:", "frame-ancestors 'none'"} {
			if !strings.Contains(csp, want) {
				t.Errorf("%s: Content-Security-Policy %q lacks %q", path, csp, want)
			}
		}
		if got := res.Header.Get("X-Content-Type-Options"); got != "nosniff" {
			t.Errorf("%s: X-Content-Type-Options %q", path, got)
		}
	}
}
