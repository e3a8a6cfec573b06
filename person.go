package healthcode

import "time"

// Relation says whom an applicant applied for (SPEC A7).
type Relation string

// The relations of seed 004: oneself, or a relative at the same address.
const (
	RelationSelf   Relation = "self"
	RelationSpouse Relation = "spouse"
	RelationParent Relation = "parent"
	RelationChild  Relation = "child"
	RelationOther  Relation = "other"
)

// Valid reports whether r is a known relation.
func (r Relation) Valid() bool {
	switch r {
	case RelationSelf, RelationSpouse, RelationParent, RelationChild, RelationOther:
		return true
	}
	return false
}

// Identity is what a citizen types in: the real-name identity behind a code.
// It exists in clear only in memory, between the request and the store's
// encryption; it is never logged.
type Identity struct {
	DocType DocType `json:"doc_type"`
	Number  string  `json:"number"`
	Name    string  `json:"name"`
	Phone   string  `json:"phone"`
}

// Person is one person with one code (SPEC A1). Identity fields are held
// encrypted and looked up by keyed hash; only masked forms are in clear.
type Person struct {
	ID       int64
	OwnerID  int64    // the account that manages this person's code
	Relation Relation // how the owner is related to the person
	DocType  DocType

	IDHash      []byte // HMAC of doc type and number: the unique lookup key
	IDSealed    []byte // AES-GCM sealed number
	NameSealed  []byte
	NameMasked  string // 张*三, shown at checkpoints
	IDTail      string // last four characters of the number
	PhoneHash   []byte
	PhoneSealed []byte

	Region string // 6-digit code of the region the person declared
	// Community is the town or street (9 digits) or village or community
	// (12) within Region the person gave with their address, "" when they
	// gave none: what puts them in the scope of the officials below the
	// district (SPEC D5).
	Community string
	CodeID    []byte // opaque id carried in tokens; never derived from identity

	CreatedAt       time.Time
	UpdatedAt       time.Time
	Reapplied       bool   // the one re-application has been used (SPEC A5)
	Modified        int    // modifications ever made
	ModifiedOn      string // China-time date (2006-01-02) of the last modification
	ModifiedThatDay int    // modifications made on ModifiedOn

	// Status is the current status, filled in by stores on every read.
	Status *Status
}

// Division is the smallest node of the division hierarchy the person is
// known to live in: their community when they gave one, else their region.
// Officials' scopes are checked against it.
func (p *Person) Division() string {
	if p.Community != "" {
		return p.Community
	}
	return p.Region
}

// Declaration is the health declaration of SPEC A2.
type Declaration struct {
	Fever         bool `json:"fever"`
	Cough         bool `json:"cough"`
	OtherSymptoms bool `json:"other_symptoms"`
	LeftRegion14d bool `json:"left_region_14d"`
	Abroad14d     bool `json:"abroad_14d"`
	ContactCases  bool `json:"contact_cases"`
	Commitment    bool `json:"commitment"`
}

// Symptomatic reports whether the declaration names any symptom.
func (d Declaration) Symptomatic() bool { return d.Fever || d.Cough || d.OtherSymptoms }
