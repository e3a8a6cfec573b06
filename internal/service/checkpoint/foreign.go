package checkpoint

import (
	"context"
	"time"

	"healthcode"
	"healthcode/healthqr"
	"healthcode/internal/federation"
)

// TrustList returns the signed trust list this server holds, as fetched,
// and its ETag (GET /api/v1/trust); nil when it has none. Anyone may read
// it: it is public.
func (s *Checkpoint) TrustList() (note []byte, etag string) {
	if s.foreign == nil {
		return nil, ""
	}
	return s.foreign.Trust.Note()
}

// TrustedKeys returns every key this server accepts codes of: its own and
// those of the regions its trust list names, revoked ones left out (GET
// /api/v1/trust/keys, for offline checkpoints).
func (s *Checkpoint) TrustedKeys() []healthqr.PublicKey {
	keys := s.keys.Public()
	if s.foreign != nil {
		keys = append(keys, s.foreign.Trust.Keys()...)
	}
	return keys
}

// KindForeign is the Verification.Kind of another healthcode region's code.
const KindForeign = "foreign"

// text is a catalogue message in both languages.
func text(m *healthcode.Msg) *healthcode.Text {
	return &healthcode.Text{Zh: m.In("zh"), En: m.In("en")}
}

// nationalCode refuses a code of this region's own in national mode
// (SPEC F2 mode 3): the region has no code; people show the national one,
// which its checkpoints verify as a foreign code and which people link to
// their person here.
func (s *Checkpoint) nationalCode() error {
	if s.foreign == nil || s.foreign.Mode != federation.National {
		return nil
	}
	return healthcode.Errorf(healthcode.EFORBIDDEN, "This region has no code of its own: show the national code (region %s), and link it to your person here.", s.foreign.National)
}

// verifyForeign answers for another region's code: offline against the
// trust list, then the live colour from the issuing region (or the hub),
// else the colour on the code and its age, saying so. A temperature taken
// here cannot be recorded for a person another region keeps: the answer
// says so, and a fever still refuses passage.
func (s *Checkpoint) verifyForeign(ctx context.Context, in VerifyInput, now time.Time) (*Verification, error) {
	r, err := s.foreign.Check(ctx, in.Token, now, s.core.Clock)
	if err != nil {
		return nil, err
	}
	if r.Reason != "" {
		return &Verification{Reason: r.Reason}, nil
	}
	c := r.Claims
	v := &Verification{Valid: true, Kind: KindForeign, Issuer: c.Issuer, IssuerName: r.Region.Name,
		TokenColor: c.Color, ExpiresAt: c.ExpiresAt,
		Fever: in.Temperature != nil && *in.Temperature >= healthcode.FeverCelsius}
	switch {
	case r.Live != nil && !r.Live.Valid:
		// The issuer knows better than its token: a code it no longer
		// knows is no code.
		return &Verification{Reason: r.Live.Reason, Kind: KindForeign, Issuer: c.Issuer, IssuerName: r.Region.Name}, nil
	case r.Live != nil:
		v.Live, v.Source, v.CheckedAt = true, "issuer", r.Live.CheckedAt
		v.Color, v.Name, v.IDTail = r.Live.Color, r.Live.Name, r.Live.IDTail
		v.Notice = text(healthcode.M("Colour read live from %s (%s).", r.Region.Name, c.Issuer))
	default:
		v.Source, v.CheckedAt, v.Color = "token", now.Truncate(time.Second), c.Color
		v.TokenAgeSeconds = int64(now.Sub(c.IssuedAt) / time.Second)
		v.Notice = text(healthcode.M("%s (%s) could not be reached: this is the colour on the code, signed %d s ago.",
			r.Region.Name, c.Issuer, v.TokenAgeSeconds))
	}
	if in.Temperature != nil {
		v.TemperatureNotice = text(healthcode.M("The temperature was not recorded: this code's holder is kept by %s (%s), and only that region records their facts.",
			r.Region.Name, c.Issuer))
	}
	v.Pass = v.Color.Passes() && !v.Fever
	return v, nil
}
