package pages

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"

	"healthcode"
	"healthcode/identity"
	"healthcode/internal/service"
)

var passLink = regexp.MustCompile(`/officials/passes/([0-9a-f]{24})`)

// walkPasses has a Lishui resident without a smartphone (the Lishui pack
// issues paper passes after a temperature) issued a pass by their
// community's worker, a wrong ID number and a missing temperature first;
// prints it, revokes it; and a checkpoint looks the resident up by ID
// number, a malformed and an unknown number first. Neither the printed
// pass nor any page after the form shows the number typed.
func (tr *tour) walkPasses() {
	ctx := context.Background()
	phone := tr.phone(7)
	number := tr.id("33110219400101001")
	who := citizenOf(tr.t, tr.s, phone)
	yes, no := true, false
	p, err := tr.s.svc.Apply(ctx, who, service.ApplyInput{
		Identity: healthcode.Identity{DocType: healthcode.DocResidentID, Number: number, Name: "王五", Phone: phone},
		Region:   "331100", Declaration: service.DeclarationInput{Fever: &no, Cough: &no, OtherSymptoms: &no, LeftRegion14d: &no,
			Abroad14d: &no, ContactCases: &no, Commitment: &yes}})
	if err != nil {
		tr.t.Fatal(err)
	}
	person := fmt.Sprintf("/officials/p/%d", p.ID)
	worker := tr.officialTour("pass", healthcode.RoleCommunity, "331100")
	worker.get(person).must(tr.t, http.StatusOK, "", `id="pass-form"`)
	worker.post(person+"/passes", url.Values{"pass.id_number": {tr.id("33110219400101002")}, "pass.temperature": {"36.5"}}).
		must(tr.t, http.StatusUnprocessableEntity, "", `id="pass-id_number-error"`)
	worker.post(person+"/passes", url.Values{"pass.id_number": {number}}).
		must(tr.t, http.StatusUnprocessableEntity, "", `id="pass-temperature-error"`)
	sheet := worker.post(person+"/passes", url.Values{"pass.id_number": {number}, "pass.temperature": {"36.5"}})
	sheet.must(tr.t, http.StatusOK, "", `id="pass-qr"`, "<svg", translate("zh", "pass.instruction"),
		translate("en", "pass.instruction"), identity.MaskName("王五"))
	m := passLink.FindStringSubmatch(sheet.path)
	if m == nil {
		tr.t.Fatalf("no pass page after issuing: %s", sheet.path)
	}
	worker.get(m[0])
	file := worker.get(person)
	file.must(tr.t, http.StatusOK, "", `id="revoke-`+m[1]+`"`)
	worker.post(m[0]+"/revoke", url.Values{}).must(tr.t, http.StatusOK, "", translate(tr.lang, "pass.revoked"))
	worker.get(m[0]) // a revoked pass is not printed
	for _, pg := range worker.pages {
		if strings.Contains(pg.html, number) || strings.Contains(pg.html, "王五") {
			tr.t.Errorf("%s %s shows the ID number or the full name", pg.method, pg.path)
		}
	}

	gate, _, err := tr.s.svc.CreateAPIKey(ctx, fmt.Sprintf("一号卡口%d", tr.n), healthcode.RoleCheckpoint, "330100")
	if err != nil {
		tr.t.Fatal(err)
	}
	staff := &tour{t: tr.t, s: tr.s, b: tr.s.browser(tr.t), lang: tr.lang, n: tr.n}
	staff.get("/checkpoint?lang=" + tr.lang)
	staff.post("/checkpoint/lookup", url.Values{"number": {number}}) // no staff session: 403
	staff.post("/checkpoint/login", url.Values{"key": {gate}}).must(tr.t, http.StatusOK, "", `id="lookup-form"`)
	staff.post("/checkpoint/lookup", url.Values{"number": {"12345"}}).must(tr.t, http.StatusUnprocessableEntity, "", `id="number-error"`)
	staff.post("/checkpoint/lookup", url.Values{"number": {tr.id("33110219400101009")}}).
		must(tr.t, http.StatusOK, "", `data-kind="invalid"`, translate(tr.lang, "reason.no_such_person"))
	staff.post("/checkpoint/lookup", url.Values{"doc_type": {"resident_id"}, "number": {number}, "lookup_temperature": {"36.6"}}).
		must(tr.t, http.StatusOK, "", `data-kind="pass"`, translate(tr.lang, "verdict.kind.id_number"), identity.MaskName("王五"))
	for _, pg := range staff.pages {
		if strings.Contains(pg.html, number) {
			tr.t.Errorf("%s %s shows the ID number", pg.method, pg.path)
		}
	}
	tr.pages = append(tr.pages, worker.pages...)
	tr.pages = append(tr.pages, staff.pages...)
}
