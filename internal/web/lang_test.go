package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"healthcode/internal/langcheck"
)

// TestErrorsSpeakTheClientsLanguage: an API error's message and reasons
// are in the language the client asks for, by lang or Accept-Language,
// English by default, with the same code and fields.
func TestErrorsSpeakTheClientsLanguage(t *testing.T) {
	f := newFixture(t, 0)
	tests := []struct {
		name, query, accept string
		zh                  bool
	}{
		{"no preference", "", "", false},
		{"lang=zh", "?lang=zh", "", true},
		{"lang=en over the header", "?lang=en", "zh-CN,zh;q=0.9", false},
		{"Accept-Language zh-CN", "", "zh-CN,zh;q=0.9,en;q=0.8", true},
		{"Accept-Language en first", "", "en-US,zh;q=0.5", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodPost, "/api/v1/auth/otp"+tt.query, bytes.NewReader([]byte(`{"phone":"12"}`)))
			req.Header.Set("Content-Type", "application/json")
			if tt.accept != "" {
				req.Header.Set("Accept-Language", tt.accept)
			}
			rec := httptest.NewRecorder()
			f.h.ServeHTTP(rec, req)
			var body errorBody
			if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || rec.Code != http.StatusBadRequest {
				t.Fatalf("status %d, %s", rec.Code, rec.Body)
			}
			e := body.Error
			if e.Code != "invalid" || len(e.Fields) != 1 || e.Fields[0].Field != "phone" {
				t.Fatalf("error = %+v, want invalid with the phone", e)
			}
			text := e.Message + e.Fields[0].Reason
			han := langcheck.Han(text)
			if tt.zh && (len(han) == 0 || len(langcheck.Latin(text, []string{"phone"})) > 0) {
				t.Errorf("asked for Chinese, got %q", text)
			}
			if !tt.zh && len(han) > 0 {
				t.Errorf("asked for English, got %q", text)
			}
		})
	}
}

// TestHistoryNamesRulesInPlainWords: each entry carries its rule's title
// in both languages beside the id.
func TestHistoryNamesRulesInPlainWords(t *testing.T) {
	f := newFixture(t, 0)
	status, body := f.do(t, http.MethodGet, "/api/v1/persons/"+fmt.Sprint(f.personID)+"/history", f.citizen, nil)
	var h struct {
		Entries []struct {
			Rule  string            `json:"rule"`
			Title map[string]string `json:"title"`
		} `json:"entries"`
	}
	if err := json.Unmarshal(body, &h); err != nil || status != http.StatusOK || len(h.Entries) == 0 {
		t.Fatalf("history: %d %s", status, body)
	}
	for _, e := range h.Entries {
		if e.Title["zh"] == "" || e.Title["en"] == "" || strings.Contains(e.Title["en"], "/") {
			t.Errorf("rule %s has the title %v", e.Rule, e.Title)
		}
	}
}

// TestFeedRejectionsSpeakTheClientsLanguage: a feed's rejected rows say
// why in the language asked for.
func TestFeedRejectionsSpeakTheClientsLanguage(t *testing.T) {
	f := newFixture(t, 0)
	body := "source_ref,doc_number,at,sampled,result,lab\n" +
		"R1,11010519491231002X,2026-03-14 10:00,2026-03-13 10:00,maybe,\n"
	for _, lang := range []string{"zh", "en"} {
		req := httptest.NewRequest(http.MethodPost, "/api/v1/feeds/lab?lang="+lang, strings.NewReader(body))
		req.Header.Set("Content-Type", "text/csv")
		req.Header.Set("Authorization", "Bearer "+f.feed)
		rec := httptest.NewRecorder()
		f.h.ServeHTTP(rec, req)
		var rep struct {
			Rejections []struct{ Field, Reason string } `json:"rejections"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &rep); err != nil || len(rep.Rejections) != 1 {
			t.Fatalf("%s: %d %s", lang, rec.Code, rec.Body)
		}
		why := rep.Rejections[0].Reason
		if han := langcheck.Han(why); (lang == "zh") != (len(han) > 0) {
			t.Errorf("%s: the rejection says %q", lang, why)
		}
	}
}
