package web

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"healthcode"
	"healthcode/identity"
	"healthcode/internal/workflow"
)

// Attacks on what the new routes read: attachments that are not what
// they say or a byte too big, base64 of another alphabet, file names
// that are paths or hold line breaks, bodies that are no JSON object,
// release lists too big or for a division written as a pattern.

var pngHead = []byte("\x89PNG\r\n\x1a\n")

func TestAttachmentsAreCheckedByTheirBytesSizeAndName(t *testing.T) {
	f := newFixture(t, time.Minute)
	odd := append(append([]byte{}, pngHead...), 0xfb, 0xff, 0xfe, 0xfb) // encodes with + and /
	tests := []struct {
		name, filename, content string
		want                    int
		stored                  string // the file name kept, for an accepted file
	}{
		{"exactly 2 MiB", "a.png", base64.StdEncoding.EncodeToString(padTo(pngHead, workflow.MaxAttachment)), http.StatusCreated, "a.png"},
		{"a byte over 2 MiB", "a.png", base64.StdEncoding.EncodeToString(padTo(pngHead, workflow.MaxAttachment+1)), http.StatusBadRequest, ""},
		{"URL-safe base64", "a.png", base64.URLEncoding.EncodeToString(odd), http.StatusBadRequest, ""},
		{"unpadded base64", "a.png", base64.RawStdEncoding.EncodeToString(odd[:10]), http.StatusBadRequest, ""},
		{"base64 that is none", "a.png", "!!!!", http.StatusBadRequest, ""},
		{"an empty file", "a.png", "", http.StatusBadRequest, ""},
		{"HTML named .png", "a.png", base64.StdEncoding.EncodeToString([]byte("<html><script>alert(1)</script>")), http.StatusBadRequest, ""},
		{"SVG", "a.svg", base64.StdEncoding.EncodeToString([]byte(`<svg xmlns="http://www.w3.org/2000/svg"><script/></svg>`)), http.StatusBadRequest, ""},
		{"a PNG's magic bytes one off", "a.png", base64.StdEncoding.EncodeToString(pngHead[1:]), http.StatusBadRequest, ""},
		{"a path as the name", "../../etc/x.png", base64.StdEncoding.EncodeToString(odd), http.StatusCreated, "x.png"},
		{"a Windows path as the name", `C:\Users\x\y.png`, base64.StdEncoding.EncodeToString(odd), http.StatusCreated, "y.png"},
		{"the parent directory as the name", "..", base64.StdEncoding.EncodeToString(odd), http.StatusBadRequest, ""},
		{"a line break in the name", "a\r\nContent-Disposition: inline.png", base64.StdEncoding.EncodeToString(odd), http.StatusBadRequest, ""},
		{"a NUL in the name", "a.png\x00.html", base64.StdEncoding.EncodeToString(odd), http.StatusBadRequest, ""},
		{"no name", "", base64.StdEncoding.EncodeToString(odd), http.StatusBadRequest, ""},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			citizen, id, _ := workflowPerson(t, f, fmt.Sprintf("139000960%02d", i), fmt.Sprintf("330106198501016%02d", i), "330106")
			var w wf
			body := call(t, f, "POST", fmt.Sprintf("/api/v1/persons/%d/appeals", id), citizen, map[string]any{
				"reason": "我没有接触过病例，请复核。", "attachment": map[string]string{"filename": tt.filename, "content_base64": tt.content},
			}, tt.want, &w)
			if tt.want != http.StatusCreated {
				if !strings.Contains(body, `"field":"attachment`) {
					t.Errorf("the refusal names no attachment field: %s", body)
				}
				return
			}
			if !strings.Contains(body, `"filename":"`+tt.stored+`"`) {
				t.Errorf("stored as %s, want the name %q", body, tt.stored)
			}
		})
	}
}

func padTo(head []byte, n int) []byte {
	return append(append([]byte{}, head...), bytes.Repeat([]byte{'x'}, n-len(head))...)
}

// A file that starts as a PDF and goes on as a web page is served as a
// download of the PDF type, never for the browser to render or sniff.
func TestAPolyglotAttachmentIsServedAsADownload(t *testing.T) {
	f := newFixture(t, time.Minute)
	citizen, id, _ := workflowPerson(t, f, "13900097001", "33010619850101701", "330106")
	district := f.officialToken(t, healthcode.RoleDistrict, 1, "330106")
	poly := []byte("%PDF-1.4\n<html><script>alert(document.cookie)</script></html>")
	var w wf
	call(t, f, "POST", fmt.Sprintf("/api/v1/persons/%d/appeals", id), citizen, map[string]any{"reason": "我没有接触过病例，请复核。",
		"attachment": map[string]string{"filename": "report.html", "content_base64": base64.StdEncoding.EncodeToString(poly)}},
		http.StatusCreated, &w)
	req := httptest.NewRequest("GET", fmt.Sprintf("/api/v1/officials/workflows/%d/attachment", w.ID), nil)
	req.Header.Set("Authorization", "Bearer "+district)
	rec := httptest.NewRecorder()
	f.h.ServeHTTP(rec, req)
	h := rec.Header()
	if rec.Code != http.StatusOK || h.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(h.Get("Content-Disposition"), "attachment;") ||
		h.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("%d, headers %v", rec.Code, h)
	}
}

// Bodies that are no JSON object of the route's fields are refused with
// a 4xx on every new route, never a 5xx.
func TestMalformedBodiesOnTheNewRoutesAre4xx(t *testing.T) {
	f := newFixture(t, time.Minute)
	citizen, id, _ := workflowPerson(t, f, "13900098001", "33010619850101801", "330106")
	admin := f.officialToken(t, healthcode.RoleAdministrator, 1, "330106")
	district := f.officialToken(t, healthcode.RoleDistrict, 2, "330106")
	community := f.officialToken(t, healthcode.RoleCommunity, 3, "330106")
	isolation := f.officialToken(t, healthcode.RoleIsolation, 4, "330106")
	var w wf
	call(t, f, "POST", fmt.Sprintf("/api/v1/persons/%d/appeals", id), citizen,
		map[string]any{"reason": "我没有接触过病例，请复核。"}, http.StatusCreated, &w)
	routes := []struct{ method, path, token, contentType string }{
		{"POST", "/api/v1/officials/login", "", "application/json"},
		{"POST", "/api/v1/admin/officials", admin, "application/json"},
		{"POST", fmt.Sprintf("/api/v1/officials/persons/%d/unmask", id), district, "application/json"},
		{"POST", "/api/v1/officials/workflows", community, "application/json"},
		{"POST", fmt.Sprintf("/api/v1/officials/workflows/%d/steps", w.ID), district, "application/json"},
		{"POST", fmt.Sprintf("/api/v1/persons/%d/appeals", id), citizen, "application/json"},
		{"POST", fmt.Sprintf("/api/v1/persons/%d/corrections", id), citizen, "application/json"},
		{"POST", fmt.Sprintf("/api/v1/officials/persons/%d/findings", id), district, "application/json"},
		{"POST", "/api/v1/officials/release-lists?point=x", isolation, "application/json"},
		{"POST", "/api/v1/officials/release-lists?point=x", isolation, "text/csv"},
		{"POST", "/api/v1/officials/release-lists?point=x", isolation, "text/plain"},
	}
	bodies := []string{"", "{", "[]", "null", `"text"`, "0", `{"unknown":1}`, `{"seq":1e400}`, `{"seq":"1"}`,
		`{"person_id":-1,"kind":"home_release"}`, `{"rows":{}}`, `{"rows":[1,"x",null]}`, `{"rows":[{"doc_number":null}]}`,
		`{"attachment":{"filename":1}}`, `{"attachment":"x"}`, "\xff\xfe", "doc_type,doc_number\n\"unterminated",
		`{"login":"` + strings.Repeat("a", 70000) + `"}`}
	for _, rt := range routes {
		for _, b := range bodies {
			t.Run(fmt.Sprintf("%s %s %s %.20q", rt.method, rt.path, rt.contentType, b), func(t *testing.T) {
				status, body := f.doBody(t, rt.method, rt.path, rt.token, rt.contentType, b)
				if status < 400 || status >= 500 {
					t.Errorf("%d %.300s, want a 4xx", status, body)
				}
			})
		}
	}
}

// A release list is for a division the uploader's scope covers, written
// as a division: not as a prefix or a pattern; and a list too big is
// refused whole.
func TestReleaseListsCannotNameADivisionAsAPattern(t *testing.T) {
	f := newFixture(t, time.Minute)
	isolation := f.officialToken(t, healthcode.RoleIsolation, 1, "330106")
	number := "33010619850101901"
	check, _ := identity.ResidentIDCheckChar(number)
	row := "resident_id," + number + string(check) + "," + china(time.Now().Add(-time.Hour)) + "\n"
	csv := "doc_type,doc_number,released_at\n" + row
	tests := []struct {
		name, division, body string
		want                 int
	}{
		{"a percent", "330106%", csv, http.StatusBadRequest},
		{"a bare percent", "%", csv, http.StatusBadRequest},
		{"an underscore", "33010_", csv, http.StatusBadRequest},
		{"a city prefix", "3301", csv, http.StatusBadRequest},
		{"the city", "330100", csv, http.StatusForbidden},
		{"a neighbouring district", "330105", csv, http.StatusForbidden},
		{"a town padded with 000", "330106001000", csv, http.StatusBadRequest},
		{"over 2 MiB", "", "doc_type,doc_number,released_at\n" + strings.Repeat(row, 2<<20/len(row)+1), http.StatusBadRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, body := f.doBody(t, "POST", "/api/v1/officials/release-lists?point=x&division="+url.QueryEscape(tt.division), isolation, "text/csv", tt.body)
			if code != tt.want {
				t.Errorf("%d %.300s, want %d", code, body, tt.want)
			}
		})
	}
	if _, body := f.do(t, "GET", "/api/v1/officials/release-lists", isolation, nil); !strings.Contains(string(body), `"lists":[]`) {
		t.Errorf("a refused list was stored: %s", body)
	}
}
