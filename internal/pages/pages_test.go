package pages

import (
	"context"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"healthcode"
	"healthcode/identity"
	"healthcode/internal/service"
	"healthcode/internal/web"
)

// site is the whole server, API and pages, on a real SQLite file.
type site struct {
	srv *httptest.Server
	svc *service.Service
}

func newSite(t *testing.T) *site {
	t.Helper()
	return newSiteWith(t, service.Config{Issuer: "330100", Dev: true})
}

func newSiteWith(t *testing.T, cfg service.Config) *site {
	t.Helper()
	return newSiteServed(t, cfg, httptest.NewServer)
}

// newSiteServed is a site served by serve: httptest.NewServer, or
// NewTLSServer for HTTPS.
func newSiteServed(t *testing.T, cfg service.Config, serve func(http.Handler) *httptest.Server) *site {
	t.Helper()
	svc := newTestService(t, cfg)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	pg, err := New(log, svc, "")
	if err != nil {
		t.Fatal(err)
	}
	s := &site{srv: serve(web.NewServer(log, svc, web.WithPages(pg))), svc: svc}
	t.Cleanup(s.srv.Close)
	return s
}

// browser is a client with cookies and no JavaScript: it follows
// redirects and fills in the CSRF field from the last page, as a form would.
type browser struct {
	t    *testing.T
	c    *http.Client
	base string
	csrf string
}

func (s *site) browser(t *testing.T) *browser {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &browser{t: t, c: &http.Client{Jar: jar, Transport: s.srv.Client().Transport}, base: s.srv.URL}
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// answer is one response: status, final path and HTML.
type answer struct {
	status int
	path   string
	html   string
}

func (b *browser) keep(res *http.Response) answer {
	b.t.Helper()
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		b.t.Fatal(err)
	}
	if m := csrfField.FindStringSubmatch(string(body)); m != nil {
		b.csrf = m[1]
	}
	return answer{status: res.StatusCode, path: res.Request.URL.Path, html: string(body)}
}

func (b *browser) get(path string) answer {
	b.t.Helper()
	res, err := b.c.Get(b.base + path)
	if err != nil {
		b.t.Fatal(err)
	}
	return b.keep(res)
}

// post submits a form with the page's CSRF token.
func (b *browser) post(path string, form url.Values) answer {
	b.t.Helper()
	form = cloneValues(form)
	if _, given := form["csrf"]; !given { // a test may send it wrong, empty or not at all
		form.Set("csrf", b.csrf)
	}
	res, err := b.c.PostForm(b.base+path, form)
	if err != nil {
		b.t.Fatal(err)
	}
	return b.keep(res)
}

func cloneValues(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

func (p answer) must(t *testing.T, status int, path string, contains ...string) {
	t.Helper()
	if p.status != status || (path != "" && p.path != path) {
		t.Fatalf("got %d at %s, want %d at %s:\n%s", p.status, p.path, status, path, p.html)
	}
	for _, s := range contains {
		if !strings.Contains(p.html, s) {
			t.Errorf("page %s lacks %q", p.path, s)
		}
	}
}

var devCode = regexp.MustCompile(`id="dev-code">(\d{6})<`)

// login logs phone in through the login page.
func (b *browser) login(phone string) answer {
	b.t.Helper()
	b.get("/login")
	p := b.post("/login/code", url.Values{"phone": {phone}})
	p.must(b.t, http.StatusOK, "/login/code", "验证码已发送")
	m := devCode.FindStringSubmatch(p.html)
	if m == nil {
		b.t.Fatalf("no development code on the page:\n%s", p.html)
	}
	return b.post("/login", url.Values{"phone": {phone}, "code": {m[1]}})
}

func validID(t *testing.T, first17 string) string {
	t.Helper()
	c, err := identity.ResidentIDCheckChar(first17)
	if err != nil {
		t.Fatal(err)
	}
	return first17 + string(c)
}

// application is a complete, clean application form.
func application(number, name, phone string) url.Values {
	v := url.Values{
		"relation": {"self"}, "identity.doc_type": {"resident_id"}, "identity.number": {number},
		"identity.name": {name}, "identity.phone": {phone}, "region": {"330106"}, "declaration.commitment": {"yes"},
	}
	for _, q := range []string{"fever", "cough", "other_symptoms", "left_region_14d", "abroad_14d", "contact_cases"} {
		v.Set("declaration."+q, "no")
	}
	return v
}

var tokenText = regexp.MustCompile(`<code id="token">([^<]+)</code>`)

// TestCitizenFlowWithoutJavaScript walks the seed 001/002 flow with plain
// forms: log in, apply (an error first, then the confirmation screen),
// see the code, check in twice, add a relative, verify the code.
func TestCitizenFlowWithoutJavaScript(t *testing.T) {
	s := newSite(t)
	b := s.browser(t)
	const phone = "13900000001"
	b.login(phone).must(t, http.StatusOK, "/app/apply", "申领健康码", `name="identity.number"`,
		`value="`+phone+`"`) // one's own phone, filled in from the login
	// A relative's phone is theirs to give: not filled in with the login's.
	if rel := b.get("/app/apply?relation=parent"); strings.Contains(rel.html, `value="`+phone+`"`) {
		t.Error("a relative's application is filled in with the login's phone")
	}

	form := application("110105194912310021", "张三", phone) // wrong check character
	form.Del("declaration.cough")
	p := b.post("/app/apply", form)
	p.must(t, http.StatusUnprocessableEntity, "/app/apply",
		`id="identity-number-error"`, "身份证号校验位不对", `id="declaration-cough-error"`, `value="张三"`, `value="110105194912310021"`)

	form = application(validID(t, "11010519491231002"), "张三", phone)
	b.post("/app/apply", form).must(t, http.StatusOK, "/app/apply", "确认提交", "本人郑重承诺")
	form.Set("step", "submit")
	p = b.post("/app/apply", form)
	p.must(t, http.StatusOK, "", "申领成功", "绿码", "*三", "<svg", `id="clock"`, "刷新二维码", "/static/code.js")
	if strings.Contains(p.html, validID(t, "11010519491231002")) || strings.Contains(p.html, "张三") {
		t.Error("the code page shows the ID number or the full name")
	}
	code := p.path
	token := tokenText.FindStringSubmatch(p.html)
	if token == nil {
		t.Fatal("no code text on the code page")
	}

	b.get(code+"/checkin").must(t, http.StatusOK, "", "每日健康打卡")
	b.post(code+"/checkin", url.Values{"symptoms": {"no"}, "celsius": {"36.5"}}).must(t, http.StatusOK, code, "打卡成功", "已打卡")
	b.get(code+"/checkin").must(t, http.StatusOK, "", "今天已经打过卡了")
	b.post(code+"/checkin", url.Values{"symptoms": {"no"}}).must(t, http.StatusConflict, "", "已经打过卡了")

	b.get("/app/apply?relation=parent").must(t, http.StatusOK, "", `<option value="parent" selected>`)
	// A parent with a phone of their own consents by a code sent to it.
	rel := application(validID(t, "33010619500101002"), "李四", "13900000009")
	rel.Set("relation", "parent")
	rel.Set("step", "submit")
	p = b.post("/app/apply", rel)
	p.must(t, http.StatusOK, "", "家属验证码", "139****0009", `name="consent_code"`)
	consent := devCode.FindStringSubmatch(p.html)
	if consent == nil {
		t.Fatal("no development consent code on the confirmation")
	}
	rel.Set("consent_code", wrongDigits(consent[1]))
	b.post("/app/apply", rel).must(t, http.StatusUnprocessableEntity, "", "验证码错误或已过期", `name="consent_code"`, "139****0009")
	rel.Set("consent_code", consent[1])
	p = b.post("/app/apply", rel)
	p.must(t, http.StatusOK, "", "申领成功", "*四")
	relCode := p.path
	b.get("/app/persons").must(t, http.StatusOK, "", "*三", "*四", "父母")
	b.get(relCode).must(t, http.StatusOK, "", "<h1>父母的健康码</h1>")

	// The parent's new phone consents too.
	mod := url.Values{"region": {"330106"}, "phone": {"13900000019"}, "declaration.commitment": {"yes"}}
	for _, q := range []string{"fever", "cough", "other_symptoms", "left_region_14d", "abroad_14d", "contact_cases"} {
		mod.Set("declaration."+q, "no")
	}
	p = b.post(relCode+"/modify", mod)
	p.must(t, http.StatusOK, "", "家属验证码", "139****0019", `value="13900000019"`)
	mod.Set("consent_code", devCode.FindStringSubmatch(p.html)[1])
	b.post(relCode+"/modify", mod).must(t, http.StatusOK, relCode, "*四")

	b.get(code+"/history").must(t, http.StatusOK, "", "记录完整，未被改动", "绿码", "符合绿码条件", "操作方：系统自动", `id="log-pending"`)
	for n, err := 1, error(nil); n > 0; {
		if n, err = s.svc.SequenceLog(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	// The page checks each change against the public log as its owner would.
	b.get(code+"/history").must(t, http.StatusOK, "", `id="in-log"`, "已与公开日志核对", "公开日志第 1 条，共")

	staff := s.browser(t)
	staff.get("/checkpoint").must(t, http.StatusOK, "", `name="token"`, "/static/jsQR.js")
	verdict := staff.post("/checkpoint/verify", url.Values{"token": {html.UnescapeString(token[1])}})
	verdict.must(t, http.StatusOK, "", "verdict-pass", "通过", "*三")
	// Staff at a gate need the verdict, not the server's timing of it.
	if strings.Contains(verdict.html, "用时") || strings.Contains(verdict.html, "µs") {
		t.Error("the verdict shows how long the check took")
	}
}

// TestFormsNameTheFieldAndKeepTheInput sends bad input to every form: the
// answer is a 422 page that marks the field, says why, and shows again
// what was typed.
func TestFormsNameTheFieldAndKeepTheInput(t *testing.T) {
	s := newSite(t)
	b := s.browser(t)
	const phone = "13900000002"
	b.login(phone)
	form := application(validID(t, "11010519491231002"), "王五", phone)
	form.Set("step", "submit")
	code := b.post("/app/apply", form).path

	tests := []struct {
		name, path string
		form       url.Values
		want       []string
	}{
		{"login phone", "/login/code", url.Values{"phone": {"12345"}}, []string{`id="phone-error"`, `value="12345"`}},
		{"apply phone", "/app/apply", func() url.Values {
			f := application(validID(t, "33010619500101002"), "赵六", "1380013")
			f.Set("relation", "child")
			return f
		}(), []string{`id="identity-phone-error"`, `value="1380013"`, `value="赵六"`}},
		{"apply commitment", "/app/apply", func() url.Values {
			f := application(validID(t, "33010619500101002"), "赵六", "13800138000")
			f.Del("declaration.commitment")
			return f
		}(), []string{`id="commitment-error"`, "本人郑重承诺"}},
		{"check-in temperature", code + "/checkin", url.Values{"symptoms": {"no"}, "celsius": {"36,x"}},
			[]string{`id="celsius-error"`, `value="36,x"`, `id="symptoms-no" checked`}},
		{"modify region", code + "/modify", url.Values{"region": {"33A"}}, []string{`id="region-error"`, "地区代码应为6位", `id="declaration-fever-error"`}},
		{"checkpoint temperature", "/checkpoint/verify", url.Values{"token": {"HCN1:XYZ"}, "temperature": {"hot"}},
			[]string{`id="temperature-error"`, `value="hot"`, "HCN1:XYZ"}},
		{"checkpoint empty", "/checkpoint/verify", url.Values{}, []string{`id="token-error"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b.post(tt.path, tt.form).must(t, http.StatusUnprocessableEntity, "", tt.want...)
		})
	}
}

func TestPostWithoutTheFormTokenIsRefused(t *testing.T) {
	s := newSite(t)
	b := s.browser(t)
	b.get("/login")
	tests := []struct {
		name string
		csrf []string
	}{
		{"missing", []string{}}, // the key without a value: no field at all
		{"empty", []string{""}},
		{"wrong", []string{strings.Repeat("A", 43)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			form := url.Values{"phone": {"13900000003"}, "csrf": tt.csrf}
			b.post("/login/code", form).must(t, http.StatusForbidden, "", "表单已过期")
		})
	}
	res, err := http.Post(s.srv.URL+"/logout", "application/x-www-form-urlencoded", strings.NewReader(""))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusForbidden {
		t.Errorf("logout without cookie or token: status %d, want 403", res.StatusCode)
	}
}

// TestUnknownPathIsAPageInTheSiteLanguage: a mistyped address gets a
// styled 404 in the visitor's language; the API's paths keep the API's.
func TestUnknownPathIsAPageInTheSiteLanguage(t *testing.T) {
	s := newSite(t)
	b := s.browser(t)
	b.get("/app/nosuch").must(t, http.StatusNotFound, "", `lang="zh-CN"`, "没有这个页面", `href="/"`)
	b.get("/nosuch?lang=en").must(t, http.StatusNotFound, "", `lang="en"`, "There is no such page")
	if got := b.get("/api/v1/nosuch"); strings.Contains(got.html, "<html") {
		t.Errorf("an unknown API path answered a page: %.80q", got.html)
	}
}

func TestLanguageSwitchSticksInACookie(t *testing.T) {
	s := newSite(t)
	b := s.browser(t)
	tests := []struct {
		path string
		want []string
	}{
		{"/help", []string{`lang="zh-CN"`, "为什么我申请后显示红码或黄码", `href="/help?lang=en"`}},
		{"/help?lang=en", []string{`lang="en"`, "Why is my code red or yellow?", `href="/help?lang=zh"`}},
		{"/checkpoint", []string{`lang="en"`, "Checkpoint scanner"}},
		{"/checkpoint?text=large", []string{`class="large`}},
		{"/login?lang=zh", []string{`lang="zh-CN"`, "手机号登录", `class="large`}},
		// The switches keep the checkpoint in community-entry mode.
		{"/checkpoint?mode=community", []string{`href="/checkpoint?lang=en&amp;mode=community"`,
			`href="/checkpoint?mode=community&amp;text=normal"`}},
	}
	for _, tt := range tests {
		b.get(tt.path).must(t, http.StatusOK, "", tt.want...)
	}
}

// TestCheckpointVerdicts checks the verdict page for each kind of scan.
func TestCheckpointVerdicts(t *testing.T) {
	s := newSite(t)
	yellow := mustCode(t, s.svc, "13900000004", "E12345678", true)
	green := mustCode(t, s.svc, "13900000014", "E12345679", false)
	forged := yellow[:len(yellow)-2] + "00"
	if forged == yellow {
		forged = yellow[:len(yellow)-2] + "11"
	}
	// A code signed by another deployment's key.
	foreign := mustCode(t, newTestService(t, service.Config{Issuer: "330100", Dev: true}), "13900000024", "E12345670", false)
	short := newSiteWith(t, service.Config{Issuer: "330100", Dev: true, TokenTTL: time.Second})
	expired := mustCode(t, short.svc, "13900000034", "E12345671", false)
	late := short.browser(t)
	late.get("/checkpoint")
	key, _, err := s.svc.CreateAPIKey(context.Background(), "gate 1", healthcode.RoleCheckpoint, "330100")
	if err != nil {
		t.Fatal(err)
	}

	anonymous := s.browser(t)
	anonymous.get("/checkpoint")
	staff := s.browser(t)
	staff.get("/checkpoint")
	staff.post("/checkpoint/login", url.Values{"key": {key}}).must(t, http.StatusOK, "/checkpoint", "gate 1")
	time.Sleep(2 * time.Second) // the one-second code expires
	tests := []struct {
		name string
		b    *browser
		form url.Values
		want []string
	}{
		{"green", anonymous, url.Values{"token": {green}}, []string{`data-kind="pass"`, "通过", "绿码", "****5679"}},
		{"yellow", anonymous, url.Values{"token": {yellow}}, []string{`data-kind="refuse"`, "禁止通行", "黄码", "L* L**", "****5678"}},
		{"yellow, to staff with the reason", staff, url.Values{"token": {yellow}}, []string{`data-kind="refuse"`, "症状"}},
		{"forged", anonymous, url.Values{"token": {forged}}, []string{`data-kind="invalid"`, "无效码"}},
		{"another deployment's", anonymous, url.Values{"token": {foreign}}, []string{`data-kind="invalid"`, "签发机构未知"}},
		{"expired", late, url.Values{"token": {expired}}, []string{`data-kind="invalid"`, "已过期"}},
		{"not a code", anonymous, url.Values{"token": {"hello"}}, []string{`data-kind="invalid"`, "不是健康码"}},
		{"temperature without a key", anonymous, url.Values{"token": {green}, "temperature": {"36.5"}}, []string{`id="temperature-error"`}},
		{"fever at a checkpoint", staff, url.Values{"token": {green}, "temperature": {"38.5"}}, []string{`data-kind="refuse"`, "体温异常"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.b.post("/checkpoint/verify", tt.form)
			for _, w := range tt.want {
				if !strings.Contains(got.html, w) {
					t.Errorf("verdict lacks %q (status %d)", w, got.status)
				}
			}
		})
	}
}

// mustCode applies by passport for phone on svc, declaring a cough when
// told to, and returns a code token for them.
func mustCode(t *testing.T, svc *service.Service, phone, passport string, cough bool) string {
	t.Helper()
	ctx := context.Background()
	_, who := citizenSession(t, svc, phone)
	no := false
	in := service.ApplyInput{Identity: healthcode.Identity{DocType: healthcode.DocPassport, Number: passport,
		Name: "Li Lei", Phone: phone}, Region: "330106"}
	in.Declaration = service.DeclarationInput{Fever: &no, Cough: &cough, OtherSymptoms: &no, LeftRegion14d: &no,
		Abroad14d: &no, ContactCases: &no, Commitment: new(true)}
	p, err := svc.Apply(ctx, who, in)
	if err != nil {
		t.Fatal(err)
	}
	code, err := svc.Code(ctx, who, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	return code.Token
}

// TestVenueCodeRecordsAVisitAfterLoggingIn follows a venue code from the
// admin who makes it to a citizen who opens it before logging in.
func TestVenueCodeRecordsAVisitAfterLoggingIn(t *testing.T) {
	s := newSite(t)
	key, _, err := s.svc.CreateAPIKey(context.Background(), "operator", healthcode.RoleAdmin, "330100")
	if err != nil {
		t.Fatal(err)
	}
	admin := s.browser(t)
	admin.get("/venues/new").must(t, http.StatusOK, "", "只有管理员")
	admin.post("/checkpoint/login", url.Values{"key": {key}, "next": {"/venues/new"}}).must(t, http.StatusOK, "/venues/new", `name="name"`)
	admin.post("/venues", url.Values{"name": {""}, "region": {"3301"}}).must(t, http.StatusUnprocessableEntity, "",
		`id="name-error"`, `id="region-error"`)
	poster := admin.post("/venues", url.Values{"name": {"西湖景区3号门"}, "region": {"330106"}})
	poster.must(t, http.StatusOK, "", "西湖景区3号门", "<svg", "进入请扫码登记")
	visitURL := regexp.MustCompile(`id="venue-url" href="([^"]+)"`).FindStringSubmatch(poster.html)
	if visitURL == nil {
		t.Fatal("no visit address on the poster")
	}
	u, err := url.Parse(html.UnescapeString(visitURL[1]))
	if err != nil {
		t.Fatal(err)
	}

	b := s.browser(t)
	b.get(u.Path).must(t, http.StatusOK, "/login", `name="next" value="`+u.Path+`"`)
	form := url.Values{"phone": {"13900000005"}, "next": {u.Path}}
	p := b.post("/login/code", form)
	form.Set("code", devCode.FindStringSubmatch(p.html)[1])
	b.post("/login", form).must(t, http.StatusOK, "/app/apply")
	apply := application(validID(t, "11010519491231002"), "张三", "13900000005")
	apply.Set("step", "submit")
	b.post("/app/apply", apply)
	visit := b.get(u.Path)
	visit.must(t, http.StatusOK, u.Path, "西湖景区3号门", `name="person"`)
	id := regexp.MustCompile(`name="person" value="(\d+)"`).FindStringSubmatch(visit.html)[1]
	b.post(u.Path, url.Values{"person": {id}}).must(t, http.StatusOK, u.Path, `id="visited"`, "登记成功", "西湖景区3号门")
	b.get("/v/forged.AAAA").must(t, http.StatusNotFound, "")
}

func TestLoginNeverRedirectsOffSite(t *testing.T) {
	s := newSite(t)
	for _, next := range []string{"//evil.example/x", "https://evil.example/", `/\evil.example`} {
		b := s.browser(t)
		form := url.Values{"phone": {"13900000006"}, "next": {next}}
		b.get("/login")
		p := b.post("/login/code", form)
		m := devCode.FindStringSubmatch(p.html)
		if m == nil {
			t.Fatalf("next %q: no code", next)
		}
		form.Set("code", m[1])
		b.post("/login", form).must(t, http.StatusOK, "/app/apply")
	}
}

func TestReapplyIsOfferedOnce(t *testing.T) {
	s := newSite(t)
	b := s.browser(t)
	const phone = "13900000007"
	b.login(phone)
	form := application(validID(t, "11010519491231002"), "张三", phone)
	form.Set("step", "submit")
	code := b.post("/app/apply", form)
	code.must(t, http.StatusOK, "", `id="act-reapply"`)

	b.get(code.path+"/reapply").must(t, http.StatusOK, "", "每人只有一次重新申领的机会", `name="relation" value="self"`)
	again := application(validID(t, "11010519491231002"), "张三", phone)
	again.Set("region", "330102")
	b.post(code.path+"/reapply", again).must(t, http.StatusOK, "", "确认提交")
	again.Set("step", "submit")
	b.post(code.path+"/reapply", again).must(t, http.StatusOK, code.path, "重新申领成功")
	if strings.Contains(b.get(code.path).html, `id="act-reapply"`) {
		t.Error("the code page still offers re-applying")
	}
	b.get(code.path+"/reapply").must(t, http.StatusOK, "", "重新申领的机会已用完")
	b.post(code.path+"/reapply", again).must(t, http.StatusConflict, "", "重新申领的机会已用完")
}

func TestLogoutEndsTheSessionNotJustTheCookie(t *testing.T) {
	s := newSite(t)
	b := s.browser(t)
	b.login("13900000008").must(t, http.StatusOK, "/app/apply")
	base, err := url.Parse(s.srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	var stolen *http.Cookie
	for _, ck := range b.c.Jar.Cookies(base) {
		if ck.Name == cookieSession {
			stolen = ck
		}
	}
	if stolen == nil {
		t.Fatal("no session cookie after logging in")
	}
	b.post("/logout", url.Values{}).must(t, http.StatusOK, "/")

	req, err := http.NewRequest("GET", s.srv.URL+"/app", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.AddCookie(stolen)
	res, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if loc := res.Header.Get("Location"); res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/login") {
		t.Errorf("the old session cookie after logging out: status %d to %q, want 303 to /login", res.StatusCode, loc)
	}
}

// TestStaffCookieHoldsASessionThatLogoutEnds: the browser of a checkpoint
// never holds the device's key, and logging out ends its session while
// the key keeps working for the device.
func TestStaffCookieHoldsASessionThatLogoutEnds(t *testing.T) {
	s := newSite(t)
	ctx := context.Background()
	key, _, err := s.svc.CreateAPIKey(ctx, "gate 9", healthcode.RoleCheckpoint, "330100")
	if err != nil {
		t.Fatal(err)
	}
	staff := s.browser(t)
	staff.get("/checkpoint")
	staff.post("/checkpoint/login", url.Values{"key": {key}}).must(t, http.StatusOK, "/checkpoint", "gate 9")
	site, err := url.Parse(s.srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	var token string
	for _, ck := range staff.c.Jar.Cookies(site) {
		if ck.Name == cookieStaff {
			token = ck.Value
		}
	}
	if token == "" || strings.Contains(token, key) {
		t.Fatalf("staff cookie %q: want a session token, not the key", token)
	}
	if who, err := s.svc.Authenticate(ctx, token); err != nil || who.Name != "gate 9" {
		t.Fatalf("the staff session authenticates as %+v, %v; want gate 9", who, err)
	}
	staff.post("/logout", url.Values{}).must(t, http.StatusOK, "/")
	if _, err := s.svc.Authenticate(ctx, token); healthcode.ErrorCode(err) != healthcode.EUNAUTHORIZED {
		t.Errorf("after logging out the staff session still authenticates: %v", err)
	}
	if _, err := s.svc.Authenticate(ctx, key); err != nil {
		t.Errorf("logging out of the pages ended the device's key: %v", err)
	}
}

// wrongDigits is a six-digit code that is not code.
func wrongDigits(code string) string {
	if code == "000000" {
		return "111111"
	}
	return "000000"
}
