package pages

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"healthcode"
	"healthcode/healthqr"
	"healthcode/identity"
	"healthcode/internal/service"
)

// The declaration's questions, by form field: the same names the service
// uses for its field errors, so each error lands next to its field.
var questions = []string{
	"declaration.fever", "declaration.cough", "declaration.other_symptoms",
	"declaration.left_region_14d", "declaration.abroad_14d", "declaration.contact_cases",
}

// applyFields are the fields an application carries through its
// confirmation screen.
var applyFields = append(append([]string{"relation", "identity.doc_type", "identity.number", "identity.name",
	"identity.phone", "declaration.commitment"}, regionFields...), questions...)

// formBool reads a yes/no radio: nil when unanswered, so that the service
// can tell a missing answer from a "no".
func formBool(r *http.Request, name string) *bool {
	switch r.PostFormValue(name) {
	case "yes":
		return new(true)
	case "no":
		return new(false)
	}
	return nil
}

func declarationInput(r *http.Request) service.DeclarationInput {
	return service.DeclarationInput{
		Fever: formBool(r, "declaration.fever"), Cough: formBool(r, "declaration.cough"),
		OtherSymptoms: formBool(r, "declaration.other_symptoms"), LeftRegion14d: formBool(r, "declaration.left_region_14d"),
		Abroad14d: formBool(r, "declaration.abroad_14d"), ContactCases: formBool(r, "declaration.contact_cases"),
		Commitment: new(r.PostFormValue("declaration.commitment") == "yes"),
	}
}

func applyInput(r *http.Request) service.ApplyInput {
	return service.ApplyInput{
		Relation: healthcode.Relation(r.PostFormValue("relation")),
		Identity: healthcode.Identity{
			DocType: healthcode.DocType(r.PostFormValue("identity.doc_type")),
			Number:  r.PostFormValue("identity.number"), Name: r.PostFormValue("identity.name"),
			Phone: r.PostFormValue("identity.phone"),
		},
		Region:      pickedRegion(r.PostForm),
		Declaration: declarationInput(r),
	}
}

// applyView is what the application form (and the re-application form)
// shows.
type applyView struct {
	Action    string
	Reapply   bool
	Person    *service.PersonView // the person re-applying
	Relations []string            // choices; one when the relation is fixed
	Questions []string
	Fields    []string
	consentAsk
}

// consentAsk is what a form shows once a relative's phone was sent a
// consent code (the "consent" partial): it then asks for the code.
type consentAsk struct {
	ConsentTo string // the relative's phone, masked
	DevCode   string // the consent code itself, on --dev servers only
}

var relations = []string{"self", "spouse", "parent", "child", "other"}

func (p *Pages) applyForm(w http.ResponseWriter, r *http.Request, c *ctx) {
	pg := p.newPage(r, c, "title.apply")
	rel := r.URL.Query().Get("relation")
	if !healthcode.Relation(rel).Valid() {
		rel = "self"
	}
	pg.Form.Set("relation", rel)
	pg.Form.Set("identity.doc_type", string(healthcode.DocResidentID))
	// One's own application is on the login's phone: filled in, not asked.
	if rel == "self" {
		phone, err := p.svc.LoginPhone(r.Context(), c.citizen)
		if err != nil {
			p.failErr(w, r, c, err)
			return
		}
		pg.Form.Set("identity.phone", phone)
	}
	pg.Form.Set("region", p.homeRegion(c))
	pg.Data = &applyView{Action: "/app/apply", Relations: relations, Questions: questions, Fields: applyFields}
	p.render(w, r, http.StatusOK, "apply", pg)
}

func (p *Pages) apply(w http.ResponseWriter, r *http.Request, c *ctx) {
	v := &applyView{Action: "/app/apply", Relations: relations, Questions: questions, Fields: applyFields}
	p.applySteps(w, r, c, v, func(in service.ApplyInput) (*service.PersonView, error) {
		return p.svc.Apply(r.Context(), c.citizen, in)
	})
}

func (p *Pages) reapplyForm(w http.ResponseWriter, r *http.Request, c *ctx) {
	v, ok := p.reapplyView(w, r, c)
	if !ok {
		return
	}
	pg := p.newPage(r, c, "title.reapply")
	pg.Form.Set("relation", string(v.Person.Relation))
	pg.Form.Set("identity.doc_type", string(v.Person.DocType))
	pg.Form.Set("region", v.Person.Region)
	pg.Data = v
	p.render(w, r, http.StatusOK, "apply", pg)
}

func (p *Pages) reapply(w http.ResponseWriter, r *http.Request, c *ctx) {
	v, ok := p.reapplyView(w, r, c)
	if !ok {
		return
	}
	p.applySteps(w, r, c, v, func(in service.ApplyInput) (*service.PersonView, error) {
		in.Relation = v.Person.Relation
		return p.svc.Reapply(r.Context(), c.citizen, v.Person.ID, in)
	})
}

func (p *Pages) reapplyView(w http.ResponseWriter, r *http.Request, c *ctx) (*applyView, bool) {
	person, ok := p.person(w, r, c)
	if !ok {
		return nil, false
	}
	id := person.ID
	return &applyView{Action: "/app/p/" + strconv.FormatInt(id, 10) + "/reapply", Reapply: true, Person: person,
		Relations: []string{string(person.Relation)}, Questions: questions, Fields: applyFields}, true
}

// applySteps runs the form's three steps (SPEC A2): check the form and
// show it again with each bad field marked, or show the confirmation
// screen; "edit" goes back to the form; "submit" applies.
func (p *Pages) applySteps(w http.ResponseWriter, r *http.Request, c *ctx, v *applyView,
	submit func(service.ApplyInput) (*service.PersonView, error)) {
	title := "title.apply"
	if v.Reapply {
		title = "title.reapply"
	}
	pg := p.newPage(r, c, title)
	pg.Form = keep(r.PostForm, applyFields)
	pg.Data = v
	in := applyInput(r)
	if regionStep(r) {
		p.render(w, r, http.StatusOK, "apply", pg)
		return
	}
	switch r.PostFormValue("step") {
	case "edit":
		p.render(w, r, http.StatusOK, "apply", pg)
	case "submit":
		in.ConsentCode = strings.TrimSpace(r.PostFormValue("consent_code"))
		person, err := submit(in)
		if errors.Is(err, service.ErrConsentRequired) {
			p.askConsent(w, r, c, pg, v, in)
			return
		}
		if err != nil {
			tmpl := "apply"
			if hasField(err, "consent_code") {
				v.ConsentTo, tmpl = maskedPhone(in.Identity.Phone), "confirm" // the code sent is wrong: ask again
				pg.Title = pg.T("title.confirm")
			}
			p.render(w, r, p.formError(r, c, pg, err), tmpl, pg)
			return
		}
		done := "apply"
		if v.Reapply {
			done = "reapply"
		}
		http.Redirect(w, r, "/app/p/"+strconv.FormatInt(person.ID, 10)+"?done="+done, http.StatusSeeOther)
	default:
		if err := p.svc.CheckApplication(r.Context(), c.citizen, in); err != nil {
			p.render(w, r, p.formError(r, c, pg, err), "apply", pg)
			return
		}
		pg.Title = pg.T("title.confirm")
		p.render(w, r, http.StatusOK, "confirm", pg)
	}
}

// askConsent sends the relative's phone a consent code and shows the
// confirmation again with a field for it.
func (p *Pages) askConsent(w http.ResponseWriter, r *http.Request, c *ctx, pg *page, v *applyView, in service.ApplyInput) {
	res, err := p.requestConsent(r, c, service.ConsentInput{Relation: in.Relation, Identity: in.Identity, Region: in.Region})
	if err != nil {
		p.render(w, r, p.formError(r, c, pg, err), "apply", pg)
		return
	}
	v.ConsentTo, v.DevCode = res.SentTo, res.DevCode
	pg.Title = pg.T("title.confirm")
	p.render(w, r, http.StatusOK, "confirm", pg)
}

// maskedPhone is the phone a consent code went to, as the page shows it.
func maskedPhone(raw string) string {
	phone, err := identity.NormalizePhone(raw)
	if err != nil {
		return "…"
	}
	return identity.MaskPhone(phone)
}

// requestConsent texts a relative a consent code, counted as the API's
// POST /api/v1/persons/consent is: a code request of this address and
// login.
func (p *Pages) requestConsent(r *http.Request, c *ctx, in service.ConsentInput) (*service.OTPResult, error) {
	if err := p.svc.Limit(r.Context(), healthcode.LimitOTP, c.citizen); err != nil {
		return nil, err
	}
	return p.svc.RequestConsent(r.Context(), c.citizen, in)
}

func hasField(err error, field string) bool {
	for _, f := range healthcode.ErrorFields(err) {
		if f.Field == field {
			return true
		}
	}
	return false
}

// modifyView is what the modification form shows.
type modifyView struct {
	Person    *service.PersonView
	Self      bool
	Questions []string
	consentAsk
}

func (p *Pages) modifyForm(w http.ResponseWriter, r *http.Request, c *ctx) {
	p.modifyPage(w, r, c, http.StatusOK, nil)
}

func (p *Pages) modify(w http.ResponseWriter, r *http.Request, c *ctx) {
	id, ok := p.personID(w, r, c)
	if !ok {
		return
	}
	if regionStep(r) {
		p.modifyPage(w, r, c, http.StatusOK, nil)
		return
	}
	in := service.ModifyInput{Region: pickedRegion(r.PostForm), Declaration: declarationInput(r)}
	// Name and phone change only for relatives, and only when typed.
	if v := strings.TrimSpace(r.PostFormValue("name")); v != "" {
		in.Name = &v
	}
	if v := strings.TrimSpace(r.PostFormValue("phone")); v != "" {
		in.Phone = &v
	}
	in.ConsentCode = strings.TrimSpace(r.PostFormValue("consent_code"))
	_, err := p.svc.Modify(r.Context(), c.citizen, id, in)
	if errors.Is(err, service.ErrConsentRequired) {
		// The relative's new phone consents: send it a code, ask for it.
		req := service.ConsentInput{PersonID: id, Identity: healthcode.Identity{Phone: *in.Phone}, Region: in.Region}
		if in.Name != nil {
			req.Identity.Name = *in.Name
		}
		res, err := p.requestConsent(r, c, req)
		if err != nil {
			p.modifyPage(w, r, c, 0, err)
			return
		}
		p.modifyPageWith(w, r, c, http.StatusOK, nil, func(v *modifyView) { v.ConsentTo, v.DevCode = res.SentTo, res.DevCode })
		return
	}
	if err != nil {
		p.modifyPage(w, r, c, 0, err)
		return
	}
	http.Redirect(w, r, "/app/p/"+strconv.FormatInt(id, 10)+"?done=modify", http.StatusSeeOther)
}

func (p *Pages) modifyPage(w http.ResponseWriter, r *http.Request, c *ctx, status int, formErr error) {
	p.modifyPageWith(w, r, c, status, formErr, func(v *modifyView) {
		if hasField(formErr, "consent_code") {
			v.ConsentTo = maskedPhone(r.PostFormValue("phone")) // the code sent is wrong: ask again
		}
	})
}

func (p *Pages) modifyPageWith(w http.ResponseWriter, r *http.Request, c *ctx, status int, formErr error, set func(*modifyView)) {
	person, ok := p.person(w, r, c)
	if !ok {
		return
	}
	pg := p.newPage(r, c, "title.modify")
	v := &modifyView{Person: person, Self: person.Relation == healthcode.RelationSelf, Questions: questions}
	set(v)
	pg.Data = v
	if r.Method == http.MethodPost {
		pg.Form = keep(r.PostForm, append(append([]string{"name", "phone", "declaration.commitment"}, regionFields...), questions...))
	} else {
		pg.Form.Set("region", person.Region)
	}
	if formErr != nil {
		status = p.formError(r, c, pg, formErr)
	}
	p.render(w, r, status, "modify", pg)
}

// keep copies only the named fields of a form, so that nothing else (the
// CSRF token, the step) is echoed back.
func keep(form url.Values, names []string) url.Values {
	out := url.Values{}
	for _, n := range names {
		if v := form.Get(n); v != "" {
			out.Set(n, v)
		}
	}
	return out
}

// inlineSVG is the QR code of token as an SVG element to put straight into
// the page, so the code shows with JavaScript off.
func inlineSVG(token string) (string, error) {
	b, err := healthqr.SVG(token)
	if err != nil {
		return "", err
	}
	s := string(b)
	if i := strings.Index(s, "<svg"); i >= 0 {
		s = s[i:]
	}
	return strings.Replace(s, "<svg ", `<svg role="img" aria-label="QR" `, 1), nil
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	json.NewEncoder(w).Encode(v)
}
