package pages

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"healthcode"
	"healthcode/internal/service"
)

// A false declaration found is shown on the person's history page, to the
// login managing them, with its evidence, and not on the code page that
// is shown at checkpoints.
func TestTheHistoryPageShowsTheCreditRecord(t *testing.T) {
	s := newSite(t)
	b := s.browser(t)
	const phone = "13900000021"
	b.login(phone)
	form := application(validID(t, "11010519491231002"), "张三", phone)
	form.Set("step", "submit")
	code := b.post("/app/apply", form)
	code.must(t, http.StatusOK, "", "绿码")
	id, err := strconv.ParseInt(strings.TrimPrefix(code.path, "/app/p/"), 10, 64)
	if err != nil {
		t.Fatalf("code page at %s", code.path)
	}
	officer := &healthcode.Principal{Role: healthcode.RoleDistrict, OfficialID: 7, Region: "330106"}
	finding := service.Finding{Finding: "declared no travel; rail records show a trip to a high-risk area", Evidence: "DC-2026-0312"}
	if _, err := s.svc.RecordFinding(context.Background(), officer, id, finding); err != nil {
		t.Fatal(err)
	}
	b.get(code.path+"/history").must(t, http.StatusOK, "", `id="credit"`, "信用记录", finding.Finding, "依据 DC-2026-0312", "红码")
	if p := b.get(code.path); strings.Contains(p.html, finding.Finding) {
		t.Error("the code page, shown at checkpoints, shows the finding")
	}
}
