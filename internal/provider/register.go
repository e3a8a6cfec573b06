package provider

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"healthcode"
	"healthcode/identity"
)

// Register is the real-name check against a CSV register held in memory,
// for tests, demos and closed deployments whose population is known
// (a company's staff, a campus). The file has the header
// doc_type,doc_number,name,phone; a person without a phone of their own
// (a child) has an empty phone and can pass only the two-element check.
type Register struct {
	people map[string][]registered // by doc type and canonical number
}

type registered struct{ name, phone string }

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
	cr.FieldsPerRecord = 4
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("line 1: %w", err)
	}
	if strings.Join(header, ",") != "doc_type,doc_number,name,phone" {
		return nil, errors.New("line 1: the header must be doc_type,doc_number,name,phone")
	}
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
	phone := strings.TrimSpace(rec[3])
	if phone != "" {
		if phone, err = identity.NormalizePhone(phone); err != nil {
			return fmt.Errorf("phone: %w", err)
		}
	}
	key := string(doc) + ":" + number
	r.people[key] = append(r.people[key], registered{name: name, phone: phone})
	return nil
}

// Len is the number of register rows.
func (r *Register) Len() int {
	n := 0
	for _, rows := range r.people {
		n += len(rows)
	}
	return n
}

// CheckIdentity implements healthcode.IdentityChecker. The identity comes
// in canonical form from the service.
func (r *Register) CheckIdentity(_ context.Context, id healthcode.Identity) error {
	for _, p := range r.people[string(id.DocType)+":"+id.Number] {
		if p.name == id.Name && (id.Phone == "" || p.phone == id.Phone) {
			return nil
		}
	}
	return healthcode.ErrIdentityMismatch
}
