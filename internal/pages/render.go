package pages

import (
	"bytes"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"

	"healthcode"
	"healthcode/internal/division"
	"healthcode/internal/httpstatus"
	"healthcode/policy"
)

// templates holds one parsed set per page: the layout plus the page.
type templates map[string]*template.Template

func parseTemplates() (templates, error) {
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	t := templates{}
	for _, name := range names {
		base := path.Base(name)
		if base == "layout.html" || base == "partials.html" {
			continue
		}
		set, err := template.New(base).Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/partials.html", name)
		if err != nil {
			return nil, fmt.Errorf("parse %s: %w", name, err)
		}
		t[strings.TrimSuffix(base, ".html")] = set
	}
	return t, nil
}

var funcs = template.FuncMap{
	"clock":    func(t time.Time) string { return t.In(policy.ChinaTime).Format("2006-01-02 15:04:05") },
	"day":      func(t time.Time) string { return t.In(policy.ChinaTime).Format("2006-01-02") },
	"minute":   func(t time.Time) string { return t.In(policy.ChinaTime).Format("2006-01-02 15:04") },
	"hms":      func(t time.Time) string { return t.In(policy.ChinaTime).Format("15:04:05") },
	"unix":     func(t time.Time) int64 { return t.Unix() },
	"lifetime": lifetime,
	"sub":      func(a, b int) int { return a - b },
	"safe":     func(s string) template.HTML { return template.HTML(s) }, // only for SVG this server drew
	"list":     func(s ...string) []string { return s },
	"field":    newField,
	"fieldID":  fieldID,
}

// formField is what the "text" partial needs to draw one labelled input.
type formField struct {
	ID, Name, Label, Type, Mode, Auto, Value, Error string
}

// newField describes the input for a form field; kind is an input type,
// or "decimal" for a number typed on a phone's number pad.
func newField(pg *page, name, label, kind, auto string) formField {
	f := formField{ID: fieldID(name), Name: name, Label: pg.T(label), Type: kind, Auto: auto,
		Value: pg.Val(name), Error: pg.Err(name)}
	switch kind {
	case "decimal":
		f.Type, f.Mode = "text", "decimal"
	case "tel":
		f.Mode = "numeric"
	}
	return f
}

// fieldID turns a field name such as identity.number into an element id.
func fieldID(name string) string { return strings.ReplaceAll(name, ".", "-") }

// page is what every template receives.
type page struct {
	Lang     string
	Large    bool
	Elder    bool // elder mode: the code page shows a large QR and little else
	CSRF     string
	LoggedIn bool
	Staff    string                // the checkpoint's name when staff are logged in
	Official *healthcode.Principal // the official logged in: role and scope
	Here     string                // this page's address, for the language and text switches
	keep     url.Values            // the query the switches keep: the checkpoint's mode
	Title    string
	Message  string            // an error about the whole form or page
	Notice   string            // a success message
	Form     url.Values        // what the person typed, to show again
	Errors   map[string]string // field name → why it is wrong
	Data     any
	// retryAfter is sent as Retry-After: a form refused by a rate limit or
	// while a service is down says when to try again.
	retryAfter time.Duration
}

// T looks a message up in the page's language.
func (pg *page) T(key string) string { return translate(pg.Lang, key) }

// Region is a division's name with the divisions it lies in, in the
// page's language: 浙江省杭州市西湖区, never a bare 330106.
func (pg *page) Region(code string) string { return division.Path(code, pg.Lang) }

// RegionShort is the short name the apps give a region's code: 杭州.
func (pg *page) RegionShort(code string) string { return division.Short(code, pg.Lang) }

// Text picks the page's language out of a two-language text.
func (pg *page) Text(t healthcode.Text) string {
	if pg.Lang == "en" || t.Zh == "" {
		return t.En
	}
	return t.Zh
}

// Val is the value typed into a field.
func (pg *page) Val(name string) string { return pg.Form.Get(name) }

// Is reports whether the field holds value: for radios, checkboxes and
// select options.
func (pg *page) Is(name, value string) bool { return pg.Form.Get(name) == value }

// Err is the reason a field was refused, or "".
func (pg *page) Err(name string) string { return pg.Errors[name] }

// Color is a colour's word in the page's language, so colour is never
// the only signal.
func (pg *page) Color(c healthcode.Color) string { return pg.T("color." + c.String()) }

// Switch is this page's address with key=value added to the query it
// keeps: the language and text-size links.
func (pg *page) Switch(key, value string) string {
	q := url.Values{}
	for k, v := range pg.keep {
		q[k] = v
	}
	q.Set(key, value)
	return pg.Here + "?" + q.Encode()
}

func (p *Pages) newPage(r *http.Request, c *ctx, title string) *page {
	pg := &page{Lang: c.lang, Large: c.large, Elder: c.elder, CSRF: c.csrf, LoggedIn: c.citizen != nil, Here: r.URL.Path,
		Form: url.Values{}, Errors: map[string]string{}, keep: url.Values{}}
	// r.FormValue reads the query, or the posted form of a POST.
	if r.FormValue("mode") == "community" {
		pg.keep.Set("mode", "community")
	}
	if c.staff != nil {
		pg.Staff = c.staff.Name
	}
	pg.Official = c.official
	if r.Method != http.MethodGet {
		pg.Here = getTwin(r.URL.Path)
	}
	pg.Title = pg.T(title)
	return pg
}

// getTwin is the page a POST's answer switches language on.
func getTwin(p string) string {
	switch p {
	case "/checkpoint/verify", "/checkpoint/login":
		return "/checkpoint"
	case "/login/code":
		return "/login"
	case "/logout":
		return "/"
	case "/venues":
		return "/venues/new"
	case "/officials/logout":
		return "/officials/login"
	}
	for _, suffix := range []string{"/unmask", "/workflows", "/findings", "/steps"} {
		if q, ok := strings.CutSuffix(p, suffix); ok && officialPage(p) {
			return q
		}
	}
	return p
}

// render writes a page; a template error is the server's fault.
func (p *Pages) render(w http.ResponseWriter, r *http.Request, status int, name string, pg *page) {
	t, ok := p.tmpl[name]
	if !ok {
		panic("pages: no template " + name)
	}
	var b bytes.Buffer
	if err := t.ExecuteTemplate(&b, "layout", pg); err != nil {
		p.log.ErrorContext(r.Context(), "render page", "page", name, "err", err)
		http.Error(w, "Internal error.", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	httpstatus.SetRetryAfter(w.Header(), pg.retryAfter)
	w.WriteHeader(status)
	w.Write(b.Bytes())
}

// fail shows a page with only a message and a way back.
func (p *Pages) fail(w http.ResponseWriter, r *http.Request, c *ctx, status int, msg string) {
	pg := p.newPage(r, c, "title.error")
	pg.Message = msg
	p.render(w, r, status, "error", pg)
}

// notFound answers a path no page has with a page in the site's
// language. The API's own paths keep the API's plain answer.
func (p *Pages) notFound(w http.ResponseWriter, r *http.Request, c *ctx) {
	if strings.HasPrefix(r.URL.Path, "/api/") {
		http.NotFound(w, r)
		return
	}
	p.fail(w, r, c, http.StatusNotFound, translate(c.lang, "err.no_page"))
}

// failErr shows a service error as a page: internal errors are logged and
// shown only as "Internal error".
func (p *Pages) failErr(w http.ResponseWriter, r *http.Request, c *ctx, err error) {
	code := healthcode.ErrorCode(err)
	switch code {
	case healthcode.EINTERNAL:
		p.log.ErrorContext(r.Context(), "page error", "pattern", r.Pattern, "err", err)
	case healthcode.EUNAVAILABLE:
		p.log.WarnContext(r.Context(), "unavailable, try again later", "pattern", r.Pattern, "err", err)
	}
	httpstatus.RetryAfter(w, err)
	p.fail(w, r, c, httpstatus.OfForm(code), p.message(c, err))
}

// unavailable is err when it says the database (or a provider) cannot be
// reached, else nil.
func unavailable(err error) error {
	if healthcode.ErrorCode(err) == healthcode.EUNAVAILABLE {
		return err
	}
	return nil
}

// formError puts a service error on a form: each bad field's reason next
// to the field, anything else at the top. The form keeps what was typed.
func (p *Pages) formError(r *http.Request, c *ctx, pg *page, err error) int {
	code := healthcode.ErrorCode(err)
	if code == healthcode.EINTERNAL {
		p.log.ErrorContext(r.Context(), "form error", "pattern", r.Pattern, "err", err)
	}
	pg.retryAfter = healthcode.ErrorRetryAfter(err)
	fields := healthcode.ErrorFields(err)
	for _, f := range fields {
		pg.Errors[f.Field] = f.In(c.lang)
	}
	regionError(pg)
	if len(fields) > 0 {
		pg.Message = translate(c.lang, "err.fields")
		if why := pg.Errors["identity"]; why != "" {
			pg.Message = why // no one field of the form is at fault
		}
		return http.StatusUnprocessableEntity
	}
	pg.Message = p.message(c, err)
	return httpstatus.OfForm(code)
}

// message is an error's safe message in the page's language, from the
// one catalogue of messages.
func (p *Pages) message(c *ctx, err error) string {
	if healthcode.ErrorCode(err) == healthcode.EUNAVAILABLE {
		return translate(c.lang, "err.unavailable")
	}
	return healthcode.ErrorIn(err, c.lang)
}
