package pages

import (
	"net/http"
	"net/url"
	"strconv"

	"healthcode/internal/permission"
	"healthcode/internal/service"
)

// venueView is a venue's printable poster.
type venueView struct {
	Venue *service.Venue
	URL   string // what the QR opens
	QR    string // inline SVG
}

func (p *Pages) venueForm(w http.ResponseWriter, r *http.Request, c *ctx) {
	pg := p.newPage(r, c, "title.venue_new")
	pg.Data = permission.Can(c.staff, permission.CreateVenues, "")
	pg.Form.Set("region", p.homeRegion(c))
	p.render(w, r, http.StatusOK, "venue_new", pg)
}

// createVenue makes a venue code (admins only) and shows its poster.
func (p *Pages) createVenue(w http.ResponseWriter, r *http.Request, c *ctx) {
	pg := p.newPage(r, c, "title.venue_new")
	pg.Form = keep(r.PostForm, append([]string{"name"}, regionFields...))
	pg.Data = permission.Can(c.staff, permission.CreateVenues, "")
	if regionStep(r) {
		p.render(w, r, http.StatusOK, "venue_new", pg)
		return
	}
	v, err := p.svc.CreateVenue(c.staff, r.PostFormValue("name"), pickedRegion(r.PostForm))
	if err != nil {
		p.render(w, r, p.formError(r, c, pg, err), "venue_new", pg)
		return
	}
	http.Redirect(w, r, "/venues/"+url.PathEscape(v.Code), http.StatusSeeOther)
}

// venuePoster is the page to print and hang at the venue's door. Anyone
// may open it: it shows only what the printed code shows.
func (p *Pages) venuePoster(w http.ResponseWriter, r *http.Request, c *ctx) {
	v, err := p.svc.Venue(r.PathValue("code"))
	if err != nil {
		p.failErr(w, r, c, err)
		return
	}
	site := p.public
	if site.Host == "" {
		site = url.URL{Scheme: "http", Host: r.Host}
		if r.TLS != nil {
			site.Scheme = "https"
		}
	}
	target := site.String() + "/v/" + url.PathEscape(v.Code)
	svg, err := inlineSVG(target)
	if err != nil {
		p.failErr(w, r, c, err)
		return
	}
	pg := p.newPage(r, c, "title.venue")
	pg.Data = &venueView{Venue: v, URL: target, QR: svg}
	p.render(w, r, http.StatusOK, "venue", pg)
}

// visitView asks whose visit a citizen records.
type visitView struct {
	Venue   *service.Venue
	Persons []*service.PersonView
}

// visitForm is what opening a venue's code shows a citizen.
func (p *Pages) visitForm(w http.ResponseWriter, r *http.Request, c *ctx) {
	v, err := p.svc.Venue(r.PathValue("code"))
	if err != nil {
		p.failErr(w, r, c, err)
		return
	}
	ps, err := p.svc.Persons(r.Context(), c.citizen)
	if err != nil {
		p.failErr(w, r, c, err)
		return
	}
	if len(ps) == 0 {
		http.Redirect(w, r, "/app/apply", http.StatusSeeOther)
		return
	}
	pg := p.newPage(r, c, "title.visit")
	pg.Form.Set("person", strconv.FormatInt(ps[0].ID, 10))
	pg.Data = &visitView{Venue: v, Persons: ps}
	p.render(w, r, http.StatusOK, "visit", pg)
}

func (p *Pages) visit(w http.ResponseWriter, r *http.Request, c *ctx) {
	id, err := strconv.ParseInt(r.PostFormValue("person"), 10, 64)
	if err != nil {
		p.fail(w, r, c, http.StatusUnprocessableEntity, translate(c.lang, "err.no_person"))
		return
	}
	if _, err := p.svc.Visit(r.Context(), c.citizen, id, r.PathValue("code")); err != nil {
		p.failErr(w, r, c, err)
		return
	}
	http.Redirect(w, r, "/app/p/"+strconv.FormatInt(id, 10)+"?done=visit", http.StatusSeeOther)
}
