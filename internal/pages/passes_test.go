package pages

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"testing"
	"time"

	"healthcode"
	"healthcode/internal/service"
)

// TestTheLookupFormSharesTheAPIsLimitAndIsLogged: a checkpoint's look-ups
// by ID number on the page count against its key's lookup limit, as the
// API's do, and each is a person-looked-up log entry naming the key.
func TestTheLookupFormSharesTheAPIsLimitAndIsLogged(t *testing.T) {
	s := newSiteWith(t, service.Config{Issuer: "330100", Dev: true, Limits: healthcode.Limits{
		{Class: healthcode.LimitLookup, Scope: healthcode.ScopeKey}: {N: 2, Per: time.Hour}}})
	ctx := context.Background()
	key, _, err := s.svc.CreateAPIKey(ctx, "一号卡口", healthcode.RoleCheckpoint, "330100")
	if err != nil {
		t.Fatal(err)
	}
	b := s.browser(t)
	b.get("/checkpoint")
	b.post("/checkpoint/login", url.Values{"key": {key}}).must(t, http.StatusOK, "", `id="lookup-form"`)
	unknown := validID(t, "11010519491231009")
	for range 2 {
		b.post("/checkpoint/lookup", url.Values{"number": {unknown}}).must(t, http.StatusOK, "", `data-kind="invalid"`, "查无此人")
	}
	b.get("/checkpoint")
	b.postLimited("a third look-up within the hour", "/checkpoint/lookup", url.Values{"number": {unknown}})
	body, _ := json.Marshal(map[string]string{"number": unknown})
	req, _ := http.NewRequest(http.MethodPost, s.srv.URL+"/api/v1/lookup", bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Content-Type", "application/json")
	res, err := s.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusTooManyRequests {
		t.Errorf("the API looked up a third time (status %d): the form and the API count apart", res.StatusCode)
	}
	looked := 0
	for _, r := range logRecords(t, s) {
		e, err := healthcode.DecodeLogEntry(r.Body)
		if err != nil {
			t.Fatal(err)
		}
		if e.Kind == healthcode.LogPersonLookedUp {
			looked++
			if e.Author.Role != healthcode.RoleCheckpoint || e.Author.Key == 0 || e.Lookup.Found {
				t.Errorf("look-up logged as %+v by %+v", e.Lookup, e.Author)
			}
		}
		if bytes.Contains(r.Body, []byte(unknown)) {
			t.Errorf("a log entry holds the number: %s", r.Body)
		}
	}
	if looked != 2 {
		t.Errorf("%d look-ups logged, want the 2 that were answered", looked)
	}
}
