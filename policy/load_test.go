package policy

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"healthcode"
)

func TestParseReportsEveryProblemAtItsLine(t *testing.T) {
	data, err := os.ReadFile("testdata/broken.yaml")
	if err != nil {
		t.Fatal(err)
	}
	p, err := Parse("broken.yaml", data)
	if p != nil {
		t.Error("a broken pack was returned")
	}
	want := strings.TrimSpace(`
broken.yaml:2: name: must be lower-case letters, digits and single hyphens (e.g. close-contact), got "Broken Pack"
broken.yaml:2: version: required: it is recorded with every status
broken.yaml:6: regions[1]: "33010": must be a 6-digit administrative division code, e.g. 330100
broken.yaml:8: settings.modify_limit: must be a whole number, got "once"
broken.yaml:9: settings.relatives: must be true or false, got "maybe"
broken.yaml:11: green_validity.duration: duration "36": 36 needs a unit: d (days), h (hours) or m (minutes)
broken.yaml:19: categories[0].when.types[1]: "distant" is not a contact type (want close, sub_close or companion)
broken.yaml:20: categories[0].when.from: a contact fact has no onset: only case facts do
broken.yaml:26: categories[0].phases[0].until[0].tests.count: must be at least 1, got 0
broken.yaml:27: categories[0].phases[1].color: phase p2 is red after yellow: phases may only get less severe
broken.yaml:29: categories[0].phases[1]: unknown field "colour" (known fields: id, color, measure, until)
broken.yaml:30: categories[1].id: id "close-contact" is already used by categories[0]
broken.yaml:31: categories[1].title.en: the English text is required
broken.yaml:35: categories[1].phases[0].color: must be green, yellow or red, got "purple"
broken.yaml:35: categories[1].phases[0].until: phase p1 has no exits, so it lasts until an official transfer; only the last phase may: give it an until, or make it the last phase
broken.yaml:40: categories[1].phases[1].until[0].released: "hotel" is not an isolation setting (want centralized or home)
broken.yaml:42: blocks[0].within: required for a symptoms block: how far back symptoms count, e.g. 14d
broken.yaml:46: blocks[0].seed: given twice (first at line 45)
broken.yaml:47: blocks[1].id: required
broken.yaml:48: blocks[1].levels: must be a list (items on lines starting with "- ", or [a, b]), got "high"`)
	if err == nil || err.Error() != want {
		t.Errorf("got:\n%v\nwant:\n%s", err, want)
	}
	var pe *PackError
	if !errors.As(err, &pe) || len(pe.Problems) != strings.Count(want, "\n")+1 {
		t.Errorf("want a *PackError with one problem a line")
	}
}

// TestParseReportsMalformedYAML checks the problems found before rules:
// each case must report want at line (0: no line), whatever else it finds.
func TestParseReportsMalformedYAML(t *testing.T) {
	for _, tc := range []struct {
		name, yaml string
		line       int
		want       string
	}{
		{"empty file", "", 0, "the file is empty"},
		{"only comments", "# nothing\n", 0, "the file is empty"},
		{"syntax error", "name: x\nversion: 1\n  bad: indent\n", 3, "mapping values are not allowed"},
		{"tab indentation", "name: x\n\tversion: 1\n", 2, "tab character"},
		{"a list instead of a pack", "- name: x\n", 1, "a policy pack must be a mapping of name, version"},
		{"second document", "name: x\n---\nname: y\n", 2, "a second YAML document"},
		{"unknown top-level key", "name: x\nregion: [330100]\n", 2, `unknown field "region" (known fields: name, version`},
		{"unknown nested key", "categories:\n  - id: a\n    when: {kind: case}\n", 3, `categories[0].when: unknown field "kind"`},
		{"unknown key in a text", "title: {zh: 甲, en: A, fr: A}\n", 1, `title: unknown field "fr" (known fields: zh, en)`},
		{"repeated key", "name: x\nversion: 1\nname: y\n", 3, "name: given twice (first at line 1)"},
		{"merge keys", "title:\n  <<: {zh: 甲}\n", 2, `title: unknown field "<<"`},
		{"aliases", "name: &n x\nversion: *n\n", 2, "version: aliases (*n) are not supported"},
		{"recursive aliases", "regions: &r [*r]\n", 1, "regions[0]: aliases (*r) are not supported"},
		{"colour by number", "categories:\n  - phases:\n      - color: 3\n", 3, `categories[0].phases[0].color: must be green, yellow or red, got "3"`},
		{"colour as a list", "categories:\n  - phases:\n      - color: [red]\n", 3, `color: must be green, yellow or red, got a list`},
		{"duration without unit", "green_validity:\n  duration: 7\n", 2, `green_validity.duration: duration "7": 7 needs a unit`},
		{"fractional duration", "green_validity:\n  duration: 1.5d\n", 2, `unit "."`},
		{"negative duration", "categories:\n  - phases:\n      - until:\n          - after: -1d\n", 4, "durations cannot be negative"},
		{"text instead of number", "categories:\n  - phases:\n      - until: [{checkins: seven}]\n", 3, `checkins: must be a whole number, got "seven"`},
		{"number instead of bool", "authority_lock: 1\n", 1, `authority_lock: must be true or false, got "1"`},
		{"scalar instead of list", "regions: 330100\n", 1, "regions: must be a list"},
		{"list instead of text", "version: [1]\n", 1, "version: must be a single value, got a list"},
		{"mapping instead of struct field", "settings: 3\n", 1, "settings: must be a mapping of modify_limit"},
		{"complex key", "? [a]\n: b\n", 1, "keys must be plain names"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := Parse("f.yaml", []byte(tc.yaml))
			var pe *PackError
			if p != nil || !errors.As(err, &pe) {
				t.Fatalf("Parse = %v, %v; want no pack and a *PackError", p, err)
			}
			for _, pr := range pe.Problems {
				if pr.Line == tc.line && strings.Contains(pr.Msg, tc.want) {
					return
				}
			}
			t.Errorf("problems:\n%v\nwant one at line %d containing %q", err, tc.line, tc.want)
		})
	}
}

func TestParseDoesNotEchoMalformedValues(t *testing.T) {
	// A malformed value is reported once, not again as missing.
	_, err := Parse("f.yaml", []byte("name: x\ncategories:\n  - phases:\n      - color: blue\n        until:\n          - after: 3\n"))
	for _, echo := range []string{"color: required", "an exit needs at least one requirement"} {
		if strings.Contains(err.Error(), echo) {
			t.Errorf("problems repeat a malformed value as %q:\n%v", echo, err)
		}
	}
}

func TestParseDecodesEveryField(t *testing.T) {
	p := mustParseFile(t, "valid.yaml")
	yes := true
	checks := []struct {
		what      string
		got, want any
	}{
		{"regions", p.Regions, []string{"330100", "420100"}},
		{"settings", p.Rules, Settings{ModifyLimit: 1, ModifyPerDay: true, Relatives: true}},
		{"green validity", *p.GreenValidity, Validity{Duration: Duration(36 * time.Hour), RenewedBy: []healthcode.FactKind{"temperature", "checkin"}}},
		{"authority lock", p.AuthorityLock, true},
		{"trigger", p.Categories[1].When.From, AnchorExposure},
		{"confined", *p.Categories[1].When.Confined, yes},
		{"exposure age", *p.Categories[1].When.ExposureAge, Range{Max: days(14)}},
		{"colour", p.Categories[0].Phases[2].Color, healthcode.Yellow},
		{"tests", *p.Categories[0].Phases[1].Until[0].Tests, TestRule{Count: 2, MinInterval: Duration(24 * time.Hour), Within: days(3)}},
		{"exit from", p.Categories[0].Phases[2].Until[0].From, Anchor("anchor")},
		{"released", p.Categories[0].Phases[1].Until[1].Released, healthcode.IsolationCentralized},
		{"closed", p.Categories[0].Phases[0].Until[0].Closed, healthcode.OutcomeCured},
		{"block levels", p.Blocks[3].Levels, []healthcode.AreaLevel{"high", "medium"}},
		{"block within", p.Blocks[2].Within, days(14)},
	}
	for _, c := range checks {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("%s = %+v, want %+v", c.what, c.got, c.want)
		}
	}
}

func TestParseRecordsLines(t *testing.T) {
	p := mustParseFile(t, "valid.yaml")
	for _, c := range []struct {
		what      string
		got, want int
	}{
		{"pack", p.Line, 3},
		{"category", p.Categories[1].Line, 45},
		{"phase", p.Categories[0].Phases[1].Line, 33},
		{"exit", p.Categories[0].Phases[1].Until[1].Line, 38},
		{"flow-style exit", p.Categories[3].Phases[0].Until[0].Line, 80},
		{"block", p.Blocks[2].Line, 90},
	} {
		if c.got != c.want {
			t.Errorf("%s line = %d, want %d", c.what, c.got, c.want)
		}
	}
}

func TestShippedPacksAreValidAndNamedAfterTheirFiles(t *testing.T) {
	names := Shipped()
	if len(names) == 0 {
		t.Fatal("no shipped packs")
	}
	for _, name := range names {
		p, err := LoadShipped(name)
		if err != nil {
			t.Errorf("%s:\n%v", name, err)
			continue
		}
		if p.Name != name {
			t.Errorf("packs/%s.yaml is named %q", name, p.Name)
		}
	}
}

func TestShippedListsPackNamesSorted(t *testing.T) {
	saved := packsFS
	t.Cleanup(func() { packsFS = saved })
	packsFS = fstest.MapFS{
		"b-pack.yaml": {}, "a-pack.yaml": {}, "README.md": {}, "c-pack.yml": {},
	}
	if got := Shipped(); !slices.Equal(got, []string{"a-pack", "b-pack"}) {
		t.Errorf("Shipped() = %v", got)
	}
}

func TestLoadShippedRefusesAFileNamedOtherwise(t *testing.T) {
	saved := packsFS
	t.Cleanup(func() { packsFS = saved })
	data, _ := os.ReadFile("testdata/valid.yaml")
	packsFS = fstest.MapFS{"other-name.yaml": {Data: data}}
	if _, err := LoadShipped("other-name"); err == nil || !strings.Contains(err.Error(), "named after its file") {
		t.Errorf("LoadShipped = %v", err)
	}
}

func TestLoadTakesAShippedNameOrAPath(t *testing.T) {
	name := Shipped()[0]
	if p, err := Load(name); err != nil || p.Name != name {
		t.Errorf("Load(%q) = %v, %v", name, p, err)
	}
	if p, err := Load("testdata/valid.yaml"); err != nil || p.Name != "test-every-field" {
		t.Errorf("Load(testdata/valid.yaml) = %v, %v", p, err)
	}
	if _, err := Load("no-such-pack"); err == nil || !strings.Contains(err.Error(), `no shipped policy pack "no-such-pack" (shipped: `) {
		t.Errorf("Load(no-such-pack) = %v", err)
	}
	if _, err := Load("testdata/missing.yaml"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Load(missing file) = %v, want not exist", err)
	}
	if _, err := Load("testdata/broken.yaml"); err == nil || !strings.HasPrefix(err.Error(), "testdata/broken.yaml:2: ") {
		t.Errorf("Load(broken) = %v", err)
	}
}

func TestLoadDirLoadsAllOrNothing(t *testing.T) {
	valid, _ := os.ReadFile("testdata/valid.yaml")
	broken, _ := os.ReadFile("testdata/broken.yaml")
	write := func(dir, name string, data []byte) {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}

	good := t.TempDir()
	write(good, "a.yaml", valid)
	write(good, "b.yml", []byte(strings.Replace(string(valid), "name: test-every-field", "name: second", 1)))
	write(good, "notes.txt", []byte("not a pack"))
	packs, err := LoadDir(good)
	if err != nil || len(packs) != 2 || packs[0].Name != "test-every-field" || packs[1].Name != "second" {
		t.Fatalf("LoadDir(good) = %v, %v", packs, err)
	}

	bad := t.TempDir()
	write(bad, "a.yaml", valid)
	write(bad, "b.yaml", broken)
	write(bad, "c.yaml", valid)
	packs, err = LoadDir(bad)
	if packs != nil || err == nil {
		t.Fatalf("LoadDir(bad) = %v, %v; want no packs", packs, err)
	}
	for _, want := range []string{
		filepath.Join(bad, "b.yaml") + ":2: name:",
		filepath.Join(bad, "c.yaml") + `:3: name: "test-every-field" is also the name of ` + filepath.Join(bad, "a.yaml"),
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("LoadDir(bad) error lacks %q:\n%v", want, err)
		}
	}
}

// TestDocsExampleIsAValidPack parses the complete example of
// docs/policy-packs.md, so the documentation cannot drift from the format.
func TestDocsExampleIsAValidPack(t *testing.T) {
	doc, err := os.ReadFile("../docs/policy-packs.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(doc), "<!-- example pack")
	_, rest, ok2 := strings.Cut(rest, "```yaml\n")
	example, _, ok3 := strings.Cut(rest, "```")
	if !ok || !ok2 || !ok3 {
		t.Fatal("docs/policy-packs.md has no example pack block")
	}
	p, err := Parse("docs/policy-packs.md example", []byte(example))
	if err != nil {
		t.Fatalf("the documented example is not valid:\n%v", err)
	}
	if len(p.Categories) == 0 || len(p.Blocks) == 0 {
		t.Errorf("the example shows no categories or no blocks")
	}
}

// TestDocsNameEveryKey checks that docs/policy-packs.md documents every key
// of the format.
func TestDocsNameEveryKey(t *testing.T) {
	doc, err := os.ReadFile("../docs/policy-packs.md")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[reflect.Type]bool{}
	var walk func(reflect.Type)
	walk = func(t0 reflect.Type) {
		for t0.Kind() == reflect.Pointer || t0.Kind() == reflect.Slice {
			t0 = t0.Elem()
		}
		if t0.Kind() != reflect.Struct || seen[t0] {
			return
		}
		seen[t0] = true
		for name, ft := range yamlFields(t0) {
			if !strings.Contains(string(doc), "`"+name+"`") {
				t.Errorf("docs/policy-packs.md does not document %s.%s", t0.Name(), name)
			}
			walk(ft)
		}
	}
	walk(reflect.TypeFor[Pack]())
}

// FuzzParse checks that no input makes Parse panic, and that whatever it
// accepts also passes Validate.
func FuzzParse(f *testing.F) {
	for _, name := range []string{"valid.yaml", "broken.yaml"} {
		data, err := os.ReadFile("testdata/" + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("---\n"))
	f.Add([]byte("~\n"))
	f.Add([]byte("a: &x [*x]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := Parse("fuzz.yaml", data)
		if err == nil {
			if err := p.Validate(); err != nil {
				t.Errorf("Parse accepted a pack Validate refuses:\n%v", err)
			}
		} else if p != nil {
			t.Errorf("Parse returned a pack with an error")
		}
	})
}
