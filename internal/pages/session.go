package pages

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
	"time"

	"healthcode"
)

// Cookies. The session cookies hold the service's own bearer tokens, so a
// page session is an API session: HttpOnly, SameSite=Lax, Secure on TLS.
const (
	cookieSession = "hc_session" // a citizen's session token
	cookieStaff   = "hc_staff"   // a staff session's token, opened with a checkpoint's or an admin's key
	cookieCSRF    = "hc_csrf"    // the form token, compared with each POST
	cookieLang    = "hc_lang"
	cookieText    = "hc_text" // "large" for the large-text option
)

// maxForm bounds a form's body; no form of ours comes near it.
const maxForm = 64 << 10

// ctx is what one request knows about its caller and their preferences.
type ctx struct {
	lang    string // "zh" or "en"
	large   bool
	csrf    string
	citizen *healthcode.Principal
	staff   *healthcode.Principal // a checkpoint's or an admin's key
}

// staffRole reports whether a key of role may use the staff pages:
// checkpoints scan, admins make venue codes.
func staffRole(r healthcode.Role) bool {
	return r == healthcode.RoleCheckpoint || r == healthcode.RoleAdmin
}

// staffRole is the logged-in staff key's role, or "".
func (c *ctx) staffRole() healthcode.Role {
	if c.staff == nil {
		return ""
	}
	return c.staff.Role
}

// localPath returns next when it is a path on this site, else "": a
// login must not send anyone to another site. Browsers drop tabs and
// other control characters from a Location and read a backslash as a
// slash, so "/\t/evil.example" would leave the site: next must be a
// plain path, as url.Parse sees it too.
func localPath(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.Contains(next, "\\") {
		return ""
	}
	for _, c := range next {
		if c < 0x20 || c == 0x7f {
			return ""
		}
	}
	if u, err := url.Parse(next); err != nil || u.Scheme != "" || u.Host != "" || u.User != nil {
		return ""
	}
	return next
}

func (p *Pages) handle(rt route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c := &ctx{lang: "zh"}
		p.preferences(w, r, c)
		c.csrf = p.csrfToken(w, r)
		if r.Method == http.MethodPost {
			r.Body = http.MaxBytesReader(w, r.Body, maxForm)
			if err := p.cross.Check(r); err != nil || !validCSRF(r, c.csrf) {
				p.fail(w, r, c, http.StatusForbidden, translate(c.lang, "err.csrf"))
				return
			}
		}
		if tok := cookieValue(r, cookieSession); tok != "" {
			if who, err := p.svc.Authenticate(r.Context(), tok); err == nil && who.Role == healthcode.RoleCitizen {
				c.citizen = who
			}
		}
		if tok := cookieValue(r, cookieStaff); tok != "" {
			if who, err := p.svc.Authenticate(r.Context(), tok); err == nil && staffRole(who.Role) {
				c.staff = who
			}
		}
		if rt.access == citizen && c.citizen == nil {
			// A GET comes back after logging in: a venue's code opened
			// by someone not yet logged in still records the visit.
			next := ""
			if r.Method == http.MethodGet {
				next = "?next=" + url.QueryEscape(r.URL.Path)
			}
			http.Redirect(w, r, "/login"+next, http.StatusSeeOther)
			return
		}
		w.Header().Set("Cache-Control", "no-store")
		if class := limited[rt.pattern]; class != "" {
			if err := p.svc.Limit(r.Context(), class, c.citizen); err != nil {
				p.failErr(w, r, c, err)
				return
			}
		}
		rt.handler(p, w, r, c)
	})
}

// preferences reads the language and text size from the query (the
// visible switches are plain links) or else from their cookies, and keeps
// a switch in its cookie for the pages that follow.
func (p *Pages) preferences(w http.ResponseWriter, r *http.Request, c *ctx) {
	if v := cookieValue(r, cookieLang); v == "en" {
		c.lang = "en"
	}
	c.large = cookieValue(r, cookieText) == "large"
	q := r.URL.Query()
	if v := q.Get("lang"); v == "en" || v == "zh" {
		c.lang = v
		p.setCookie(w, r, cookieLang, v, 365*24*time.Hour)
	}
	if v := q.Get("text"); v == "large" || v == "normal" {
		c.large = v == "large"
		p.setCookie(w, r, cookieText, v, 365*24*time.Hour)
	}
}

// csrfToken returns the caller's form token, giving them one first if they
// have none. It is compared with the form field on every POST: another
// site can make a browser send the cookie but cannot read it to fill in
// the field.
func (p *Pages) csrfToken(w http.ResponseWriter, r *http.Request) string {
	if v := cookieValue(r, cookieCSRF); len(v) == 43 {
		return v
	}
	b := make([]byte, 32)
	rand.Read(b)
	v := base64.RawURLEncoding.EncodeToString(b)
	p.setCookie(w, r, cookieCSRF, v, 0)
	return v
}

func validCSRF(r *http.Request, want string) bool {
	got := r.PostFormValue("csrf")
	return got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

func cookieValue(r *http.Request, name string) string {
	if ck, err := r.Cookie(name); err == nil {
		return ck.Value
	}
	return ""
}

// setCookie sets a cookie for the whole site; maxAge 0 makes it last the
// browser session, a negative maxAge deletes it. Cookies are Secure when
// the site is served over HTTPS: here, or, behind a proxy ending TLS,
// as the public address says.
func (p *Pages) setCookie(w http.ResponseWriter, r *http.Request, name, value string, maxAge time.Duration) {
	ck := &http.Cookie{Name: name, Value: value, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode,
		Secure: r.TLS != nil || p.public.Scheme == "https"}
	switch {
	case maxAge > 0:
		ck.MaxAge = int(maxAge.Seconds())
	case maxAge < 0:
		ck.MaxAge = -1
	}
	http.SetCookie(w, ck)
}
