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

// staffBrowser is a browser logged in to the staff pages with a new key
// of role.
func staffBrowser(t *testing.T, s *site, name string, role healthcode.Role) (*browser, string) {
	t.Helper()
	key, _, err := s.svc.CreateAPIKey(context.Background(), name, role, "330100")
	if err != nil {
		t.Fatal(err)
	}
	return staffSession(t, s, key), key
}

// staffSession is a new browser with a staff session opened with key.
func staffSession(t *testing.T, s *site, key string) *browser {
	t.Helper()
	b := s.browser(t)
	b.get("/checkpoint")
	b.post("/checkpoint/login", url.Values{"key": {key}}).must(t, http.StatusOK, "/checkpoint")
	return b
}

var shiftCounts = regexp.MustCompile(`id="shift-passed">(\d+)<.*id="shift-refused">(\d+)<`)

// shiftOf reads the tally a page shows; "" when it shows none.
func shiftOf(a answer) string {
	m := shiftCounts.FindStringSubmatch(strings.ReplaceAll(a.html, "\n", " "))
	if m == nil {
		return ""
	}
	return m[1] + "/" + m[2]
}

// TestShiftCountsTheStaffSessionsVerdicts: each verdict a staff session
// is shown counts in its own tally, kept by the server: the scanner
// shows it again after a reload, another session starts at nought, and
// nobody without a session has one.
func TestShiftCountsTheStaffSessionsVerdicts(t *testing.T) {
	s := newSite(t)
	green := mustCode(t, s.svc, "13900000104", "E22345678", false)
	yellow := mustCode(t, s.svc, "13900000114", "E22345679", true)
	staff, key := staffBrowser(t, s, "gate 3", healthcode.RoleCheckpoint)
	if got := shiftOf(staff.get("/checkpoint")); got != "0/0" {
		t.Errorf("a new shift shows %q, want 0/0", got)
	}
	for _, tt := range []struct {
		form url.Values
		want string
	}{
		{url.Values{"token": {green}}, "1/0"},
		{url.Values{"token": {yellow}}, "1/1"},
		{url.Values{"token": {"hello"}}, "1/2"},                      // an invalid code lets nobody in
		{url.Values{"token": {green}, "mode": {"community"}}, "1/3"}, // no pass checked
		{url.Values{"token": {green}, "mode": {"community"}, "pass_checked": {"yes"}}, "2/3"},
	} {
		if got := shiftOf(staff.post("/checkpoint/verify", tt.form)); got != tt.want {
			t.Errorf("verdict on %v shows the shift %q, want %s", tt.form, got, tt.want)
		}
	}
	staff.post("/checkpoint/verify", url.Values{"token": {green}, "temperature": {"hot"}}) // a form error counts nothing
	if got := shiftOf(staff.get("/checkpoint")); got != "2/3" {
		t.Errorf("the scanner shows the shift %q after the verdicts, want 2/3", got)
	}
	if got := shiftOf(staffSession(t, s, key).get("/checkpoint")); got != "0/0" {
		t.Errorf("another session of the same key shows %q, want its own 0/0", got)
	}
	anonymous := s.browser(t)
	anonymous.get("/checkpoint")
	if a := anonymous.post("/checkpoint/verify", url.Values{"token": {green}}); strings.Contains(a.html, `id="shift"`) {
		t.Error("a verdict without a staff session shows a shift")
	}
}

// TestVerdictShowsTheMeasuredTemperature: a temperature staff recorded is
// on the verdict, marked when it is a fever; none is shown when none was
// taken. The issuer is named, never a bare code.
func TestVerdictShowsTheMeasuredTemperature(t *testing.T) {
	s := newSite(t)
	green := mustCode(t, s.svc, "13900000124", "E22345670", false)
	staff, _ := staffBrowser(t, s, "gate 4", healthcode.RoleCheckpoint)
	for _, tt := range []struct {
		temperature string
		want, not   []string
	}{
		{"36.6", []string{`data-kind="pass"`, `id="verdict-temperature">36.6 °C</dd>`}, []string{"异常"}},
		{"38.46", []string{`data-kind="refuse"`, `id="verdict-temperature">38.5 °C（异常）</dd>`}, nil},
		{"", []string{`data-kind="refuse"`}, []string{`id="verdict-temperature"`}}, // the fever's red stays
	} {
		got := staff.post("/checkpoint/verify", url.Values{"token": {green}, "temperature": {tt.temperature}})
		got.must(t, http.StatusOK, "", append(tt.want, `id="verdict-issuer">浙江省杭州市</dd>`)...)
		for _, n := range tt.not {
			if strings.Contains(got.html, n) {
				t.Errorf("temperature %q: the verdict shows %q", tt.temperature, n)
			}
		}
	}
}

// TestScannerLabelsFollowTheLogin: the scanner says what the caller can do
// there: anyone is offered the staff login and told what it gives, a
// checkpoint's staff record temperatures under their checkpoint's name,
// an admin (who records none) is named as one.
func TestScannerLabelsFollowTheLogin(t *testing.T) {
	s := newSite(t)
	checkpoint, _ := staffBrowser(t, s, "gate 5", healthcode.RoleCheckpoint)
	admin, _ := staffBrowser(t, s, "ops", healthcode.RoleAdmin)
	for _, tt := range []struct {
		name      string
		b         *browser
		want, not []string
	}{
		{"anyone", s.browser(t), []string{`id="login-hint"`, `name="key"`}, []string{`name="temperature"`, `id="shift"`, "卡口："}},
		{"checkpoint staff", checkpoint, []string{"卡口：<strong id=\"staff-name\">gate 5</strong>", "体温（°C，选填", `id="shift"`},
			[]string{"工作人员登录后可录入", `name="key"`, `id="login-hint"`}},
		{"admin", admin, []string{"管理员：<strong id=\"staff-name\">ops</strong>"}, []string{`name="temperature"`, `name="key"`}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			for _, lang := range []string{"zh", "en"} {
				got := tt.b.get("/checkpoint?lang=" + lang)
				if lang == "zh" {
					got.must(t, http.StatusOK, "", append(tt.want, `id="camera-placeholder"`)...)
				}
				for _, n := range append(tt.not, `aria-label="camera"`) {
					if strings.Contains(got.html, n) {
						t.Errorf("%s page shows %q", lang, n)
					}
				}
			}
			tt.b.get("/checkpoint?lang=zh")
		})
	}
}
