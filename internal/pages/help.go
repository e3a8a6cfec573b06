package pages

import "net/http"

// faq is one question of the help page, answered as the seeds answer it.
type faq struct {
	Q, A string // message keys
}

// faqs follow seed 002's questions (Q7, Q8, Q9, Q15, Q17) and the other
// seeds' rules on screenshots (000 Q3, 001) and foreign documents (001).
var faqs = []faq{
	{"faq.red.q", "faq.red.a"},
	{"faq.change.q", "faq.change.a"},
	{"faq.screenshot.q", "faq.screenshot.a"},
	{"faq.relatives.q", "faq.relatives.a"},
	{"faq.abroad.q", "faq.abroad.a"},
	{"faq.checkin.q", "faq.checkin.a"},
	{"faq.wrong.q", "faq.wrong.a"},
	{"faq.dispute.q", "faq.dispute.a"},
}

func (p *Pages) help(w http.ResponseWriter, r *http.Request, c *ctx) {
	pg := p.newPage(r, c, "title.help")
	pg.Data = faqs
	p.render(w, r, http.StatusOK, "help", pg)
}
