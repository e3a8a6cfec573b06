package apply

import "healthcode"

// ApplyInput is an application form: who, where, and the declaration.
type ApplyInput struct {
	Relation healthcode.Relation `json:"relation"` // default self
	Identity healthcode.Identity `json:"identity"`
	Region   string              `json:"region"`
	// Community is the town or street (9 digits) or village or community
	// (12) within Region, optional: it puts the person in the scope of
	// the officials below the district.
	Community   string           `json:"community,omitempty"`
	Declaration DeclarationInput `json:"declaration"`
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
		p.Add("declaration.commitment", "the solemn commitment must be ticked: the declaration is made on your honour")
	} else {
		d.Commitment = true
	}
	return d
}
