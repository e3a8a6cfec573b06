package pages

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"healthcode"
	"healthcode/internal/permission"
	"healthcode/internal/service"
)

// officer is an official's account a test appointed.
type officer struct {
	login, password, secret string
	who                     *healthcode.Principal
}

const officerPassword = "correct horse battery staple 2026"

func appoint(t *testing.T, s *site, login string, role healthcode.Role, scope string) officer {
	t.Helper()
	a, err := s.svc.CreateOfficial(context.Background(), permission.Operator(),
		service.OfficialSpec{Login: login, Role: role, Scope: scope, Password: officerPassword})
	if err != nil {
		t.Fatal(err)
	}
	return officer{login: login, password: officerPassword, secret: a.TOTPSecret, who: a.Official.Principal()}
}

// code is the official's TOTP code at now plus skew: a second login
// within the same 30 s takes the next step's code, as a code is taken once.
func (o officer) code(t *testing.T, skew time.Duration) string {
	t.Helper()
	c, err := totp.GenerateCode(o.secret, time.Now().Add(skew))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// officialLogin logs o in through the login form; next is where to go.
func (b *browser) officialLogin(o officer, next string) answer {
	b.t.Helper()
	b.get("/officials/login")
	return b.post("/officials/login", url.Values{"login": {o.login}, "password": {o.password}, "code": {o.code(b.t, 0)},
		"next": {next}})
}

// officialSession opens a session for o through the service, as the
// matrix plants it.
func officialSession(t *testing.T, s *site, o officer, skew time.Duration) string {
	t.Helper()
	res, err := s.svc.OfficialLogin(context.Background(), o.login, o.password, o.code(t, skew))
	if err != nil {
		t.Fatal(err)
	}
	return res.Token
}

func TestAnOfficialLogsInWithPasswordAndCodeAndLogsOut(t *testing.T) {
	s := newSite(t)
	o := appoint(t, s, "district.a", healthcode.RoleDistrict, "330106")
	b := s.browser(t)
	b.c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	b.get("/officials/login").must(t, http.StatusOK, "", `name="password"`, `autocomplete="one-time-code"`)
	wrong := b.post("/officials/login", url.Values{"login": {o.login}, "password": {"not the password at all"}, "code": {o.code(t, 0)}})
	wrong.must(t, http.StatusUnauthorized, "", "登录名、密码或动态验证码错误", `value="district.a"`)
	if strings.Contains(wrong.html, "not the password") {
		t.Error("the login form shows the password typed")
	}
	res, err := b.c.PostForm(b.base+"/officials/login", url.Values{"csrf": {b.csrf}, "login": {o.login}, "password": {o.password},
		"code": {o.code(t, 0)}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/officials" {
		t.Fatalf("login: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	var token string
	for _, ck := range res.Cookies() {
		if ck.Name == cookieOfficial {
			token = ck.Value
			if !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode || !strings.HasPrefix(ck.Value, "hco_") {
				t.Errorf("session cookie %+v: want HttpOnly, SameSite=Lax, an hco_ token", ck)
			}
		}
	}
	home := b.get("/officials")
	home.must(t, http.StatusOK, "", `id="official-who"`, "区县工作人员", `id="queue"`, `id="persons"`)
	b.post("/officials/logout", url.Values{})
	if _, err := s.svc.Authenticate(context.Background(), token); err == nil {
		t.Error("the session works after logging out")
	}
}

func TestALockedOfficialIsToldWhenToTryAgain(t *testing.T) {
	s := newSite(t)
	o := appoint(t, s, "district.b", healthcode.RoleDistrict, "330106")
	b := s.browser(t)
	b.get("/officials/login")
	var last answer
	for range 5 {
		last = b.post("/officials/login", url.Values{"login": {o.login}, "password": {"wrong password, wrong"}, "code": {"000000"}})
	}
	last.must(t, http.StatusTooManyRequests, "", "15 分钟后再试")
	b.post("/officials/login", url.Values{"login": {o.login}, "password": {o.password}, "code": {o.code(t, 0)}}).
		must(t, http.StatusTooManyRequests, "", "账号已锁定")
}

func TestAnOfficialsPageWithoutASessionGoesToTheLogin(t *testing.T) {
	s := newSite(t)
	_, code := appellant(t, s, "13900000061", false)
	id := personOf(t, code)
	o := appoint(t, s, "community.a", healthcode.RoleCommunity, "330106")
	b := s.browser(t)
	b.c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	res, err := b.c.Get(fmt.Sprintf("%s/officials/p/%d", b.base, id))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	want := fmt.Sprintf("/officials/login?next=%%2Fofficials%%2Fp%%2F%d", id)
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != want {
		t.Fatalf("no session: %d to %q, want 303 to %s", res.StatusCode, res.Header.Get("Location"), want)
	}
	b.c.CheckRedirect = nil
	b.officialLogin(o, fmt.Sprintf("/officials/p/%d", id)).must(t, http.StatusOK, fmt.Sprintf("/officials/p/%d", id), "人员档案")
	// A citizen's session is no official's: the citizen goes to the login too.
	citizen, _ := appellant(t, s, "13900000062", false)
	citizen.get("/officials").must(t, http.StatusOK, "/officials/login", "工作人员登录")
}

func TestThePersonsFileIsMaskedAndUnmaskingIsLoggedAndShownOnce(t *testing.T) {
	s := newSite(t)
	_, code := appellant(t, s, "13900000063", false)
	id := personOf(t, code)
	number := validID(t, "11010519491231002")
	o := appoint(t, s, "community.b", healthcode.RoleCommunity, "330106")
	b := s.browser(t)
	b.officialLogin(o, "")
	path := fmt.Sprintf("/officials/p/%d", id)
	file := b.get(path)
	file.must(t, http.StatusOK, path, "*三", "****"+number[14:], "西湖区", "绿码", `id="unmask-form"`, `id="release-form"`,
		`id="correction-form"`)
	if strings.Contains(file.html, "张三") || strings.Contains(file.html, number) || strings.Contains(file.html, `id="finding-form"`) {
		t.Error("the file shows the identity in clear, or a community the finding form")
	}
	bad := b.post(path+"/unmask", url.Values{"unmask.reason": {"看看"}, "unmask.category": {"gossip"}})
	bad.must(t, http.StatusUnprocessableEntity, path+"/unmask", `id="unmask-reason-error"`, `id="unmask-category-error"`, ">看看</textarea>")
	res, err := b.c.PostForm(b.base+path+"/unmask", url.Values{"csrf": {b.csrf}, "unmask.reason": {"居民来电求助，核实手机号码"},
		"unmask.category": {healthcode.UnmaskCitizenRequest}})
	if err != nil {
		t.Fatal(err)
	}
	clear := b.keep(res)
	clear.must(t, http.StatusOK, path+"/unmask", `id="clear"`, "张三", number, "13900000063", "仅此一次显示")
	if cc := res.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("the unmasked page's Cache-Control: %q, want no-store", cc)
	}
	if again := b.get(path); strings.Contains(again.html, number) {
		t.Error("the file shows the identity in clear after the unmasking's answer")
	}
	if n := loggedUnmaskings(t, s, o.who.OfficialID); n != 1 {
		t.Errorf("%d unmaskings in the public log, want 1", n)
	}
}

// loggedUnmaskings counts the public log's unmasking entries by official.
func loggedUnmaskings(t *testing.T, s *site, official int64) int {
	t.Helper()
	n := 0
	for _, rec := range logRecords(t, s) {
		le, err := healthcode.DecodeLogEntry(rec.Body)
		if err == nil && le.Kind == healthcode.LogPersonUnmasked && le.Author.Official == official {
			n++
		}
	}
	return n
}

// logRecords sequences the public log and returns every entry in it.
func logRecords(t *testing.T, s *site) []*healthcode.LogRecord {
	t.Helper()
	ctx := context.Background()
	if _, err := s.svc.SequenceLog(ctx); err != nil {
		t.Fatal(err)
	}
	head, err := s.svc.LogHead(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var out []*healthcode.LogRecord
	for i := range head.Size {
		rec, _, err := s.svc.LogEntry(ctx, i)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, rec)
	}
	return out
}

func TestAnOfficialSeesNoOneOutsideTheirScopeOrRole(t *testing.T) {
	s := newSite(t)
	_, code := appellant(t, s, "13900000064", false)
	id := personOf(t, code)
	path := fmt.Sprintf("/officials/p/%d", id)
	far := s.browser(t)
	far.officialLogin(appoint(t, s, "district.far", healthcode.RoleDistrict, "440100"), "")
	far.get(path).must(t, http.StatusForbidden, "", "不在您的管辖范围")
	far.post(path+"/unmask", url.Values{"unmask.reason": {"居民来电求助，核实手机号码"}, "unmask.category": {healthcode.UnmaskCitizenRequest}}).
		must(t, http.StatusForbidden, "", "不在您的管辖范围")
	if n := loggedUnmaskings(t, s, 0); n != 0 {
		t.Errorf("an out-of-scope unmasking was logged")
	}
	street := s.browser(t)
	street.officialLogin(appoint(t, s, "street.a", healthcode.RoleStreet, "330106"), "")
	if p := street.get(path); strings.Contains(p.html, `id="release-form"`) || strings.Contains(p.html, `id="finding-form"`) {
		t.Error("a street reviewer is offered a community's or a district's form")
	}
	street.post(path+"/workflows", url.Values{"form": {"release"}, "release.isolation_start": {"2026-03-01"},
		"release.isolation_end": {"2026-03-07"}}).must(t, http.StatusForbidden, "", "")
	iso := s.browser(t)
	iso.officialLogin(appoint(t, s, "iso.a", healthcode.RoleIsolation, "330106"), "")
	if p := iso.get(path); strings.Contains(p.html, `id="unmask-form"`) {
		t.Error("an isolation-point operator is offered the unmasking")
	}
	street.get("/officials/release-lists").must(t, http.StatusForbidden, "", "")
	street.post("/officials/logout", url.Values{"csrf": {""}}).must(t, http.StatusForbidden, "", "表单已过期")
}

// TestAnAppealIsDecidedOnTheOfficialsPages: the queue lists it with the
// caller's actions, the district upholds it proposing green, the proposer
// may not approve it, a raced step says to reload, a second district
// officer approves, and the citizen's code page shows the answer.
func TestAnAppealIsDecidedOnTheOfficialsPages(t *testing.T) {
	s := newSite(t)
	citizen, code := appellant(t, s, "13900000065", true)
	citizen.postMultipart(code+"/appeal", url.Values{"reason": {goodReason}}, upload{"attachment", "回执.png", onePixelPNG}).
		must(t, http.StatusOK, code, "复核申请已提交")
	first, second := s.browser(t), s.browser(t)
	first.officialLogin(appoint(t, s, "district.c", healthcode.RoleDistrict, "330106"), "")
	second.officialLogin(appoint(t, s, "district.d", healthcode.RoleDistrict, "330100"), "")
	queue := first.get("/officials")
	queue.must(t, http.StatusOK, "/officials", `data-kind="appeal"`, "复核申请 #1", "待受理", "*三 ****", "支持复核并提议转码", "不予支持")
	wf := first.get("/officials/w/1")
	wf.must(t, http.StatusOK, "", "我一直在家", `id="attachment" href="/officials/w/1/attachment"`, "申请人", `name="seq" value="1"`,
		`id="step-uphold"`, `id="step-reject"`)
	att, err := first.c.Get(first.base + "/officials/w/1/attachment")
	if err != nil {
		t.Fatal(err)
	}
	att.Body.Close()
	if att.StatusCode != http.StatusOK || att.Header.Get("Content-Type") != "image/png" ||
		!strings.HasPrefix(att.Header.Get("Content-Disposition"), "attachment") {
		t.Errorf("attachment: %d %q %q", att.StatusCode, att.Header.Get("Content-Type"), att.Header.Get("Content-Disposition"))
	}
	first.post("/officials/w/1/steps", url.Values{"seq": {"1"}, "action": {"reject"}}).
		must(t, http.StatusUnprocessableEntity, "", `id="note-reject-error"`, "此项必填")
	first.post("/officials/w/1/steps", url.Values{"seq": {"1"}, "action": {"uphold"}, "colour": {"green"}}).
		must(t, http.StatusOK, "/officials/w/1", "已办理", "待复审（第二人）", `id="second-eyes"`)
	first.post("/officials/w/1/steps", url.Values{"seq": {"2"}, "action": {"approve"}}).
		must(t, http.StatusForbidden, "", "上一步是您本人办理的", `id="second-eyes"`)
	second.get("/officials/w/1").must(t, http.StatusOK, "", `id="step-approve"`, `name="seq" value="2"`)
	second.post("/officials/w/1/steps", url.Values{"seq": {"1"}, "action": {"approve"}}).
		must(t, http.StatusConflict, "", "流程已有进展", `id="reload"`)
	second.post("/officials/w/1/steps", url.Values{"seq": {"2"}, "action": {"approve"}}).must(t, http.StatusOK, "", "已转码")
	citizen.get(code).must(t, http.StatusOK, code, "复核支持：已转为绿码", `id="color-word">绿码`)
}

func TestTheQueuePutsTheOverdueFirstAndMarksThem(t *testing.T) {
	s := newSiteWith(t, service.Config{Issuer: "330100", Dev: true, AnswerWithin: time.Microsecond})
	_, late := appellant(t, s, "13900000066", false)
	c := appoint(t, s, "community.c", healthcode.RoleCommunity, "330106")
	community := s.browser(t)
	community.officialLogin(c, "")
	community.post(fmt.Sprintf("/officials/p/%d/workflows", personOf(t, late)), url.Values{"form": {"correction"},
		"correction.variant": {healthcode.VariantWrongData}, "correction.reason": {"证件号码录入错误，两位数字颠倒"}}).
		must(t, http.StatusOK, "/officials/w/1", "已提交")
	street := s.browser(t)
	street.officialLogin(appoint(t, s, "street.b", healthcode.RoleStreet, "330106"), "")
	q := street.get("/officials")
	q.must(t, http.StatusOK, "", `class="overdue" id="queue-1"`, "已超期", "审核通过")
}

func TestAHomeReleaseGoesUpTheChainOnThePages(t *testing.T) {
	s := newSite(t)
	_, code := appellant(t, s, "13900000067", true)
	path := fmt.Sprintf("/officials/p/%d", personOf(t, code))
	community := s.browser(t)
	community.officialLogin(appoint(t, s, "community.d", healthcode.RoleCommunity, "330106"), "")
	community.post(path+"/workflows", url.Values{"form": {"release"}, "release.isolation_start": {"2026-03-07"},
		"release.isolation_end": {"2026-03-01"}}).must(t, http.StatusUnprocessableEntity, path+"/workflows",
		`id="release-isolation_end-error"`, "不能早于隔离开始日期", `value="2026-03-07"`)
	today := time.Now().Format(time.DateOnly)
	community.post(path+"/workflows", url.Values{"form": {"release"}, "release.isolation_start": {today},
		"release.isolation_end": {today}}).must(t, http.StatusOK, "/officials/w/1", "居家隔离解除 #1", "待受理")
	for _, st := range []struct {
		login  string
		role   healthcode.Role
		scope  string
		action string
		form   url.Values
		state  string
	}{
		{"street.c", healthcode.RoleStreet, "330106", "pass", url.Values{"seq": {"1"}}, "街道已审核"},
		{"district.e", healthcode.RoleDistrict, "330106", "propose", url.Values{"seq": {"2"}, "colour": {"green"}}, "待复审（第二人）"},
		{"district.f", healthcode.RoleDistrict, "330100", "approve", url.Values{"seq": {"3"}}, "已转码"},
	} {
		b := s.browser(t)
		b.officialLogin(appoint(t, s, st.login, st.role, st.scope), "")
		b.get("/officials").must(t, http.StatusOK, "", `id="queue-1"`)
		st.form.Set("action", st.action)
		b.post("/officials/w/1/steps", st.form).must(t, http.StatusOK, "/officials/w/1", st.state)
	}
}

func TestAReleaseListIsUploadedAndReportedRowByRow(t *testing.T) {
	s := newSite(t)
	_, code := appellant(t, s, "13900000068", false)
	_ = code
	b := s.browser(t)
	b.officialLogin(appoint(t, s, "iso.b", healthcode.RoleIsolation, "330106"), "")
	b.get("/officials/release-lists").must(t, http.StatusOK, "", `enctype="multipart/form-data"`, `name="file"`)
	bad := "doc_type,doc_number,released_at\nresident_id,123,yesterday\n"
	b.postMultipart("/officials/release-lists", url.Values{"point": {"西湖区第一隔离点"}}, upload{"file", "list.csv", []byte(bad)}).
		must(t, http.StatusUnprocessableEntity, "", `id="release-problems"`, "第 2 行 · 证件号码")
	good := "doc_type,doc_number,released_at\nresident_id," + validID(t, "11010519491231002") + "," +
		time.Now().Add(-time.Hour).UTC().Format(time.RFC3339) + "\nresident_id," + validID(t, "33010619900101002") + "," +
		time.Now().Add(-time.Hour).UTC().Format(time.RFC3339) + "\n"
	b.postMultipart("/officials/release-lists", url.Values{"point": {"西湖区第一隔离点"}}, upload{"file", "list.csv", []byte(good)}).
		must(t, http.StatusOK, "", `id="release-report"`, "名单已处理：共 2 行", `data-outcome="not_isolated"`, "不在集中隔离中",
			`data-outcome="pending"`, "西湖区第一隔离点")
}

func TestADistrictRecordsAFindingOnThePersonsFile(t *testing.T) {
	s := newSite(t)
	_, code := appellant(t, s, "13900000069", false)
	path := fmt.Sprintf("/officials/p/%d", personOf(t, code))
	b := s.browser(t)
	b.officialLogin(appoint(t, s, "district.g", healthcode.RoleDistrict, "330106"), "")
	b.post(path+"/findings", url.Values{"finding.finding": {""}, "finding.evidence": {"DC-1"}}).
		must(t, http.StatusUnprocessableEntity, path+"/findings", `id="finding-finding-error"`, `value="DC-1"`)
	b.post(path+"/findings", url.Values{"finding.finding": {"申报无旅居史，铁路记录显示曾去高风险地区"}, "finding.evidence": {"DC-2026-0312"}}).
		must(t, http.StatusOK, path, "已记录认定", `id="file-colour">红码`, "申报无旅居史", "依据 DC-2026-0312")
}

// Unmasking on the pages is held to the API's limit, per official: one
// official's second unmasking past it is refused, another's is not.
func TestUnmaskingOnThePagesSharesTheOfficialsLimit(t *testing.T) {
	s := newSiteWith(t, service.Config{Issuer: "330100", Dev: true, Limits: healthcode.Limits{
		{Class: healthcode.LimitUnmask, Scope: healthcode.ScopeAccount}: {N: 1, Per: time.Hour}}})
	_, code := appellant(t, s, "13900000070", false)
	path := fmt.Sprintf("/officials/p/%d/unmask", personOf(t, code))
	form := url.Values{"unmask.reason": {"居民来电求助，核实手机号码"}, "unmask.category": {healthcode.UnmaskCitizenRequest}}
	first, other := s.browser(t), s.browser(t)
	first.officialLogin(appoint(t, s, "community.e", healthcode.RoleCommunity, "330106"), "")
	other.officialLogin(appoint(t, s, "community.f", healthcode.RoleCommunity, "330106"), "")
	first.post(path, form).must(t, http.StatusOK, "", `id="clear"`)
	if p := first.post(path, form); p.status != http.StatusTooManyRequests || strings.Contains(p.html, `id="clear"`) {
		t.Errorf("a second unmasking past the limit: %d", p.status)
	}
	other.post(path, form).must(t, http.StatusOK, "", `id="clear"`)
}
