package policy

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"reflect"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"healthcode"
)

// A test file holds timeline tests of a pack, as data, the way CertLogic
// rules ship with test suites every engine runs: each test is one person's
// facts and the status expected at some instants. Shipped packs carry
// theirs beside them (packs/NAME.test.yaml); docs/policy-packs.md
// describes the form.

// TestSuffix ends the name of a pack's test file: NAME.test.yaml beside
// NAME.yaml.
const TestSuffix = ".test.yaml"

// TestFile is a file of timeline tests.
type TestFile struct {
	File string `yaml:"-"`
	// Region is the person's region in every test that names none; empty:
	// the pack's first region.
	Region string         `yaml:"region"`
	Tests  []TimelineTest `yaml:"tests"`
}

// TimelineTest is one person's facts and what the pack must say of them.
type TimelineTest struct {
	Name   string        `yaml:"name"`
	Seed   string        `yaml:"seed"` // the sentence of the source document it checks
	Region string        `yaml:"region"`
	Facts  []yaml.Node   `yaml:"facts"` // facts as data (DecodeFact)
	Expect []Expectation `yaml:"expect"`

	Line int `yaml:"-"`
	// facts are Facts decoded and numbered.
	facts []healthcode.Fact
}

// Expectation is the status expected at one instant. Rule, Since and Needs
// are checked when given: the rule without the pack's name
// (declared-contact/isolation), and the needs all of them, in order, each
// by the fields written (needs: [] expects none).
type Expectation struct {
	At    Instant            `yaml:"at"`
	Color healthcode.Color   `yaml:"color"`
	Rule  string             `yaml:"rule"`
	Since *Instant           `yaml:"since"`
	Needs *[]NeedExpectation `yaml:"needs"`
	Line  int                `yaml:"-"`
}

// NeedExpectation is one expected need: its kind, and those of its other
// fields that are written.
type NeedExpectation struct {
	Alternative *int                `yaml:"alternative"`
	Kind        healthcode.NeedKind `yaml:"kind"`
	Until       *Instant            `yaml:"until"`
	Have        *int                `yaml:"have"`
	Want        *int                `yaml:"want"`
	MinInterval *float64            `yaml:"min_interval_hours"`
	Within      *float64            `yaml:"within_hours"`
	Setting     *string             `yaml:"setting"`
}

// Instant is a time in a test file, as ParseTime reads it.
type Instant struct{ time.Time }

// UnmarshalYAML reads an instant; the schema has reported a bad one.
func (i *Instant) UnmarshalYAML(n *yaml.Node) error {
	t, err := ParseTime(n.Value)
	i.Time = t
	return err
}

// UnmarshalYAML decodes a test and records its line.
func (t *TimelineTest) UnmarshalYAML(n *yaml.Node) error {
	type plain TimelineTest
	err := n.Decode((*plain)(t))
	t.Line = n.Line
	return err
}

// UnmarshalYAML decodes an expectation and records its line.
func (e *Expectation) UnmarshalYAML(n *yaml.Node) error {
	type plain Expectation
	err := n.Decode((*plain)(e))
	e.Line = n.Line
	return err
}

// ParseTests decodes and checks a test file for pack p: its form, every
// fact, and that each test has a name of its own and expectations. Any
// problem makes it return a *PackError listing them all.
func ParseTests(filename string, data []byte, p *Pack) (*TestFile, error) {
	pe := &PackError{File: filename}
	var doc yaml.Node
	err := yaml.NewDecoder(bytes.NewReader(data)).Decode(&doc)
	switch {
	case errors.Is(err, io.EOF):
		pe.Problems = append(pe.Problems, Problem{Msg: "the file is empty: a test file needs tests"})
		return nil, pe
	case err != nil:
		pe.Problems = append(pe.Problems, yamlProblems(err)...)
		return nil, pe
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		pe.Problems = append(pe.Problems, Problem{Line: root.Line, Msg: "a test file must be a mapping of region, tests"})
		return nil, pe
	}
	s := newSchema()
	s.check(root, reflect.TypeFor[TestFile](), "", root.Line)
	tf := &TestFile{File: filename}
	if err := root.Decode(tf); err != nil {
		pe.Problems = append(pe.Problems, yamlProblems(err)...)
	}
	pe.Problems = append(pe.Problems, s.problems...)
	pe.Problems = append(pe.Problems, tf.check(p, s)...)
	if len(pe.Problems) > 0 {
		pe.sort()
		return nil, pe
	}
	return tf, nil
}

// check decodes every test's facts and reports what the schema cannot see.
func (tf *TestFile) check(p *Pack, s *schema) []Problem {
	var ps []Problem
	add := func(line int, path, format string, args ...any) {
		ps = append(ps, Problem{Line: line, Msg: atPath(path, fmt.Sprintf(format, args...))})
	}
	if len(tf.Tests) == 0 && !s.bad["tests"] {
		add(s.lines["tests"], "tests", "a test file needs at least one test")
	}
	fileRegion := tf.Region
	if fileRegion == "" && len(p.Regions) > 0 {
		fileRegion = p.Regions[0]
	}
	if reason := healthcode.ValidateRegion(fileRegion); tf.Region != "" && reason != "" {
		add(s.lines["region"], "region", "%s", reason)
	}
	names := map[string]int{}
	for i := range tf.Tests {
		t := &tf.Tests[i]
		path := fmt.Sprintf("tests[%d]", i)
		switch first, dup := names[t.Name]; {
		case t.Name == "":
			add(t.Line, path+".name", "is required: say what the test shows")
		case dup:
			add(t.Line, path+".name", "%q is also the name of the test at line %d", t.Name, first)
		default:
			names[t.Name] = t.Line
		}
		if len(t.Expect) == 0 && !s.bad[path+".expect"] {
			add(t.Line, path+".expect", "is required: at least one {at, color}")
		}
		for j, e := range t.Expect {
			if e.Color == 0 && !s.bad[fmt.Sprintf("%s.expect[%d].color", path, j)] {
				add(e.Line, fmt.Sprintf("%s.expect[%d].color", path, j), "is required: green, yellow or red")
			}
			if e.At.IsZero() && !s.bad[fmt.Sprintf("%s.expect[%d].at", path, j)] {
				add(e.Line, fmt.Sprintf("%s.expect[%d].at", path, j), "is required: the instant to evaluate at")
			}
		}
		region := cmp.Or(t.Region, fileRegion)
		if reason := healthcode.ValidateRegion(region); t.Region != "" && reason != "" {
			add(t.Line, path+".region", "%s", reason)
		}
		ps = append(ps, t.decodeFacts(path, region)...)
	}
	return ps
}

// decodeFacts reads the test's facts, each problem at its key's line.
func (t *TimelineTest) decodeFacts(path, region string) []Problem {
	var ps []Problem
	t.facts = nil
	for i := range t.Facts {
		n := &t.Facts[i]
		fpath := fmt.Sprintf("%s.facts[%d]", path, i)
		m, ok := nodeValue(n).(map[string]any)
		if n.Kind != yaml.MappingNode || !ok {
			ps = append(ps, Problem{Line: n.Line, Msg: atPath(fpath, "must be a mapping such as {kind: checkin, at: \"2026-03-02 08:00\"}")})
			continue
		}
		facts, fps := DecodeFact(m, region)
		for _, p := range fps {
			ps = append(ps, Problem{Line: keyLine(n, p.Key), Msg: atPath(factPath(fpath, p.Key), p.Reason)})
		}
		t.facts = append(t.facts, facts...)
	}
	if len(t.facts) > maxTimelineFacts {
		ps = append(ps, Problem{Line: t.Line, Msg: atPath(path+".facts", fmt.Sprintf("a timeline holds at most %d facts", maxTimelineFacts))})
	}
	Number(t.facts)
	return ps
}

// nodeValue is what n holds, as JSON would give it, but for times: a
// timestamp stays the text written, for ParseTime to read in China time
// where YAML would read UTC.
func nodeValue(n *yaml.Node) any {
	switch n.Kind {
	case yaml.AliasNode:
		return nodeValue(n.Alias)
	case yaml.MappingNode:
		m := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			m[n.Content[i].Value] = nodeValue(n.Content[i+1])
		}
		return m
	case yaml.SequenceNode:
		l := make([]any, len(n.Content))
		for i, item := range n.Content {
			l[i] = nodeValue(item)
		}
		return l
	case yaml.ScalarNode:
		if n.ShortTag() == "!!timestamp" {
			return n.Value
		}
	}
	var v any
	if err := n.Decode(&v); err != nil {
		return nil
	}
	return v
}

// keyLine is the line of key in mapping n, or of n.
func keyLine(n *yaml.Node, key string) int {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i].Line
		}
	}
	return n.Line
}

// TestOutcome is what one test found: every expectation that did not
// hold.
type TestOutcome struct {
	Name     string
	Line     int
	Checked  int       // expectations
	Failures []Failure // empty: the test passed
}

// Failure is one difference between an expectation, at Line of the test
// file, and the status, as a sentence.
type Failure struct {
	Line int
	Text string
}

// Passed reports whether every expectation held.
func (o TestOutcome) Passed() bool { return len(o.Failures) == 0 }

// Run evaluates p over each test's facts at each expected instant; names,
// when given, pick the tests to run.
func (tf *TestFile) Run(p *Pack, names ...string) []TestOutcome {
	var out []TestOutcome
	for i := range tf.Tests {
		t := &tf.Tests[i]
		if len(names) > 0 && !slices.Contains(names, t.Name) {
			continue
		}
		o := TestOutcome{Name: t.Name, Line: t.Line, Checked: len(t.Expect)}
		for _, e := range t.Expect {
			st := p.Evaluate(t.facts, e.At.Time)
			for _, d := range e.differences(p, &st) {
				o.Failures = append(o.Failures, Failure{e.Line, d})
			}
		}
		out = append(out, o)
	}
	return out
}

// differences says in sentences how st differs from e.
func (e *Expectation) differences(p *Pack, st *healthcode.Status) []string {
	at := "at " + FormatChina(e.At.Time)
	got := fmt.Sprintf("got %s by rule %s (%s)", st.Color, shortRule(p, st.Rule), st.Reason.En)
	var out []string
	ruleOK := e.Rule == "" || e.Rule == st.Rule || p.Name+"/"+e.Rule == st.Rule
	switch {
	case st.Color != e.Color && e.Rule != "":
		out = append(out, fmt.Sprintf("%s: expected %s by rule %s, %s", at, e.Color, e.Rule, got))
	case st.Color != e.Color:
		out = append(out, fmt.Sprintf("%s: expected %s, %s", at, e.Color, got))
	case !ruleOK:
		out = append(out, fmt.Sprintf("%s: expected %s by rule %s, %s", at, e.Color, e.Rule, got))
	}
	if e.Since != nil && !e.Since.Equal(st.Since) {
		out = append(out, fmt.Sprintf("%s: expected %s since %s, got since %s", at, st.Color, FormatChina(e.Since.Time), FormatChina(st.Since)))
	}
	if e.Needs != nil && !needsMatch(*e.Needs, st.Needs) {
		out = append(out, fmt.Sprintf("%s: expected needs %s, got %s", at, expectedNeeds(*e.Needs), formatNeeds(st.Needs)))
	}
	return out
}

// shortRule is a rule without the pack's name, as tests write it.
func shortRule(p *Pack, rule string) string { return strings.TrimPrefix(rule, p.Name+"/") }

func needsMatch(want []NeedExpectation, got []healthcode.Need) bool {
	if len(want) != len(got) {
		return false
	}
	for i, w := range want {
		g := got[i]
		if w.Kind != g.Kind || (w.Alternative != nil && *w.Alternative != g.Alternative) ||
			(w.Until != nil && !w.Until.Equal(g.Until)) || (w.Have != nil && *w.Have != g.Have) ||
			(w.Want != nil && *w.Want != g.Want) || (w.MinInterval != nil && *w.MinInterval != g.MinInterval) ||
			(w.Within != nil && *w.Within != g.Within) || (w.Setting != nil && *w.Setting != g.Setting) {
			return false
		}
	}
	return true
}

// formatNeeds writes needs as a test file would, times in China time.
func formatNeeds(ns []healthcode.Need) string {
	parts := make([]string, len(ns))
	for i, n := range ns {
		parts[i] = needString(&n.Alternative, n.Kind, orNil(n.Until), orNil(n.Have), orNil(n.Want),
			orNil(n.MinInterval), orNil(n.Within), orNil(n.Setting))
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

func expectedNeeds(ns []NeedExpectation) string {
	parts := make([]string, len(ns))
	for i, n := range ns {
		var until *time.Time
		if n.Until != nil {
			until = &n.Until.Time
		}
		parts[i] = needString(n.Alternative, n.Kind, until, n.Have, n.Want, n.MinInterval, n.Within, n.Setting)
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

func needString(alt *int, kind healthcode.NeedKind, until *time.Time, have, want *int, minInterval, within *float64, setting *string) string {
	parts := []string{}
	if alt != nil {
		parts = append(parts, fmt.Sprintf("alternative: %d", *alt))
	}
	parts = append(parts, "kind: "+string(kind))
	if until != nil {
		parts = append(parts, fmt.Sprintf("until: %q", FormatChina(*until)))
	}
	for _, f := range []struct {
		name string
		v    *int
	}{{"have", have}, {"want", want}} {
		if f.v != nil {
			parts = append(parts, fmt.Sprintf("%s: %d", f.name, *f.v))
		}
	}
	for _, f := range []struct {
		name string
		v    *float64
	}{{"min_interval_hours", minInterval}, {"within_hours", within}} {
		if f.v != nil {
			parts = append(parts, fmt.Sprintf("%s: %g", f.name, *f.v))
		}
	}
	if setting != nil {
		parts = append(parts, "setting: "+*setting)
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

// orNil is a pointer to v, or nil for the zero value: the fields a need
// leaves out.
func orNil[T comparable](v T) *T {
	var zero T
	if v == zero {
		return nil
	}
	return &v
}

// LoadShippedTests reads the test file shipped beside pack name.
func LoadShippedTests(p *Pack) (*TestFile, error) {
	file := p.Name + TestSuffix
	data, err := fs.ReadFile(packsFS, file)
	if err != nil {
		return nil, fmt.Errorf("shipped pack %s has no test file %s", p.Name, file)
	}
	return ParseTests("packs/"+file, data, p)
}

// LoadTests reads a test file from disk.
func LoadTests(path string, p *Pack) (*TestFile, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("policy tests: %w", err)
	}
	return ParseTests(path, data, p)
}
