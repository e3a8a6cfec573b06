package main

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"healthcode/policy"
)

// TestReportedCloseContactTurnsRedUnderTheDefaults runs the server with
// its defaults (region 330100, its shipped pack): a close contact the
// contact feed reports turns a green Hangzhou code red, as a declared
// contact would, and a sub-close contact leaves another green (issue 12).
func TestReportedCloseContactTurnsRedUnderTheDefaults(t *testing.T) {
	s := startServer(t)
	people := []struct {
		phone, first17, typ, want, rule string
	}{
		{"13812340011", "33010619920307223", "close", "red", "zhejiang-hangzhou-2020/reported-contact/isolation"},
		{"13812340012", "33010619920307323", "sub_close", "green", "zhejiang-hangzhou-2020/green"},
	}
	key := s.feedKey(t, "contact")
	now := time.Now().In(policy.ChinaTime)
	for i, pp := range people {
		number := residentID(t, pp.first17)
		token := s.login(t, pp.phone)
		var p person
		if code := s.call(t, "POST", "/api/v1/persons", token, application(number, "周小青", pp.phone, false), &p); code != http.StatusCreated || p.Status.Color != "green" {
			t.Fatalf("apply: status %d, %+v; want 201 and green", code, p)
		}
		csv := fmt.Sprintf("source_ref,doc_number,at,type,exposure\nC-%d,%s,%s,%s,%s\n", i, number,
			now.Add(-10*time.Minute).Format("2006-01-02 15:04"), pp.typ, now.Add(-30*time.Hour).Format("2006-01-02 15:04"))
		if code := s.postFeed(t, key, "contact", csv, nil); code != http.StatusOK {
			t.Fatalf("contact feed: status %d", code)
		}
		var st struct {
			Color string `json:"color"`
			Rule  string `json:"rule"`
		}
		s.call(t, "GET", fmt.Sprintf("/api/v1/persons/%d/status", p.ID), token, nil, &st)
		if st.Color != pp.want || st.Rule != pp.rule {
			t.Errorf("after a %s contact: %+v, want %s by %s", pp.typ, st, pp.want, pp.rule)
		}
	}
}
