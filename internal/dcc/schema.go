package dcc

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// schemaFiles are the upstream combined schemas, one per tag (schema/SOURCE.md).
//
//go:embed schema/*.json
var schemaFiles embed.FS

// schemaVersions are the embedded versions, oldest first.
var schemaVersions = func() []semver {
	entries, err := schemaFiles.ReadDir("schema")
	if err != nil {
		panic(err) // embedded at build time
	}
	var out []semver
	for _, e := range entries {
		v, ok := parseSemver(strings.TrimSuffix(e.Name(), ".json"))
		if !ok {
			panic("schema/" + e.Name() + " is not named for its version")
		}
		out = append(out, v)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].less(out[j]) })
	return out
}()

var compiled sync.Map // semver → func() (*jsonschema.Schema, error), compiled once

// ValidateSchema checks a DCC payload against the schema of its version
// (the `ver` field). Which schema a version gets:
//   - an embedded version: its own schema;
//   - another patch of an embedded major.minor (1.0.4): the newest embedded
//     patch of that major.minor, since a patch changes no structure;
//   - a newer minor of major 1 than any embedded (1.4.0): the newest
//     embedded schema, as minor versions only add optional fields;
//   - a missing or malformed `ver`, another major version, or a version
//     older than the first embedded one: an error, since no schema can
//     speak for it and a payload we cannot check is not accepted.
//
// Formats (date, date-time) are annotations, not assertions, as JSON
// Schema 2020-12 has them by default and as the EU test data expects:
// states did issue a date-time where 1.0.0 says date (PL), and refusing
// those would refuse real certificates. Value-set membership (vaccine
// codes, countries) is not part of the schema and is not checked here.
func ValidateSchema(payload map[string]any) error {
	ver, _ := payload["ver"].(string)
	sch, used, err := schemaFor(ver)
	if err != nil {
		return err
	}
	if err := sch.Validate(payload); err != nil {
		return fmt.Errorf("not valid against schema %s: %s", used, schemaError(err))
	}
	return nil
}

// schemaFor picks and compiles the schema for a version string.
func schemaFor(ver string) (*jsonschema.Schema, semver, error) {
	v, ok := parseSemver(ver)
	if !ok {
		return nil, semver{}, fmt.Errorf("ver %q is not a schema version", ver)
	}
	used, ok := pickSchema(v)
	if !ok {
		return nil, semver{}, fmt.Errorf("no schema for version %s", v)
	}
	once, _ := compiled.LoadOrStore(used, sync.OnceValues(func() (*jsonschema.Schema, error) {
		return compileSchema(used)
	}))
	sch, err := once.(func() (*jsonschema.Schema, error))()
	return sch, used, err
}

func pickSchema(v semver) (semver, bool) {
	newest := schemaVersions[len(schemaVersions)-1]
	if v.major != newest.major || v.less(schemaVersions[0]) {
		return semver{}, false
	}
	var best semver
	found := false
	for _, s := range schemaVersions {
		if s == v {
			return s, true
		}
		if s.major == v.major && s.minor == v.minor {
			best, found = s, true
		}
	}
	if found {
		return best, true
	}
	if newest.less(v) {
		return newest, true
	}
	return semver{}, false // a minor between embedded ones, never released
}

func compileSchema(v semver) (*jsonschema.Schema, error) {
	data, err := schemaFiles.ReadFile(path.Join("schema", v.String()+".json"))
	if err != nil {
		return nil, err
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("schema %s: %w", v, err)
	}
	// Every version has the same $id, so each gets its own compiler.
	c := jsonschema.NewCompiler()
	url := "https://id.uvci.eu/dcc/" + v.String() + ".json"
	if err := c.AddResource(url, doc); err != nil {
		return nil, fmt.Errorf("schema %s: %w", v, err)
	}
	return c.Compile(url)
}

// schemaError shortens the library's error to its first leaf cause: the
// field and the rule it breaks, never the value, which may be a date of
// birth or a name.
func schemaError(err error) string {
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return err.Error()
	}
	for len(ve.Causes) > 0 {
		ve = ve.Causes[0]
	}
	loc := "/" + strings.Join(ve.InstanceLocation, "/")
	return fmt.Sprintf("at %s: fails %s", loc, strings.Join(ve.ErrorKind.KeywordPath(), "/"))
}

type semver struct{ major, minor, patch int }

var semverRE = regexp.MustCompile(`^(\d{1,4})\.(\d{1,4})\.(\d{1,4})$`)

func parseSemver(s string) (semver, bool) {
	m := semverRE.FindStringSubmatch(s)
	if m == nil {
		return semver{}, false
	}
	var n [3]int
	for i := range n {
		n[i], _ = strconv.Atoi(m[i+1])
	}
	return semver{n[0], n[1], n[2]}, true
}

func (a semver) less(b semver) bool {
	if a.major != b.major {
		return a.major < b.major
	}
	if a.minor != b.minor {
		return a.minor < b.minor
	}
	return a.patch < b.patch
}

func (a semver) String() string { return fmt.Sprintf("%d.%d.%d", a.major, a.minor, a.patch) }
