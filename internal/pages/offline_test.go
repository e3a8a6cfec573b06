package pages

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"healthcode"
)

// TestCheckpointServiceWorkerMayControlOnlyTheCheckpoint: the worker kept
// with the assets is allowed the scope /checkpoint (a worker may not reach
// above its folder otherwise), is revalidated on each load, and runs under
// the pages' policy; the scanner loads the offline script and its words.
func TestCheckpointServiceWorkerMayControlOnlyTheCheckpoint(t *testing.T) {
	s := newSite(t)
	res, err := s.srv.Client().Get(s.srv.URL + "/static/checkpoint-sw.js")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	h := res.Header
	if res.StatusCode != http.StatusOK || h.Get("Service-Worker-Allowed") != "/checkpoint" || h.Get("Cache-Control") != "no-cache" ||
		!strings.HasPrefix(h.Get("Content-Type"), "text/javascript") || !strings.Contains(h.Get("Content-Security-Policy"), "default-src 'self'") {
		t.Errorf("worker: %d %v", res.StatusCode, h)
	}
	res, err = s.srv.Client().Get(s.srv.URL + "/static/scan.js")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if got := res.Header.Get("Service-Worker-Allowed"); got != "" {
		t.Errorf("scan.js allows a worker scope %q", got)
	}
	s.browser(t).get("/checkpoint").must(t, http.StatusOK, "/checkpoint", `<script src="/static/offline.js" defer>`,
		`data-notice="离线 — 颜色以码上所示为准，核验于 %s"`, `data-reason-bad_signature="签名无效，疑似伪造。"`, `id="offline-verdict"`)
}

// TestCheckpointPageSendsAQueuedScan: the offline queue posts the scanner's
// form with scanned_at; the page judges it as the API does and names the
// field it cannot read.
func TestCheckpointPageSendsAQueuedScan(t *testing.T) {
	s := newSite(t)
	green := mustCode(t, s.svc, "13900000134", "E22345671", false)
	staff, _ := staffBrowser(t, s, "gate 5", healthcode.RoleCheckpoint)
	staff.get("/checkpoint")
	now := time.Now().UTC().Format(time.RFC3339)
	staff.post("/checkpoint/verify", url.Values{"token": {green}, "temperature": {"36.8"}, "scanned_at": {now}}).
		must(t, http.StatusOK, "", `data-kind="pass"`, `id="verdict-temperature">36.8 °C</dd>`)
	for _, tt := range []struct {
		name, scanned string
		status        int
	}{
		{"not a time", "5 minutes ago", http.StatusUnprocessableEntity},
		{"older than a day", time.Now().Add(-25 * time.Hour).Format(time.RFC3339), http.StatusUnprocessableEntity},
	} {
		got := staff.post("/checkpoint/verify", url.Values{"token": {green}, "temperature": {"36.8"}, "scanned_at": {tt.scanned}})
		if got.status != tt.status || strings.Contains(got.html, `data-kind=`) {
			t.Errorf("%s: %d, want %d and no verdict", tt.name, got.status, tt.status)
		}
	}
	anonymous := s.browser(t)
	anonymous.get("/checkpoint")
	if got := anonymous.post("/checkpoint/verify", url.Values{"token": {green}, "temperature": {"36.8"}, "scanned_at": {now}}); got.status != http.StatusForbidden {
		t.Errorf("a queued scan without a checkpoint's login: %d, want 403", got.status)
	}
}
