package pages

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"time"

	"healthcode"
)

// officialTour is a walk of one official through their pages, in its own
// browser, in the tour's language.
func (tr *tour) officialTour(login string, role healthcode.Role, scope string) *tour {
	o := appoint(tr.t, tr.s, fmt.Sprintf("%s.t%d", login, tr.n), role, scope)
	ot := &tour{t: tr.t, s: tr.s, b: tr.s.browser(tr.t), lang: tr.lang, n: tr.n}
	ot.get("/officials/login?lang=" + tr.lang)
	ot.post("/officials/login", url.Values{"login": {o.login}, "password": {"wrong password, wrong"}, "code": {"000000"}})
	ot.post("/officials/login", url.Values{"login": {o.login}, "password": {o.password}, "code": {o.code(tr.t, 0)}})
	return ot
}

var workflowLink = regexp.MustCompile(`/officials/w/(\d+)`)

// walkOfficials follows the person of the tour's own code through every
// official's page: a community files a home release (an error first),
// unmasks them and files a correction; the street passes it; a district
// officer proposes and may not approve it themself; a raced step; a
// second officer approves; a finding; an isolation point's list.
func (tr *tour) walkOfficials() {
	person := fmt.Sprintf("/officials/p/%d", personOf(tr.t, tr.code))
	community := tr.officialTour("community", healthcode.RoleCommunity, "330106")
	community.get("/officials")
	community.get(person)
	community.post(person+"/unmask", url.Values{"unmask.reason": {"短"}, "unmask.category": {"x"}})
	community.post(person+"/unmask", url.Values{"unmask.reason": {"西湖景区3号门 一号卡口 张三"}, "unmask.category": {healthcode.UnmaskCitizenRequest}}).
		must(tr.t, http.StatusOK, "", `id="clear"`)
	community.post(person+"/workflows", url.Values{"form": {"release"}, "release.isolation_start": {"x"}})
	community.post(person+"/workflows", url.Values{"form": {"correction"}, "correction.variant": {"x"}})
	today := time.Now().Format(time.DateOnly)
	filed := community.post(person+"/workflows", url.Values{"form": {"release"}, "release.isolation_start": {today},
		"release.isolation_end": {today}, "release.note": {"轨迹核实无误"}})
	m := workflowLink.FindStringSubmatch(filed.path)
	if m == nil {
		tr.t.Fatalf("no workflow page after filing a release: %s", filed.path)
	}
	w := "/officials/w/" + m[1]
	community.get("/officials?after=1")

	street := tr.officialTour("street", healthcode.RoleStreet, "330106")
	street.get("/officials")
	street.post(w+"/steps", url.Values{"seq": {"1"}, "action": {"return"}})
	street.post(w+"/steps", url.Values{"seq": {"1"}, "action": {"pass"}})

	district := tr.officialTour("district", healthcode.RoleDistrict, "330106")
	district.get("/officials")
	district.post(w+"/steps", url.Values{"seq": {"2"}, "action": {"propose"}, "colour": {"green"}, "note": {"轨迹核实无误"}})
	district.post(w+"/steps", url.Values{"seq": {"3"}, "action": {"approve"}})
	district.post(person+"/findings", url.Values{"finding.finding": {""}})
	second := tr.officialTour("second", healthcode.RoleDistrict, "330100")
	second.post(w+"/steps", url.Values{"seq": {"2"}, "action": {"approve"}})
	second.post(w+"/steps", url.Values{"seq": {"3"}, "action": {"approve"}})
	appeals := workflowLink.FindAllStringSubmatch(district.get(person).html, -1)
	for _, a := range appeals {
		district.get("/officials/w/" + a[1]) // the appeal and the correction the citizen filed
	}
	district.post(person+"/findings", url.Values{"finding.finding": {"西湖景区3号门 一号卡口"}, "finding.evidence": {"DC-2026-0312"}})
	district.post("/officials/logout", url.Values{})

	iso := tr.officialTour("iso", healthcode.RoleIsolation, "330106")
	iso.get("/officials/release-lists")
	iso.postFile("/officials/release-lists", url.Values{"point": {""}}, upload{"file", "list.csv", []byte("doc_type,doc_number,released_at\nx,1,y\n")})
	iso.postFile("/officials/release-lists", url.Values{"point": {"一号卡口"}}, upload{"file", "list.csv",
		[]byte("doc_type,doc_number,released_at\nresident_id," + validID(tr.t, "11010519491231002") + "," +
			time.Now().Add(-time.Hour).UTC().Format(time.RFC3339) + "\n")})
	for _, ot := range []*tour{community, street, district, second, iso} {
		tr.pages = append(tr.pages, ot.pages...)
	}
}
