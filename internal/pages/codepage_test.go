package pages

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"healthcode"
	"healthcode/internal/service"
	"healthcode/policy"
)

func TestTestBadgeCountsTheHoursSinceTheNewestSample(t *testing.T) {
	now := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	result := func(r healthcode.TestResult, age time.Duration) service.TestRecord {
		return service.TestRecord{TestFact: healthcode.TestFact{Sampled: now.Add(-age), Result: r}}
	}
	neg, pos := healthcode.TestNegative, healthcode.TestPositive
	for _, tc := range []struct {
		name   string
		tests  []service.TestRecord
		hours  int
		result healthcode.TestResult // "": no result on record
	}{
		{"none on record", nil, 0, ""},
		{"sampled an hour ago", []service.TestRecord{result(neg, time.Hour)}, 24, neg},
		{"24 h to the second", []service.TestRecord{result(neg, 24*time.Hour)}, 24, neg},
		{"a second past 24 h", []service.TestRecord{result(neg, 24*time.Hour+time.Second)}, 48, neg},
		{"48 h to the second", []service.TestRecord{result(neg, 48*time.Hour)}, 48, neg},
		{"a second past 48 h", []service.TestRecord{result(neg, 48*time.Hour+time.Second)}, 72, neg},
		{"72 h to the second", []service.TestRecord{result(neg, 72*time.Hour)}, 72, neg},
		{"a second past 72 h", []service.TestRecord{result(neg, 72*time.Hour+time.Second)}, 0, neg},
		{"a sample dated ahead of the clock", []service.TestRecord{result(neg, -time.Minute)}, 24, neg},
		{"positive", []service.TestRecord{result(pos, time.Hour)}, 0, pos},
		{"positive after a negative", []service.TestRecord{result(pos, time.Hour), result(neg, 2*time.Hour)}, 0, pos},
		{"negative after a positive", []service.TestRecord{result(neg, time.Hour), result(pos, 30*time.Hour)}, 24, neg},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := newTestBadge(tc.tests, now)
			var got healthcode.TestResult
			if b.Last != nil {
				got = b.Last.Result
			}
			if got != tc.result || b.Hours != tc.hours {
				t.Errorf("badge = %q within %d h, want %q within %d h", got, b.Hours, tc.result, tc.hours)
			}
		})
	}
}

// feed sends a CSV feed through the API with a new feed key.
func (s *site) feed(t *testing.T, kind, csv string) {
	t.Helper()
	key, _, err := s.svc.CreateFeedKey(t.Context(), "lab-"+kind, "330100", []string{kind})
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, s.srv.URL+"/api/v1/feeds/"+kind, strings.NewReader(csv))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Content-Type", "text/csv")
	res, err := s.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("feed %s: %s", kind, res.Status)
	}
}

// applied logs phone in and applies for its owner; it returns the code
// page's path.
func applied(t *testing.T, b *browser, number, phone string) string {
	t.Helper()
	b.login(phone)
	form := application(number, "张三", phone)
	form.Set("step", "submit")
	p := b.post("/app/apply", form)
	p.must(t, http.StatusOK, "", "申领成功")
	return p.path
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func TestCodePageNamesTheRegionTheIssuerTheTestAndTheVaccination(t *testing.T) {
	s := newSite(t)
	b := s.browser(t)
	number := validID(t, "11010519491231002")
	code := applied(t, b, number, "13900000031")
	b.get(code).must(t, http.StatusOK, "", "杭州健康码", "杭州市卫生健康委员会 · 杭州市疫情防控工作指挥部 发布",
		"暂无核酸记录", "暂无接种记录", `href="/app/family"`, `href="`+code+`/tests"`, `id="elder-switch"`)

	sampled := time.Now().Add(-30 * time.Hour)
	s.feed(t, "lab", fmt.Sprintf("source_ref,doc_number,at,sampled,result,lab\nR-1,%s,%s,%s,negative,西湖检测所\n",
		number, stamp(time.Now().Add(-time.Hour)), stamp(sampled)))
	s.feed(t, "vaccination", fmt.Sprintf("source_ref,doc_number,at,dose,product\nV-1,%s,%s,1,CoronaVac\n", number, stamp(sampled)))
	p := b.get(code)
	p.must(t, http.StatusOK, "", `id="test-hours">48小时<`, "阴性", "采样 "+minuteOf(sampled), "已接种1剂")
	if strings.Contains(p.html, "全程接种") {
		t.Error("one dose of CoronaVac is shown as the full course")
	}
	s.feed(t, "vaccination", fmt.Sprintf("source_ref,doc_number,at,dose,product\nV-2,%s,%s,2,CoronaVac\n", number, stamp(sampled)))
	b.get(code).must(t, http.StatusOK, "", "已接种2剂", `id="vaccine-full">✔ 全程接种<`)
	en := b.get(code + "?lang=en")
	en.must(t, http.StatusOK, "", "Hangzhou Health Code", "Issued by the Hangzhou Health Commission",
		`id="test-hours">48 h<`, "negative", "Doses: 2", "Fully vaccinated")
	for _, p := range []answer{en, b.get(code + "/tests"), b.get("/app/family"), b.get(code + "?text=elder")} {
		// Only what people typed, a lab sent, or the switch back to Chinese
		// may be Chinese.
		if han := hanText.FindString(strings.NewReplacer("*三", "", "西湖检测所", "", `lang="zh">中文<`, "").Replace(p.html)); han != "" {
			t.Errorf("the English page %s shows %q", p.path, han)
		}
	}
	b.get(code + "?lang=zh&text=normal")

	b.get(code+"/tests").must(t, http.StatusOK, "", "<h1>核酸检测记录</h1>", "阴性", "西湖检测所", minuteOf(sampled))
	s.feed(t, "lab", fmt.Sprintf("source_ref,doc_number,at,sampled,result\nR-2,%s,%s,%s,positive\n",
		number, stamp(time.Now()), stamp(time.Now().Add(-2*time.Hour))))
	p = b.get(code)
	p.must(t, http.StatusOK, "", `class="result-positive">阳性<`)
	if strings.Contains(p.html, `id="test-hours"`) {
		t.Error("a positive result carries an hours badge")
	}
}

var hanText = regexp.MustCompile(`\p{Han}+`)

func minuteOf(t time.Time) string { return t.In(policy.ChinaTime).Format("2006-01-02 15:04") }

func TestFamilyPageShowsEveryCodeTappableToItsFullCode(t *testing.T) {
	s := newSite(t)
	b := s.browser(t)
	const phone = "13900000032"
	code := applied(t, b, validID(t, "11010519491231002"), phone)
	rel := application(validID(t, "33010619500101002"), "李四", phone)
	rel.Set("relation", "child")
	rel.Set("declaration.cough", "yes")
	rel.Set("step", "submit")
	relCode := b.post("/app/apply", rel).path

	b.get("/app/persons").must(t, http.StatusOK, "", `id="family-link" href="/app/family"`)
	p := b.get("/app/family")
	p.must(t, http.StatusOK, "/app/family", "<h1>一屏多码</h1>", `href="`+code+`"`, `href="`+relCode+`"`,
		"*三", "*四", "子女", "绿码", "黄码", "/static/code.js")
	if n := strings.Count(p.html, "<svg"); n != 2 {
		t.Errorf("the family page draws %d QR codes, want 2", n)
	}
	if !strings.Contains(p.html, `class="mini code-yellow"`) {
		t.Error("the relative's card is not drawn in yellow")
	}

	empty := s.browser(t)
	empty.login("13900000033")
	empty.get("/app/family").must(t, http.StatusOK, "/app/apply")
}

func TestElderModeShowsTheQRFirstAndStaysOn(t *testing.T) {
	s := newSite(t)
	b := s.browser(t)
	code := applied(t, b, validID(t, "11010519491231002"), "13900000034")

	p := b.get(code + "?text=elder")
	p.must(t, http.StatusOK, "", `class="large elder code-page"`, `class="card elder-card code-green"`, "绿码", "*三",
		`id="clock"`, `id="refresh"`, "退出长辈模式", `href="`+code+`?text=normal"`)
	for _, more := range []string{`class="status"`, `class="tiles"`, `class="actions"`, `id="token"`} {
		if strings.Contains(p.html, more) {
			t.Errorf("elder mode shows %s", more)
		}
	}
	if qr, name := strings.Index(p.html, `id="qr"`), strings.Index(p.html, `id="masked-name"`); qr > name {
		t.Error("elder mode shows the name before the QR")
	}
	// The cookie keeps it, on every page, until it is turned off.
	b.get("/app/persons").must(t, http.StatusOK, "", `class="large elder `)
	b.get(code).must(t, http.StatusOK, "", "elder-card")
	p = b.get(code + "?text=normal")
	p.must(t, http.StatusOK, "", `id="elder-switch" href="`+code+`?text=elder"`, `class="tiles"`)
	if strings.Contains(p.html, "elder-card") || strings.Contains(p.html, `class="large`) {
		t.Error("leaving elder mode kept it or the large text")
	}
}
