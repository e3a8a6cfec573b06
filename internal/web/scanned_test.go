package web

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"healthcode"
)

// A checkpoint back online sends the temperatures it queued offline with
// the time each was taken. A fever is sent here, so the person's history
// shows it arrived (a normal temperature changes no colour); the service's
// tests check the fact's time.
func TestVerifyQueuedScanOverTheAPI(t *testing.T) {
	f := newFixture(t, time.Minute)
	scanned := time.Now().Add(-5 * time.Second).UTC().Truncate(time.Second)
	body := map[string]any{"token": f.codeToken, "temperature": 38.2, "scanned_at": scanned.Format(time.RFC3339)}
	status, res := f.do(t, "POST", "/api/v1/verify", f.checkpoint, body)
	if status != http.StatusOK {
		t.Fatalf("status %d, want 200: %s", status, res)
	}
	var v struct {
		Valid bool   `json:"valid"`
		Color string `json:"color"`
	}
	if err := json.Unmarshal(res, &v); err != nil {
		t.Fatal(err)
	}
	if !v.Valid || v.Color != "yellow" {
		t.Errorf("verification %s, want valid and yellow now", res)
	}
	_, hist := f.do(t, "GET", "/api/v1/persons/"+strconv.FormatInt(f.personID, 10)+"/history", f.citizen, nil)
	if !strings.Contains(string(hist), `"to":"yellow"`) {
		t.Errorf("history does not show the queued fever: %s", hist)
	}
}

func TestVerifyQueuedScanBadInputNamesTheField(t *testing.T) {
	f := newFixture(t, time.Minute)
	now := time.Now()
	tests := []struct {
		name   string
		key    string
		body   map[string]any
		status int
		code   string
	}{
		{"not a time", f.checkpoint, map[string]any{"token": f.codeToken, "temperature": 38.5, "scanned_at": "yesterday"},
			http.StatusBadRequest, healthcode.EINVALID},
		{"a number", f.checkpoint, map[string]any{"token": f.codeToken, "temperature": 38.5, "scanned_at": 1764748800},
			http.StatusBadRequest, healthcode.EINVALID},
		{"in the future", f.checkpoint, map[string]any{"token": f.codeToken, "temperature": 38.5, "scanned_at": now.Add(time.Hour).Format(time.RFC3339)},
			http.StatusBadRequest, healthcode.EINVALID},
		{"older than a day", f.checkpoint, map[string]any{"token": f.codeToken, "temperature": 38.5, "scanned_at": now.Add(-25 * time.Hour).Format(time.RFC3339)},
			http.StatusBadRequest, healthcode.EINVALID},
		{"without a checkpoint key", "", map[string]any{"token": f.codeToken, "temperature": 38.5, "scanned_at": now.Format(time.RFC3339)},
			http.StatusForbidden, healthcode.EFORBIDDEN},
		{"a citizen's session", f.citizen, map[string]any{"token": f.codeToken, "temperature": 38.5, "scanned_at": now.Format(time.RFC3339)},
			http.StatusForbidden, healthcode.EFORBIDDEN},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, res := f.do(t, "POST", "/api/v1/verify", tt.key, tt.body)
			if status != tt.status {
				t.Fatalf("status %d, want %d: %s", status, tt.status, res)
			}
			var e errorBody
			if err := json.Unmarshal(res, &e); err != nil {
				t.Fatal(err)
			}
			if e.Error.Code != tt.code {
				t.Errorf("error %+v, want code %s", e.Error, tt.code)
			}
			if tt.code == healthcode.EINVALID && (len(e.Error.Fields) != 1 || e.Error.Fields[0].Field != "scanned_at" || e.Error.Fields[0].Reason == "") {
				t.Errorf("error %+v, want field scanned_at with a reason", e.Error)
			}
		})
	}
	_, hist := f.do(t, "GET", "/api/v1/persons/"+strconv.FormatInt(f.personID, 10)+"/history", f.citizen, nil)
	if strings.Contains(string(hist), `"seq":2`) {
		t.Errorf("a refused queued scan was recorded: %s", hist)
	}
}

// The attack: a token replayed with a scan time outside its life is
// answered invalid and records nothing.
func TestVerifyQueuedScanOfAReplayedTokenRecordsNothing(t *testing.T) {
	f := newFixture(t, time.Minute)
	for _, at := range []time.Time{time.Now().Add(-10 * time.Minute), time.Now().Add(-23 * time.Hour)} {
		body := map[string]any{"token": f.codeToken, "temperature": 38.5, "scanned_at": at.Format(time.RFC3339)}
		status, res := f.do(t, "POST", "/api/v1/verify", f.checkpoint, body)
		if status != http.StatusOK || !strings.Contains(string(res), `"reason":"not_yet_valid"`) {
			t.Errorf("scanned at %v: status %d %s, want 200 not_yet_valid", at, status, res)
		}
	}
	_, hist := f.do(t, "GET", "/api/v1/persons/"+strconv.FormatInt(f.personID, 10)+"/history", f.citizen, nil)
	if strings.Contains(string(hist), `"seq":2`) {
		t.Errorf("a replayed token's fever was recorded: %s", hist)
	}
}
