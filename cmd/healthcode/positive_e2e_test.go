package main

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"healthcode/internal/store/pgtest"
	"healthcode/policy"
)

// TestPositiveLabResultTurnsRedAndIsRefused drives the defect of issue 10
// over real HTTP, on each store: a green person passes a checkpoint; a
// positive lab result arrives through the feed; the code is red at once,
// the history names the result, and the checkpoint refuses. A feed of a
// kind that does not exist is not found.
func TestPositiveLabResultTurnsRedAndIsRefused(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) { testPositiveLabResult(t, startServer(t)) })
	t.Run("postgres", func(t *testing.T) { testPositiveLabResult(t, startServer(t, "--db", pgtest.NewDatabase(t))) })
}

func testPositiveLabResult(t *testing.T, s *testServer) {
	const phone, name = "13812340001", "李小红"
	number := residentID(t, "33010619920307123")
	token := s.login(t, phone)
	var p person
	if code := s.call(t, "POST", "/api/v1/persons", token, application(number, name, phone, false), &p); code != http.StatusCreated || p.Status.Color != "green" {
		t.Fatalf("apply: status %d, %+v; want 201 and green", code, p)
	}
	var qr struct {
		Token string `json:"token"`
	}
	s.call(t, "GET", fmt.Sprintf("/api/v1/persons/%d/code", p.ID), token, nil, &qr)
	var v verification
	if s.call(t, "POST", "/api/v1/verify", "", map[string]any{"token": qr.Token}, &v); !v.Pass {
		t.Fatalf("verify while green = %+v, want a pass", v)
	}

	lab := s.feedKey(t, "lab")
	now := time.Now().In(policy.ChinaTime)
	csv := "source_ref,doc_number,at,sampled,result\n" +
		"L-1," + number + "," + now.Add(-10*time.Minute).Format("2006-01-02 15:04") + "," +
		now.Add(-3*time.Hour).Format("2006-01-02 15:04") + ",positive\n"
	var rep struct {
		Recoloured int `json:"recoloured"`
	}
	if code := s.postFeed(t, lab, "lab", csv, &rep); code != http.StatusOK || rep.Recoloured != 1 {
		t.Fatalf("lab feed: status %d, %+v; want 200 recolouring one person", code, rep)
	}

	var st struct {
		Color   string  `json:"color"`
		Rule    string  `json:"rule"`
		FactIDs []int64 `json:"fact_ids"`
	}
	s.call(t, "GET", fmt.Sprintf("/api/v1/persons/%d/status", p.ID), token, nil, &st)
	if st.Color != "red" || st.Rule != "zhejiang-hangzhou-2020/positive-test/diagnosis" {
		t.Errorf("status after a positive result = %+v, want red by the Hangzhou positive-test rule", st)
	}
	v = verification{}
	s.call(t, "POST", "/api/v1/verify", "", map[string]any{"token": qr.Token}, &v)
	if !v.Valid || v.Pass || v.Color != "red" {
		t.Errorf("verify after a positive result = %+v, want valid, red, refused", v)
	}
	var hist struct {
		Entries []struct {
			To      string  `json:"to"`
			FactIDs []int64 `json:"fact_ids"`
		} `json:"entries"`
	}
	s.call(t, "GET", fmt.Sprintf("/api/v1/persons/%d/history", p.ID), token, nil, &hist)
	if n := len(hist.Entries); n != 2 || hist.Entries[1].To != "red" || len(hist.Entries[1].FactIDs) == 0 {
		t.Errorf("history = %+v, want none → green, green → red naming the result", hist.Entries)
	}

	var refused struct {
		Error struct{ Code string } `json:"error"`
	}
	if code := s.postFeed(t, lab, "labs", csv, &refused); code != http.StatusNotFound || refused.Error.Code != "not_found" {
		t.Errorf("feed of an unknown kind: status %d, %+v; want 404 not_found", code, refused)
	}
}
