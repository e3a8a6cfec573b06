package policy

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Problem is one thing wrong with a pack, at a line of its file (0 when
// unknown).
type Problem struct {
	Line int
	Msg  string
}

// PackError is every problem found in one pack file, sorted by line.
type PackError struct {
	File     string
	Problems []Problem
}

// Error writes one problem a line, as FILE:LINE: problem.
func (e *PackError) Error() string {
	var b strings.Builder
	for i, p := range e.Problems {
		if i > 0 {
			b.WriteByte('\n')
		}
		switch {
		case e.File != "" && p.Line > 0:
			fmt.Fprintf(&b, "%s:%d: ", e.File, p.Line)
		case e.File != "":
			fmt.Fprintf(&b, "%s: ", e.File)
		case p.Line > 0:
			fmt.Fprintf(&b, "line %d: ", p.Line)
		}
		b.WriteString(p.Msg)
	}
	return b.String()
}

func (e *PackError) sort() {
	sort.SliceStable(e.Problems, func(i, j int) bool { return e.Problems[i].Line < e.Problems[j].Line })
}

// Parse decodes and validates a pack file. filename names it in errors.
// Any problem — bad YAML, an unknown key, a value of the wrong form, a
// broken rule — makes it return a *PackError listing all of them, and no
// pack.
func Parse(filename string, data []byte) (*Pack, error) {
	pe := &PackError{File: filename}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			pe.Problems = append(pe.Problems, Problem{Msg: "the file is empty: a policy pack needs at least name, version, title, regions and categories"})
		} else {
			pe.Problems = append(pe.Problems, yamlProblems(err)...)
		}
		return nil, pe
	}
	var next yaml.Node
	if err := dec.Decode(&next); err == nil {
		pe.Problems = append(pe.Problems, Problem{Line: next.Line, Msg: "a second YAML document: a pack file holds one pack, remove the \"---\""})
	} else if !errors.Is(err, io.EOF) {
		pe.Problems = append(pe.Problems, yamlProblems(err)...)
	}
	s := newSchema()
	s.check(doc.Content[0], reflect.TypeFor[Pack](), "", doc.Content[0].Line)
	var p Pack
	if err := doc.Decode(&p); err != nil {
		pe.Problems = append(pe.Problems, yamlProblems(err)...)
	}
	v := &validator{lines: s.lines, bad: s.bad}
	v.pack(&p)
	pe.Problems = append(pe.Problems, s.problems...)
	pe.Problems = append(pe.Problems, v.problems...)
	if len(pe.Problems) > 0 {
		pe.sort()
		return nil, pe
	}
	sum := sha256.Sum256(data)
	p.Digest = hex.EncodeToString(sum[:])
	return &p, nil
}

// yamlLine finds the line yaml.v3 puts in its messages.
var yamlLine = regexp.MustCompile(`^(?:yaml: )?line (\d+): (.*)$`)

// yamlProblems turns a yaml.v3 error into problems with lines.
func yamlProblems(err error) []Problem {
	var msgs []string
	if te, ok := errors.AsType[*yaml.TypeError](err); ok {
		msgs = te.Errors
	} else {
		msgs = []string{err.Error()}
	}
	var ps []Problem
	for _, m := range msgs {
		if sub := yamlLine.FindStringSubmatch(m); sub != nil {
			n, _ := strconv.Atoi(sub[1])
			ps = append(ps, Problem{Line: n, Msg: sub[2]})
		} else {
			ps = append(ps, Problem{Msg: strings.TrimPrefix(m, "yaml: ")})
		}
	}
	return ps
}

// The types that record where they were defined get their Line from the
// YAML node: each decodes itself as a plain copy of its type, which has no
// methods, then sets Line.

// UnmarshalYAML decodes a pack and records its line.
func (p *Pack) UnmarshalYAML(n *yaml.Node) error {
	type plain Pack
	err := n.Decode((*plain)(p))
	p.Line = n.Line
	return err
}

// UnmarshalYAML decodes a category and records its line.
func (c *Category) UnmarshalYAML(n *yaml.Node) error {
	type plain Category
	err := n.Decode((*plain)(c))
	c.Line = n.Line
	return err
}

// UnmarshalYAML decodes a phase and records its line.
func (ph *Phase) UnmarshalYAML(n *yaml.Node) error {
	type plain Phase
	err := n.Decode((*plain)(ph))
	ph.Line = n.Line
	return err
}

// UnmarshalYAML decodes an exit and records its line.
func (x *Exit) UnmarshalYAML(n *yaml.Node) error {
	type plain Exit
	err := n.Decode((*plain)(x))
	x.Line = n.Line
	return err
}

// UnmarshalYAML decodes a block and records its line.
func (b *Block) UnmarshalYAML(n *yaml.Node) error {
	type plain Block
	err := n.Decode((*plain)(b))
	b.Line = n.Line
	return err
}

// Shipped lists the names of the packs built into the binary, sorted.
func Shipped() []string {
	files, _ := fs.Glob(packsFS, "*.yaml")
	names := make([]string, 0, len(files))
	for _, f := range files {
		if !strings.HasSuffix(f, TestSuffix) {
			names = append(names, strings.TrimSuffix(f, ".yaml"))
		}
	}
	slices.Sort(names)
	return names
}

// LoadShipped parses and validates the built-in pack of that name.
func LoadShipped(name string) (*Pack, error) {
	if !slices.Contains(Shipped(), name) {
		return nil, fmt.Errorf("no shipped policy pack %q (shipped: %s)", name, strings.Join(Shipped(), ", "))
	}
	file := name + ".yaml"
	data, err := fs.ReadFile(packsFS, file)
	if err != nil {
		return nil, err
	}
	p, err := Parse("packs/"+file, data)
	if err != nil {
		return nil, err
	}
	if p.Name != name {
		return nil, &PackError{File: "packs/" + file, Problems: []Problem{{Line: p.Line,
			Msg: fmt.Sprintf("name: %q, but a shipped pack must be named after its file (%q)", p.Name, name)}}}
	}
	return p, nil
}

// Load loads a shipped pack by name, or else a pack file from disk.
func Load(nameOrPath string) (*Pack, error) {
	if slices.Contains(Shipped(), nameOrPath) {
		return LoadShipped(nameOrPath)
	}
	data, err := os.ReadFile(nameOrPath)
	if errors.Is(err, fs.ErrNotExist) && idPattern.MatchString(nameOrPath) {
		return nil, fmt.Errorf("no shipped policy pack %q (shipped: %s) and no such file", nameOrPath, strings.Join(Shipped(), ", "))
	}
	if err != nil {
		return nil, fmt.Errorf("policy pack: %w", err)
	}
	return Parse(nameOrPath, data)
}

// LoadDir loads every *.yaml and *.yml file of dir, in file-name order,
// but the packs' test files (NAME.test.yaml).
// All of them must be valid and their names distinct; otherwise it
// returns every file's problems and no pack.
func LoadDir(dir string) ([]*Pack, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("policy packs: %w", err)
	}
	var packs []*Pack
	var errs []error
	byName := map[string]string{}
	for _, e := range entries {
		ext := filepath.Ext(e.Name())
		if e.IsDir() || (ext != ".yaml" && ext != ".yml") || strings.HasSuffix(e.Name(), TestSuffix) {
			continue
		}
		file := filepath.Join(dir, e.Name())
		data, err := os.ReadFile(file)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		p, err := Parse(file, data)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if first, dup := byName[p.Name]; dup {
			errs = append(errs, &PackError{File: file, Problems: []Problem{{Line: p.Line,
				Msg: fmt.Sprintf("name: %q is also the name of %s", p.Name, first)}}})
			continue
		}
		byName[p.Name] = file
		packs = append(packs, p)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return packs, nil
}
