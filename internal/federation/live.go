package federation

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"healthcode"
	"healthcode/healthqr"
)

// Mode is how a region recognises other regions' codes (SPEC F2).
type Mode string

// The three national modes of SPEC F2.
const (
	// Peer: each region shares data and recognises the others' codes on
	// its own code; a foreign code's live colour is asked from its issuer.
	Peer Mode = "peer"
	// Hub: regions recognise each other through a national hub; a foreign
	// code's live colour is asked from the hub, which asks the issuer.
	Hub Mode = "hub"
	// National: the region has no code of its own; people show the
	// national code (another entry of the trust list), and the region
	// keeps its local data and links the national colour to its people.
	National Mode = "national"
)

// ParseMode reads a --federation-mode value.
func ParseMode(s string) (Mode, error) {
	switch m := Mode(s); m {
	case Peer, Hub, National:
		return m, nil
	case "":
		return Peer, nil
	}
	return "", fmt.Errorf("%q is not a federation mode: peer, hub or national", s)
}

// DefaultLiveTimeout is how long a checkpoint waits for the issuer's live
// colour before it answers with the colour on the code.
const DefaultLiveTimeout = 1500 * time.Millisecond

// Live is the issuing region's answer about a code, read at CheckedAt.
type Live struct {
	Valid     bool
	Reason    string
	Color     healthcode.Color
	Name      string // masked
	IDTail    string
	CheckedAt time.Time
}

// Asker asks another region's server (the issuer, or the hub) for a
// code's live status with a short timeout.
type Asker struct {
	Client  *http.Client
	Timeout time.Duration
	Mode    Mode
	HubURL  string // the national hub's base URL, in hub mode
}

// URL is where the live colour of a region r's code is asked.
func (a *Asker) URL(r *Region) string {
	base := r.URL
	if a.Mode == Hub && a.HubURL != "" {
		base = a.HubURL
	}
	return strings.TrimRight(base, "/") + "/api/v1/verify"
}

// Ask posts the token to the region's (or hub's) POST /api/v1/verify.
// An error means no live answer: unreachable, slow, or a reply that is
// not a verification.
func (a *Asker) Ask(ctx context.Context, r *Region, token string, now func() time.Time) (*Live, error) {
	timeout := a.Timeout
	if timeout <= 0 {
		timeout = DefaultLiveTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	body, _ := json.Marshal(map[string]string{"token": token})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, a.URL(r), bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	// The list names the one URL a region is asked at: a redirect would
	// send the token elsewhere (SSRF), so none is followed.
	client := http.Client{}
	if a.Client != nil {
		client = *a.Client
	}
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	res, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s answered %s", req.URL, res.Status)
	}
	var v struct {
		Valid  bool             `json:"valid"`
		Reason string           `json:"reason"`
		Color  healthcode.Color `json:"color"`
		Name   string           `json:"name"`
		IDTail string           `json:"id_tail"`
		Source string           `json:"source"`
	}
	if err := json.NewDecoder(io.LimitReader(res.Body, 64<<10)).Decode(&v); err != nil {
		return nil, fmt.Errorf("%s: %w", req.URL, err)
	}
	// A hub that could not reach the issuer answers with the token's
	// colour: that is no live answer either.
	if v.Source == "token" {
		return nil, errors.New("the hub could not reach the issuing region")
	}
	if v.Valid && !v.Color.Valid() {
		return nil, fmt.Errorf("%s: a valid answer without a colour", req.URL)
	}
	return &Live{Valid: v.Valid, Reason: v.Reason, Color: v.Color, Name: v.Name, IDTail: v.IDTail,
		CheckedAt: now().UTC().Truncate(time.Second)}, nil
}

// Foreign is everything a checkpoint needs about other regions' codes.
type Foreign struct {
	Trust *Trust
	Asker *Asker
	Mode  Mode
	// National is the region whose code this one uses, in national mode.
	National string
	// Self is this server's own region. A list naming it is not asked
	// about its codes: a token of ours that our own keys refuse is not
	// made good by the list, and asking ourselves would loop.
	Self string
}

// Result is a foreign code checked: offline against the trust list, then
// live when the issuer answered.
type Result struct {
	Claims healthqr.Claims
	Region *Region
	Reason string // why invalid, "" when valid: healthqr's reasons, or "revoked_key"
	Live   *Live  // nil when the issuer could not be reached
}

// Check verifies a foreign token offline and, if it holds, asks its live
// status. A token the trust list does not cover answers unknown_issuer.
func (f *Foreign) Check(ctx context.Context, token string, now time.Time, clock func() time.Time) (*Result, error) {
	c, r, err := f.Trust.Check(token, now)
	switch {
	case errors.Is(err, ErrRevoked):
		return &Result{Reason: "revoked_key"}, nil
	case err != nil:
		if reason := healthqr.Reason(err); reason != "" {
			return &Result{Reason: reason}, nil
		}
		return nil, err
	case r == nil, c.Issuer == f.Self:
		return &Result{Reason: "unknown_issuer"}, nil
	}
	res := &Result{Claims: c, Region: r}
	if live, err := f.Asker.Ask(ctx, r, token, clock); err == nil {
		res.Live = live
	} else {
		f.Trust.cfg.Log.Info("foreign code: no live answer; answering with the colour on the code",
			"region", r.Region, "url", f.Asker.URL(r), "err", err)
	}
	return res, nil
}
