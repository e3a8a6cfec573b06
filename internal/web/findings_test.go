package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"healthcode"
	"healthcode/identity"
	"healthcode/internal/service"
)

var chinaTime = time.FixedZone("CST", 8*60*60)

// china writes t as feeds and lists take it, in China time.
func china(t time.Time) string { return t.In(chinaTime).Format("2006-01-02 15:04") }

// resident is a person applied for by their own login.
type resident struct {
	token  string // the citizen's session
	id     int64
	number string
}

// newResident applies, as a citizen with phone, for the resident ID
// starting first17 declaring region.
func (f *fixture) newResident(t *testing.T, phone, first17, region string) resident {
	t.Helper()
	ctx := context.Background()
	check, err := identity.ResidentIDCheckChar(first17)
	if err != nil {
		t.Fatal(err)
	}
	r := resident{token: f.login(t, phone), number: first17 + string(check)}
	who, err := f.svc.Authenticate(ctx, r.token)
	if err != nil {
		t.Fatal(err)
	}
	yes, no := true, false
	p, err := f.svc.Apply(ctx, who, service.ApplyInput{
		Identity: healthcode.Identity{DocType: healthcode.DocResidentID, Number: r.number, Name: "郑十", Phone: phone},
		Region:   region,
		Declaration: service.DeclarationInput{Fever: &no, Cough: &no, OtherSymptoms: &no, LeftRegion14d: &no,
			Abroad14d: &no, ContactCases: &no, Commitment: &yes},
	})
	if err != nil {
		t.Fatal(err)
	}
	r.id = p.ID
	return r
}

// closeContacts reports residents as close contacts over the contact
// feed: red, in centralized isolation under the 2022 rules of Zhejiang.
func (f *fixture) closeContacts(t *testing.T, at time.Time, rs ...resident) {
	t.Helper()
	key, _, err := f.svc.CreateFeedKey(context.Background(), "cdc contacts", "330000", []string{"contact"})
	if err != nil {
		t.Fatal(err)
	}
	csv := "source_ref,doc_number,at,type,exposure\n"
	for _, r := range rs {
		csv += fmt.Sprintf("c-%d,%s,%s,close,%s\n", r.id, r.number, china(at), china(at.Add(-time.Hour)))
	}
	if code, body := f.doBody(t, "POST", "/api/v1/feeds/contact", key, "text/csv", csv); code != http.StatusOK {
		t.Fatalf("contact feed: %d %s", code, body)
	}
}

func (f *fixture) colour(t *testing.T, r resident) healthcode.Status {
	t.Helper()
	code, body := f.do(t, "GET", fmt.Sprintf("/api/v1/persons/%d/status", r.id), r.token, nil)
	if code != http.StatusOK {
		t.Fatalf("status of %d: %d %s", r.id, code, body)
	}
	var st healthcode.Status
	if err := json.Unmarshal(body, &st); err != nil {
		t.Fatal(err)
	}
	return st
}

type releaseAnswer struct {
	List struct {
		ID       int64  `json:"id"`
		Division string `json:"division"`
		SHA256   string `json:"sha256"`
	} `json:"list"`
	Repeat   bool `json:"repeat"`
	Released int  `json:"released"`
	Results  []struct {
		Row     int    `json:"row"`
		Outcome string `json:"outcome"`
		Field   string `json:"field"`
		Message string `json:"message"`
	} `json:"results"`
}

func TestReleaseListOverHTTPReleasesRedPeopleToYellow(t *testing.T) {
	f := newFixture(t, time.Minute)
	now := time.Now()
	var isolated []resident
	for i := range 3 {
		isolated = append(isolated, f.newResident(t, fmt.Sprintf("1390010000%d", i), fmt.Sprintf("33021219800101%03d", i), "330212"))
	}
	elsewhere := f.newResident(t, "13900100009", "33020319800101009", "330203")
	f.closeContacts(t, now.Add(-2*time.Hour), append(isolated, elsewhere)...)
	for _, r := range append(isolated, elsewhere) {
		if st := f.colour(t, r); st.Color != healthcode.Red {
			t.Fatalf("person %d is %v before the list, want red", r.id, st.Color)
		}
	}
	operator := f.officialToken(t, healthcode.RoleIsolation, 3, "330212")
	csv := "doc_type,doc_number,released_at\n"
	for _, r := range append(isolated, elsewhere) {
		csv += "resident_id," + r.number + "," + china(now.Add(-time.Hour)) + "\n"
	}
	path := "/api/v1/officials/release-lists?point=" + "%E9%84%9E%E5%B7%9E%E5%8C%BA%E9%9A%94%E7%A6%BB%E7%82%B9" + "&lang=zh"
	code, body := f.doBody(t, "POST", path, operator, "text/csv", csv)
	if code != http.StatusCreated {
		t.Fatalf("upload: %d %s", code, body)
	}
	var rep releaseAnswer
	if err := json.Unmarshal(body, &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Released != 3 || len(rep.Results) != 4 || rep.List.Division != "330212" || len(rep.List.SHA256) != 64 {
		t.Fatalf("report %s", body)
	}
	for i, res := range rep.Results[:3] {
		if res.Outcome != "released" || res.Row != i+2 {
			t.Errorf("row %d: %+v, want released", i+2, res)
		}
	}
	if out := rep.Results[3]; out.Outcome != "out_of_scope" || out.Field != "doc_number" || out.Row != 5 ||
		!strings.Contains(out.Message, "管辖范围") {
		t.Errorf("the row outside the scope: %+v, want out_of_scope at doc_number, in Chinese", out)
	}
	for _, r := range isolated {
		st := f.colour(t, r)
		if st.Color != healthcode.Yellow || !strings.Contains(st.Reason.En, "home health monitoring") {
			t.Errorf("person %d after the list: %v, %q; want yellow for home health monitoring", r.id, st.Color, st.Reason.En)
		}
		if last := f.lastChange(t, r); last.From != "red" || last.To != "yellow" ||
			!strings.Contains(last.Rule, "close-contact/home-monitoring") {
			t.Errorf("person %d's history ends %v → %v by %s; want red → yellow by home monitoring", r.id, last.From, last.To, last.Rule)
		}
	}
	if st := f.colour(t, elsewhere); st.Color != healthcode.Red {
		t.Errorf("the person outside the scope is %v, want still red", st.Color)
	}

	// The same list again changes nothing.
	before := f.lastChange(t, isolated[0])
	code, body = f.doBody(t, "POST", path, operator, "text/csv", csv)
	var again releaseAnswer
	if err := json.Unmarshal(body, &again); err != nil || code != http.StatusOK || !again.Repeat || again.Released != 0 ||
		again.List.ID != rep.List.ID || again.Results[0].Outcome != "already_released" {
		t.Errorf("the list again: %d %s; want 200, a repeat of list %d releasing nobody", code, body, rep.List.ID)
	}
	if after := f.lastChange(t, isolated[0]); after.Seq != before.Seq {
		t.Errorf("the list again changed the history: entry %d, was %d", after.Seq, before.Seq)
	}
	code, body = f.do(t, "GET", "/api/v1/officials/release-lists", operator, nil)
	var lists struct {
		Lists []struct {
			ID    int64  `json:"id"`
			Point string `json:"point"`
		} `json:"lists"`
	}
	if err := json.Unmarshal(body, &lists); err != nil || code != http.StatusOK || len(lists.Lists) != 1 ||
		lists.Lists[0].Point != "鄞州区隔离点" {
		t.Errorf("GET release-lists: %d %s; want the one list", code, body)
	}
}

// change is a history entry as the API shows it.
type change struct {
	Seq  int64  `json:"seq"`
	From string `json:"from"`
	To   string `json:"to"`
	Rule string `json:"rule"`
}

func (f *fixture) lastChange(t *testing.T, r resident) change {
	t.Helper()
	code, body := f.do(t, "GET", fmt.Sprintf("/api/v1/persons/%d/history", r.id), r.token, nil)
	var h struct {
		Entries []change `json:"entries"`
	}
	if err := json.Unmarshal(body, &h); err != nil || code != http.StatusOK || len(h.Entries) == 0 {
		t.Fatalf("history of %d: %d %s", r.id, code, body)
	}
	return h.Entries[len(h.Entries)-1]
}

func TestReleaseListMalformedIs400NamingRowAndField(t *testing.T) {
	f := newFixture(t, time.Minute)
	operator := f.officialToken(t, healthcode.RoleIsolation, 3, "330212")
	good := "33021219800101005"
	check, _ := identity.ResidentIDCheckChar(good)
	good += string(check)
	tests := []struct {
		name, contentType, body string
		field, reason           string
	}{
		{"a short number", "text/csv", "doc_number,released_at\n" + good + ",2026-03-01 10:00\n330212,2026-03-01 10:00\n",
			"row 3: doc_number", "身份证号"},
		{"a time that is none", "text/csv", "doc_number,released_at\n" + good + ",yesterday\n", "row 2: released_at", "时间"},
		{"a missing column", "text/csv", "doc_number\n" + good + "\n", "released_at", ""},
		{"a JSON row", "application/json", `{"point":"鄞州区隔离点","rows":[{"doc_number":"` + good +
			`","released_at":"2026-03-01 10:00"},{"doc_number":"` + good + `"}]}`, "row 2: released_at", "必填"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, body := f.doBody(t, "POST", "/api/v1/officials/release-lists?point=x&lang=zh", operator, tt.contentType, tt.body)
			var e errorBody
			if err := json.Unmarshal(body, &e); err != nil || code != http.StatusBadRequest {
				t.Fatalf("%d %s, want 400", code, body)
			}
			if len(e.Error.Fields) == 0 || e.Error.Fields[0].Field != tt.field || !strings.Contains(e.Error.Fields[0].Reason, tt.reason) {
				t.Errorf("fields %+v, want %s first, saying %q", e.Error.Fields, tt.field, tt.reason)
			}
		})
	}
	if _, body := f.do(t, "GET", "/api/v1/officials/release-lists", operator, nil); !strings.Contains(string(body), `"lists":[]`) {
		t.Errorf("a refused list was stored: %s", body)
	}
}

func TestFindingsRoutesRefuseOtherOfficials(t *testing.T) {
	f := newFixture(t, time.Minute)
	list := `{"point":"隔离点","rows":[{"doc_number":"11010519491231002X","released_at":"2026-03-01 10:00"}]}`
	finding := map[string]any{"finding": "declared no travel; rail records show a trip to a high-risk area"}
	tests := []struct {
		name, method, path, token string
	}{
		{"a community worker uploading a list", "POST", "/api/v1/officials/release-lists", f.officialToken(t, healthcode.RoleCommunity, 4, "330212")},
		{"a district officer uploading a list", "POST", "/api/v1/officials/release-lists", f.officialToken(t, healthcode.RoleDistrict, 5, "330212")},
		{"a district officer listing lists", "GET", "/api/v1/officials/release-lists", f.officialToken(t, healthcode.RoleDistrict, 5, "330212")},
		{"an isolation operator recording a finding", "POST", fmt.Sprintf("/api/v1/officials/persons/%d/findings", f.personID),
			f.officialToken(t, healthcode.RoleIsolation, 3, "110105")},
		{"a citizen recording a finding", "POST", fmt.Sprintf("/api/v1/officials/persons/%d/findings", f.personID), f.citizen},
		{"a district officer of another district", "POST", fmt.Sprintf("/api/v1/officials/persons/%d/findings", f.personID),
			f.officialToken(t, healthcode.RoleDistrict, 6, "110106")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var code int
			var body []byte
			if strings.HasSuffix(tt.path, "release-lists") && tt.method == "POST" {
				code, body = f.doBody(t, tt.method, tt.path, tt.token, "application/json", list)
			} else {
				code, body = f.do(t, tt.method, tt.path, tt.token, finding)
			}
			if code != http.StatusForbidden {
				t.Errorf("%d %s, want 403", code, body)
			}
		})
	}
}

func TestFindingOverHTTPTurnsGreenRedWithCreditTheOwnerReads(t *testing.T) {
	f := newFixture(t, time.Minute)
	r := f.newResident(t, "13900200001", "33010619800101011", "330106")
	if st := f.colour(t, r); st.Color != healthcode.Green {
		t.Fatalf("applied %v, want green", st.Color)
	}
	officer := f.officialToken(t, healthcode.RoleDistrict, 7, "330106")
	path := fmt.Sprintf("/api/v1/officials/persons/%d/findings", r.id)
	if code, body := f.do(t, "POST", path, officer, map[string]any{"finding": "too short"}); code != http.StatusBadRequest ||
		!strings.Contains(string(body), `"field":"finding"`) {
		t.Errorf("a short finding: %d %s, want 400 naming finding", code, body)
	}
	in := map[string]any{"finding": "declared no travel in 14 days; rail records show a trip to a high-risk area",
		"evidence": "DC-2026-0312"}
	code, body := f.do(t, "POST", path, officer, in)
	if code != http.StatusCreated || !strings.Contains(string(body), `"color":"red"`) {
		t.Fatalf("finding: %d %s, want 201 and red", code, body)
	}
	st := f.colour(t, r)
	if st.Color != healthcode.Red || !strings.Contains(st.Reason.En, "credit") {
		t.Errorf("after the finding: %v, %q; want red, explained by the credit record", st.Color, st.Reason.En)
	}
	code, body = f.do(t, "GET", fmt.Sprintf("/api/v1/persons/%d", r.id), r.token, nil)
	if code != http.StatusOK || !strings.Contains(string(body), `"evidence":"DC-2026-0312"`) ||
		!strings.Contains(string(body), fmt.Sprintf(`"recorded_by":"official:%d"`, f.officials[officer].OfficialID)) {
		t.Errorf("the person's view: %d %s; want the credit record", code, body)
	}
	credit := fmt.Sprintf("/api/v1/persons/%d/credit", r.id)
	code, body = f.do(t, "GET", credit, r.token, nil)
	if code != http.StatusOK || !strings.Contains(string(body), "rail records") {
		t.Errorf("GET credit as the owner: %d %s", code, body)
	}
	if code, body := f.do(t, "GET", credit, f.citizen, nil); code != http.StatusNotFound || strings.Contains(string(body), "rail") {
		t.Errorf("GET credit as another citizen: %d %s, want 404", code, body)
	}
}
