package pages

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"healthcode"
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
	v, err := p.svc.CreateVenue(r.Context(), c.staff, r.PostFormValue("name"), pickedRegion(r.PostForm))
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
	ps, ok := p.managed(w, r, c)
	if !ok {
		return
	}
	pg := p.newPage(r, c, "title.visit")
	pg.Form.Set("person", strconv.FormatInt(ps[0].ID, 10))
	pg.Data = &visitView{Venue: v, Persons: ps}
	p.render(w, r, http.StatusOK, "visit", pg)
}

// visitedView is the screen a recorded visit answers with, to show at
// the venue's door: the venue, who, when, and a warning for a code that
// must not go in.
type visitedView struct {
	Venue  *service.Venue
	Person *service.PersonView
	At     time.Time
	Warn   bool // yellow or red: the visit is recorded, but they must not stay
}

// visit records a visit and answers with the success screen itself, not
// a redirect to it: the screen is the proof the door is shown, so only
// recording leads to it. Posting again, as a reload does, records nothing
// more within the visit window.
func (p *Pages) visit(w http.ResponseWriter, r *http.Request, c *ctx) {
	id, err := strconv.ParseInt(r.PostFormValue("person"), 10, 64)
	if err != nil {
		p.fail(w, r, c, http.StatusUnprocessableEntity, translate(c.lang, "err.no_person"))
		return
	}
	v, err := p.svc.Visit(r.Context(), c.citizen, id, r.PathValue("code"))
	if err != nil {
		p.failErr(w, r, c, err)
		return
	}
	person, err := p.svc.Person(r.Context(), c.citizen, id)
	if err != nil {
		p.failErr(w, r, c, err)
		return
	}
	pg := p.newPage(r, c, "visit.done")
	view := &visitedView{Venue: v, Person: person, At: time.Now()}
	if st := person.Status; st != nil && (st.Color == healthcode.Yellow || st.Color == healthcode.Red) {
		view.Warn, pg.Title = true, pg.T("visit.warn_title")
	}
	pg.Data = view
	p.render(w, r, http.StatusOK, "visited", pg)
}
