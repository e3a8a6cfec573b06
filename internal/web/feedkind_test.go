package web

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"healthcode"
)

// A feed of a kind there is none of is not found, whoever the feed key;
// a known kind the key may not send is forbidden; a key of another role
// is forbidden before any kind is looked at.
func TestFeedOfAnUnknownKindIsNotFound(t *testing.T) {
	f := newFixture(t, time.Minute)
	tests := []struct {
		name, path, token string
		want              int
		code              string
	}{
		{"unknown kind", "/api/v1/feeds/labs", f.feed, http.StatusNotFound, healthcode.ENOTFOUND},
		{"empty-looking kind", "/api/v1/feeds/%20", f.feed, http.StatusNotFound, healthcode.ENOTFOUND},
		{"known kind, not the key's", "/api/v1/feeds/case", f.feed, http.StatusForbidden, healthcode.EFORBIDDEN},
		{"unknown kind, not a feed key", "/api/v1/feeds/labs", f.checkpoint, http.StatusForbidden, healthcode.EFORBIDDEN},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, body := f.do(t, "POST", tt.path, tt.token, nil)
			var e struct {
				Error errorDetail `json:"error"`
			}
			if err := json.Unmarshal(body, &e); err != nil {
				t.Fatalf("%v in %s", err, body)
			}
			if got != tt.want || e.Error.Code != tt.code {
				t.Errorf("status %d, %s; want %d %s", got, body, tt.want, tt.code)
			}
			if tt.want == http.StatusNotFound && !strings.Contains(e.Error.Message, "lab, case") {
				t.Errorf("message %q does not list the kinds", e.Error.Message)
			}
		})
	}
}
