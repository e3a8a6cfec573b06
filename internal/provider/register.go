package provider

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"healthcode"
	"healthcode/identity"
)

// Register is the real-name check against a CSV register held in memory,
// for tests, demos and closed deployments whose population is known
// (a company's staff, a campus). The file has the header
// doc_type,doc_number,name,phone and may add a fifth column, guardians.
// A person without a phone of their own (a child) has an empty phone:
// only they may be registered on a relative's phone, and, when their
// guardians column lists phones (separated by ";"), only from one of
// those.
type Register struct {
	people map[string][]registered // by doc type and canonical number
}

type registered struct {
	name, phone string
	guardians   []string
}

// LoadRegister reads a register file, naming the line of any bad row.
func LoadRegister(path string, now time.Time) (*Register, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("real-name register: %w", err)
	}
	defer f.Close()
	r, err := ReadRegister(f, now)
	if err != nil {
		return nil, fmt.Errorf("real-name register %s: %w", path, err)
	}
	return r, nil
}

// ReadRegister reads a register from r.
func ReadRegister(r io.Reader, now time.Time) (*Register, error) {
	cr := csv.NewReader(r)
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("line 1: %w", err)
	}
	if h := strings.Join(header, ","); h != "doc_type,doc_number,name,phone" && h != "doc_type,doc_number,name,phone,guardians" {
		return nil, errors.New("line 1: the header must be doc_type,doc_number,name,phone (and optionally guardians)")
	}
	cr.FieldsPerRecord = len(header)
	reg := &Register{people: map[string][]registered{}}
	var problems []error
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		line, _ := cr.FieldPos(0)
		if err != nil {
			return nil, err // a CSV error names its line itself
		}
		if err := reg.add(rec, now); err != nil {
			problems = append(problems, fmt.Errorf("line %d: %w", line, err))
		}
	}
	return reg, errors.Join(problems...)
}

func (r *Register) add(rec []string, now time.Time) error {
	doc := healthcode.DocType(strings.TrimSpace(rec[0]))
	if !doc.Valid() {
		return fmt.Errorf("doc_type %q: not a known document type", rec[0])
	}
	number, err := identity.NormalizeDocument(doc, rec[1], now)
	if err != nil {
		return fmt.Errorf("doc_number: %w", err)
	}
	name, err := identity.ValidateName(rec[2])
	if err != nil {
		return fmt.Errorf("name: %w", err)
	}
	p := registered{name: name}
	if p.phone, err = optionalPhone(rec[3]); err != nil {
		return fmt.Errorf("phone: %w", err)
	}
	if len(rec) > 4 {
		for _, g := range strings.Split(rec[4], ";") {
			phone, err := optionalPhone(g)
			if err != nil {
				return fmt.Errorf("guardians: %w", err)
			}
			if phone != "" {
				p.guardians = append(p.guardians, phone)
			}
		}
		if len(p.guardians) > 0 && p.phone != "" {
			return errors.New("guardians: only a person without a phone of their own has guardians here")
		}
	}
	key := string(doc) + ":" + number
	r.people[key] = append(r.people[key], p)
	return nil
}

func optionalPhone(s string) (string, error) {
	if s = strings.TrimSpace(s); s == "" {
		return "", nil
	}
	return identity.NormalizePhone(s)
}

// Len is the number of register rows.
func (r *Register) Len() int {
	n := 0
	for _, rows := range r.people {
		n += len(rows)
	}
	return n
}

// CheckIdentity implements healthcode.IdentityChecker. The claim comes in
// canonical form from the service. A claim without a phone matches only a
// person without one, from one of their guardians when they have some.
func (r *Register) CheckIdentity(_ context.Context, c healthcode.IdentityClaim) error {
	for _, p := range r.people[string(c.DocType)+":"+c.Number] {
		if p.name == c.Name && p.phone == c.Phone && (c.Phone != "" || guards(p, c.Guardian)) {
			return nil
		}
	}
	return healthcode.ErrIdentityMismatch
}

func guards(p registered, phone string) bool {
	return len(p.guardians) == 0 || slices.Contains(p.guardians, phone)
}
