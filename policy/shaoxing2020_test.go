package policy

import (
	"testing"

	"healthcode"
)

// Seed 000: the Shaoxing health code of February 2020.
func TestShaoxing2020(t *testing.T) {
	const (
		redRule    = "those who display the red code are sent to a designated hospital for treatment or 14 days of centralized and home hard isolation medical observation"
		yellowRule = "If the yellow code is displayed, 14 days of home isolation medical observation will be carried out"
		greenRule  = "If the green code is displayed, the personnel in Shaoxing and those who have returned to work for the record in enterprises will be allowed to release after their body temperature is normal."
	)
	runScenarios(t, "zhejiang-shaoxing-2020", []scenario{
		{
			name:   "green passes after a normal temperature; a normal temperature changes nothing",
			seed:   greenRule,
			facts:  new(fb).declare(0).temperature(d(1), 36.5).temperature(d(2), 36.8),
			checks: []check{{0, green, "green"}, {d(1), green, "green"}, {d(30), green, "green"}},
		},
		{
			name: "confirmed case: red in hospital until cured, then 14 days of isolation, then green",
			seed: redRule,
			facts: new(fb).declare(0).caseOf(d(1), healthcode.CaseConfirmed).
				closed(d(20), healthcode.OutcomeCured),
			checks: []check{
				{d(1), red, "case/hospital"},
				{d(20) - h(1), red, "case/hospital"},
				{d(20), red, "case/isolation"},
				{d(34) - h(1), red, "case/isolation"},
				{d(34), green, "green"},
			},
		},
		{
			name:   "a case not yet cured stays red however long it takes",
			seed:   redRule,
			facts:  new(fb).declare(0).caseOf(d(1), healthcode.CaseConfirmed),
			checks: []check{{d(15), red, "case/hospital"}, {d(90), red, "case/hospital"}},
		},
		{
			name: "suspected case: red until ruled out, then 14 days of isolation",
			seed: redRule,
			facts: new(fb).declare(0).caseOf(d(1), healthcode.CaseSuspected).
				closed(d(3), healthcode.OutcomeExcluded),
			checks: []check{
				{d(2), red, "case/hospital"},
				{d(3), red, "case/isolation"},
				{d(17) - h(1), red, "case/isolation"},
				{d(17), green, "green"},
			},
		},
		{
			name:  "close contact: red for 14 days from the last exposure",
			seed:  redRule,
			facts: new(fb).declare(0).contact(d(3), healthcode.ContactClose, d(1), false),
			checks: []check{
				{d(3) - h(1), green, "green"},
				{d(3), red, "close-contact/isolation"},
				{d(15) - h(1), red, "close-contact/isolation"},
				{d(15), green, "green"},
			},
		},
		{
			name:  "close contact found late: the 14 days still count from the exposure",
			seed:  redRule,
			facts: new(fb).declare(0).contact(d(12), healthcode.ContactClose, d(1), false),
			checks: []check{
				{d(12), red, "close-contact/isolation"},
				{d(15) - h(1), red, "close-contact/isolation"},
				{d(15), green, "green"},
			},
		},
		{
			name:  "declared contact with cases: red for 14 days",
			seed:  redRule,
			facts: new(fb).declare(0, "contact"),
			checks: []check{
				{0, red, "declared-contact/isolation"},
				{d(14) - h(1), red, "declared-contact/isolation"},
				{d(14), green, "green"},
			},
		},
		{
			name:  "declared symptoms: yellow for 14 days of home isolation",
			seed:  yellowRule,
			facts: new(fb).declare(0, "fever", "cough"),
			checks: []check{
				{0, yellow, "declared-symptoms/home-isolation"},
				{d(14) - h(1), yellow, "declared-symptoms/home-isolation"},
				{d(14), green, "green"},
			},
		},
		{
			name:  "declared travel abroad: yellow for 14 days of home isolation",
			seed:  yellowRule + " / Can Hong Kong, Macao and Taiwan or foreign users apply for health codes? ... Please fill in the relevant information according to the page prompts",
			facts: new(fb).declare(0, "abroad"),
			checks: []check{
				{0, yellow, "declared-abroad/home-isolation"},
				{d(14) - h(1), yellow, "declared-abroad/home-isolation"},
				{d(14), green, "green"},
			},
		},
		{
			name:  "contact and symptoms declared together: the red code wins",
			seed:  redRule + " / " + yellowRule,
			facts: new(fb).declare(0, "contact", "fever"),
			checks: []check{
				{0, red, "declared-contact/isolation"},
				{d(14), green, "green"},
			},
		},
		{
			name:  "re-apply once: the wrongly filled declaration no longer counts",
			seed:  "Can I fill in the wrong information of the health code again? A: At present, there is only one opportunity to \"reapply\" for health codes.",
			facts: new(fb).declare(0, "abroad").declare(d(1), "reapply"),
			checks: []check{
				{h(1), yellow, "declared-abroad/home-isolation"},
				{d(1), green, "green"},
			},
		},
		{
			name:  "the submitted colour is only the initial state: the system updates it",
			seed:  "The health code result obtained after submission is only the initial state judged by the system, and then the system will update it from time to time, and the color of the health code will change.",
			facts: new(fb).declare(0).contact(d(5), healthcode.ContactClose, d(4), false),
			checks: []check{
				{d(5) - h(1), green, "green"},
				{d(5), red, "close-contact/isolation"},
				{d(18), green, "green"},
			},
		},
		{
			name:   "the code turns green by itself once the conditions are met: no daily report needed",
			seed:   "The health code will be automatically converted into green code after meeting the conditions. / Do you need to fill in \"Health Report\" in the green code? A: No.",
			facts:  new(fb).declare(0, "cough"),
			checks: []check{{d(14), green, "green"}, {d(60), green, "green"}},
		},
	})
}

func TestShaoxing2020Settings(t *testing.T) {
	p, err := LoadShipped("zhejiang-shaoxing-2020")
	if err != nil {
		t.Fatal(err)
	}
	s := p.Settings()
	// Q4: "At present, it is not supported to help others to do it."
	if s.Relatives {
		t.Error("Shaoxing does not let anyone apply for others (Q4), but Relatives is true")
	}
	// Q2: "there is only one opportunity to reapply".
	if s.NoReapply {
		t.Error("Shaoxing allows one re-application (Q2), but NoReapply is set")
	}
	if p.GreenValidity != nil {
		t.Errorf("Shaoxing green has no validity in seed 000, but the pack sets %+v", *p.GreenValidity)
	}
}
