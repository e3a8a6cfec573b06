package pages

import (
	"cmp"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
	"time"

	"healthcode"
	"healthcode/internal/permission"
)

// Cookies. The session cookies hold the service's own bearer tokens, so a
// page session is an API session: HttpOnly, SameSite=Lax, Secure on TLS,
// and over HTTPS named with the __Host- prefix (see cookieName).
const (
	cookieSession  = "hc_session"  // a citizen's session token
	cookieStaff    = "hc_staff"    // a staff session's token, opened with a checkpoint's or an admin's key
	cookieOfficial = "hc_official" // an official's session token (hco_…), opened with password and TOTP code
	cookieCSRF     = "hc_csrf"     // the browser's random id, which its form token is bound to before any session
	cookieLang     = "hc_lang"
	cookieText     = "hc_text" // "large" for the large-text option, "elder" for elder mode, which is large text too
)

// maxForm bounds a form's body; no form of ours comes near it but the
// uploads, which bounds raises for their routes only.
const maxForm = 64 << 10

// ctx is what one request knows about its caller and their preferences.
type ctx struct {
	lang    string // "zh" or "en"
	large   bool
	elder   bool // elder mode (长辈模式): large text, and the code page shows the QR first and little else
	csrf    string
	citizen *healthcode.Principal
	staff   *healthcode.Principal // a checkpoint's or an admin's key
	// official is an official's account: role and scope, never a name.
	official *healthcode.Principal
}

// staffKey reports whether who may use the staff pages: checkpoints scan,
// admins make venue codes.
func staffKey(who *healthcode.Principal) bool {
	return permission.Can(who, permission.StaffLogin, "")
}

// officialAccount reports whether who is an official's account, whose
// pages are under /officials.
func officialAccount(who *healthcode.Principal) bool {
	return who != nil && who.OfficialID != 0
}

// officialPage reports whether path is one of the officials' pages.
func officialPage(path string) bool {
	return path == "/officials" || strings.HasPrefix(path, "/officials/")
}

// citizenAccount reports whether who is a citizen, whose pages these are.
func citizenAccount(who *healthcode.Principal) bool {
	return permission.Can(who, permission.ManagePersons, "")
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
		var down, staffDown, officialDown error // a login that cannot be checked now is not a logout
		c.citizen, down = p.sessionOf(r, cookieSession, citizenAccount)
		c.staff, staffDown = p.sessionOf(r, cookieStaff, staffKey)
		c.official, officialDown = p.sessionOf(r, cookieOfficial, officialAccount)
		if down = cmp.Or(down, staffDown, officialDown); down != nil {
			p.failErr(w, r, c, down)
			return
		}
		c.csrf = p.formToken(w, r, c)
		if r.Method == http.MethodPost {
			if !p.readForm(w, r, c, rt.pattern) {
				return
			}
			if err := p.cross.Check(r); err != nil || !validCSRF(r, c.csrf) {
				p.fail(w, r, c, http.StatusForbidden, translate(c.lang, "err.csrf"))
				return
			}
		}
		if !permission.Can(c.citizen, rt.perm, "") && !permission.Can(c.staff, rt.perm, "") && !permission.Can(c.official, rt.perm, "") {
			p.refuse(w, r, c, rt.perm)
			return
		}
		w.Header().Set("Cache-Control", "no-store")
		if class := limited[rt.pattern]; class != "" {
			who := c.citizen // an official's forms count against the official's account, a checkpoint's against its key
			if officialPage(r.URL.Path) {
				who = c.official
			} else if strings.HasPrefix(r.URL.Path, "/checkpoint/") {
				who = c.staff
			}
			if err := p.svc.Limit(r.Context(), class, who); err != nil {
				p.failErr(w, r, c, err)
				return
			}
		}
		rt.handler(p, w, r, c)
	})
}

// refuse answers a caller without perm: a citizen's page sends the
// browser to log in, an official's page sends it to the officials' login
// unless an official without the permission is logged in, and a staff
// page answers 403.
func (p *Pages) refuse(w http.ResponseWriter, r *http.Request, c *ctx, perm permission.Permission) {
	if officialPage(r.URL.Path) && c.official == nil {
		http.Redirect(w, r, "/officials/login"+nextQuery(r), http.StatusSeeOther)
		return
	}
	if permission.Of(healthcode.RoleCitizen)&perm != perm {
		p.failErr(w, r, c, healthcode.Errorf(healthcode.EFORBIDDEN, "This needs a staff key with the permission to open this page."))
		return
	}
	http.Redirect(w, r, "/login"+nextQuery(r), http.StatusSeeOther)
}

// nextQuery is the query that brings a GET back after logging in: a
// venue's code opened by someone not yet logged in still records the
// visit, an official's link from a colleague opens once logged in.
func nextQuery(r *http.Request) string {
	if r.Method != http.MethodGet {
		return ""
	}
	return "?next=" + url.QueryEscape(r.URL.Path)
}

// sessionOf is the principal of the session in the cookie name when it is
// one allowed, else nil; the error says only that the session cannot be
// checked now (the database is away), which is not a logout.
func (p *Pages) sessionOf(r *http.Request, name string, allowed func(*healthcode.Principal) bool) (*healthcode.Principal, error) {
	tok := p.cookie(r, name)
	if tok == "" {
		return nil, nil
	}
	who, err := p.svc.Authenticate(r.Context(), tok)
	if err != nil || !allowed(who) {
		return nil, unavailable(err)
	}
	return who, nil
}

// preferences reads the language and text size from the query (the
// visible switches are plain links) or else from their cookies, and keeps
// a switch in its cookie for the pages that follow.
func (p *Pages) preferences(w http.ResponseWriter, r *http.Request, c *ctx) {
	if v := p.cookie(r, cookieLang); v == "en" {
		c.lang = "en"
	}
	c.large, c.elder = textSize(p.cookie(r, cookieText))
	q := r.URL.Query()
	if v := q.Get("lang"); v == "en" || v == "zh" {
		c.lang = v
		p.setCookie(w, r, cookieLang, v, 365*24*time.Hour)
	}
	if v := q.Get("text"); v == "large" || v == "elder" || v == "normal" {
		c.large, c.elder = textSize(v)
		p.setCookie(w, r, cookieText, v, 365*24*time.Hour)
	}
}

// textSize reads a text-size preference: elder mode is large text too,
// and leaving either ("normal") leaves both.
func textSize(v string) (large, elder bool) { return v == "large" || v == "elder", v == "elder" }

// formToken returns the caller's form token, which every POST must carry:
// another site can make a browser send its cookies but cannot read a page
// to copy the field. The token is bound to the session, a MAC of the
// citizen's or else the staff session's token, so a token made for one
// session fails for every other, and planting a cookie (from a sibling
// subdomain over plain HTTP) gives nothing. Before any session it is bound
// to the browser's random id, which only the login forms use.
func (p *Pages) formToken(w http.ResponseWriter, r *http.Request, c *ctx) string {
	switch {
	case c.citizen != nil:
		return p.svc.FormToken("citizen\x00" + p.cookie(r, cookieSession))
	case c.staff != nil:
		return p.svc.FormToken("staff\x00" + p.cookie(r, cookieStaff))
	case c.official != nil:
		return p.svc.FormToken("official\x00" + p.cookie(r, cookieOfficial))
	}
	id := p.cookie(r, cookieCSRF)
	if len(id) != 43 {
		b := make([]byte, 32)
		rand.Read(b)
		id = base64.RawURLEncoding.EncodeToString(b)
		p.setCookie(w, r, cookieCSRF, id, 0)
	}
	return p.svc.FormToken("browser\x00" + id)
}

func validCSRF(r *http.Request, want string) bool {
	got := r.PostFormValue("csrf")
	return got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

// cookie returns the value of the pages' cookie name, under the name it
// has on this request's scheme: over HTTPS an unprefixed cookie, which
// anyone able to plant one could have set, is not read.
func (p *Pages) cookie(r *http.Request, name string) string {
	if ck, err := r.Cookie(p.cookieName(r, name)); err == nil {
		return ck.Value
	}
	return ""
}

// https reports whether r reached the site over HTTPS: here, or, behind a
// proxy ending TLS, as the public address says.
func (p *Pages) https(r *http.Request) bool {
	return r.TLS != nil || p.public.Scheme == "https"
}

// cookieName is name as the browser keeps it. Over HTTPS it carries the
// __Host- prefix: a browser takes such a cookie only from this very host,
// Secure, for Path=/ and without a Domain, so neither a sibling subdomain
// nor a plain-HTTP answer can plant or overwrite it.
func (p *Pages) cookieName(r *http.Request, name string) string {
	if p.https(r) {
		return "__Host-" + name
	}
	return name
}

// setCookie sets a cookie for the whole site; maxAge 0 makes it last the
// browser session, a negative maxAge deletes it. Cookies are Secure when
// the site is served over HTTPS: here, or, behind a proxy ending TLS,
// as the public address says.
func (p *Pages) setCookie(w http.ResponseWriter, r *http.Request, name, value string, maxAge time.Duration) {
	ck := &http.Cookie{Name: p.cookieName(r, name), Value: value, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode,
		Secure: p.https(r)}
	switch {
	case maxAge > 0:
		ck.MaxAge = int(maxAge.Seconds())
	case maxAge < 0:
		ck.MaxAge = -1
	}
	http.SetCookie(w, ck)
}
