package pages

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"testing"
	"time"

	"healthcode"
	"healthcode/internal/service"
)

// postLimited posts a form and checks it is refused by a rate limit: a
// 429 page saying so, with a Retry-After.
func (b *browser) postLimited(what, path string, form url.Values) {
	b.t.Helper()
	form = cloneValues(form)
	form.Set("csrf", b.csrf)
	res, err := b.c.PostForm(b.base+path, form)
	if err != nil {
		b.t.Fatal(err)
	}
	secs, err := strconv.Atoi(res.Header.Get("Retry-After"))
	p := b.keep(res)
	p.must(b.t, http.StatusTooManyRequests, "", "太频繁")
	if got := leaks("zh", p.html); len(got) > 0 {
		b.t.Errorf("%s: the page says %q", what, got)
	}
	if err != nil || secs < 1 {
		b.t.Errorf("%s: Retry-After %q, want whole seconds", what, res.Header.Get("Retry-After"))
	}
}

// TestPageFormsShareTheAPILimits: the login, apply and check-in forms are
// held to their API routes' limits, in the same buckets.
func TestPageFormsShareTheAPILimits(t *testing.T) {
	k := func(c healthcode.LimitClass, s healthcode.LimitScope) healthcode.LimitKey {
		return healthcode.LimitKey{Class: c, Scope: s}
	}
	s := newSiteWith(t, service.Config{Issuer: "330100", Dev: true, Limits: healthcode.Limits{
		k(healthcode.LimitOTP, healthcode.ScopeAddr):        {N: 3, Per: time.Hour},
		k(healthcode.LimitLogin, healthcode.ScopePhone):     {N: 2, Per: 15 * time.Minute},
		k(healthcode.LimitApply, healthcode.ScopeAccount):   {N: 2, Per: time.Hour},
		k(healthcode.LimitCheckIn, healthcode.ScopeAccount): {N: 1, Per: time.Hour},
	}})
	b := s.browser(t)
	const phone = "13900000001"
	b.login(phone).must(t, http.StatusOK, "/app/apply") // a code (1 of the address's 3) and a login

	form := application(validID(t, "11010519491231002"), "张三", phone)
	b.post("/app/apply", form).must(t, http.StatusOK, "/app/apply", "确认提交") // the confirmation: 1 of 2
	form.Set("step", "submit")
	code := b.post("/app/apply", form) // 2 of 2
	code.must(t, http.StatusOK, "", "申领成功")
	b.postLimited("a third application", "/app/apply", form)
	b.postLimited("a correction past the account's applications", code.path+"/correction",
		url.Values{"variant": {healthcode.VariantWrongData}, "reason": {"证件号码录入错误，两位数字颠倒"}}) // as the API's corrections

	checkin := url.Values{"symptoms": {"no"}}
	b.post(code.path+"/checkin", checkin).must(t, http.StatusOK, code.path, "打卡成功")
	b.postLimited("a second check-in within the hour", code.path+"/checkin", checkin) // not the 409 of checking in twice a day

	for _, other := range []string{"13900000002", "13900000003"} { // the address's 2nd and 3rd codes
		b.post("/login/code", url.Values{"phone": {other}}).must(t, http.StatusOK, "", "验证码已发送")
	}
	b.postLimited("the address's 4th code", "/login/code", url.Values{"phone": {"13900000004"}})
	body, _ := json.Marshal(map[string]string{"phone": "13900000005"})
	res, err := http.Post(s.srv.URL+"/api/v1/auth/otp", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusTooManyRequests {
		t.Errorf("the API gave the address a 4th code (status %d): the form and the API count apart", res.StatusCode)
	}

	wrong := url.Values{"phone": {"13900000002"}, "code": {"000000"}}
	for range 2 {
		b.post("/login", wrong).must(t, http.StatusUnauthorized, "")
	}
	b.postLimited("the phone's 3rd login", "/login", wrong)
}
