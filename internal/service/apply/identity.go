package apply

import (
	"time"

	"healthcode"
	"healthcode/identity"
	"healthcode/internal/service/core"
)

// checkedIdentity is an identity that passed every check, in canonical form.
type checkedIdentity struct {
	docType healthcode.DocType
	number  string
	name    string
	phone   string
}

func checkIdentity(in healthcode.Identity, now time.Time, p *healthcode.Problems) checkedIdentity {
	var c checkedIdentity
	var err error
	switch {
	case in.DocType == "":
		p.Add("identity.doc_type", "is required: one of resident_id, hk_macao_permit, taiwan_permit, passport")
	case !in.DocType.Valid():
		p.Add("identity.doc_type", "must be one of resident_id, hk_macao_permit, taiwan_permit, passport")
	default:
		c.docType = in.DocType
		if c.number, err = identity.NormalizeDocument(in.DocType, in.Number, now); err != nil {
			p.AddErr("identity.number", err)
		}
	}
	if c.name, err = identity.ValidateName(in.Name); err != nil {
		p.AddErr("identity.name", err)
	}
	if c.phone, err = identity.NormalizePhone(in.Phone); err != nil {
		p.AddErr("identity.phone", err)
	}
	return c
}

// identityKey is what makes two documents the same person (core.IdentityKey).
func (c checkedIdentity) identityKey() string { return core.IdentityKey(c.docType, c.number) }

// idKey is the lookup hash of an identity: one person, one code.
func (s *Applications) idKey(id checkedIdentity) []byte {
	return core.IDKey(s.box, id.docType, id.number)
}

// phoneKey is the lookup hash of a phone (core.PhoneKey).
func (s *Applications) phoneKey(phone string) []byte { return core.PhoneKey(s.box, phone) }

func (s *Applications) setIdentity(p *healthcode.Person, id checkedIdentity) {
	p.DocType = id.docType
	p.IDHash = s.idKey(id)
	p.IDSealed = s.box.Seal(core.PurposeID, id.number)
	p.IDTail = identity.Tail(id.number)
	s.setName(p, id.name)
	s.setPhone(p, id.phone)
}

func (s *Applications) setName(p *healthcode.Person, name string) {
	p.NameSealed = s.box.Seal(core.PurposeName, name)
	p.NameMasked = identity.MaskName(name)
}

func (s *Applications) setPhone(p *healthcode.Person, phone string) {
	p.PhoneHash = s.phoneKey(phone)
	p.PhoneSealed = s.box.Seal(core.PurposePhone, phone)
}
