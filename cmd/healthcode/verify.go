package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"healthcode"
	"healthcode/healthqr"
	"healthcode/internal/dcc"
	"healthcode/internal/federation"
	"healthcode/internal/service/checkpoint"
)

// verifyVerdict is what healthcode verify prints: the checkpoint's
// answer, read offline. For our codes the colour is the one the token
// carries (no live status is read); for HC1 every step with its detail.
type verifyVerdict struct {
	Valid       bool                    `json:"valid"`
	Kind        string                  `json:"kind"`
	Reason      string                  `json:"reason,omitempty"`
	Message     string                  `json:"message,omitempty"`
	Color       healthcode.Color        `json:"color,omitempty"` // HCN1: the colour on the token
	Issuer      string                  `json:"issuer,omitempty"`
	ExpiresAt   time.Time               `json:"expires_at,omitzero"`
	Name        string                  `json:"name,omitempty"` // HC1: masked
	Certificate *checkpoint.Certificate `json:"certificate,omitempty"`
	Steps       []dcc.StepResult        `json:"steps,omitempty"` // HC1: each step's outcome and why
}

// exitStatus is an error that sets the process's exit status; quiet: the
// command has said all there is (the verdict on stdout).
type exitStatus struct {
	code  int
	err   error
	quiet bool
}

func (e exitStatus) Error() string { return e.err.Error() }
func (e exitStatus) Unwrap() error { return e.err }

// usageError is exit status 2: the command line was wrong.
func usageError(err error) error { return exitStatus{code: 2, err: err} }

const verifyUsage = `usage: healthcode verify [--trust FILE [--trust-root VKEY,…]] [--at TIME] CODE|-

Verifies a scanned code offline and prints the verdict as JSON: healthcode
codes (HCN1:, the colour as the token carries it; any region's, with a
signed trust list) and EU Digital COVID Certificates (HC1:, each step's
outcome). CODE "-" reads it from standard input. Exit status: 0 valid,
1 invalid, 2 usage or trust file.

flags:
`

// verifyCmd is healthcode verify.
func verifyCmd(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("healthcode verify", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(fs.Output(), verifyUsage); fs.PrintDefaults() }
	trustFile := fs.String("trust", "", "trust `FILE`: an EU DSC list (JSON array with rawData) for HC1, one region's public keys "+
		"(the JSON of GET /api/v1/keys) or a signed trust list (GET /api/v1/trust, healthcode trust sign) for HCN1; "+
		"the format is read from the content")
	rootFlag := fs.String("trust-root", "", "root `VKEY`s (comma-separated) a signed trust list must be signed by")
	atFlag := fs.String("at", "", "verify as at `TIME` (RFC 3339); empty: now")
	rest, err := parseArgs(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		return err
	} else if err != nil {
		return usageError(err)
	}
	if len(rest) != 1 {
		fs.Usage()
		return usageError(errors.New("verify: give one CODE, or - to read it from standard input"))
	}
	at := time.Now()
	if *atFlag != "" {
		if at, err = time.Parse(time.RFC3339, *atFlag); err != nil {
			return usageError(fmt.Errorf("--at: %w", err))
		}
	}
	code := rest[0]
	if code == "-" {
		b, err := io.ReadAll(io.LimitReader(stdin, 1<<20))
		if err != nil {
			return fmt.Errorf("standard input: %w", err)
		}
		code = string(b)
	}
	code = strings.Trim(code, "\r\n\t") // a space is one of Base45's characters
	var trust trustSet
	if *trustFile != "" {
		data, err := os.ReadFile(*trustFile)
		if err != nil {
			return usageError(fmt.Errorf("--trust: %w", err))
		}
		if trust, err = parseTrust(data, splitList(*rootFlag), at); err != nil {
			return usageError(fmt.Errorf("--trust %s: %w", *trustFile, err))
		}
	}
	v := verifyOffline(code, trust, at)
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	if !v.Valid {
		return exitStatus{code: 1, err: errors.New("invalid: " + v.Reason), quiet: true}
	}
	return nil
}

// verifyOffline checks code against trust at the given time.
func verifyOffline(code string, trust trustSet, at time.Time) verifyVerdict {
	if strings.HasPrefix(code, dcc.Prefix) {
		var tl dcc.TrustList
		if trust.eu != nil {
			tl = *trust.eu
		}
		d := dcc.Verify(code, tl, at)
		cv := checkpoint.EUVerification(d)
		if trust.eu == nil {
			cv.Valid, cv.Reason = false, "eu_no_trust_list"
		}
		cv.Localize("en")
		cert := cv.Certificate
		cert.Steps = nil
		return verifyVerdict{Valid: cv.Valid, Kind: cv.Kind, Reason: cv.Reason, Message: cv.Message,
			ExpiresAt: cv.ExpiresAt, Name: cv.Name, Certificate: cert, Steps: d.Steps}
	}
	keys, revoked := trust.keys, trust.revoked
	if keys == nil {
		keys = new(healthqr.Keyring)
	}
	if revoked == nil {
		revoked = new(healthqr.Keyring)
	}
	claims, err := federation.VerifyWith(keys, revoked, code, at)
	switch {
	case errors.Is(err, federation.ErrRevoked):
		return verifyVerdict{Kind: checkpoint.KindCode, Reason: "revoked_key"}
	case err != nil:
		return verifyVerdict{Kind: checkpoint.KindCode, Reason: healthqr.Reason(err)}
	}
	return verifyVerdict{Valid: true, Kind: checkpoint.KindCode, Color: claims.Color, Issuer: claims.Issuer, ExpiresAt: claims.ExpiresAt}
}

// trustSet is what a trust file gave: EU DSCs, healthqr keys (and, from
// a signed trust list, the keys it revoked), or neither.
type trustSet struct {
	eu            *dcc.TrustList
	keys, revoked *healthqr.Keyring
}

// parseTrust reads a trust file, telling its format by its content: a
// signed note is a trust list, which must be signed by one of roots and
// still valid at at; a JSON array of objects with rawData is an EU DSC
// list; the JSON GET /api/v1/keys serves (or its bare array of keys) is
// one region's public keys.
func parseTrust(data []byte, roots []string, at time.Time) (trustSet, error) {
	if bytes.Contains(data, []byte("\n\n\u2014 ")) { // a note's signature lines
		return parseSignedList(data, roots, at)
	}
	var probe []map[string]json.RawMessage
	if json.Unmarshal(data, &probe) == nil && len(probe) > 0 && probe[0]["rawData"] != nil {
		tl, err := dcc.ParseTrustList(data)
		return trustSet{eu: &tl}, err
	}
	pubs, err := decodeKeyList(data)
	if err != nil {
		return trustSet{}, errors.New("neither a signed trust list, an EU DSC list (rawData) nor the keys of GET /api/v1/keys")
	}
	keys := new(healthqr.Keyring)
	for i, p := range pubs {
		k, err := federation.PublicKey(p)
		if err == nil {
			err = keys.Add(k)
		}
		if err != nil {
			return trustSet{}, fmt.Errorf("keys[%d]: %w", i, err)
		}
	}
	return trustSet{keys: keys}, nil
}

// decodeKeyList reads a region's published keys: the JSON GET
// /api/v1/keys serves ({"issuer", "keys": […]}) or the bare array.
func decodeKeyList(b []byte) ([]healthqr.PublicKey, error) {
	var doc struct {
		Issuer string               `json:"issuer"`
		Keys   []healthqr.PublicKey `json:"keys"`
	}
	var err error
	if t := bytes.TrimSpace(b); len(t) > 0 && t[0] == '[' {
		err = json.Unmarshal(t, &doc.Keys)
	} else {
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.DisallowUnknownFields()
		err = dec.Decode(&doc)
	}
	if err == nil && len(doc.Keys) == 0 {
		err = errors.New("no keys")
	}
	return doc.Keys, err
}

// parseSignedList opens a signed trust list (docs/federation.md).
func parseSignedList(data []byte, roots []string, at time.Time) (trustSet, error) {
	if len(roots) == 0 {
		return trustSet{}, errors.New("a signed trust list is checked against its root: give --trust-root VKEY")
	}
	vs, err := federation.Roots(roots)
	if err != nil {
		return trustSet{}, fmt.Errorf("--trust-root: %w", err)
	}
	l, err := federation.Open(data, vs)
	if err != nil {
		return trustSet{}, err
	}
	if !at.Before(l.ExpiresAt) {
		return trustSet{}, fmt.Errorf("the trust list expired at %s (sequence %d); --at an earlier time checks old codes", l.ExpiresAt.Format(time.RFC3339), l.Sequence)
	}
	keys, revoked, err := l.Keyrings()
	return trustSet{keys: keys, revoked: revoked}, err
}
