// Package federation is how healthcode regions recognise each other's
// codes: a trust list, signed by a root key the operator configures, names
// every other region whose codes this one accepts, with its server's URL,
// its public signing keys and the key ids it has revoked. The list is a
// signed note (golang.org/x/mod/sumdb/note, C2SP signed-note) whose text is
// the list's JSON, so the same well-kept envelope as the public log signs
// it, and several root keys may sign one list while the root rotates.
//
// A server keeps the newest list it could verify (Trust), refreshes it on a
// schedule with If-None-Match, never goes back to an older sequence, and
// checks other regions' codes offline against it before asking the issuing
// region (or, in hub mode, the national hub) for the live colour.
package federation

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"slices"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"

	"healthcode"
	"healthcode/healthqr"
)

// Version is the only trust-list format version this package reads.
const Version = 1

// maxListBytes bounds a trust list's signed note: far above any real
// list (a region and its keys take well under 1 KiB).
const maxListBytes = 1 << 20

// List is a trust list: every region whose codes are accepted here.
type List struct {
	Version int `json:"version"`
	// Sequence increases with every list the operator signs; a server
	// refuses a list whose sequence is lower than its last good copy's.
	Sequence  uint64    `json:"sequence"`
	IssuedAt  time.Time `json:"issued_at"`
	ExpiresAt time.Time `json:"expires_at"`
	Regions   []Region  `json:"regions"`
}

// Region is one trusted region: its 6-digit code, its name, the base URL
// of its server (where its live colour is asked) and its keys as its own
// GET /api/v1/keys serves them. Revoked lists key ids whose tokens are
// refused even while the key is within its validity.
type Region struct {
	Region  string               `json:"region"`
	Name    string               `json:"name"`
	URL     string               `json:"url"`
	Keys    []healthqr.PublicKey `json:"keys"`
	Revoked []string             `json:"revoked,omitempty"`
}

// Parse reads a trust list's JSON strictly: unknown fields, trailing data,
// a wrong version and every invalid field are errors naming the field.
func Parse(text []byte) (*List, error) {
	if len(text) > maxListBytes {
		return nil, fmt.Errorf("trust list: longer than %d bytes", maxListBytes)
	}
	dec := json.NewDecoder(bytes.NewReader(text))
	dec.DisallowUnknownFields()
	var l List
	if err := dec.Decode(&l); err != nil {
		return nil, fmt.Errorf("trust list: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("trust list: data after the list")
	}
	if err := l.Validate(); err != nil {
		return nil, err
	}
	return &l, nil
}

// Validate reports every problem of the list at once, each naming its
// field (regions[1].keys[0].kid: …).
func (l *List) Validate() error {
	var errs []error
	bad := func(field, format string, args ...any) {
		errs = append(errs, fmt.Errorf("trust list: %s: %s", field, fmt.Sprintf(format, args...)))
	}
	if l.Version != Version {
		bad("version", "is %d, this server reads version %d", l.Version, Version)
	}
	if l.Sequence == 0 {
		bad("sequence", "must be 1 or more (sign the list)")
	}
	if l.IssuedAt.IsZero() {
		bad("issued_at", "is missing (sign the list)")
	}
	if !l.ExpiresAt.After(l.IssuedAt) {
		bad("expires_at", "must be after issued_at")
	}
	seen := map[string]bool{}
	for i, r := range l.Regions {
		at := fmt.Sprintf("regions[%d]", i)
		if reason := healthcode.ValidateRegion(r.Region); reason != "" {
			bad(at+".region", "%s", reason)
		} else if seen[r.Region] {
			bad(at+".region", "%s is listed twice", r.Region)
		}
		seen[r.Region] = true
		if strings.TrimSpace(r.Name) == "" {
			bad(at+".name", "is required")
		}
		if err := checkURL(r.URL); err != nil {
			bad(at+".url", "%v", err)
		}
		kids := map[string]bool{}
		for j, k := range r.Keys {
			if _, err := PublicKey(k); err != nil {
				bad(fmt.Sprintf("%s.keys[%d]", at, j), "%v", err)
			} else if k.Issuer != r.Region {
				bad(fmt.Sprintf("%s.keys[%d].issuer", at, j), "is %s, not the region %s", k.Issuer, r.Region)
			}
			kids[k.KID] = true
		}
		for j, kid := range r.Revoked {
			if _, err := healthqr.ParseKeyID(kid); err != nil {
				bad(fmt.Sprintf("%s.revoked[%d]", at, j), "%q is not a key id (8 hex digits)", kid)
			}
		}
	}
	return errors.Join(errs...)
}

// checkURL accepts an http or https base URL without query or fragment.
func checkURL(s string) error {
	u, err := url.Parse(s)
	switch {
	case s == "":
		return errors.New("is required: the base URL of the region's server")
	case err != nil:
		return fmt.Errorf("is not a URL: %v", err)
	case u.Scheme != "https" && u.Scheme != "http", u.Host == "":
		return fmt.Errorf("%q must be an http:// or https:// URL", s)
	case u.RawQuery != "" || u.Fragment != "" || u.User != nil:
		return fmt.Errorf("%q must be a plain base URL (no user, query or fragment)", s)
	}
	return nil
}

// CheckURL reports why s is not a usable base URL of a region's server.
func CheckURL(s string) error { return checkURL(s) }

// PublicKey turns a published key into a public-only healthqr key,
// checking its algorithm, length, key id and validity.
func PublicKey(k healthqr.PublicKey) (healthqr.Key, error) {
	if k.Alg != healthqr.Alg {
		return healthqr.Key{}, fmt.Errorf("alg: %q is not %s", k.Alg, healthqr.Alg)
	}
	id, err := healthqr.ParseKeyID(k.KID)
	if err != nil {
		return healthqr.Key{}, fmt.Errorf("kid: %q is not a key id (8 hex digits)", k.KID)
	}
	pub, err := base64.StdEncoding.DecodeString(k.Key)
	if err != nil || len(pub) != 32 {
		return healthqr.Key{}, errors.New("key: must be the standard base64 of 32 bytes")
	}
	if healthqr.KeyIDOf(pub) != id {
		return healthqr.Key{}, fmt.Errorf("kid: %s does not match the key", k.KID)
	}
	if !k.ValidTo.After(k.ValidFrom) {
		return healthqr.Key{}, errors.New("valid_to: must be after valid_from")
	}
	return healthqr.Key{ID: id, Issuer: k.Issuer, Public: pub, ValidFrom: k.ValidFrom, ValidTo: k.ValidTo}, nil
}

// Find returns the region with code, or nil.
func (l *List) Find(code string) *Region {
	for i := range l.Regions {
		if l.Regions[i].Region == code {
			return &l.Regions[i]
		}
	}
	return nil
}

// Keyrings returns the keys the list accepts and, apart, the keys it
// lists as revoked (so a refusal can say "revoked" rather than "unknown").
func (l *List) Keyrings() (accepted, revoked *healthqr.Keyring, err error) {
	accepted, revoked = new(healthqr.Keyring), new(healthqr.Keyring)
	for _, r := range l.Regions {
		for _, pk := range r.Keys {
			k, err := PublicKey(pk)
			if err != nil {
				return nil, nil, fmt.Errorf("region %s: %w", r.Region, err)
			}
			ring := accepted
			if slices.Contains(r.Revoked, pk.KID) {
				ring = revoked
			}
			if err := ring.Add(k); err != nil {
				return nil, nil, fmt.Errorf("region %s: %w", r.Region, err)
			}
		}
	}
	return accepted, revoked, nil
}

// Marshal is the list's JSON as signed: indented, ending in a newline (a
// note's text must).
func (l *List) Marshal() ([]byte, error) {
	b, err := json.MarshalIndent(l, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// Sign returns the signed note of the list, signed by every signer.
func (l *List) Sign(signers ...note.Signer) ([]byte, error) {
	if err := l.Validate(); err != nil {
		return nil, err
	}
	text, err := l.Marshal()
	if err != nil {
		return nil, err
	}
	return note.Sign(&note.Note{Text: string(text)}, signers...)
}

// Open verifies a signed trust list against the root keys and parses it.
// One valid signature by a root key is enough; signatures by other keys
// are ignored.
func Open(msg []byte, roots note.Verifiers) (*List, error) {
	if len(msg) > maxListBytes {
		return nil, fmt.Errorf("trust list: longer than %d bytes", maxListBytes)
	}
	n, err := note.Open(msg, roots)
	if err != nil {
		var unverified *note.UnverifiedNoteError
		if errors.As(err, &unverified) {
			return nil, errors.New("trust list: not signed by any configured root key")
		}
		return nil, fmt.Errorf("trust list: %w", err)
	}
	return Parse([]byte(n.Text))
}

// Roots parses root verifier keys (note verifier key strings).
func Roots(vkeys []string) (note.Verifiers, error) {
	if len(vkeys) == 0 {
		return nil, errors.New("no root key given")
	}
	var vs []note.Verifier
	for _, k := range vkeys {
		v, err := note.NewVerifier(strings.TrimSpace(k))
		if err != nil {
			return nil, fmt.Errorf("root key %q: %w", k, err)
		}
		vs = append(vs, v)
	}
	return note.VerifierList(vs...), nil
}
