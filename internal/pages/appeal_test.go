package pages

import (
	"bytes"
	"context"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"healthcode"
	"healthcode/internal/service"
	"healthcode/internal/workflow"
)

// onePixelPNG is a PNG's signature and header: what the service's type
// check reads.
var onePixelPNG = append([]byte("\x89PNG\r\n\x1a\n"), []byte("\x00\x00\x00\x0dIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00")...)

// upload is one file of a multipart form.
type upload struct {
	field, name string
	data        []byte
}

// postMultipart submits a multipart/form-data form, as a browser sends
// a form with a file, with the page's CSRF token unless the form gives one.
func (b *browser) postMultipart(path string, form url.Values, files ...upload) answer {
	b.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	if _, given := form["csrf"]; !given {
		mw.WriteField("csrf", b.csrf)
	}
	for k, vs := range form {
		for _, v := range vs {
			mw.WriteField(k, v)
		}
	}
	for _, f := range files {
		fw, err := mw.CreateFormFile(f.field, f.name)
		if err != nil {
			b.t.Fatal(err)
		}
		fw.Write(f.data)
	}
	mw.Close()
	res, err := b.c.Post(b.base+path, mw.FormDataContentType(), &body)
	if err != nil {
		b.t.Fatal(err)
	}
	return b.keep(res)
}

// appellant is a logged-in citizen with one person of the colour the
// declaration gives: the browser and the code page's path.
func appellant(t *testing.T, s *site, phone string, cough bool) (*browser, string) {
	t.Helper()
	b := s.browser(t)
	b.login(phone)
	form := application(validID(t, "11010519491231002"), "张三", phone)
	if cough {
		form.Set("declaration.cough", "yes")
	}
	form.Set("step", "submit")
	p := b.post("/app/apply", form)
	p.must(t, http.StatusOK, "", "申领成功")
	return b, p.path
}

func personOf(t *testing.T, codePath string) int64 {
	t.Helper()
	id, err := strconv.ParseInt(strings.TrimPrefix(codePath, "/app/p/"), 10, 64)
	if err != nil {
		t.Fatalf("code page at %s", codePath)
	}
	return id
}

const goodReason = "我一直在家，没有去过中高风险地区，请核实。"

func TestAnAppealIsFiledOnceAndShownWithItsDeadline(t *testing.T) {
	s := newSite(t)
	b, code := appellant(t, s, "13900000031", true)
	b.get(code).must(t, http.StatusOK, "", `id="act-appeal" href="`+code+`/appeal"`)
	b.get(code+"/appeal").must(t, http.StatusOK, "", "复核申请", "提交后不能修改或撤回", `enctype="multipart/form-data"`,
		`name="attachment"`, `name="reason"`)

	bad := b.postMultipart(code+"/appeal", url.Values{"reason": {"太短"}}, upload{"attachment", "scan.exe", []byte("MZ\x90\x00")})
	bad.must(t, http.StatusUnprocessableEntity, code+"/appeal", `id="reason-error"`, "须为 10 至 1000 个字，现为 2 个字",
		`id="attachment-error"`, "须为 PDF、JPEG 或 PNG 文件", ">太短</textarea>")

	done := b.postMultipart(code+"/appeal", url.Values{"reason": {goodReason}}, upload{"attachment", "回执.png", onePixelPNG})
	done.must(t, http.StatusOK, code, "复核申请已提交", `id="appeals"`, `data-state="appeal.state.filed"`, "已提交，等待区县答复",
		"答复期限：")

	again := b.postMultipart(code+"/appeal", url.Values{"reason": {goodReason}})
	again.must(t, http.StatusConflict, code+"/appeal", "尚未办结，请等待答复", ">"+goodReason+"</textarea>")

	vs, err := s.svc.Appeals(context.Background(), citizenOf(t, s, "13900000031"), personOf(t, code))
	if err != nil {
		t.Fatal(err)
	}
	if len(vs) != 1 || vs[0].Attachment == nil || vs[0].Attachment.ContentType != "image/png" {
		t.Errorf("appeals filed: %+v, want one with its PNG", vs)
	}
}

// citizenOf is the principal of a fresh login of phone.
func citizenOf(t *testing.T, s *site, phone string) *healthcode.Principal {
	t.Helper()
	_, who := citizenSession(t, s.svc, phone)
	return who
}

// district is an officer of the district the test's persons live in.
func district(id int64) *healthcode.Principal {
	return &healthcode.Principal{Role: healthcode.RoleDistrict, OfficialID: id, Region: "330106"}
}

func TestTheCodePageShowsTheDistrictsAnswer(t *testing.T) {
	tests := []struct {
		name  string
		steps []service.StepInput
		want  []string
	}{
		{"rejected with its note", []service.StepInput{{Seq: 1, Action: workflow.ActReject, Note: "密接判定有轨迹依据"}},
			[]string{`data-state="appeal.state.rejected"`, "复核未支持", "区县答复：密接判定有轨迹依据"}},
		{"being decided", []service.StepInput{{Seq: 1, Action: workflow.ActUphold, Colour: "green"}},
			[]string{`data-state="appeal.state.deciding"`, "区县正在办理", "答复期限："}},
		{"upheld, the colour given", []service.StepInput{{Seq: 1, Action: workflow.ActUphold, Colour: "green"},
			{Seq: 2, Action: workflow.ActApprove}}, []string{`data-state="appeal.state.applied"`, "复核支持：已转为绿码", `id="color-word">绿码`}},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newSite(t)
			phone := "1390000004" + strconv.Itoa(i)
			b, code := appellant(t, s, phone, true)
			b.postMultipart(code+"/appeal", url.Values{"reason": {goodReason}}).must(t, http.StatusOK, code, "复核申请已提交")
			vs, err := s.svc.Appeals(context.Background(), citizenOf(t, s, phone), personOf(t, code))
			if err != nil || len(vs) != 1 {
				t.Fatalf("appeals: %v, %v", vs, err)
			}
			for j, st := range tt.steps {
				if _, err := s.svc.Act(context.Background(), district(int64(7+j)), vs[0].ID, st); err != nil {
					t.Fatalf("step %s: %v", st.Action, err)
				}
			}
			b.get(code).must(t, http.StatusOK, code, tt.want...)
		})
	}
}

func TestAnotherCitizenCannotSeeOrFileAnAppealForThePerson(t *testing.T) {
	s := newSite(t)
	owner, code := appellant(t, s, "13900000051", false)
	other := s.browser(t)
	other.login("13900000052")
	notFound := fmt.Sprintf("没有编号为 %d 的健康码", personOf(t, code))
	other.get(code+"/appeal").must(t, http.StatusNotFound, "", notFound)
	other.get(code+"/correction").must(t, http.StatusNotFound, "", notFound)
	other.postMultipart(code+"/appeal", url.Values{"reason": {goodReason}}).must(t, http.StatusNotFound, "", notFound)
	other.post(code+"/correction", url.Values{"variant": {healthcode.VariantWrongColour}, "reason": {goodReason}}).
		must(t, http.StatusNotFound, "", notFound)
	if p := owner.get(code); strings.Contains(p.html, `id="appeals"`) {
		t.Error("another citizen's attempt filed an appeal")
	}
}

func TestAnAppealWithoutTheFormTokenOrTooLargeIsRefused(t *testing.T) {
	s := newSite(t)
	b, code := appellant(t, s, "13900000053", false)
	b.get(code + "/appeal")
	b.postMultipart(code+"/appeal", url.Values{"csrf": {""}, "reason": {goodReason}}).must(t, http.StatusForbidden, "", "表单已过期")
	huge := upload{"attachment", "big.png", append(onePixelPNG, make([]byte, maxUpload)...)}
	b.postMultipart(code+"/appeal", url.Values{"reason": {goodReason}}, huge).must(t, http.StatusRequestEntityTooLarge, "", "上传的文件最大 2 MiB")
	over := upload{"attachment", "big.png", append(onePixelPNG, make([]byte, workflow.MaxAttachment)...)}
	b.postMultipart(code+"/appeal", url.Values{"reason": {goodReason}}, over).must(t, http.StatusUnprocessableEntity, "",
		`id="attachment-error"`, "附件最多 2097152 字节")
	if p := b.get(code); strings.Contains(p.html, `id="appeals"`) {
		t.Error("a refused appeal was filed")
	}
}

func TestAnErrorCorrectionNamesEachBadFieldInTheReadersLanguage(t *testing.T) {
	s := newSite(t)
	b, code := appellant(t, s, "13900000054", false)
	b.get(code+"?lang=en").must(t, http.StatusOK, "", `id="act-correction"`, "Correct an error")
	b.get(code+"/correction").must(t, http.StatusOK, "", "Error correction request", "cannot be changed or withdrawn",
		`value="wrong-colour" id="variant-wrong-colour" checked`)
	bad := b.post(code+"/correction", url.Values{"variant": {"whatever"}, "reason": {"short"}})
	bad.must(t, http.StatusUnprocessableEntity, code+"/correction", `id="variant-error"`, "Choose what is wrong",
		`id="reason-error"`, "must be 10 to 1000 characters; it is 5", "Please correct the marked fields.")
	b.post(code+"/correction", url.Values{"variant": {healthcode.VariantWrongData}, "reason": {"The ID number on record has two digits swapped."}}).
		must(t, http.StatusOK, code, "Your request was filed; your community takes it up.")
}
