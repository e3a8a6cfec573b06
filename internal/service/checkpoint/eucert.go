package checkpoint

import (
	"strings"
	"sync/atomic"
	"time"

	"healthcode"
	"healthcode/identity"
	"healthcode/internal/dcc"
)

// Kinds of code a Verification answers for (Verification.Kind).
const (
	KindCode  = "code"   // this region's own health code
	KindEUDCC = "eu-dcc" // an EU Digital COVID Certificate (HC1:)
)

// EU is what a checkpoint verifies EU Digital COVID Certificates with: the
// EU gateway's DSC trust list, which the server replaces whole while it
// runs (SIGHUP), and the clock they are checked at. It is safe for
// concurrent use.
type EU struct {
	trust atomic.Pointer[dcc.TrustList]
	now   func() time.Time // nil: the service's clock
}

// NewEU returns an EU verifier with no trust list; now may be nil for the
// service's clock (another is for development only: fixtures are old).
func NewEU(now func() time.Time) *EU { return &EU{now: now} }

// SetTrust replaces the trust list; verifications under way keep the one
// they started with.
func (e *EU) SetTrust(tl dcc.TrustList) { e.trust.Store(&tl) }

// Trust returns the trust list in use, false when none was set.
func (e *EU) Trust() (dcc.TrustList, bool) {
	if tl := e.trust.Load(); tl != nil {
		return *tl, true
	}
	return dcc.TrustList{}, false
}

// UseEU makes c verify HC1 codes with e; nil, or an e without a trust
// list, answers every HC1 code invalid with reason eu_no_trust_list.
func UseEU(c *Checkpoint, e *EU) { c.eu = e }

// Certificate is what an EU certificate says, as a checkpoint shows it:
// never the holder's full name or date of birth. Dates are as the
// certificate states them; valid_from and valid_until exist only where it
// states a validity (a recovery's df and du): how long a vaccination or a
// test counts is the destination's rule, not the certificate's.
type Certificate struct {
	Type          dcc.Kind  `json:"type,omitempty"`        // vaccination, test or recovery
	Dose          int       `json:"dose,omitempty"`        // vaccination: dose n (dn) …
	Doses         int       `json:"doses,omitempty"`       // … of the series' total (sd)
	Date          string    `json:"date,omitempty"`        // vaccinated (dt), sampled (sc) or first positive (fr)
	TestType      string    `json:"test_type,omitempty"`   // naat, rat or the code given
	TestResult    string    `json:"test_result,omitempty"` // negative, positive or the code given
	ValidFrom     string    `json:"valid_from,omitempty"`
	ValidUntil    string    `json:"valid_until,omitempty"`
	Country       string    `json:"country,omitempty"`        // where vaccinated, tested or recovered (co)
	Issuer        string    `json:"issuer,omitempty"`         // the issuing authority (is)
	SignerCountry string    `json:"signer_country,omitempty"` // of the DSC that signed
	IssuedAt      time.Time `json:"issued_at,omitzero"`       // CWT iat
	ExpiresAt     time.Time `json:"expires_at,omitzero"`      // CWT exp: the certificate's own expiry
	Steps         []EUStep  `json:"steps,omitempty"`
}

// EUStep is one verification step's outcome, without the detail of why it
// failed: that may quote a field of the certificate.
type EUStep struct {
	Step    dcc.Step    `json:"step"`
	Outcome dcc.Outcome `json:"outcome"`
	Text    string      `json:"text,omitempty"` // the step and outcome in the caller's language (Localize)
}

// euReasons are the reasons an HC1 code is invalid, by the step that
// failed first; each has its sentence in the message catalogue.
var euReasons = []struct {
	steps  []dcc.Step
	reason string
}{
	{[]dcc.Step{dcc.StepUnprefix, dcc.StepBase45, dcc.StepDecompress, dcc.StepCOSE, dcc.StepClaims}, "eu_malformed"},
	{[]dcc.Step{dcc.StepSchema}, "eu_schema"},
	{[]dcc.Step{dcc.StepSignature}, "eu_bad_signature"},
	{[]dcc.Step{dcc.StepKeyUsage}, "eu_key_usage"},
	{[]dcc.Step{dcc.StepSigner}, "eu_signer_expired"},
	{[]dcc.Step{dcc.StepExpiry}, "eu_expired"},
}

// verifyEU answers for an HC1 code. It reads no person and records
// nothing: an EU certificate names no one this region knows.
func (s *Checkpoint) verifyEU(in VerifyInput) (*Verification, error) {
	if in.Temperature != nil {
		var p healthcode.Problems
		p.Add("temperature", "is recorded only with a health code: an EU certificate names no one here")
		return nil, p.Err()
	}
	now := s.core.Clock()
	var trust *dcc.TrustList
	if s.eu != nil {
		trust = s.eu.trust.Load()
		if s.eu.now != nil {
			now = s.eu.now()
		}
	}
	if trust == nil {
		// The steps still say how far the code reads.
		v := EUVerification(dcc.Verify(in.Token, dcc.TrustList{}, now))
		v.Valid, v.Reason = false, "eu_no_trust_list"
		return v, nil
	}
	return EUVerification(dcc.Verify(in.Token, *trust, now)), nil
}

// EUVerification turns a dcc verdict into the checkpoint's answer: the
// certificate's statement and each step's outcome, the name masked.
func EUVerification(d dcc.Verdict) *Verification {
	v := &Verification{Kind: KindEUDCC, Valid: d.Valid}
	c := &Certificate{Type: d.Kind, SignerCountry: d.Country}
	for _, r := range d.Steps {
		c.Steps = append(c.Steps, EUStep{Step: r.Step, Outcome: r.Outcome})
	}
	if !d.Valid {
		v.Reason = "eu_malformed"
	found:
		for _, r := range euReasons {
			for _, st := range r.steps {
				if d.Outcome(st) == dcc.Failed {
					v.Reason = r.reason
					break found
				}
			}
		}
	}
	if d.Claims != nil {
		c.IssuedAt, c.ExpiresAt = d.Claims.IssuedAt, d.Claims.Expires
		if d.Valid {
			v.ExpiresAt = d.Claims.Expires
			v.Name = maskedName(d.Claims.Payload)
			statement(c, d.Claims.Payload)
		}
	}
	v.Certificate = c
	return v
}

// statement copies what the certificate's one entry (v, t or r) states.
func statement(c *Certificate, p map[string]any) {
	key := map[dcc.Kind]string{dcc.Vaccination: "v", dcc.Test: "t", dcc.Recovery: "r"}[c.Type]
	entries, _ := p[key].([]any)
	if len(entries) == 0 {
		return
	}
	e, _ := entries[0].(map[string]any)
	c.Country, c.Issuer = str(e["co"]), str(e["is"])
	switch c.Type {
	case dcc.Vaccination:
		c.Dose, c.Doses, c.Date = num(e["dn"]), num(e["sd"]), str(e["dt"])
	case dcc.Test:
		c.Date = str(e["sc"])
		c.TestType = map[string]string{"LP6464-4": "naat", "LP217198-3": "rat"}[str(e["tt"])]
		if c.TestType == "" {
			c.TestType = str(e["tt"])
		}
		// SNOMED CT: 260415000 not detected, 260373001 detected.
		c.TestResult = map[string]string{"260415000": "negative", "260373001": "positive"}[str(e["tr"])]
		if c.TestResult == "" {
			c.TestResult = str(e["tr"])
		}
	case dcc.Recovery:
		c.Date, c.ValidFrom, c.ValidUntil = str(e["fr"]), str(e["df"]), str(e["du"])
	}
}

// maskedName is the holder's name masked as identity masks ours: given
// names then family name, in Latin letters when the certificate gives
// them only transliterated.
func maskedName(p map[string]any) string {
	nam, _ := p["nam"].(map[string]any)
	gn, fn := str(nam["gn"]), str(nam["fn"])
	if gn == "" && fn == "" {
		gn, fn = strings.ReplaceAll(str(nam["gnt"]), "<", " "), strings.ReplaceAll(str(nam["fnt"]), "<", " ")
	}
	return identity.MaskName(strings.TrimSpace(gn + " " + fn))
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

// num reads a JSON-shaped integer: CBOR gives uint64 or int64.
func num(v any) int {
	switch n := v.(type) {
	case uint64:
		return int(min(n, 1<<16))
	case int64:
		return int(max(min(n, 1<<16), -1))
	case float64:
		return int(n)
	}
	return 0
}

// euMessages are the catalogue's sentences for the EU reasons, steps and
// outcomes (messages.go).
var euMessages = map[string]*healthcode.Msg{
	"eu_no_trust_list":  healthcode.M("This checkpoint has no EU trust list: EU certificates cannot be checked here."),
	"eu_malformed":      healthcode.M("Not a readable EU certificate."),
	"eu_schema":         healthcode.M("The EU certificate's content does not match its schema."),
	"eu_bad_signature":  healthcode.M("The EU certificate's signature is wrong, or its signer is not on the trust list."),
	"eu_key_usage":      healthcode.M("The EU certificate's signer may not sign this kind of certificate."),
	"eu_signer_expired": healthcode.M("The EU certificate's signer key was not valid at this time."),
	"eu_expired":        healthcode.M("The EU certificate has expired, or is not valid yet."),
}

var stepMessages = map[dcc.Step]*healthcode.Msg{
	dcc.StepUnprefix: healthcode.M("HC1: prefix"), dcc.StepBase45: healthcode.M("Base45 decoding"),
	dcc.StepDecompress: healthcode.M("decompression"), dcc.StepCOSE: healthcode.M("COSE structure"),
	dcc.StepClaims: healthcode.M("CWT claims"), dcc.StepSchema: healthcode.M("schema"),
	dcc.StepSignature: healthcode.M("signature"), dcc.StepKeyUsage: healthcode.M("key usage"),
	dcc.StepSigner: healthcode.M("signer validity"), dcc.StepExpiry: healthcode.M("expiry"),
}

var outcomeMessages = map[dcc.Outcome]*healthcode.Msg{
	dcc.Passed: healthcode.M("passed"), dcc.Failed: healthcode.M("failed"), dcc.NotRun: healthcode.M("not run"),
}

// Localize fills the sentences of an EU verdict in lang ("zh" or "en"):
// Message for its reason and each step's Text. Other verdicts are left
// as they are.
func (v *Verification) Localize(lang string) {
	if m, ok := euMessages[v.Reason]; ok {
		v.Message = m.In(lang)
	}
	if v.Certificate == nil {
		return
	}
	for i, st := range v.Certificate.Steps {
		v.Certificate.Steps[i].Text = healthcode.M("%s: %s", stepMessages[st.Step], outcomeMessages[st.Outcome]).In(lang)
	}
}
