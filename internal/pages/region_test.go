package pages

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// selected is the value of the option chosen in the select named name.
func selected(t *testing.T, html, name string) string {
	t.Helper()
	sel := regexp.MustCompile(`(?s)<select[^>]*name="` + regexp.QuoteMeta(name) + `"[^>]*>(.*?)</select>`).FindStringSubmatch(html)
	if sel == nil {
		t.Fatalf("no select %s on the page", name)
	}
	if m := regexp.MustCompile(`<option value="([^"]*)" selected>`).FindStringSubmatch(sel[1]); m != nil {
		return m[1]
	}
	return ""
}

// applicant is a logged-in browser on a fresh site, at the apply form.
func applicant(t *testing.T, phone string) *browser {
	t.Helper()
	b := newSite(t).browser(t)
	b.login(phone)
	b.get("/app/apply")
	return b
}

func checkPicker(t *testing.T, html string, province, city, county string) {
	t.Helper()
	for name, want := range map[string]string{"region.province": province, "region.city": city, "region": county} {
		if got := selected(t, html, name); got != want {
			t.Errorf("select %s: %q chosen, want %q", name, got, want)
		}
	}
}

// TestThePickerStartsAtTheDeploymentsRegion: the apply form opens on the
// deployment's city (330100 here), its districts listed by name, the
// district still to choose.
func TestThePickerStartsAtTheDeploymentsRegion(t *testing.T) {
	p := applicant(t, "13900000201").get("/app/apply")
	p.must(t, http.StatusOK, "", `<option value="330106">西湖区</option>`, `<option value="420000">湖北省</option>`,
		`id="region-list"`, `src="/static/region.js"`, "现居地区")
	checkPicker(t, p.html, "330000", "330100", "")

	// In English, a name the list has only in Chinese says so.
	en := applicant(t, "13900000205").get("/app/apply?lang=en")
	en.must(t, http.StatusOK, "", `<option value="110000" lang="zh-CN">北京市</option>`,
		`<option value="330000" selected>Zhejiang</option>`, `<option value="330106">Xihu District</option>`, "Where you live now")
}

// TestThePickerWorksWithoutJavaScript: choosing a province and pressing
// "list" draws the form again with that province's cities, keeping what
// was typed; choosing a city does the same for its districts; the chosen
// district is the region the confirmation screen names.
func TestThePickerWorksWithoutJavaScript(t *testing.T) {
	b := applicant(t, "13900000202")
	form := application(validID(t, "42010619800101001"), "钱七", "13900000202")
	form.Set("region.province", "420000")
	form.Set("region.city", "330100") // still Hangzhou: the lists below have not followed yet
	form.Set("region.list", "1")
	p := b.post("/app/apply", form)
	p.must(t, http.StatusOK, "", `<option value="420100">武汉市</option>`, `value="钱七"`)
	if strings.Contains(p.html, `id="region-error"`) || strings.Contains(p.html, "西湖区") {
		t.Error("listing a province's cities is no error, and shows none of another province's districts")
	}
	checkPicker(t, p.html, "420000", "", "")

	form.Set("region.city", "420100")
	p = b.post("/app/apply", form)
	p.must(t, http.StatusOK, "", `<option value="420106">武昌区</option>`)
	checkPicker(t, p.html, "420000", "420100", "")

	form.Del("region.list")
	form.Set("region", "420106")
	last := b.post("/app/apply", form)
	last.must(t, http.StatusOK, "", `id="submit"`, "湖北省武汉市武昌区",
		`name="region" value="420106"`)
}

// TestAnUnfinishedOrUnknownRegionIsAFieldError: a province chosen without
// its city and district, or a code no division has, is refused next to
// the picker, in the page's language, with the other fields kept.
func TestAnUnfinishedOrUnknownRegionIsAFieldError(t *testing.T) {
	b := applicant(t, "13900000203")
	tests := []struct {
		name, query string
		region      url.Values
		want        string
	}{
		{"district of another city", "?lang=zh", url.Values{"region.province": {"420000"}, "region.city": {"420100"}, "region": {"330106"}},
			"请依次选择省份、城市和区县"},
		{"district of another city, English", "?lang=en", url.Values{"region.province": {"420000"}, "region.city": {"420100"}, "region": {"330106"}},
			"Choose the province, then the city, then the district or county"},
		{"a code no division has", "?lang=zh", url.Values{"region": {"330199"}}, "没有这个地区，请从列表中选择"},
		{"a code no division has, English", "?lang=en", url.Values{"region": {"330199"}}, "is not a division of GB/T 2260"},
		{"a made-up province", "?lang=zh", url.Values{"region.province": {"990000"}, "region": {"990101"}}, "请依次选择省份、城市和区县"},
		{"nothing chosen", "?lang=zh", url.Values{"region.province": {""}, "region.city": {""}, "region": {""}}, "请依次选择省份、城市和区县"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b.get("/app/apply" + tt.query)
			form := application(validID(t, "42010619800101001"), "钱七", "13900000203")
			for k, v := range tt.region {
				form[k] = v
			}
			p := b.post("/app/apply", form)
			p.must(t, http.StatusUnprocessableEntity, "", `id="region-error"`, tt.want, `value="钱七"`, `aria-describedby="region-error"`)
		})
	}
}

// TestPickingARegionOnTheModifyFormUsesNoChance: listing a province's
// cities is not a modification.
func TestPickingARegionOnTheModifyFormUsesNoChance(t *testing.T) {
	b := applicant(t, "13900000204")
	form := application(validID(t, "33010619800101001"), "孙八", "13900000204")
	form.Set("step", "submit")
	code := b.post("/app/apply", form)
	code.must(t, http.StatusOK, "", `id="code"`)
	modify := code.path + "/modify"
	before := b.get(modify)
	checkPicker(t, before.html, "330000", "330100", "330106")
	chances := regexp.MustCompile(`id="chances">[^<]*<strong>(\d+)<`).FindStringSubmatch(before.html)
	if chances == nil {
		t.Fatal("no chances on the modify page")
	}
	p := b.post(modify, url.Values{"region.province": {"420000"}, "region.city": {"330100"}, "region": {"330106"}, "region.list": {"1"}})
	p.must(t, http.StatusOK, modify, `<option value="420100">武汉市</option>`, `<strong>`+chances[1]+`<`)
	checkPicker(t, p.html, "420000", "", "")
}

// TestRegionsListsWhatLiesUnderACode is what region.js fills the selects
// with: names in order, a city without districts as itself.
func TestRegionsListsWhatLiesUnderACode(t *testing.T) {
	s := newSite(t)
	b := s.browser(t)
	tests := []struct {
		code   string
		status int
		want   string
	}{
		{"330100", http.StatusOK, `{"code":"330106","name":"西湖区"}`},
		{"420000", http.StatusOK, `{"code":"420100","name":"武汉市"}`},
		{"441900", http.StatusOK, `[{"code":"441900","name":"东莞市"}]`},
		{"330106", http.StatusOK, `[{"code":"330106","name":"西湖区"}]`},
		{"999999", http.StatusNotFound, ""},
		{"33", http.StatusNotFound, ""},
		{"330000?lang=en", http.StatusOK, `{"code":"330100","name":"Hangzhou"},{"code":"330200","name":"宁波市","lang":"zh-CN"}`}, // last: the language sticks
	}
	for _, tt := range tests {
		res, err := b.c.Get(b.base + "/regions/" + tt.code)
		if err != nil {
			t.Fatal(err)
		}
		p := b.keep(res)
		if p.status != tt.status || !strings.Contains(p.html, tt.want) {
			t.Errorf("/regions/%s: %d %s, want %d with %s", tt.code, p.status, p.html, tt.status, tt.want)
		}
		if tt.status == http.StatusOK && !json.Valid([]byte(p.html)) {
			t.Errorf("/regions/%s: not JSON: %s", tt.code, p.html)
		}
	}
}

func TestChosenRegion(t *testing.T) {
	tests := []struct {
		name string
		form url.Values
		want [3]string
	}{
		{"a district alone", url.Values{"region": {"330106"}}, [3]string{"330000", "330100", "330106"}},
		{"a city alone", url.Values{"region": {"330100"}}, [3]string{"330000", "330100", ""}},
		{"a city without districts", url.Values{"region": {"441900"}}, [3]string{"440000", "441900", "441900"}},
		{"a province without cities", url.Values{"region": {"710000"}}, [3]string{"710000", "710000", "710000"}},
		{"all three agreeing", url.Values{"region.province": {"420000"}, "region.city": {"420100"}, "region": {"420106"}},
			[3]string{"420000", "420100", "420106"}},
		{"a changed province", url.Values{"region.province": {"420000"}, "region.city": {"330100"}, "region": {"330106"}},
			[3]string{"420000", "", ""}},
		{"a changed city", url.Values{"region.province": {"330000"}, "region.city": {"330200"}, "region": {"330106"}},
			[3]string{"330000", "330200", ""}},
		{"a city as the province", url.Values{"region.province": {"330100"}, "region": {"330106"}}, [3]string{}},
		{"nothing", url.Values{}, [3]string{}},
		{"an unknown code", url.Values{"region": {"330199"}}, [3]string{}},
	}
	for _, tt := range tests {
		if got := chosenRegion(tt.form); got != tt.want {
			t.Errorf("%s: chosenRegion(%v) = %v, want %v", tt.name, tt.form, got, tt.want)
		}
	}
}
