package pages

import (
	"net/http"
	"regexp"
	"testing"
)

var h1 = regexp.MustCompile(`<h1>([^<]*)</h1>`)

// TestTitlesMatchThePage: each screen of the apply flow is titled for what
// it shows, and a relative's code is not "my" code.
func TestTitlesMatchThePage(t *testing.T) {
	s := newSite(t)
	b := s.browser(t)
	const phone = "13900000006"
	b.login(phone)
	title := func(a answer) string {
		if m := h1.FindStringSubmatch(a.html); m != nil {
			return m[1]
		}
		return ""
	}
	self := application(validID(t, "11010519491231002"), "张三", phone)
	if got := title(b.post("/app/apply", self)); got != "请确认申报信息" {
		t.Errorf("the confirmation screen is titled %q", got)
	}
	self.Set("step", "submit")
	if got := title(b.post("/app/apply", self)); got != "我的健康码" {
		t.Errorf("one's own code is titled %q", got)
	}
	child := application(validID(t, "33010620200101002"), "张小", phone)
	child.Set("relation", "child")
	child.Set("step", "submit")
	kid := b.post("/app/apply", child)
	kid.must(t, http.StatusOK, "")
	if got := title(kid); got != "子女的健康码" {
		t.Errorf("a child's code is titled %q", got)
	}
	if got := title(b.get(kid.path + "/history")); got != "码色变化记录" {
		t.Errorf("the history is titled %q", got)
	}
}
