package service_test

import (
	"context"
	"testing"
	"time"

	"healthcode"
	"healthcode/internal/service"
)

// queued is a temperature a checkpoint took offline at scanned and sends now.
func queued(token string, celsius float64, scanned time.Time) service.VerifyInput {
	return service.VerifyInput{Token: token, Temperature: &celsius, ScannedAt: &scanned}
}

func TestVerifyQueuedScanIsRecordedAtItsScanTime(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	h := newHolder(t, e, "13900031001")
	gate := checkpoint(t, e, "Gate offline")
	scanned := h.code.IssuedAt.Add(10 * time.Second)
	// Back online three hours later: the token has long expired, but it
	// was valid when scanned.
	e.clock.Advance(3 * time.Hour)
	now := e.clock.Now()
	v, err := e.svc.Verify(ctx, gate, queued(h.code.Token, 36.4, scanned))
	if err != nil {
		t.Fatal(err)
	}
	if !v.Valid || !v.Pass || v.Color != healthcode.Green {
		t.Errorf("verification = %+v, want a valid green pass", v)
	}
	facts := storedFacts(t, e, h.person.ID)
	last := facts[len(facts)-1]
	if last.Kind != healthcode.FactTemperature || last.Temperature == nil || last.Temperature.Celsius != 36.4 ||
		!last.At.Equal(scanned) || !last.RecordedAt.Equal(now) {
		t.Errorf("last fact = %+v at %v recorded %v, want 36.4 °C at %v recorded %v", last.Temperature, last.At, last.RecordedAt, scanned, now)
	}
}

func TestVerifyQueuedFeverAnswersTheLiveColour(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	h := newHolder(t, e, "13900031011")
	gate := checkpoint(t, e, "Gate offline")
	scanned := h.code.IssuedAt.Add(30 * time.Second)
	e.clock.Advance(time.Hour)
	v, err := e.svc.Verify(context.Background(), gate, queued(h.code.Token, 38.6, scanned))
	if err != nil {
		t.Fatal(err)
	}
	if !v.Valid || v.Pass || !v.Fever || v.Color != healthcode.Yellow || v.TokenColor != healthcode.Green {
		t.Errorf("verification = %+v, want valid, refused, fever, yellow now though signed green", v)
	}
}

// The attack: a token seen once, replayed later with a scan time outside
// its life, must not vouch for a temperature.
func TestVerifyQueuedScanOutsideTheTokensWindowRecordsNothing(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	h := newHolder(t, e, "13900031021")
	gate := checkpoint(t, e, "Gate offline")
	e.clock.Advance(20 * time.Hour)
	for _, tc := range []struct {
		name    string
		scanned time.Time
		reason  string
	}{
		{"at expiry", h.code.ExpiresAt, "expired"},
		{"an hour after expiry", h.code.ExpiresAt.Add(time.Hour), "expired"},
		{"a minute before it was signed", h.code.IssuedAt.Add(-time.Minute), "not_yet_valid"},
	} {
		v, err := e.svc.Verify(ctx, gate, queued(h.code.Token, 36.5, tc.scanned))
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if v.Valid || v.Reason != tc.reason {
			t.Errorf("%s: verification = %+v, want invalid, %s", tc.name, v, tc.reason)
		}
	}
	if n := len(storedFacts(t, e, h.person.ID)); n != 1 {
		t.Errorf("%d facts after replayed scans, want only the application's", n)
	}
}

func TestVerifyQueuedScanTimeMustBeRecentAndPast(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	h := newHolder(t, e, "13900031031")
	gate := checkpoint(t, e, "Gate offline")
	now := e.clock.Now()
	celsius := 36.5
	for _, tc := range []struct {
		name string
		in   service.VerifyInput
	}{
		{"31 s ahead", queued(h.code.Token, 36.5, now.Add(31*time.Second))},
		{"a day ahead", queued(h.code.Token, 36.5, now.Add(24*time.Hour))},
		{"24 h and a second old", queued(h.code.Token, 36.5, now.Add(-24*time.Hour-time.Second))},
		{"without a temperature", service.VerifyInput{Token: h.code.Token, ScannedAt: &now}},
	} {
		_, err := e.svc.Verify(ctx, gate, tc.in)
		if got := healthcode.ErrorCode(err); got != healthcode.EINVALID {
			t.Errorf("%s: code %q (%v), want %q", tc.name, got, err, healthcode.EINVALID)
			continue
		}
		if got := fieldNames(err); len(got) != 1 || got[0] != "scanned_at" {
			t.Errorf("%s: fields %v, want [scanned_at]", tc.name, got)
		}
	}
	// A device clock 30 s ahead is within the skew tokens allow; the
	// fact is dated now, not in the future.
	v, err := e.svc.Verify(ctx, gate, queued(h.code.Token, celsius, now.Add(30*time.Second)))
	if err != nil || !v.Valid {
		t.Errorf("30 s ahead: %+v, %v; want valid", v, err)
	}
	facts := storedFacts(t, e, h.person.ID)
	if n := len(facts); n != 2 || !facts[1].At.Equal(now) {
		t.Errorf("%d facts, the last at %v; want the application's and the one accepted scan at %v", n, facts[len(facts)-1].At, now)
	}
}

func TestVerifyQueuedScanNeedsACheckpointKey(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	h := newHolder(t, e, "13900031041")
	scanned := e.clock.Now()
	for name, who := range map[string]*healthcode.Principal{"anonymous": nil, "citizen": h.who} {
		_, err := e.svc.Verify(ctx, who, queued(h.code.Token, 36.5, scanned))
		if got := healthcode.ErrorCode(err); got != healthcode.EFORBIDDEN {
			t.Errorf("%s sending a queued scan: code %q, want %q", name, got, healthcode.EFORBIDDEN)
		}
	}
	if n := len(storedFacts(t, e, h.person.ID)); n != 1 {
		t.Errorf("%d facts after refused queued scans, want only the application's", n)
	}
}
