package web

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"healthcode"
)

func TestLogoutEndsTheSession(t *testing.T) {
	f := newFixture(t, time.Minute)
	token := f.login(t, "13900000098")
	if got, body := f.do(t, "GET", "/api/v1/persons", token, nil); got != http.StatusOK {
		t.Fatalf("before logging out: status %d: %s", got, body)
	}
	if got, body := f.do(t, "POST", "/api/v1/auth/logout", token, nil); got != http.StatusNoContent {
		t.Fatalf("logout: status %d: %s", got, body)
	}
	if got, _ := f.do(t, "GET", "/api/v1/persons", token, nil); got != http.StatusUnauthorized {
		t.Errorf("after logging out: status %d, want 401", got)
	}
	if got, _ := f.do(t, "GET", "/api/v1/persons", f.citizen, nil); got != http.StatusOK {
		t.Errorf("another session of the same kind: status %d, want it untouched", got)
	}
}

func TestBadTokenIsUnauthorized(t *testing.T) {
	f := newFixture(t, time.Minute)
	for _, token := range []string{"hcs_nope", "hck_nope", "garbage"} {
		if got, _ := f.do(t, "GET", "/api/v1/persons", token, nil); got != http.StatusUnauthorized {
			t.Errorf("token %q: status %d, want 401", token, got)
		}
	}
}

// TestBadInputNamesTheField checks the JSON edge: every refusal is a 400
// whose body names the field and the reason, and nothing is written.
func TestBadInputNamesTheField(t *testing.T) {
	f := newFixture(t, time.Minute)
	tests := []struct {
		name  string
		body  any
		field string
	}{
		{"unknown field", map[string]any{"identity": map[string]any{}, "colour": "green"}, "colour"},
		{"wrong type", map[string]any{"region": 330106}, "region"},
		{"bad check character", map[string]any{
			"relation": "child",
			"identity": map[string]any{"doc_type": "resident_id", "number": "110105194912310021", "name": "张小三", "phone": "13900000002"},
			"region":   "110105",
			"declaration": map[string]any{"fever": false, "cough": false, "other_symptoms": false,
				"left_region_14d": false, "abroad_14d": false, "contact_cases": false, "commitment": true},
		}, "identity.number"},
		{"no commitment", map[string]any{
			"relation": "child",
			"identity": map[string]any{"doc_type": "passport", "number": "E12345678", "name": "Li Lei", "phone": "13900000002"},
			"region":   "110105",
			"declaration": map[string]any{"fever": false, "cough": false, "other_symptoms": false,
				"left_region_14d": false, "abroad_14d": false, "contact_cases": false, "commitment": false},
		}, "declaration.commitment"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, body := f.do(t, "POST", "/api/v1/persons", f.citizen, tt.body)
			if got != http.StatusBadRequest {
				t.Fatalf("status %d, want 400: %s", got, body)
			}
			var e errorBody
			if err := json.Unmarshal(body, &e); err != nil {
				t.Fatal(err)
			}
			if e.Error.Code != healthcode.EINVALID || len(e.Error.Fields) == 0 || e.Error.Fields[0].Field != tt.field || e.Error.Fields[0].Reason == "" {
				t.Errorf("error = %+v, want field %q with a reason", e.Error, tt.field)
			}
		})
	}
	_, body := f.do(t, "GET", "/api/v1/persons", f.citizen, nil)
	var list struct {
		Persons []json.RawMessage `json:"persons"`
	}
	if err := json.Unmarshal(body, &list); err != nil {
		t.Fatal(err)
	}
	if len(list.Persons) != 1 {
		t.Errorf("the citizen manages %d persons after refused applications, want 1", len(list.Persons))
	}
}

func TestMalformedPersonIDIsRefused(t *testing.T) {
	f := newFixture(t, time.Minute)
	for _, id := range []string{"abc", "0", "-3"} {
		if got, _ := f.do(t, "GET", "/api/v1/persons/"+id, f.citizen, nil); got != http.StatusBadRequest {
			t.Errorf("id %q: status %d, want 400", id, got)
		}
	}
}

// TestAdminSimulatesAPackWithoutWriting: an admin of the pack's region
// simulates it; the fixture's admin, of 330100, may not simulate Hubei's.
func TestAdminSimulatesAPackWithoutWriting(t *testing.T) {
	f := newFixture(t, time.Minute)
	hubei, _, err := f.svc.CreateAPIKey(t.Context(), "hubei operator", healthcode.RoleAdmin, "420000")
	if err != nil {
		t.Fatal(err)
	}
	if got, body := f.do(t, "POST", "/api/v1/admin/policy/simulate", f.admin,
		map[string]any{"pack": "hubei-2020", "all": true}); got != http.StatusForbidden {
		t.Errorf("Hubei's pack by an admin of 330100: status %d, want 403: %s", got, body)
	}
	got, body := f.do(t, "POST", "/api/v1/admin/policy/simulate", hubei,
		map[string]any{"pack": "hubei-2020", "all": true})
	if got != http.StatusOK {
		t.Fatalf("status %d: %s", got, body)
	}
	var r struct {
		Pack    string `json:"pack"`
		Persons int    `json:"persons"`
	}
	if err := json.Unmarshal(body, &r); err != nil {
		t.Fatal(err)
	}
	if r.Pack != "hubei-2020@2020.2" || r.Persons != 1 {
		t.Errorf("report = %+v, want hubei-2020 over the one person", r)
	}
	got, body = f.do(t, "POST", "/api/v1/admin/policy/simulate", f.admin,
		map[string]any{"yaml": "name: broken\nversion: 1\n"})
	var e errorBody
	if err := json.Unmarshal(body, &e); err != nil {
		t.Fatal(err)
	}
	if got != http.StatusBadRequest || len(e.Error.Fields) == 0 || !strings.Contains(e.Error.Fields[0].Reason, "yaml:") {
		t.Errorf("broken pack: status %d, error %+v; want 400 with FILE:LINE problems", got, e.Error)
	}
}

// TestFeedStoppedByABrokenFileSaysWhyAndKeepsTheRowsBefore: a file
// problem answers 400 with the problem in the report, and the rows read
// before it are stored and counted.
func TestFeedStoppedByABrokenFileSaysWhyAndKeepsTheRowsBefore(t *testing.T) {
	f := newFixture(t, time.Minute)
	csv := "source_ref,doc_number,at,sampled,result\n" +
		"r-1,11010519491231002X,2026-03-10 15:00,2026-03-10 09:00,negative\n" +
		"r-2,\"11010519491231002X,2026-03-10 15:00\n" // a quote never closed
	req := httptest.NewRequest("POST", "/api/v1/feeds/lab", strings.NewReader(csv))
	req.Header.Set("Authorization", "Bearer "+f.feed)
	req.Header.Set("Content-Type", "text/csv")
	rec := httptest.NewRecorder()
	f.h.ServeHTTP(rec, req)
	var rep feedReport
	if err := json.Unmarshal(rec.Body.Bytes(), &rep); err != nil {
		t.Fatalf("%v in %s", err, rec.Body)
	}
	if rec.Code != http.StatusBadRequest || rep.Error == nil || rep.Error.Code != healthcode.EINVALID || rep.Added != 1 {
		t.Errorf("status %d, report %s; want 400 with the file's problem and the first row added", rec.Code, rec.Body)
	}
}

func TestFeedReportsRejectedRowsByLineAndStoresTheRest(t *testing.T) {
	f := newFixture(t, time.Minute)
	csv := "source_ref,doc_number,at,sampled,result\n" +
		"r-1,11010519491231002X,2026-03-10 15:00,2026-03-10 09:00,negative\n" +
		"r-2,110105194912310021,2026-03-10 15:00,2026-03-10 09:00,negative\n" + // bad check character
		"r-3,11010519491231002X,2026-03-10 15:00,2026-03-10 16:00,negative\n" + // sampled after at
		"r-4,110101199003074514,2026-03-10 15:00,2026-03-10 09:00,positive\n" // has not applied
	post := func() (int, feedReport) {
		req := httptest.NewRequest("POST", "/api/v1/feeds/lab", strings.NewReader(csv))
		req.Header.Set("Authorization", "Bearer "+f.feed)
		req.Header.Set("Content-Type", "text/csv")
		rec := httptest.NewRecorder()
		f.h.ServeHTTP(rec, req)
		var rep feedReport
		if err := json.Unmarshal(rec.Body.Bytes(), &rep); err != nil {
			t.Fatalf("%v in %s", err, rec.Body)
		}
		return rec.Code, rep
	}
	code, rep := post()
	if code != http.StatusOK || rep.Added != 1 || rep.Pending != 1 || rep.Rejected != 2 {
		t.Fatalf("status %d, report %+v; want 1 added, 1 pending, 2 rejected", code, rep)
	}
	if rep.Rejections[0].Line != 3 || rep.Rejections[0].Field != "doc_number" ||
		rep.Rejections[1].Line != 4 || rep.Rejections[1].Field != "sampled" {
		t.Errorf("rejections = %+v, want line 3 doc_number and line 4 sampled", rep.Rejections)
	}
	if _, again := post(); again.Added != 0 || again.Duplicates != 2 {
		t.Errorf("re-send = %+v, want 2 duplicates", again)
	}
	if code, _ := f.do(t, "POST", "/api/v1/feeds/case", f.feed, nil); code != http.StatusForbidden {
		t.Errorf("a lab key sending cases: status %d, want 403", code)
	}
}

// TestCheckInOnceADay checks the check-in route: 201 the first time, a 409
// that says so the second.
func TestCheckInOnceADay(t *testing.T) {
	f := newFixture(t, time.Minute)
	path := fmt.Sprintf("/api/v1/persons/%d/checkins", f.personID)
	tests := []struct {
		name string
		body any
		want int
	}{
		{"no answer", map[string]any{}, http.StatusBadRequest},
		{"first of the day", map[string]any{"symptoms": false, "celsius": 36.6}, http.StatusCreated},
		{"second of the day", map[string]any{"symptoms": false}, http.StatusConflict},
	}
	for _, tt := range tests {
		if got, body := f.do(t, "POST", path, f.citizen, tt.body); got != tt.want {
			t.Errorf("%s: status %d, want %d: %s", tt.name, got, tt.want, body)
		}
	}
}

// TestVenueVisitOverTheAPI makes a venue as an admin, reads it as anyone,
// and records a visit as a citizen; a forged code is a 404.
func TestVenueVisitOverTheAPI(t *testing.T) {
	f := newFixture(t, time.Minute)
	status, body := f.do(t, "POST", "/api/v1/admin/venues", f.admin, map[string]any{"name": "West Lake gate 3", "region": "330106"})
	if status != http.StatusCreated {
		t.Fatalf("create venue: status %d: %s", status, body)
	}
	var v struct {
		Code, ID, Name string
	}
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatal(err)
	}
	visits := fmt.Sprintf("/api/v1/persons/%d/visits", f.personID)
	// Another venue's name under this venue's signature: well formed, so
	// only the signature can refuse it.
	_, sum, _ := strings.Cut(v.Code, ".")
	renamed := base64.RawURLEncoding.EncodeToString([]byte("Leifeng Pagoda\x00330106")) + "." + sum
	tests := []struct {
		name, method, path, token string
		body                      any
		want                      int
	}{
		{"read by anyone", "GET", "/api/v1/venues/" + v.Code, "", nil, http.StatusOK},
		{"forged code", "GET", "/api/v1/venues/" + v.Code + "x", "", nil, http.StatusNotFound},
		{"another venue's name under this signature", "GET", "/api/v1/venues/" + renamed, "", nil, http.StatusNotFound},
		{"visit", "POST", visits, f.citizen, map[string]any{"venue": v.Code}, http.StatusOK},
		{"visit with a forged code", "POST", visits, f.citizen, map[string]any{"venue": "x.y"}, http.StatusNotFound},
		{"a venue without a name", "POST", "/api/v1/admin/venues", f.admin, map[string]any{"name": "", "region": "330106"}, http.StatusBadRequest},
	}
	for _, tt := range tests {
		if got, body := f.do(t, tt.method, tt.path, tt.token, tt.body); got != tt.want {
			t.Errorf("%s: status %d, want %d: %s", tt.name, got, tt.want, body)
		}
	}
}

// TestAdminEvaluatesATimelineWithoutWriting: an admin tries a pack on 14
// days of check-ins at two instants, without waiting and without a person;
// a bad fact is a 400 naming it; a pack outside the key's region is 403.
func TestAdminEvaluatesATimelineWithoutWriting(t *testing.T) {
	f := newFixture(t, time.Minute)
	_, before := f.do(t, "GET", fmt.Sprintf("/api/v1/persons/%d/history", f.personID), f.citizen, nil)
	_, persons := f.do(t, "GET", "/api/v1/persons", f.citizen, nil)
	timeline := []any{
		map[string]any{"kind": "declaration", "at": "2026-03-01 10:00", "contact_cases": true, "commitment": true},
		map[string]any{"kind": "checkin", "at": "2026-03-02 08:00", "celsius": 36.5, "repeat": map[string]any{"count": 14, "every": "1d"}},
	}
	for _, tt := range []struct {
		at, color, rule string
		needs           int
	}{
		{"2026-03-05 09:00", "red", "zhejiang-hangzhou-2020/declared-contact/isolation", 2},
		{"2026-03-15T10:00:00+08:00", "green", "zhejiang-hangzhou-2020/green", 0},
	} {
		got, body := f.do(t, "POST", "/api/v1/admin/policy/evaluate", f.admin,
			map[string]any{"pack": "zhejiang-hangzhou-2020", "facts": timeline, "at": tt.at})
		if got != http.StatusOK {
			t.Fatalf("at %s: status %d: %s", tt.at, got, body)
		}
		var r struct {
			Pack   string            `json:"pack"`
			Facts  int               `json:"facts"`
			Status healthcode.Status `json:"status"`
		}
		if err := json.Unmarshal(body, &r); err != nil {
			t.Fatal(err)
		}
		if r.Pack != "zhejiang-hangzhou-2020@2020.4" || r.Facts != 15 || r.Status.Color.String() != tt.color ||
			r.Status.Rule != tt.rule || len(r.Status.Needs) != tt.needs || r.Status.Reason.En == "" || r.Status.Next.Zh == "" {
			t.Errorf("at %s: %s, want %s by %s with %d needs, explained", tt.at, body, tt.color, tt.rule, tt.needs)
		}
	}

	for _, tt := range []struct {
		name  string
		body  map[string]any
		field string
	}{
		{"no pack", map[string]any{"facts": []any{}, "at": "2026-03-01"}, "pack"},
		{"no instant", map[string]any{"pack": "zhejiang-hangzhou-2020", "facts": []any{}}, "at"},
		{"a bad instant", map[string]any{"pack": "zhejiang-hangzhou-2020", "facts": []any{}, "at": "soon"}, "at"},
		{"no facts", map[string]any{"pack": "zhejiang-hangzhou-2020", "at": "2026-03-01"}, "facts"},
		{"a misspelt result", map[string]any{"pack": "zhejiang-hangzhou-2020", "at": "2026-03-01",
			"facts": []any{timeline[0], map[string]any{"kind": "test", "at": "2026-03-01", "result": "positve"}}}, "facts[1].result"},
		{"an unknown field", map[string]any{"pack": "zhejiang-hangzhou-2020", "at": "2026-03-01", "colour": "red", "facts": []any{}}, "colour"},
		{"a broken pack", map[string]any{"yaml": "name: broken\n", "at": "2026-03-01", "facts": []any{}}, "yaml"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, body := f.do(t, "POST", "/api/v1/admin/policy/evaluate", f.admin, tt.body)
			var e errorBody
			if err := json.Unmarshal(body, &e); err != nil {
				t.Fatal(err)
			}
			if got != http.StatusBadRequest || len(e.Error.Fields) == 0 || e.Error.Fields[0].Field != tt.field {
				t.Errorf("status %d, error %+v; want 400 naming %s", got, e.Error, tt.field)
			}
		})
	}

	if got, body := f.do(t, "POST", "/api/v1/admin/policy/evaluate", f.admin,
		map[string]any{"pack": "hubei-2020", "facts": []any{}, "at": "2026-03-01"}); got != http.StatusForbidden {
		t.Errorf("Hubei's pack by an admin of 330100: status %d, want 403: %s", got, body)
	}
	if _, after := f.do(t, "GET", fmt.Sprintf("/api/v1/persons/%d/history", f.personID), f.citizen, nil); string(after) != string(before) {
		t.Errorf("the fixture's history changed:\n%s\nwas\n%s", after, before)
	}
	if _, list := f.do(t, "GET", "/api/v1/persons", f.citizen, nil); strings.Count(string(list), `"id"`) != strings.Count(string(persons), `"id"`) {
		t.Errorf("persons changed: %s, was %s", list, persons)
	}
}
