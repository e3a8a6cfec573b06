package policy

import (
	"sync"
	"time"

	"healthcode"
)

// Pack is a region's colour rules as data: a versioned file, embedded in the
// binary or loaded from disk, validated before it is used (load.go), and
// evaluated by the engine (engine.go). The YAML form is documented in
// docs/policy-packs.md; the shipped packs are in packs/.
type Pack struct {
	Name    string          `yaml:"name"`    // e.g. transfer-rules-2022
	Version string          `yaml:"version"` // recorded with every status
	Title   healthcode.Text `yaml:"title"`
	Source  string          `yaml:"source"`  // the public document it reproduces
	Regions []string        `yaml:"regions"` // 6-digit codes it is meant for
	Rules   Settings        `yaml:"settings"`

	// GreenValidity, when set, makes green expire without a fresh normal
	// temperature record (Hubei 2020); nil: green has no validity (Lishui).
	GreenValidity *Validity `yaml:"green_validity"`
	// AuthorityLock keeps a colour assigned by another region (a
	// foreign_code fact) against local transfers (seed 003).
	AuthorityLock bool `yaml:"authority_lock"`
	// NoTransfers ignores official transfers: colours change only by the
	// rules, "人工无法干预或修改结果" (Lishui 2020).
	NoTransfers bool `yaml:"no_transfers"`
	// PaperPass, when set, lets community workers issue paper passes to
	// people without a smartphone (SPEC C7): how long one is valid and
	// what is checked first. nil: the region issues none.
	PaperPass *PaperPass `yaml:"paper_pass"`

	// Categories in precedence order: when two give the same colour, the
	// earlier one explains the status.
	Categories []Category `yaml:"categories"`
	// Blocks hold a colour from getting less severe while they apply
	// (seed 003 Q8 "not transferable for now").
	Blocks []Block `yaml:"blocks"`

	Line int `yaml:"-"` // where it was defined, for errors
	// Digest is the SHA-256 of the pack's file, hex: the public log names
	// the exact pack in force by it.
	Digest string `yaml:"-"`

	kindsOnce sync.Once
	byKind    map[healthcode.FactKind][]int // category indexes by trigger kind
}

// categoriesFor lists, in precedence order, the categories a fact of kind k
// may trigger. A pack is not changed once loaded, so the index is built
// once.
func (p *Pack) categoriesFor(k healthcode.FactKind) []int {
	p.kindsOnce.Do(func() {
		p.byKind = map[healthcode.FactKind][]int{}
		for i := range p.Categories {
			kind := p.Categories[i].When.Fact
			p.byKind[kind] = append(p.byKind[kind], i)
		}
	})
	return p.byKind[k]
}

// Category is a kind of risk: a trigger that starts an episode, and the
// phases the episode goes through.
type Category struct {
	ID     string          `yaml:"id"`
	Title  healthcode.Text `yaml:"title"`
	Seed   string          `yaml:"seed"` // the sentence of the source document it implements
	When   Trigger         `yaml:"when"`
	Phases []Phase         `yaml:"phases"`
	Line   int             `yaml:"-"`
}

// Anchor names the instant of a trigger fact that durations may count from.
type Anchor string

// Anchors. AnchorFact, the default, is the fact's own time.
const (
	AnchorFact          Anchor = "fact"
	AnchorExposure      Anchor = "exposure"       // contact: the last exposure
	AnchorOnset         Anchor = "onset"          // case: symptom onset, else the fact
	AnchorFirstPositive Anchor = "first_positive" // case: first positive sample, else the fact
	AnchorStayEnd       Anchor = "stay_end"       // area stay: leaving the area, else the fact
	AnchorPhase         Anchor = "phase"          // an exit's default: the phase's start
	AnchorAnchor        Anchor = "anchor"         // an exit counting from the trigger's anchor
)

// Trigger selects the facts that start an episode of a category. Fields
// left empty match anything.
type Trigger struct {
	Fact healthcode.FactKind `yaml:"fact"`
	// Types matches the fact's type: a case type, contact type, area
	// level, isolation setting or test result.
	Types []string `yaml:"types"`
	// Answers match a declaration's answers or a check-in's symptoms:
	// symptoms (fever, cough or other), contact_cases, abroad_14d,
	// left_region_14d.
	Answers []string `yaml:"answers"`
	// Fever matches a temperature or check-in at or above 37.3 °C.
	Fever bool `yaml:"fever"`
	// Confined matches a contact in a confined space with a case.
	Confined *bool `yaml:"confined"`
	// ExposureAge matches by how long before the fact the last exposure
	// was (special areas, seed 003 §8): at least Min, less than Max.
	ExposureAge *Range `yaml:"exposure_age"`
	// From is the anchor the episode's durations may count from.
	From Anchor `yaml:"from"`
}

// Range is a half-open range of durations; a zero Max is unbounded.
type Range struct {
	Min Duration `yaml:"min"`
	Max Duration `yaml:"max"`
}

// Phase is one stage of an episode: a colour and a measure, held until one
// of its exits is met. A phase without exits lasts until an official
// transfer ends it.
type Phase struct {
	ID      string           `yaml:"id"`
	Color   healthcode.Color `yaml:"color"`
	Measure healthcode.Text  `yaml:"measure"`
	Until   []Exit           `yaml:"until"` // alternatives: the first met ends the phase
	Line    int              `yaml:"-"`
}

// Exit is one way out of a phase: every requirement set must be met.
type Exit struct {
	// After is a time that must have passed, counted from From.
	After Duration `yaml:"after"`
	From  Anchor   `yaml:"from"` // phase (default) or the trigger's anchor
	// Tests requires negative nucleic-acid results.
	Tests *TestRule `yaml:"tests"`
	// CheckIns requires consecutive days of normal check-ins.
	CheckIns int `yaml:"checkins"`
	// Released requires a release from isolation in that setting (seed
	// 003 §2: no personal application needed).
	Released healthcode.IsolationSetting `yaml:"released"`
	// Closed requires the case to be closed with that outcome.
	Closed healthcode.CaseOutcome `yaml:"closed"`
	Line   int                    `yaml:"-"`
}

// TestRule asks for Count negative results sampled during the phase, each
// sample at least MinInterval after the one before, all samples within
// Within of the first (zero: no limit). A positive result starts the count
// again. It is met when the last needed result arrives.
type TestRule struct {
	Count       int      `yaml:"count"`
	MinInterval Duration `yaml:"min_interval"`
	Within      Duration `yaml:"within"`
}

// PaperPass is a region's rule for paper passes (seed 003 Q9, seed 001
// Q2): the identity document is always checked; Needs names the other
// checks.
type PaperPass struct {
	ValidFor Duration    `yaml:"valid_for"`
	Needs    []PassCheck `yaml:"needs"`
	// TestWithin is how recent the negative nucleic-acid result must be
	// (its sample), when Needs names nucleic_acid.
	TestWithin Duration `yaml:"test_within"`
}

// PassCheck names one check before a paper pass is issued.
type PassCheck string

// The checks. The identity document is checked for every pass.
const (
	// PassVaccination: the person's vaccine doses reach the primary course
	// (全程接种), as the vaccination feed recorded them.
	PassVaccination PassCheck = "vaccination"
	// PassNucleicAcid: a negative nucleic-acid result sampled within
	// TestWithin, none positive since.
	PassNucleicAcid PassCheck = "nucleic_acid"
	// PassTemperature: a temperature taken on the spot, below a fever;
	// it is recorded as a temperature fact.
	PassTemperature PassCheck = "temperature"
)

// PassChecks lists the checks a pack may name, in the order forms show
// them.
var PassChecks = []PassCheck{PassVaccination, PassNucleicAcid, PassTemperature}

// Need reports whether the rule names check c.
func (pp *PaperPass) Need(c PassCheck) bool {
	for _, n := range pp.Needs {
		if n == c {
			return true
		}
	}
	return false
}

// MaxPassValidity bounds a paper pass's validity: a pass is a bridge for
// a day or a few, and the colour it shows offline is as old as it is.
const MaxPassValidity = 7 * 24 * time.Hour

// PaperPassOf returns the paper-pass rule of a policy, or nil when it
// issues none (a policy that is not a pack issues none either).
func PaperPassOf(p Policy) *PaperPass {
	if pp, ok := p.(interface{ PaperPassRule() *PaperPass }); ok {
		return pp.PaperPassRule()
	}
	return nil
}

// PaperPassRule returns the pack's paper-pass rule, nil for none.
func (p *Pack) PaperPassRule() *PaperPass { return p.PaperPass }

// Validity is how long green lasts without a normal temperature record.
type Validity struct {
	Duration  Duration              `yaml:"duration"`
	RenewedBy []healthcode.FactKind `yaml:"renewed_by"` // temperature, checkin
}

// BlockKind names a condition that blocks transfers.
type BlockKind string

// Block kinds of seed 003 Q8.
const (
	BlockOpenCase   BlockKind = "open_case"    // a case not yet cured or excluded
	BlockIsolation  BlockKind = "in_isolation" // isolation started, not released
	BlockSymptoms   BlockKind = "symptoms"     // fever or cough within Within
	BlockInRiskArea BlockKind = "in_risk_area" // a stay of these levels not ended
)

// Block is a condition under which no colour gets less severe.
type Block struct {
	ID     string                 `yaml:"id"`
	Kind   BlockKind              `yaml:"kind"`
	Title  healthcode.Text        `yaml:"title"`
	Seed   string                 `yaml:"seed"`
	Within Duration               `yaml:"within"` // symptoms
	Levels []healthcode.AreaLevel `yaml:"levels"` // in_risk_area
	Line   int                    `yaml:"-"`
}

// Duration is a time.Duration written in days, hours or minutes: "14d",
// "36h", "90m", or combinations such as "1d12h".
type Duration time.Duration

// D returns d as a time.Duration.
func (d Duration) D() time.Duration { return time.Duration(d) }
