package healthcode_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"healthcode"
)

func TestAPIKeyState(t *testing.T) {
	now := time.Date(2026, 3, 10, 2, 0, 0, 0, time.UTC)
	tests := []struct {
		name             string
		expires, revoked time.Time
		want             string
	}{
		{"never expiring", time.Time{}, time.Time{}, healthcode.KeyActive},
		{"expiring later", now.Add(time.Second), time.Time{}, healthcode.KeyActive},
		{"expiring now", now, time.Time{}, healthcode.KeyExpired},
		{"revoked", time.Time{}, now.Add(-time.Hour), healthcode.KeyRevoked},
		{"revoked and expired", now.Add(-time.Hour), now.Add(-2 * time.Hour), healthcode.KeyRevoked},
	}
	for _, tt := range tests {
		k := &healthcode.APIKey{ExpiresAt: tt.expires, RevokedAt: tt.revoked}
		if got := k.State(now); got != tt.want {
			t.Errorf("%s: state %s, want %s", tt.name, got, tt.want)
		}
	}
}

func TestUnavailableKeepsItsCause(t *testing.T) {
	cause := errors.New("dial tcp 127.0.0.1:5432: connect: connection refused")
	err := healthcode.Unavailable(cause)
	if healthcode.ErrorCode(err) != healthcode.EUNAVAILABLE || strings.Contains(healthcode.ErrorMessage(err), "5432") {
		t.Errorf("Unavailable = %v, want code unavailable and a message free of the cause", err)
	}
	if !errors.Is(err, cause) {
		t.Error("the cause is no longer in the chain for the log")
	}
}
