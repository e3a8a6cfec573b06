package pages

import (
	"strconv"

	"healthcode/internal/service"
	"healthcode/internal/service/checkpoint"
	"healthcode/policy"
)

// euView is what the verdict page shows for a valid EU certificate: its
// statement and validity, no colour and no pass or refuse. Whether a
// vaccination or a test admits the holder is this checkpoint's rule,
// which the certificate does not carry.
type euView struct {
	Headline string      // "Valid EU vaccination certificate, dose 2/2, until 2022-01-28"
	Rows     [][2]string // label, value
}

// euVerdict builds the view of a valid EU certificate in pg's language.
func euVerdict(pg *page, v *service.Verification) *euView {
	c := v.Certificate
	until := c.ExpiresAt.In(policy.ChinaTime).Format("2006-01-02")
	e := &euView{}
	e.Headline = pg.T("eu.valid." + string(c.Type))
	add := func(label, value string) {
		if value != "" {
			e.Rows = append(e.Rows, [2]string{pg.T(label), value})
		}
	}
	add("verdict.name", v.Name)
	if c.Doses > 0 {
		dose := strconv.Itoa(c.Dose) + "/" + strconv.Itoa(c.Doses)
		e.Headline += pg.T("eu.comma") + pg.T("eu.dose") + " " + dose
		add("eu.dose_row", dose)
	}
	if c.TestResult != "" {
		result := c.TestResult
		if c.TestResult == "negative" || c.TestResult == "positive" {
			result = pg.T("eu.result." + c.TestResult)
		}
		e.Headline += pg.T("eu.comma") + result
		add("eu.result", result)
	}
	switch c.Type {
	case "vaccination":
		add("eu.date.vaccination", c.Date)
	case "test":
		add("eu.date.test", c.Date)
	case "recovery":
		add("eu.date.recovery", c.Date)
	}
	add("eu.valid_from", c.ValidFrom)
	add("eu.valid_until", c.ValidUntil)
	e.Headline += pg.T("eu.comma") + pg.T("eu.until") + " " + until
	add("eu.expires", until)
	add("eu.country", c.Country)
	add("eu.issuer", c.Issuer)
	return e
}

// isEU tells a verdict on an EU certificate.
func isEU(v *service.Verification) bool { return v.Kind == checkpoint.KindEUDCC }
