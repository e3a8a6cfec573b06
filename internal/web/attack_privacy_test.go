package web

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"healthcode"
	"healthcode/internal/service"
	"healthcode/internal/store"
)

// loggedService is a service on a fresh SQLite database whose every log
// line, debug included, the test reads.
func loggedService(t *testing.T) (*service.Service, *slog.Logger, *syncBuffer) {
	t.Helper()
	db, err := store.OpenSQLite(context.Background(), filepath.Join(t.TempDir(), "hc.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	logged := new(syncBuffer)
	log := slog.New(slog.NewTextHandler(logged, &slog.HandlerOptions{Level: slog.LevelDebug}))
	return newService(t, db, service.Config{Issuer: "330100", TokenTTL: time.Minute, Dev: true}, log, nil), log, logged
}

// syncBuffer is a log the server and the test share.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// An official's login, unmasking, steps and finding leave in the server's
// log and the public log their ids, roles and categories only: never the
// person's name, ID number or phone, the unmasking's reason, the
// official's login, password, TOTP code or token.
func TestOfficialsActionsLogNothingIdentifying(t *testing.T) {
	svc, log, logged := loggedService(t)
	f := &fixture{h: NewServer(log, svc), svc: svc}
	citizen, id, number := workflowPerson(t, f, "13900099201", "33010619850101207", "330106")
	o := f.appoint(t, "secret.login.x", healthcode.RoleDistrict, "330106")
	code := o.totpCode(t, time.Now())
	rec := f.post(t, "/api/v1/officials/login", "", loginBody(o, officialPassword, code))
	if rec.Code != http.StatusOK {
		t.Fatalf("login: %d %s", rec.Code, rec.Body)
	}
	token := strings.Split(strings.Split(rec.Body.String(), `"token":"`)[1], `"`)[0]
	reason := "流调需要核实联系方式，电话回访独特理由"
	call(t, f, "POST", fmt.Sprintf("/api/v1/officials/persons/%d/unmask", id), token,
		map[string]string{"reason": reason, "category": "investigation"}, http.StatusOK, nil)
	var w wf
	call(t, f, "POST", fmt.Sprintf("/api/v1/persons/%d/appeals", id), citizen,
		map[string]any{"reason": "我没有接触过病例，请复核。"}, http.StatusCreated, &w)
	act(t, f, token, w, "reject", "", "经核查确有接触史")
	call(t, f, "POST", fmt.Sprintf("/api/v1/officials/persons/%d/findings", id), token,
		map[string]string{"finding": "申报无接触史，流调查明曾与确诊病例同乘航班"}, http.StatusCreated, nil)
	tree := f.sequenced(t)
	var public strings.Builder
	for i := range tree.N {
		var e struct{ Entry []byte }
		f.getJSON(t, fmt.Sprintf("/api/v1/log/entries/%d", i), &e)
		public.Write(e.Entry)
	}
	if !strings.Contains(logged.String(), "person unmasked") || !strings.Contains(public.String(), "investigation") {
		t.Fatalf("the unmasking was not logged: %s / %s", logged.String(), public.String())
	}
	for where, text := range map[string]string{"the server's log": logged.String(), "the public log": public.String()} {
		for _, secret := range []string{"李四", number, "13900099201", reason, o.login, officialPassword, code, token, o.secret} {
			if strings.Contains(text, secret) {
				t.Errorf("%s holds %q", where, secret)
			}
		}
	}
}
