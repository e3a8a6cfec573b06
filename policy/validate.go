package policy

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"healthcode"
)

// Validate checks a pack built in Go the way Parse checks a file, and
// fills in defaults (phase ids). It returns a *PackError listing every
// problem, with the lines the pack's Line fields hold.
func (p *Pack) Validate() error {
	v := &validator{}
	v.pack(p)
	return v.err("")
}

// validator collects the problems of one pack.
type validator struct {
	lines    map[string]int  // from the YAML tree; nil for a pack built in Go
	bad      map[string]bool // paths the schema check already reported
	problems []Problem
}

// report records a problem at path; line is the nearest Line field, used
// when there is no YAML tree to find the path's own line in.
func (v *validator) report(path string, line int, format string, args ...any) {
	if v.malformed(path) {
		return
	}
	if v.lines != nil {
		for p := path; ; p = parentPath(p) {
			if l := v.lines[p]; l > 0 {
				line = l
				break
			}
			if p == "" {
				break
			}
		}
	}
	v.problems = append(v.problems, Problem{Line: line, Msg: atPath(path, fmt.Sprintf(format, args...))})
}

// malformed reports whether the schema check already found path, a path
// inside it, or one around it malformed: a problem there would only be an
// echo of that one.
func (v *validator) malformed(path string) bool {
	for p := path; ; p = parentPath(p) {
		if v.bad[p] {
			return true
		}
		if p == "" {
			break
		}
	}
	for b := range v.bad {
		if strings.HasPrefix(b, path+".") || strings.HasPrefix(b, path+"[") {
			return true
		}
	}
	return false
}

// err returns the problems as a *PackError, or nil.
func (v *validator) err(file string) error {
	if len(v.problems) == 0 {
		return nil
	}
	e := &PackError{File: file, Problems: v.problems}
	e.sort()
	return e
}

// parentPath strips the last step of a path: a.b[2] → a.b → a → "".
func parentPath(path string) string {
	i := strings.LastIndexAny(path, ".[")
	if i < 0 {
		return ""
	}
	return path[:i]
}

// idPattern is the form of pack names and category, phase and block ids:
// they end up in rule names such as transfer-rules-2022/close-contact/p1.
var idPattern = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// id checks a required name or id.
func (v *validator) id(path string, line int, id string) {
	switch {
	case id == "":
		v.report(path, line, "required")
	case !idPattern.MatchString(id):
		v.report(path, line, "must be lower-case letters, digits and single hyphens (e.g. close-contact), got %q", id)
	}
}

// text checks that both languages of a text are given.
func (v *validator) text(path string, line int, t healthcode.Text) {
	if strings.TrimSpace(t.Zh) == "" {
		v.report(path+".zh", line, "the Chinese text is required")
	}
	if strings.TrimSpace(t.En) == "" {
		v.report(path+".en", line, "the English text is required")
	}
}

// seed checks that a rule quotes its source.
func (v *validator) seed(path string, line int, seed string) {
	if strings.TrimSpace(seed) == "" {
		v.report(path, line, "required: quote the sentence of the source document this rule implements")
	}
}

// unique checks that id was not used before in the same list; seen maps
// ids to the path that used them first.
func (v *validator) unique(path string, line int, id string, seen map[string]string) {
	if id == "" {
		return
	}
	if first, ok := seen[id]; ok {
		v.report(path, line, "id %q is already used by %s", id, first)
		return
	}
	seen[id] = parentPath(path)
}

// oneOf checks an enumerated value; empty is checked by the caller.
func (v *validator) oneOf(path string, line int, what, value string, allowed []string) bool {
	if value == "" || slices.Contains(allowed, value) {
		return true
	}
	v.report(path, line, "%q is not %s (want %s)", value, what, orList(allowed))
	return false
}

// orList writes a, b or c.
func orList(s []string) string {
	if len(s) < 2 {
		return strings.Join(s, "")
	}
	return strings.Join(s[:len(s)-1], ", ") + " or " + s[len(s)-1]
}

// stringsOf converts a list of string-typed values.
func stringsOf[T ~string](vs ...T) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = string(v)
	}
	return out
}

func (v *validator) pack(p *Pack) {
	v.id("name", p.Line, p.Name)
	if p.Version == "" {
		v.report("version", p.Line, "required: it is recorded with every status")
	}
	v.text("title", p.Line, p.Title)
	if len(p.Regions) == 0 {
		v.report("regions", p.Line, "at least one 6-digit region code is required, e.g. [330100]")
	}
	seen := map[string]bool{}
	for i, r := range p.Regions {
		path := fmt.Sprintf("regions[%d]", i)
		if reason := healthcode.ValidateRegion(r); reason != "" {
			v.report(path, p.Line, "%q: %s", r, reason)
		} else if seen[r] {
			v.report(path, p.Line, "%s is listed twice", r)
		}
		seen[r] = true
	}
	v.settings(p.Rules, p.Line)
	if g := p.GreenValidity; g != nil {
		v.validity(g, p.Line)
	}
	if pp := p.PaperPass; pp != nil {
		v.paperPass(pp, p.Line)
	}
	if len(p.Categories) == 0 {
		v.report("categories", p.Line, "at least one category is required")
	}
	ids := map[string]string{}
	for i := range p.Categories {
		v.category(&p.Categories[i], fmt.Sprintf("categories[%d]", i), ids)
	}
	ids = map[string]string{}
	for i := range p.Blocks {
		v.block(&p.Blocks[i], fmt.Sprintf("blocks[%d]", i), ids)
	}
}

func (v *validator) validity(g *Validity, line int) {
	if g.Duration <= 0 {
		v.report("green_validity.duration", line, "must be more than zero, e.g. 7d")
	}
	if len(g.RenewedBy) == 0 {
		v.report("green_validity.renewed_by", line, "name the facts that renew green: temperature, checkin or both")
	}
	renewers := stringsOf(healthcode.FactTemperature, healthcode.FactCheckIn)
	for i, k := range g.RenewedBy {
		if k == "" {
			v.report(fmt.Sprintf("green_validity.renewed_by[%d]", i), line, "empty: want temperature or checkin")
		}
		v.oneOf(fmt.Sprintf("green_validity.renewed_by[%d]", i), line, "a fact that renews green", string(k), renewers)
	}
}

func (v *validator) paperPass(pp *PaperPass, line int) {
	switch {
	case pp.ValidFor <= 0:
		v.report("paper_pass.valid_for", line, "must be more than zero, e.g. 24h")
	case pp.ValidFor.D() > MaxPassValidity:
		v.report("paper_pass.valid_for", line, "at most 7d: the colour a pass shows offline is as old as the pass")
	}
	checks := stringsOf(PassChecks...)
	seen := map[PassCheck]bool{}
	for i, c := range pp.Needs {
		path := fmt.Sprintf("paper_pass.needs[%d]", i)
		if c == "" {
			v.report(path, line, "empty: want one of %s", orList(checks))
			continue
		}
		v.oneOf(path, line, "a check", string(c), checks)
		if seen[c] {
			v.report(path, line, "%s is listed twice", c)
		}
		seen[c] = true
	}
	switch {
	case pp.TestWithin < 0:
		v.report("paper_pass.test_within", line, "must not be negative")
	case seen[PassNucleicAcid] && pp.TestWithin == 0:
		v.report("paper_pass.test_within", line, "required with nucleic_acid: how recent the negative result's sample must be, e.g. 48h")
	case !seen[PassNucleicAcid] && pp.TestWithin != 0:
		v.report("paper_pass.test_within", line, "only with nucleic_acid among the needs")
	}
}

func (v *validator) block(b *Block, path string, ids map[string]string) {
	v.id(path+".id", b.Line, b.ID)
	v.unique(path+".id", b.Line, b.ID, ids)
	kinds := stringsOf(BlockOpenCase, BlockIsolation, BlockSymptoms, BlockInRiskArea)
	if b.Kind == "" {
		v.report(path+".kind", b.Line, "required: one of %s", orList(kinds))
	}
	v.oneOf(path+".kind", b.Line, "a block kind", string(b.Kind), kinds)
	v.text(path+".title", b.Line, b.Title)
	v.seed(path+".seed", b.Line, b.Seed)
	switch {
	case b.Within < 0:
		v.report(path+".within", b.Line, "must not be negative")
	case b.Kind == BlockSymptoms && b.Within == 0:
		v.report(path+".within", b.Line, "required for a symptoms block: how far back symptoms count, e.g. 14d")
	case b.Kind != BlockSymptoms && b.Within != 0:
		v.report(path+".within", b.Line, "only a symptoms block has within")
	}
	switch {
	case b.Kind == BlockInRiskArea && len(b.Levels) == 0:
		v.report(path+".levels", b.Line, "required for an in_risk_area block: the area levels that block, e.g. [high, medium]")
	case b.Kind != BlockInRiskArea && len(b.Levels) > 0:
		v.report(path+".levels", b.Line, "only an in_risk_area block has levels")
	}
	for i, l := range b.Levels {
		lp := fmt.Sprintf("%s.levels[%d]", path, i)
		if l == "" {
			v.report(lp, b.Line, "empty: want %s", orList(areaLevels))
		}
		v.oneOf(lp, b.Line, "an area level", string(l), areaLevels)
	}
}

func (v *validator) settings(s Settings, line int) {
	for _, n := range []struct {
		key   string
		value int
	}{{"modify_limit", s.ModifyLimit}, {"proxy_under", s.ProxyUnder}, {"proxy_from", s.ProxyFrom}, {"max_relatives", s.MaxRelatives}} {
		if n.value < 0 {
			v.report("settings."+n.key, line, "must be 0 or more, got %d", n.value)
		}
	}
	if s.Proxy && !s.Relatives {
		v.report("settings.proxy", line, "needs relatives: true (a proxy registers a relative)")
	}
}
