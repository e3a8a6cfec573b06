package pages

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestFormsReportEveryBadFieldAtOnce: one submission names every bad field
// of the form, the phone that is not the login's among them, and never
// shows the confirmation screen for a form that cannot be submitted.
func TestFormsReportEveryBadFieldAtOnce(t *testing.T) {
	s := newSite(t)
	b := s.browser(t)
	const phone = "13900000003"
	b.login(phone)
	bad := application("110105194912310021", "张三", "13900000004") // wrong check character, not the login's phone
	bad.Del("declaration.cough")
	bad.Del("declaration.commitment")
	p := b.post("/app/apply", bad)
	p.must(t, http.StatusUnprocessableEntity, "/app/apply", `id="identity-number-error"`, `id="identity-phone-error"`,
		`id="declaration-cough-error"`, `id="commitment-error"`, "与登录手机号一致")
	if strings.Contains(p.html, `value="submit"`) {
		t.Error("a form with bad fields went on to the confirmation screen")
	}

	good := application(validID(t, "11010519491231002"), "张三", phone)
	good.Set("step", "submit")
	code := b.post("/app/apply", good).path
	tests := []struct {
		name, path string
		form       url.Values
		want       []string
	}{
		{"check-in", code + "/checkin", url.Values{"celsius": {"36,x"}}, []string{`id="symptoms-error"`, `id="celsius-error"`}},
		{"checkpoint", "/checkpoint/verify", url.Values{"temperature": {"hot"}}, []string{`id="token-error"`, `id="temperature-error"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b.post(tt.path, tt.form).must(t, http.StatusUnprocessableEntity, "", tt.want...)
		})
	}
}
