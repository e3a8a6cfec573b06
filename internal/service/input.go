package service

import (
	"strings"
	"time"

	"healthcode"
	"healthcode/identity"
)

// sourceCitizen is the source of the facts citizens state themselves
// (declarations, check-ins, venue visits): what a wrong claim on an
// identity said, set aside when the owner takes it back.
const sourceCitizen = "citizen"

// Purposes under which identity values are sealed and hashed.
const (
	purposeID    = "id"
	purposeName  = "name"
	purposePhone = "phone"
)

// ApplyInput is an application form: who, where, and the declaration.
type ApplyInput struct {
	Relation    healthcode.Relation `json:"relation"` // default self
	Identity    healthcode.Identity `json:"identity"`
	Region      string              `json:"region"`
	Declaration DeclarationInput    `json:"declaration"`
	// ConsentCode is the code RequestConsent sent to a relative's own
	// phone: their consent to be managed from this login.
	ConsentCode string `json:"consent_code,omitempty"`
}

// DeclarationInput holds the answers as pointers so that an unanswered
// question is told apart from a "no".
type DeclarationInput struct {
	Fever         *bool `json:"fever"`
	Cough         *bool `json:"cough"`
	OtherSymptoms *bool `json:"other_symptoms"`
	LeftRegion14d *bool `json:"left_region_14d"`
	Abroad14d     *bool `json:"abroad_14d"`
	ContactCases  *bool `json:"contact_cases"`
	Commitment    *bool `json:"commitment"`
}

// declaration checks every answer is given and the commitment ticked.
func (in DeclarationInput) declaration(p *healthcode.Problems) healthcode.Declaration {
	answer := func(name string, v *bool) bool {
		if v == nil {
			p.Add("declaration."+name, "is required: answer true or false")
			return false
		}
		return *v
	}
	d := healthcode.Declaration{
		Fever:         answer("fever", in.Fever),
		Cough:         answer("cough", in.Cough),
		OtherSymptoms: answer("other_symptoms", in.OtherSymptoms),
		LeftRegion14d: answer("left_region_14d", in.LeftRegion14d),
		Abroad14d:     answer("abroad_14d", in.Abroad14d),
		ContactCases:  answer("contact_cases", in.ContactCases),
	}
	if in.Commitment == nil || !*in.Commitment {
		p.Add("declaration.commitment", "the solemn commitment (本人郑重承诺) must be ticked: the declaration is made on your honour")
	} else {
		d.Commitment = true
	}
	return d
}

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
			p.Add("identity.number", err.Error())
		}
	}
	if c.name, err = identity.ValidateName(in.Name); err != nil {
		p.Add("identity.name", err.Error())
	}
	if c.phone, err = identity.NormalizePhone(in.Phone); err != nil {
		p.Add("identity.phone", err.Error())
	}
	return c
}

// identityKey is what makes two documents the same person. A HK/Macao
// permit's two trailing digits count renewals, so they are left out: a
// renewed permit is the same person.
func (c checkedIdentity) identityKey() string {
	number := c.number
	if c.docType == healthcode.DocHKMacaoPermit && len(number) == 11 {
		number = number[:9]
	}
	return string(c.docType) + ":" + number
}

func checkRegion(region string, p *healthcode.Problems) string {
	region = strings.TrimSpace(region)
	if reason := healthcode.ValidateRegion(region); reason != "" {
		p.Add("region", reason)
	}
	return region
}

func invalid(field, reason string) error {
	var p healthcode.Problems
	p.Add(field, reason)
	return p.Err()
}
