package policy

import (
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"healthcode"
)

// mustParseFile parses a pack from testdata.
func mustParseFile(t *testing.T, name string) *Pack {
	t.Helper()
	data, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	p, err := Parse(name, data)
	if err != nil {
		t.Fatalf("Parse(%s):\n%v", name, err)
	}
	return p
}

// validPaperPass is the paper-pass rule of the 2022 transfer rules.
func validPaperPass() *PaperPass {
	return &PaperPass{ValidFor: Duration(24 * time.Hour), Needs: []PassCheck{PassVaccination, PassNucleicAcid, PassTemperature},
		TestWithin: Duration(48 * time.Hour)}
}

func days(n int) Duration { return Duration(time.Duration(n) * 24 * time.Hour) }

// TestValidateRules breaks one rule of a valid pack at a time: each must
// give exactly one problem, saying what is wrong where.
func TestValidateRules(t *testing.T) {
	yes := true
	for _, tc := range []struct {
		rule   string
		break_ func(p *Pack)
		want   string
	}{
		{"name is required", func(p *Pack) { p.Name = "" }, "name: required"},
		{"name is lower-case-hyphen", func(p *Pack) { p.Name = "Test_Pack" }, `name: must be lower-case letters, digits and single hyphens (e.g. close-contact), got "Test_Pack"`},
		{"version is required", func(p *Pack) { p.Version = "" }, "version: required"},
		{"title needs Chinese", func(p *Pack) { p.Title.Zh = " " }, "title.zh: the Chinese text is required"},
		{"title needs English", func(p *Pack) { p.Title.En = "" }, "title.en: the English text is required"},
		{"regions are required", func(p *Pack) { p.Regions = nil }, "regions: at least one 6-digit region code"},
		{"regions have six digits", func(p *Pack) { p.Regions[1] = "42010" }, `regions[1]: "42010": must be a 6-digit`},
		{"regions are in a known province", func(p *Pack) { p.Regions[0] = "990100" }, `regions[0]: "990100": unknown province 99`},
		{"regions are listed once", func(p *Pack) { p.Regions[1] = p.Regions[0] }, "regions[1]: 330100 is listed twice"},
		{"modify_limit is not negative", func(p *Pack) { p.Rules.ModifyLimit = -1 }, "settings.modify_limit: must be 0 or more, got -1"},
		{"a paper pass is valid for a while", func(p *Pack) { p.PaperPass = validPaperPass(); p.PaperPass.ValidFor = 0 }, "paper_pass.valid_for: must be more than zero"},
		{"a paper pass is valid for a week at most", func(p *Pack) { p.PaperPass = validPaperPass(); p.PaperPass.ValidFor = days(8) }, "paper_pass.valid_for: at most 7d"},
		{"a paper pass needs known checks", func(p *Pack) { p.PaperPass = validPaperPass(); p.PaperPass.Needs[0] = "blood_type" }, `paper_pass.needs[0]: "blood_type" is not a check`},
		{"a paper pass names each check once", func(p *Pack) { p.PaperPass = validPaperPass(); p.PaperPass.Needs[2] = PassVaccination }, "paper_pass.needs[2]: vaccination is listed twice"},
		{"a paper pass's test has a window", func(p *Pack) { p.PaperPass = validPaperPass(); p.PaperPass.TestWithin = 0 }, "paper_pass.test_within: required with nucleic_acid"},
		{"a paper pass's window needs a test", func(p *Pack) { p.PaperPass = validPaperPass(); p.PaperPass.Needs = p.PaperPass.Needs[:1] }, "paper_pass.test_within: only with nucleic_acid"},
		{"green validity lasts", func(p *Pack) { p.GreenValidity.Duration = 0 }, "green_validity.duration: must be more than zero"},
		{"green validity is renewed", func(p *Pack) { p.GreenValidity.RenewedBy = nil }, "green_validity.renewed_by: name the facts that renew green"},
		{"green validity is renewed by temperatures and check-ins", func(p *Pack) { p.GreenValidity.RenewedBy[1] = "test" }, `green_validity.renewed_by[1]: "test" is not a fact that renews green (want temperature or checkin)`},
		{"categories are required", func(p *Pack) { p.Categories = nil }, "categories: at least one category is required"},
		{"category id is required", func(p *Pack) { p.Categories[1].ID = "" }, "categories[1].id: required"},
		{"category id is lower-case-hyphen", func(p *Pack) { p.Categories[1].ID = "close contact" }, `categories[1].id: must be lower-case`},
		{"category ids are unique", func(p *Pack) { p.Categories[2].ID = "confirmed" }, `categories[2].id: id "confirmed" is already used by categories[0]`},
		{"category title needs English", func(p *Pack) { p.Categories[0].Title.En = "" }, "categories[0].title.en: the English text is required"},
		{"category quotes its seed", func(p *Pack) { p.Categories[3].Seed = "" }, "categories[3].seed: required: quote the sentence"},
		{"trigger needs a fact kind", func(p *Pack) { p.Categories[2].When = Trigger{} }, "categories[2].when.fact: required"},
		{"trigger fact kind is known", func(p *Pack) { p.Categories[3].When.Fact = "fever" }, `categories[3].when.fact: unknown fact kind "fever"`},
		{"vaccination does not colour", func(p *Pack) { p.Categories[3].When = Trigger{Fact: healthcode.FactVaccination} }, "categories[3].when.fact: vaccination informs, it does not colour"},
		{"case types are case types", func(p *Pack) { p.Categories[0].When.Types[1] = "close" }, `categories[0].when.types[1]: "close" is not a case type (want confirmed, clinical, asymptomatic, suspected or fever_clinic)`},
		{"contact types are contact types", func(p *Pack) { p.Categories[1].When.Types[0] = "confirmed" }, `categories[1].when.types[0]: "confirmed" is not a contact type`},
		{"area stays match area levels", func(p *Pack) { p.Categories[1].When = Trigger{Fact: healthcode.FactAreaStay, Types: []string{"low"}} }, `categories[1].when.types[0]: "low" is not an area level`},
		{"isolations match settings", func(p *Pack) {
			p.Categories[1].When = Trigger{Fact: healthcode.FactIsolation, Types: []string{"hotel"}}
		}, `"hotel" is not an isolation setting`},
		{"tests match results", func(p *Pack) { p.Categories[1].When = Trigger{Fact: healthcode.FactTest, Types: []string{"pending"}} }, `"pending" is not a test result`},
		{"other facts have no types", func(p *Pack) { p.Categories[2].When.Types = []string{"fever"} }, "categories[2].when.types: a declaration fact has no types to match"},
		{"declaration answers are known", func(p *Pack) { p.Categories[2].When.Answers[0] = "cough" }, `categories[2].when.answers[0]: "cough" is not an answer of a declaration (want symptoms, contact_cases, abroad_14d or left_region_14d)`},
		{"check-ins answer only symptoms", func(p *Pack) {
			p.Categories[2].When = Trigger{Fact: healthcode.FactCheckIn, Answers: []string{"abroad_14d"}}
		}, `"abroad_14d" is not an answer of a checkin (want symptoms)`},
		{"only declarations and check-ins have answers", func(p *Pack) { p.Categories[3].When.Answers = []string{"symptoms"} }, "categories[3].when.answers: only declaration and checkin facts have answers, not temperature"},
		{"only temperatures and check-ins have fevers", func(p *Pack) { p.Categories[2].When.Fever = true }, "categories[2].when.fever: only temperature and checkin facts have a fever, not declaration"},
		{"only contacts are confined", func(p *Pack) { p.Categories[0].When.Confined = &yes }, "categories[0].when.confined: only contact facts are confined or not, not case"},
		{"only contacts and area stays have an exposure age", func(p *Pack) { p.Categories[0].When.ExposureAge = &Range{Max: days(14)} }, "categories[0].when.exposure_age: only contact and area_stay facts have an exposure, not case"},
		{"exposure age min is below max", func(p *Pack) { p.Categories[1].When.ExposureAge = &Range{Min: days(21), Max: days(14)} }, "categories[1].when.exposure_age: min must be less than max"},
		{"exposure anchors contacts only", func(p *Pack) { p.Categories[0].When.From = AnchorExposure }, "categories[0].when.from: a case fact has no exposure: only contact facts do"},
		{"onset anchors cases only", func(p *Pack) { p.Categories[1].When.From = AnchorOnset }, "categories[1].when.from: a contact fact has no onset: only case facts do"},
		{"stay end anchors area stays only", func(p *Pack) { p.Categories[0].When.From = AnchorStayEnd }, "categories[0].when.from: a case fact has no stay_end: only area_stay facts do"},
		{"phase is no trigger anchor", func(p *Pack) { p.Categories[2].When.From = AnchorPhase }, "categories[2].when.from: phase is where an exit counts from"},
		{"trigger anchors are known", func(p *Pack) { p.Categories[2].When.From = "submitted" }, `categories[2].when.from: unknown anchor "submitted"`},
		{"phases are required", func(p *Pack) { p.Categories[3].Phases = nil }, "categories[3].phases: at least one phase is required"},
		{"phase ids are unique", func(p *Pack) { p.Categories[0].Phases[2].ID = "hospital" }, `categories[0].phases[2].id: id "hospital" is already used by categories[0].phases[0]`},
		{"phase ids are lower-case-hyphen", func(p *Pack) { p.Categories[0].Phases[0].ID = "Hospital" }, `categories[0].phases[0].id: must be lower-case`},
		{"phase colour is required", func(p *Pack) { p.Categories[1].Phases[0].Color = 0 }, "categories[1].phases[0].color: required: green, yellow or red"},
		{"phase colour is a colour", func(p *Pack) { p.Categories[1].Phases[0].Color = 9 }, "categories[1].phases[0].color: must be green, yellow or red"},
		{"phase measure needs Chinese", func(p *Pack) { p.Categories[1].Phases[0].Measure.Zh = "" }, "categories[1].phases[0].measure.zh: the Chinese text is required"},
		{"phases only get less severe", func(p *Pack) {
			p.Categories[0].Phases[1].Color = healthcode.Yellow
			p.Categories[0].Phases[2].Color = healthcode.Red
		}, "categories[0].phases[2].color: phase p3 is red after yellow: phases may only get less severe"},
		{"only the last phase lasts until a transfer", func(p *Pack) { p.Categories[0].Phases[1].Until = nil }, "categories[0].phases[1].until: phase p2 has no exits, so it lasts until an official transfer; only the last phase may"},
		{"an exit has a requirement", func(p *Pack) { x := &p.Categories[1].Phases[0].Until[0]; x.After = 0 }, "categories[1].phases[0].until[0]: an exit needs at least one requirement"},
		{"after is not negative", func(p *Pack) { p.Categories[1].Phases[0].Until[0].After = -days(1) }, "categories[1].phases[0].until[0].after: must not be negative"},
		{"exits count from phase or anchor", func(p *Pack) { p.Categories[1].Phases[0].Until[0].From = AnchorExposure }, `categories[1].phases[0].until[0].from: "exposure": want phase`},
		{"tests count at least one", func(p *Pack) { p.Categories[3].Phases[0].Until[0].Tests.Count = 0 }, "categories[3].phases[0].until[0].tests.count: must be at least 1, got 0"},
		{"tests min_interval is not negative", func(p *Pack) { p.Categories[3].Phases[0].Until[0].Tests.MinInterval = -1 }, "categories[3].phases[0].until[0].tests.min_interval: must not be negative"},
		{"tests within is not negative", func(p *Pack) { p.Categories[3].Phases[0].Until[0].Tests.Within = -1 }, "categories[3].phases[0].until[0].tests.within: must not be negative"},
		{"tests within fits the intervals", func(p *Pack) {
			p.Categories[0].Phases[1].Until[0].Tests = &TestRule{Count: 3, MinInterval: days(1), Within: days(1)}
		}, "categories[0].phases[1].until[0].tests.within: 3 samples at least 1d apart need at least 2d"},
		{"checkins are not negative", func(p *Pack) { p.Categories[2].Phases[0].Until[0].CheckIns = -7 }, "categories[2].phases[0].until[0].checkins: must be 0 or more, got -7"},
		{"released names a setting", func(p *Pack) { p.Categories[0].Phases[1].Until[1].Released = "hospital" }, `categories[0].phases[1].until[1].released: "hospital" is not an isolation setting (want centralized or home)`},
		{"closed names an outcome", func(p *Pack) { p.Categories[0].Phases[0].Until[0].Closed = "dead" }, `categories[0].phases[0].until[0].closed: "dead" is not a case outcome (want cured or excluded)`},
		{"block ids are required", func(p *Pack) { p.Blocks[0].ID = "" }, "blocks[0].id: required"},
		{"block ids are unique", func(p *Pack) { p.Blocks[3].ID = "open-case" }, `blocks[3].id: id "open-case" is already used by blocks[0]`},
		{"block kind is required", func(p *Pack) { p.Blocks[0].Kind = "" }, "blocks[0].kind: required: one of open_case, in_isolation, symptoms or in_risk_area"},
		{"block kind is known", func(p *Pack) { p.Blocks[0].Kind = "fever" }, `blocks[0].kind: "fever" is not a block kind`},
		{"symptoms block needs within", func(p *Pack) { p.Blocks[2].Within = 0 }, "blocks[2].within: required for a symptoms block"},
		{"only the symptoms block has within", func(p *Pack) { p.Blocks[1].Within = days(1) }, "blocks[1].within: only a symptoms block has within"},
		{"risk-area block needs levels", func(p *Pack) { p.Blocks[3].Levels = nil }, "blocks[3].levels: required for an in_risk_area block"},
		{"risk-area levels are area levels", func(p *Pack) { p.Blocks[3].Levels[1] = "low" }, `blocks[3].levels[1]: "low" is not an area level (want high, medium, sealed or control)`},
		{"only the risk-area block has levels", func(p *Pack) { p.Blocks[0].Levels = []healthcode.AreaLevel{"high"} }, "blocks[0].levels: only an in_risk_area block has levels"},
		{"block title needs English", func(p *Pack) { p.Blocks[1].Title.En = "" }, "blocks[1].title.en: the English text is required"},
		{"block quotes its seed", func(p *Pack) { p.Blocks[1].Seed = "" }, "blocks[1].seed: required: quote the sentence"},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			p := mustParseFile(t, "valid.yaml")
			tc.break_(p)
			err := p.Validate()
			var pe *PackError
			if !errors.As(err, &pe) {
				t.Fatalf("Validate() = %v, want a *PackError", err)
			}
			if len(pe.Problems) != 1 || !strings.Contains(pe.Problems[0].Msg, tc.want) {
				t.Fatalf("problems:\n%v\nwant exactly one containing %q", err, tc.want)
			}
			if pe.Problems[0].Line == 0 {
				t.Errorf("problem %q has no line", pe.Problems[0].Msg)
			}
		})
	}
}

func TestValidPackPasses(t *testing.T) {
	p := mustParseFile(t, "valid.yaml")
	if err := p.Validate(); err != nil {
		t.Fatalf("valid.yaml:\n%v", err)
	}
}

func TestValidateNamesUnnamedPhases(t *testing.T) {
	p := mustParseFile(t, "valid.yaml")
	var got []string
	for _, ph := range p.Categories[0].Phases {
		got = append(got, ph.ID)
	}
	if strings.Join(got, ",") != "hospital,p2,p3" {
		t.Errorf("phase ids %v, want hospital, p2, p3", got)
	}
}
