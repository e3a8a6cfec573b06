// Package venues holds venue codes (场所码): admins make the code a venue
// prints, anyone reads one, and a citizen scanning it records a visit for
// a person they manage, for investigators to find companions by.
package venues

import (
	"bytes"
	"context"
	"crypto/hmac"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"log/slog"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"healthcode"
	"healthcode/internal/permission"
	"healthcode/internal/secret"
	"healthcode/internal/service/core"
)

// Venue is a place with a venue code (场所码): its printed QR opens a page
// where a citizen records a visit for a person they manage.
//
// Venues are not stored. The code carries the venue's name and region and
// a MAC under the deployment's secret key, so every server of the
// deployment can read a code and nobody without the key can make one; the
// registry is the set of codes admins have printed.
type Venue struct {
	Code   string `json:"code"` // what the venue's URL carries
	ID     string `json:"id"`   // short and stable: what visits record
	Name   string `json:"name"`
	Region string `json:"region"`
}

// purposeVenue keys the venue codes' MAC apart from identity lookups.
const purposeVenue = "venue"

// maxVenueName bounds a venue's name, in characters, so its code stays a
// QR code a phone reads from across a doorway.
const maxVenueName = 40

// Store is where visits are recorded.
type Store interface {
	Update(ctx context.Context, fn func(healthcode.Tx) error) error
}

// Venues makes and reads venue codes and records visits. It is safe for
// concurrent use.
type Venues struct {
	store Store
	box   *secret.Box
	log   *slog.Logger
	clock func() time.Time
}

// New returns Venues whose codes are MACs under box; clock gives the time
// at store precision.
func New(store Store, box *secret.Box, log *slog.Logger, clock func() time.Time) *Venues {
	return &Venues{store: store, box: box, log: log, clock: clock}
}

// CreateVenue makes the code of a venue. Admins call it, for venues within
// their key's region. Errors: EINVALID naming the bad field, EFORBIDDEN for
// anyone but an admin or a region outside the key's. The code is not
// stored, but its making is, in the public log.
func (s *Venues) CreateVenue(ctx context.Context, who *healthcode.Principal, name, region string) (*Venue, error) {
	if !permission.Can(who, permission.CreateVenues, "") {
		return nil, healthcode.Errorf(healthcode.EFORBIDDEN, "Only admins create venue codes.")
	}
	var problems healthcode.Problems
	name = strings.TrimSpace(name)
	switch n := utf8.RuneCountInString(name); {
	case n == 0:
		problems.Add("name", "is required")
	case n > maxVenueName:
		problems.Add("name", "must be at most 40 characters")
	case strings.IndexFunc(name, func(r rune) bool { return unicode.IsControl(r) || r == utf8.RuneError }) >= 0:
		problems.Add("name", "must not contain control characters")
	}
	region = core.CheckRegion(region, &problems)
	if err := problems.Err(); err != nil {
		return nil, err
	}
	if !permission.Can(who, permission.CreateVenues, region) {
		return nil, healthcode.Errorf(healthcode.EFORBIDDEN, "Region %s is not within this key's region %s.", region, who.Region)
	}
	payload := name + "\x00" + region
	mac := s.box.Hash(purposeVenue, payload)
	v := &Venue{
		Code: base64.RawURLEncoding.EncodeToString([]byte(payload)) + "." + base64.RawURLEncoding.EncodeToString(mac[:12]),
		ID:   hex.EncodeToString(mac[:8]), Name: name, Region: region,
	}
	entry := healthcode.LogOfVenue(v.ID, v.Name, v.Region, healthcode.LogAuthorOf(who), s.clock())
	if err := s.store.Update(ctx, func(tx healthcode.Tx) error { return tx.AppendLog(ctx, entry) }); err != nil {
		return nil, err
	}
	return v, nil
}

// Venue reads a venue code. Anyone may call it. Errors: ENOTFOUND for a
// code this deployment did not make.
func (s *Venues) Venue(code string) (*Venue, error) {
	notFound := healthcode.Errorf(healthcode.ENOTFOUND, "No such venue code.")
	enc, sum, ok := strings.Cut(code, ".")
	payload, err1 := base64.RawURLEncoding.DecodeString(enc)
	got, err2 := base64.RawURLEncoding.DecodeString(sum)
	if !ok || err1 != nil || err2 != nil {
		return nil, notFound
	}
	mac := s.box.Hash(purposeVenue, string(payload))
	if !hmac.Equal(got, mac[:12]) {
		return nil, notFound
	}
	name, region, _ := bytes.Cut(payload, []byte{0})
	return &Venue{Code: code, ID: hex.EncodeToString(mac[:8]), Name: string(name), Region: string(region)}, nil
}

// visitWindow is the time in which a person's visits to one venue count
// once (windows start on the clock's ten minutes).
const visitWindow = 10 * time.Minute

// Visit records that a person the caller manages is at a venue now, as a
// venue_visit fact for investigators to find companions by, at most one
// a person a venue in each visitWindow. A visit informs and never colours
// by itself, so the person is not evaluated.
// Errors: ENOTFOUND for an unknown venue code or anyone else's person.
func (s *Venues) Visit(ctx context.Context, who *healthcode.Principal, personID int64, code string) (*Venue, error) {
	if err := core.RequireCitizen(who); err != nil {
		return nil, err
	}
	v, err := s.Venue(code)
	if err != nil {
		return nil, err
	}
	now := s.clock()
	err = s.store.Update(ctx, func(tx healthcode.Tx) error {
		p, err := core.LockOwned(ctx, tx, who, personID)
		if err != nil {
			return err
		}
		// One visit a person a venue in each window: scanning the door's
		// code again, or a photo of it a hundred times, adds nothing.
		ref := fmt.Sprintf("visit:%d:%s:%d", p.ID, v.ID, now.Unix()/int64(visitWindow/time.Second))
		_, err = tx.AddFacts(ctx, []*healthcode.Fact{{PersonID: p.ID, Kind: healthcode.FactVenueVisit, At: now,
			RecordedAt: now, Source: core.SourceCitizen, SourceRef: ref, Author: who.Author(),
			VenueVisit: &healthcode.VenueVisitFact{Venue: v.ID, Name: v.Name, Region: v.Region}}})
		return err
	})
	if err != nil {
		return nil, err
	}
	s.log.InfoContext(ctx, "venue visit", "person", personID, "venue", v.ID)
	return v, nil
}
