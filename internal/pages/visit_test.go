package pages

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"healthcode"
)

// TestRecordedVisitAnswersWithTheDoorScreen: recording a visit answers
// with the screen shown at the venue's door, its name, the person and
// the time in China time; a yellow or red code is told, in plain words
// and with what the code asks, not to go in.
func TestRecordedVisitAnswersWithTheDoorScreen(t *testing.T) {
	s := newSite(t)
	admin, err := s.svc.Authenticate(context.Background(), mustKey(t, s, healthcode.RoleAdmin))
	if err != nil {
		t.Fatal(err)
	}
	venue, err := s.svc.CreateVenue(context.Background(), admin, "湖滨银泰", "330106")
	if err != nil {
		t.Fatal(err)
	}
	clock := regexp.MustCompile(`id="visit-at">20\d\d-\d\d-\d\d \d\d:\d\d:\d\d</dd>`)
	for i, tt := range []struct {
		name     string
		declared string // the declaration answered yes
		want     []string
		warned   bool
	}{
		{"green", "", []string{"<h1>登记成功</h1>", "绿码"}, false},
		{"yellow", "cough", []string{"<h1>已登记，请勿进入</h1>", "您是黄码，不能进入本场所", `id="visit-needs"`}, true},
		{"red", "contact_cases", []string{"<h1>已登记，请勿进入</h1>", "您是红码，不能进入本场所。请立即离开", `id="visit-needs"`}, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			phone := "1390000020" + string(rune('0'+i))
			b := s.browser(t)
			b.login(phone)
			form := application(validID(t, "1101051949123100"+string(rune('1'+i))), "王五", phone)
			if tt.declared != "" {
				form.Set("declaration."+tt.declared, "yes")
			}
			form.Set("step", "submit")
			b.post("/app/apply", form)
			path := "/v/" + venue.Code
			id := regexp.MustCompile(`name="person" value="(\d+)"`).FindStringSubmatch(b.get(path).html)[1]
			got := b.post(path, url.Values{"person": {id}})
			got.must(t, http.StatusOK, path, append(tt.want, `id="venue-name">湖滨银泰</p>`, "浙江省杭州市西湖区",
				`id="visit-person">*五`, `href="/app/p/`+id+`"`)...)
			if !clock.MatchString(got.html) {
				t.Error("the screen shows no time of the visit")
			}
			if warned := strings.Contains(got.html, `id="visit-warning"`); warned != tt.warned {
				t.Errorf("warning shown: %v, want %v", warned, tt.warned)
			}
			if en := b.post(path+"?lang=en", url.Values{"person": {id}}); tt.warned && !strings.Contains(en.html, "you may not go in here") {
				t.Error("the English screen lacks the warning")
			}
			b.get("/?lang=zh")
		})
	}
}

// mustKey makes an API key of role and returns its secret.
func mustKey(t *testing.T, s *site, role healthcode.Role) string {
	t.Helper()
	key, _, err := s.svc.CreateAPIKey(context.Background(), "key", role, "330100")
	if err != nil {
		t.Fatal(err)
	}
	return key
}
