package healthcode

// DocType names a kind of identity document accepted for real-name
// application (SPEC A1).
type DocType string

// The identity documents of seeds 000 and 001.
const (
	DocResidentID    DocType = "resident_id"     // mainland resident identity card, GB 11643
	DocHKMacaoPermit DocType = "hk_macao_permit" // 港澳居民来往内地通行证
	DocTaiwanPermit  DocType = "taiwan_permit"   // 台湾居民来往大陆通行证
	DocPassport      DocType = "passport"
)

// DocTypes lists every accepted document type, for validation messages and
// the API document.
var DocTypes = []DocType{DocResidentID, DocHKMacaoPermit, DocTaiwanPermit, DocPassport}

// Valid reports whether t is an accepted document type.
func (t DocType) Valid() bool {
	for _, d := range DocTypes {
		if t == d {
			return true
		}
	}
	return false
}
