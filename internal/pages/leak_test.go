package pages

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"healthcode"
	"healthcode/identity"
	"healthcode/internal/langcheck"
	"healthcode/internal/service"
	"healthcode/internal/workflow"
)

// The language-leak test walks every page in each language — empty
// forms, forms full of errors, codes of each colour, history, relatives,
// checkpoint verdicts, venues, help, 404 and the error page — and fails
// on a word of the other language: English words in a Chinese page
// beyond the tokens the real apps print, Chinese in an English page
// beyond the names the test typed.

// tourData is what the test types in, which pages show back as it is.
var tourData = []string{"张三", "张小", "张老", "李四", "王五", "西湖景区3号门", "一号卡口", "管理员", "轨迹核实无误"}

// latinData is typed data in Latin letters a Chinese page shows back:
// names, and an attachment's file name.
var latinData = []string{"Li", "Lei", "png"}

// seenPage is one page the tour saw.
type seenPage struct {
	method, path, final string
	status              int
	html                string
}

// tour is one reader's walk in one language.
type tour struct {
	t     *testing.T
	s     *site
	b     *browser
	lang  string
	n     int    // tells this tour's phones and IDs from the other's
	code  string // the code page of the tour's own person
	pages []seenPage
}

func (tr *tour) get(path string) answer {
	tr.t.Helper()
	a := tr.b.get(path)
	tr.pages = append(tr.pages, seenPage{http.MethodGet, path, a.path, a.status, a.html})
	return a
}

func (tr *tour) post(path string, form url.Values) answer {
	tr.t.Helper()
	a := tr.b.post(path, form)
	tr.pages = append(tr.pages, seenPage{http.MethodPost, path, a.path, a.status, a.html})
	return a
}

// postFile submits a form with one file, as the appeal form does.
func (tr *tour) postFile(path string, form url.Values, file upload) answer {
	tr.t.Helper()
	a := tr.b.postMultipart(path, form, file)
	tr.pages = append(tr.pages, seenPage{http.MethodPost, path, a.path, a.status, a.html})
	return a
}

func (tr *tour) phone(i int) string { return fmt.Sprintf("1390000%d%03d", tr.n, i) }

func (tr *tour) id(first17 string) string {
	return validID(tr.t, first17[:14]+fmt.Sprint(tr.n)+first17[15:])
}

// login logs a phone in through the forms, with a wrong code first.
func (tr *tour) login(phone string) {
	tr.get("/login")
	tr.post("/login/code", url.Values{"phone": {"123"}})
	p := tr.post("/login/code", url.Values{"phone": {phone}})
	m := devCode.FindStringSubmatch(p.html)
	if m == nil {
		tr.t.Fatalf("no development code:\n%s", p.html)
	}
	tr.post("/login", url.Values{"phone": {phone}, "code": {wrongDigits(m[1])}})
	tr.post("/login", url.Values{"phone": {phone}, "code": {m[1]}})
}

// apply fills in the form, sees the confirmation and submits: the code
// page of the new person.
func (tr *tour) apply(path string, form url.Values) answer {
	tr.post(path, form)
	form = cloneValues(form)
	form.Set("step", "submit")
	return tr.post(path, form)
}

func (tr *tour) walkAnonymous() {
	for _, p := range []string{"/", "/help", "/login", "/checkpoint", "/checkpoint?mode=community", "/venues/new",
		"/nosuch", "/app/p/1"} {
		tr.get(p)
	}
}

// walkCitizen applies for oneself and three relatives (green, yellow,
// red) and uses every citizen page; it returns the code texts by colour.
func (tr *tour) walkCitizen() map[string]string {
	phone := tr.phone(1)
	tr.login(phone)
	tr.get("/app")
	tr.get("/app/apply")
	bad := application("110105194912310021", "张三", tr.phone(2))
	bad.Del("declaration.cough")
	bad.Del("declaration.commitment")
	bad.Set("region", "99")
	tr.post("/app/apply", bad).must(tr.t, http.StatusUnprocessableEntity, "", `id="identity-phone-error"`)
	self := application(tr.id("11010519491231002"), "张三", phone)
	tr.post("/app/apply", self)
	edit := cloneValues(self)
	edit.Set("step", "edit")
	tr.post("/app/apply", edit)
	code := tr.apply("/app/apply", self).path
	tr.code = code
	tr.apply("/app/apply", self) // twice: a conflict

	tr.get(code)
	tr.get(code + "/checkin")
	tr.post(code+"/checkin", url.Values{"celsius": {"50"}})
	tr.post(code+"/checkin", url.Values{"symptoms": {"no"}, "celsius": {"36.5"}})
	tr.get(code + "/checkin")
	tr.post(code+"/checkin", url.Values{"symptoms": {"no"}})
	tr.get(code + "/modify")
	tr.post(code+"/modify", url.Values{"region": {"33A"}})
	decl := application("", "", "")
	decl.Set("region", "330106")
	tr.post(code+"/modify", decl)
	tr.post(code+"/modify", decl) // past the day's one modification
	tr.get(code + "/history")
	tr.get(code + "/tests")
	tr.get("/app/family")
	tr.get(code + "/reapply")
	tr.post(code+"/reapply", url.Values{"region": {"1"}})
	tr.apply(code+"/reapply", self)
	tr.get(code + "/reapply")

	tokens := map[string]string{"green": token(tr.t, tr.get(code).html)}
	tr.get("/app/apply?relation=child")
	kid := func(first17, name string) url.Values {
		f := application(tr.id(first17), name, phone)
		f.Set("relation", "child")
		return f
	}
	tr.post("/app/apply", kid("33010619900101002", "张小")) // an adult on the login's phone
	yellow := kid("33010620200101002", "张小")
	yellow.Set("declaration.cough", "yes")
	yellowCode := tr.apply("/app/apply", yellow)
	yellowCode.must(tr.t, http.StatusOK, "", translate(tr.lang, "color.yellow"))
	tokens["yellow"] = token(tr.t, yellowCode.html)
	red := kid("33010620200202002", "张小")
	red.Set("declaration.contact_cases", "yes")
	redCode := tr.apply("/app/apply", red)
	redCode.must(tr.t, http.StatusOK, "", translate(tr.lang, "color.red"))
	tokens["red"] = token(tr.t, redCode.html)
	tr.get(redCode.path+"/history").must(tr.t, http.StatusOK, "", `id="verified"`, translate(tr.lang, "color.red"))
	tr.get(redCode.path + "/modify")
	parent := application(tr.id("33010619500101002"), "张老", tr.phone(3))
	parent.Set("relation", "parent")
	consent := tr.apply("/app/apply", parent)
	if !strings.Contains(consent.html, `name="consent_code"`) {
		tr.t.Errorf("no consent code asked for a parent with a phone:\n%s", consent.html)
	}
	parent.Set("step", "submit")
	parent.Set("consent_code", "000000")
	tr.post("/app/apply", parent)
	tr.walkAppeals(code, yellowCode.path)
	tr.get("/app/persons")
	tr.get("/app/p/999999")
	tr.get("/app/p/x")
	return tokens
}

// walkAppeals files appeals and an error correction through their forms,
// errors first; the district answers one appeal and upholds the other.
func (tr *tour) walkAppeals(code, yellow string) {
	tr.get(code + "/appeal")
	tr.postFile(code+"/appeal", url.Values{"reason": {"短"}}, upload{"attachment", "x.exe", []byte("MZ")}).
		must(tr.t, http.StatusUnprocessableEntity, "", `id="attachment-error"`, `id="reason-error"`)
	tr.postFile(code+"/appeal", url.Values{"reason": {"西湖景区3号门 一号卡口 张三 张三"}}, upload{"attachment", "a.png", onePixelPNG})
	tr.postFile(code+"/appeal", url.Values{"reason": {"西湖景区3号门 一号卡口 张三 张三"}}, upload{"attachment", "a.png", onePixelPNG}).
		must(tr.t, http.StatusConflict, "", "")
	tr.post(yellow+"/appeal", url.Values{"reason": {"西湖景区3号门 一号卡口 张小 张小"}})
	tr.get(code + "/foreign-code")
	tr.post(code+"/foreign-code", url.Values{"token": {""}}).must(tr.t, http.StatusUnprocessableEntity, "", `id="token-error"`)
	tr.post(code+"/foreign-code", url.Values{"token": {"HCN1:x"}}) // no trust list here: said so
	tr.get(code + "/correction")
	tr.post(code+"/correction", url.Values{"variant": {"x"}, "reason": {"短"}})
	tr.post(code+"/correction", url.Values{"variant": {healthcode.VariantWrongData}, "reason": {"西湖景区3号门 一号卡口 张三"}})
	me := citizenOf(tr.t, tr.s, tr.phone(1))
	for i, path := range []string{code, yellow} {
		vs, err := tr.s.svc.Appeals(context.Background(), me, personOf(tr.t, path))
		if err != nil || len(vs) != 1 {
			tr.t.Fatalf("appeals of %s: %v, %v", path, vs, err)
		}
		step := service.StepInput{Seq: 1, Action: workflow.ActReject, Note: "轨迹核实无误"}
		if i == 1 {
			step = service.StepInput{Seq: 1, Action: workflow.ActUphold, Colour: "green"}
		}
		if _, err := tr.s.svc.Act(context.Background(), district(int64(tr.n)), vs[0].ID, step); err != nil {
			tr.t.Fatal(err)
		}
		tr.get(path)
		if i == 1 { // a second officer approves: the appeal is upheld
			if _, err := tr.s.svc.Act(context.Background(), district(int64(tr.n+10)), vs[0].ID, service.StepInput{Seq: 2, Action: workflow.ActApprove}); err != nil {
				tr.t.Fatal(err)
			}
			tr.get(path).must(tr.t, http.StatusOK, "", `data-state="appeal.state.applied"`)
		}
	}
}

// walkStaff verifies each colour as anyone and as staff, and makes and
// visits a venue code.
func (tr *tour) walkStaff(tokens map[string]string) {
	ctx := context.Background()
	gate, _, err := tr.s.svc.CreateAPIKey(ctx, "一号卡口", healthcode.RoleCheckpoint, "330100")
	if err != nil {
		tr.t.Fatal(err)
	}
	admin, _, err := tr.s.svc.CreateAPIKey(ctx, "管理员", healthcode.RoleAdmin, "330100")
	if err != nil {
		tr.t.Fatal(err)
	}
	tr.get("/checkpoint")
	for _, form := range []url.Values{{"token": {tokens["green"]}}, {"token": {tokens["yellow"]}}, {"token": {tokens["red"]}},
		{"token": {"hello"}}, {}, {"token": {tokens["green"]}, "temperature": {"36.5"}}} {
		tr.post("/checkpoint/verify", form)
	}
	tr.post("/checkpoint/verify", url.Values{"token": {tokens["green"]}, "mode": {"community"}})
	tr.post("/checkpoint/login", url.Values{"key": {"hck_wrong"}})
	tr.post("/checkpoint/login", url.Values{"key": {gate}})
	tr.post("/checkpoint/verify", url.Values{"token": {tokens["yellow"]}})
	tr.post("/checkpoint/verify", url.Values{"token": {tokens["red"]}, "temperature": {"38.5"}}).must(tr.t, http.StatusOK, "",
		`data-kind="refuse"`, translate(tr.lang, "verdict.fever"))
	tr.post("/venues", url.Values{"name": {"西湖景区3号门"}, "region": {"330106"}}) // a checkpoint key may not
	tr.post("/checkpoint/login", url.Values{"key": {admin}, "next": {"/venues/new"}})
	tr.post("/venues", url.Values{"name": {""}, "region": {"3301"}})
	poster := tr.post("/venues", url.Values{"name": {"西湖景区3号门"}, "region": {"330106"}})
	m := regexp.MustCompile(`id="venue-url" href="([^"]+)"`).FindStringSubmatch(poster.html)
	if m == nil {
		tr.t.Fatalf("no visit address on the poster:\n%s", poster.html)
	}
	u, err := url.Parse(html.UnescapeString(m[1]))
	if err != nil {
		tr.t.Fatal(err)
	}
	form := tr.get(u.Path) // the visit form of a logged-in citizen
	visit := regexp.MustCompile(`name="person" value="(\d+)"`).FindStringSubmatch(form.html)
	if visit == nil {
		tr.t.Fatalf("no person to record a visit for:\n%s", form.html)
	}
	tr.post(u.Path, url.Values{"person": {}})
	tr.post(u.Path, url.Values{"person": {visit[1]}}).must(tr.t, http.StatusOK, "", translate(tr.lang, "visit.done"))
	tr.get("/venues/" + strings.TrimPrefix(u.Path, "/v/"))
	tr.post("/logout", url.Values{})
}

func token(t *testing.T, page string) string {
	t.Helper()
	m := tokenText.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no code text on the page:\n%s", page)
	}
	return html.UnescapeString(m[1])
}

var (
	scripts   = regexp.MustCompile(`(?is)<(script|style)\b.*?</(script|style)>`)
	codeText  = regexp.MustCompile(`(?s)<code id="token">.*?</code>|<code class="literal">.*?</code>|<textarea\b[^>]*>.*?</textarea>|https?://[^\s<"]+`)
	readAttrs = regexp.MustCompile(`\b(aria-label|title|placeholder|alt)="([^"]*)"`)
	tags      = regexp.MustCompile(`(?s)<[^>]*>`)
	// markedZh is text an English page says is Chinese: place names the
	// division list has no English for, marked as HTML asks (lang="zh-CN"),
	// and the printed paper pass's instruction, given in both languages.
	markedZh = regexp.MustCompile(`(?s)<(option|span|p)\b[^>]*\blang="zh-CN"[^>]*>.*?</(option|span|p)>`)
	// markedEn is text a Chinese page says is English: the printed paper
	// pass's instruction, which it gives in both languages.
	markedEn = regexp.MustCompile(`(?s)<p\b[^>]*\blang="en"[^>]*>.*?</p>`)
)

// visibleText is what a reader (or a screen reader) meets on a page: its
// text and the labels of its elements, without scripts, styles, the code
// text, what was typed into a text area and addresses, which are data.
func visibleText(page string) string {
	page = scripts.ReplaceAllString(page, " ")
	page = codeText.ReplaceAllString(page, " ")
	var b strings.Builder
	for _, m := range readAttrs.FindAllStringSubmatch(page, -1) {
		b.WriteString(m[2] + "\n")
	}
	b.WriteString(tags.ReplaceAllString(page, "\n"))
	return html.UnescapeString(b.String())
}

// leaks are the words of the other language on a page in lang.
func leaks(lang, page string) []string {
	if lang == "en" {
		page = markedZh.ReplaceAllString(page, " ")
	} else {
		page = markedEn.ReplaceAllString(page, " ")
	}
	text := visibleText(page)
	if lang == "en" {
		allowed := append([]string{"中文"}, tourData...)
		for _, name := range tourData[:5] { // masked, a name shows in part
			allowed = append(allowed, identity.MaskName(name))
		}
		return langcheck.Han(text, allowed...)
	}
	return langcheck.Latin(text, langcheck.Tokens, latinData, []string{"English"})
}

func TestNoPageSpeaksTheOtherLanguage(t *testing.T) {
	s := newSite(t)
	var all []seenPage
	for i, lang := range []string{"zh", "en"} {
		tr := &tour{t: t, s: s, b: s.browser(t), lang: lang, n: i + 1}
		tr.get("/?lang=" + lang)
		tr.walkAnonymous()
		tokens := tr.walkCitizen()
		tr.walkStaff(tokens)
		tr.walkOfficials()
		tr.walkPasses()
		for _, p := range tr.pages {
			if want := map[string]string{"zh": `lang="zh-CN"`, "en": `lang="en"`}[lang]; !strings.Contains(p.html, want) {
				t.Errorf("%s %s %s is not in %s", lang, p.method, p.path, lang)
			}
			if got := leaks(lang, p.html); len(got) > 0 {
				t.Errorf("%s %s %s (%d, at %s) shows %q", lang, p.method, p.path, p.status, p.final, unique(got))
			}
		}
		all = append(all, tr.pages...)
	}
	for _, missed := range unvisited(all) {
		t.Errorf("the tour never rendered %s", missed)
	}
}

func unique(s []string) []string {
	slices.Sort(s)
	return slices.Compact(s)
}

// unvisited are the routes of the table no page of the tour came from,
// but for the ones that answer JSON.
func unvisited(pages []seenPage) []string {
	mux := http.NewServeMux()
	for _, rt := range table {
		mux.HandleFunc(rt.pattern, func(http.ResponseWriter, *http.Request) {})
	}
	hit := map[string]bool{"GET /app/p/{id}/code.json": true, "GET /regions/{code}": true, "GET /officials/w/{id}/attachment": true}
	for _, p := range pages {
		for _, req := range []*http.Request{httptest.NewRequest(p.method, p.path, nil), httptest.NewRequest(http.MethodGet, p.final, nil)} {
			_, pattern := mux.Handler(req)
			hit[pattern] = true
		}
	}
	var out []string
	for _, rt := range table {
		if !hit[rt.pattern] {
			out = append(out, rt.pattern)
		}
	}
	return out
}
