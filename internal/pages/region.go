package pages

import (
	"net/http"
	"net/url"
	"strings"

	"healthcode/internal/division"
)

// The region picker (the "region" partial) is three selects: a province,
// a city of it and a county of that city, whose value — the one the
// service sees — is the form's "region", a 6-digit code. Without
// JavaScript, the "list" button (regionStep) sends the form back to be
// drawn with the lists of the province and city chosen; region.js fills
// them in place from GET /regions/{code}.
var regionFields = []string{"region.province", "region.city", "region"}

// homeRegion is where a form's picker opens: a staff member's own region
// (an admin's venues are there), else the deployment's, where most people
// apply.
func (p *Pages) homeRegion(c *ctx) string {
	if c.staff != nil && division.Valid(c.staff.Region) {
		return c.staff.Region
	}
	return p.svc.Issuer()
}

// regionStep reports whether the form was sent only to list the places
// in the province or city chosen: the page draws it again and does nothing.
func regionStep(r *http.Request) bool { return r.PostFormValue("region.list") != "" }

// chain is the province, city and county a valid code stands for, "" for
// the levels below it not chosen yet. A division with nothing under it is
// its own lower levels: 东莞市 is the city and the county, 台湾省 all three.
func chain(code string) [3]string {
	if !division.Valid(code) {
		return [3]string{}
	}
	var c [3]string
	switch {
	case division.Parent(code) == "":
		c = [3]string{code}
	case division.Parent(division.Parent(code)) == "":
		c = [3]string{division.Parent(code), code}
	default:
		return [3]string{division.Parent(division.Parent(code)), division.Parent(code), code}
	}
	for i := 1; i < 3; i++ {
		if c[i] == "" && len(division.Children(c[i-1])) == 0 {
			c[i] = c[i-1]
		}
	}
	return c
}

// chosenRegion reads the picker: each select counts only if it lies in the
// one above it, since without JavaScript a changed province leaves the
// old city and county selected. A form with only "region" (the
// confirmation screen, a prefilled form) is that code's chain.
func chosenRegion(form url.Values) [3]string {
	p, c, d := form.Get("region.province"), form.Get("region.city"), strings.TrimSpace(form.Get("region"))
	if p == "" && c == "" {
		return chain(d)
	}
	got := chain(p)
	if got[0] != p {
		return [3]string{}
	}
	if x := chain(c); c != "" && x[0] == got[0] && x[1] == c {
		got = x
	}
	if x := chain(d); d != "" && got[1] != "" && x[1] == got[1] && x[2] == d {
		got = x
	}
	return got
}

// pickedRegion is the code the picker chose for the service: the county,
// or "" while the choice is not complete (the service then says the
// region is missing, and regionError says how to finish it). A code typed
// by a client without the picker passes through for the service to judge.
func pickedRegion(form url.Values) string {
	if form.Get("region.province") == "" && form.Get("region.city") == "" {
		return strings.TrimSpace(form.Get("region"))
	}
	return chosenRegion(form)[2]
}

// regionError puts the picker's own words on a missing region: the levels
// below the one chosen are still to choose. A code given without the
// picker keeps the service's reason.
func regionError(pg *page) {
	if pg.Errors["region"] != "" && pickedRegion(pg.Form) == "" {
		pg.Errors["region"] = pg.T("region.incomplete")
	}
}

// regionPicker is what the "region" partial draws.
type regionPicker struct {
	Legend                      string
	Province, City, County      string
	Provinces, Cities, Counties []option
	Error                       string
	pg                          *page
}

// T looks a message up in the page's language.
func (rp regionPicker) T(key string) string { return rp.pg.T(key) }

// option is one choice of a select. Lang is set on an English page for a
// name that has only its Chinese form, so screen readers read it as such.
type option struct{ Value, Label, Lang string }

// Picker is the region picker of the page's form under the legend's
// message, its choice from the form's fields.
func (pg *page) Picker(legend string) regionPicker {
	c := chosenRegion(pg.Form)
	return regionPicker{Legend: pg.T(legend), Province: c[0], City: c[1], County: c[2], Error: pg.Err("region"), pg: pg,
		Provinces: options(division.Provinces(), pg.Lang),
		Cities:    pg.below(c[0]), Counties: pg.below(c[1])}
}

// below lists the choices under code: its children, or code itself when
// nothing lies under it.
func (pg *page) below(code string) []option {
	if code == "" {
		return nil
	}
	if kids := division.Children(code); len(kids) > 0 {
		return options(kids, pg.Lang)
	}
	d, _ := division.Lookup(code)
	return options([]division.Division{d}, pg.Lang)
}

func options(ds []division.Division, lang string) []option {
	out := make([]option, len(ds))
	for i, d := range ds {
		out[i] = option{Value: d.Code, Label: d.Name(lang)}
		if lang == "en" && d.En == d.Zh {
			out[i].Lang = "zh-CN"
		}
	}
	return out
}

// regions gives region.js the choices under a province or city, as the
// picker draws them: [{"code":"330102","name":"上城区"}, …].
func (p *Pages) regions(w http.ResponseWriter, r *http.Request, c *ctx) {
	code := r.PathValue("code")
	if !division.Valid(code) {
		http.NotFound(w, r)
		return
	}
	pg := &page{Lang: c.lang}
	type choice struct {
		Code string `json:"code"`
		Name string `json:"name"`
		Lang string `json:"lang,omitempty"`
	}
	out := []choice{}
	for _, o := range pg.below(code) {
		out = append(out, choice{o.Value, o.Label, o.Lang})
	}
	w.Header().Set("Cache-Control", "private, max-age=86400") // the names follow the visitor's language
	writeJSON(w, out)
}
