package pages

import (
	"fmt"
	"net/http"
	"time"

	"healthcode"
	"healthcode/internal/division"
	"healthcode/internal/service"
)

// testBadge is what the code page says of the nucleic-acid results (核酸),
// as the apps' badges do: the newest sample, and for a negative one
// whether it was taken within 24, 48 or 72 hours.
type testBadge struct {
	Last  *service.TestRecord // the newest sample; nil: none on record
	Hours int                 // 24, 48 or 72 for a negative sample at most that old; else 0
}

// badgeHours are the windows the apps count a negative sample in.
var badgeHours = []int{24, 48, 72}

// newTestBadge reads tests, newest sample first, at now.
func newTestBadge(tests []service.TestRecord, now time.Time) testBadge {
	if len(tests) == 0 {
		return testBadge{}
	}
	b := testBadge{Last: &tests[0]}
	if b.Last.Result != healthcode.TestNegative {
		return b
	}
	age := now.Sub(b.Last.Sampled)
	for _, h := range badgeHours {
		if age <= time.Duration(h)*time.Hour {
			b.Hours = h
			break
		}
	}
	return b
}

// issuer names who issues this deployment's codes, as the apps print it
// under the code: 杭州市卫生健康委员会 · 杭州市疫情防控工作指挥部 发布.
func (p *Pages) issuer(pg *page) string {
	return fmt.Sprintf(pg.T("code.issuer"), division.Name(p.svc.Issuer(), pg.Lang))
}

// familyCard is one person's code on the family page.
type familyCard struct {
	Person *service.PersonView
	Code   *service.Code
	QR     string // inline SVG
}

// family shows the caller's code and their relatives' on one screen
// (一屏多码), each card opening that person's full code.
func (p *Pages) family(w http.ResponseWriter, r *http.Request, c *ctx) {
	ps, ok := p.managed(w, r, c)
	if !ok {
		return
	}
	cards := make([]familyCard, len(ps))
	for i, person := range ps {
		var err error
		cards[i].Person = person
		if cards[i].Code, cards[i].QR, err = p.signedQR(r, c, person.ID); err != nil {
			p.failErr(w, r, c, err)
			return
		}
	}
	pg := p.newPage(r, c, "title.family")
	pg.Data = struct {
		Cards  []familyCard
		Now    time.Time
		Region string
	}{cards, time.Now(), p.svc.Issuer()}
	p.render(w, r, http.StatusOK, "family", pg)
}

// tests lists a person's nucleic-acid results, the newest sample first.
func (p *Pages) tests(w http.ResponseWriter, r *http.Request, c *ctx) {
	person, ok := p.person(w, r, c)
	if !ok {
		return
	}
	h, err := p.svc.Health(r.Context(), c.citizen, person.ID)
	if err != nil {
		p.failErr(w, r, c, err)
		return
	}
	pg := p.newPage(r, c, "title.tests")
	pg.Data = struct {
		Person *service.PersonView
		Tests  []service.TestRecord
	}{person, h.Tests}
	p.render(w, r, http.StatusOK, "tests", pg)
}
