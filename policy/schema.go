package policy

import (
	"fmt"
	"reflect"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"healthcode"
)

// schema checks a pack's YAML tree against the Go types it decodes into,
// before decoding: unknown and repeated keys, lists where a list belongs,
// numbers, booleans, colours and durations. yaml.v3 alone would stop at the
// first bad colour without a line, and its KnownFields setting does not
// reach inside UnmarshalYAML methods; this walk reports every such problem
// with its line, and replaces each bad value by null so that decoding goes
// on and the validator still sees the rest of the pack.
type schema struct {
	lines    map[string]int  // every path (categories[0].phases[1].color) → its line
	bad      map[string]bool // paths already reported: the validator stays quiet on them
	problems []Problem
}

func newSchema() *schema {
	return &schema{lines: map[string]int{}, bad: map[string]bool{}}
}

var (
	colorType    = reflect.TypeFor[healthcode.Color]()
	durationType = reflect.TypeFor[Duration]()
	instantType  = reflect.TypeFor[Instant]()
	nodeType     = reflect.TypeFor[yaml.Node]() // checked by its reader (a test's facts)
)

// fail reports a problem at node n and nulls it.
func (s *schema) fail(n *yaml.Node, path, format string, args ...any) {
	s.problems = append(s.problems, Problem{Line: n.Line, Msg: atPath(path, fmt.Sprintf(format, args...))})
	s.bad[path] = true
	*n = yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Line: n.Line, Column: n.Column}
}

// atPath prefixes a message with the path it is about.
func atPath(path, msg string) string {
	if path == "" {
		return msg
	}
	return path + ": " + msg
}

// check walks node n, which decodes into type t at path; line is where the
// path is written (the key's line for a field).
func (s *schema) check(n *yaml.Node, t reflect.Type, path string, line int) {
	s.lines[path] = line
	if n.Kind == yaml.AliasNode {
		// Expanding aliases could loop (a: &x [*x]) or explode, and would
		// point problems at the anchor's lines: a pack says things once.
		s.fail(n, path, "aliases (*%s) are not supported in policy packs: write the value out", n.Value)
		return
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null" {
		return // the zero value; the validator says if it is required
	}
	switch {
	case t == nodeType:
	case t == instantType:
		if n.Kind != yaml.ScalarNode {
			s.fail(n, path, "must be a time such as 2026-03-01 10:00 (China time), got %s", describe(n))
		} else if _, err := ParseTime(n.Value); err != nil {
			s.fail(n, path, "%v", err)
		}
	case t == colorType:
		if _, err := healthcode.ParseColor(n.Value); n.Kind != yaml.ScalarNode || err != nil {
			s.fail(n, path, "must be green, yellow or red, got %s", describe(n))
		}
	case t == durationType:
		if n.Kind != yaml.ScalarNode {
			s.fail(n, path, "must be a duration such as 14d, 36h, 90m or 1d12h, got %s", describe(n))
		} else if _, err := ParseDuration(n.Value); err != nil {
			s.fail(n, path, "%v", err)
		}
	case t.Kind() == reflect.Struct:
		s.mapping(n, t, path)
	case t.Kind() == reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			s.fail(n, path, "must be a list (items on lines starting with \"- \", or [a, b]), got %s", describe(n))
			return
		}
		for i, item := range n.Content {
			s.check(item, t.Elem(), fmt.Sprintf("%s[%d]", path, i), item.Line)
		}
	case n.Kind != yaml.ScalarNode:
		s.fail(n, path, "must be a single value, got %s", describe(n))
	case t.Kind() == reflect.Bool && n.ShortTag() != "!!bool":
		s.fail(n, path, "must be true or false, got %q", n.Value)
	case t.Kind() >= reflect.Int && t.Kind() <= reflect.Int64 && n.ShortTag() != "!!int":
		s.fail(n, path, "must be a whole number, got %q", n.Value)
	}
}

// mapping checks the keys of a mapping that decodes into struct type t.
func (s *schema) mapping(n *yaml.Node, t reflect.Type, path string) {
	if n.Kind != yaml.MappingNode {
		what := "a mapping of " + strings.Join(fieldNames(t), ", ")
		if path == "" {
			s.fail(n, path, "a policy pack must be %s, got %s", what, describe(n))
		} else {
			s.fail(n, path, "must be %s, got %s", what, describe(n))
		}
		return
	}
	fields := yamlFields(t)
	seen := map[string]int{}
	kept := n.Content[:0:0]
	for i := 0; i+1 < len(n.Content); i += 2 {
		key, val := n.Content[i], n.Content[i+1]
		name := key.Value
		sub := name
		if path != "" {
			sub = path + "." + name
		}
		ft, known := fields[name]
		switch {
		case key.Kind != yaml.ScalarNode:
			s.problems = append(s.problems, Problem{Line: key.Line, Msg: atPath(path, "keys must be plain names")})
			continue
		case !known:
			s.problems = append(s.problems, Problem{Line: key.Line, Msg: atPath(path, fmt.Sprintf(
				"unknown field %q (known fields: %s)", name, strings.Join(fieldNames(t), ", ")))})
			continue
		case seen[name] > 0:
			s.problems = append(s.problems, Problem{Line: key.Line, Msg: atPath(sub, fmt.Sprintf(
				"given twice (first at line %d)", seen[name]))})
			s.bad[sub] = true
			continue
		}
		seen[name] = key.Line
		s.check(val, ft, sub, key.Line)
		kept = append(kept, key, val)
	}
	n.Content = kept
}

// yamlFields maps the YAML keys of struct type t to the fields' types, as
// yaml.v3 names them: the tag's name, else the lower-cased field name.
func yamlFields(t reflect.Type) map[string]reflect.Type {
	m := map[string]reflect.Type{}
	for f := range t.Fields() {
		if !f.IsExported() {
			continue
		}
		tag := f.Tag.Get("yaml")
		name, opts, _ := strings.Cut(tag, ",")
		if name == "-" {
			continue
		}
		if strings.Contains(opts, "inline") && f.Type.Kind() == reflect.Struct {
			for k, v := range yamlFields(f.Type) {
				m[k] = v
			}
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		m[name] = f.Type
	}
	return m
}

// fieldNames lists the keys of t in the order they are declared.
func fieldNames(t reflect.Type) []string {
	var names []string
	for f := range t.Fields() {
		tag := f.Tag.Get("yaml")
		name, opts, _ := strings.Cut(tag, ",")
		switch {
		case !f.IsExported() || name == "-":
		case strings.Contains(opts, "inline") && f.Type.Kind() == reflect.Struct:
			names = append(names, fieldNames(f.Type)...)
		case name == "":
			names = append(names, strings.ToLower(f.Name))
		default:
			names = append(names, name)
		}
	}
	return slices.Compact(names)
}

// describe names what a node holds, for messages.
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	}
	return fmt.Sprintf("%q", n.Value)
}
