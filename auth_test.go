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

func TestAuthorNamesWhoActed(t *testing.T) {
	tests := []struct {
		who  *healthcode.Principal
		want string
	}{
		{nil, "anonymous"},
		{&healthcode.Principal{Role: healthcode.RoleCitizen, AccountID: 12}, "account:12"},
		{&healthcode.Principal{Role: healthcode.RoleDistrict, OfficialID: 3, Region: "330106"}, "official:3"},
		{&healthcode.Principal{Role: healthcode.RoleCheckpoint, KeyID: 5}, "key:5"},
		// The command line holds no key: "key:0" named no one.
		{&healthcode.Principal{Role: healthcode.RoleOperator, Name: "operator"}, "operator"},
	}
	for _, tt := range tests {
		if got := tt.who.Author(); got != tt.want {
			t.Errorf("%+v.Author() = %q, want %q", tt.who, got, tt.want)
		}
	}
}
