package web

import (
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"healthcode"
	"healthcode/internal/permission"
)

// TestEveryAnswerForbidsSniffingAndFraming calls every route, refused and
// allowed, and an unknown path: each answer, JSON, YAML or a code's PNG or
// SVG, forbids sniffing and loads nothing, so an SVG or a JSON string
// opened as a document cannot run a script, and no answer can be framed.
func TestEveryAnswerForbidsSniffingAndFraming(t *testing.T) {
	f := newFixture(t, time.Minute)
	tokens := map[healthcode.Role]string{healthcode.RoleCitizen: f.citizen, healthcode.RoleAdmin: f.admin, healthcode.RoleFeed: f.feed}
	check := func(t *testing.T, method, path, token string) {
		t.Helper()
		req := httptest.NewRequest(method, path, strings.NewReader("{}"))
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		rec := httptest.NewRecorder()
		f.h.ServeHTTP(rec, req)
		h := rec.Result().Header
		if got := h.Get("X-Content-Type-Options"); got != "nosniff" {
			t.Errorf("status %d, %s: X-Content-Type-Options %q, want nosniff", rec.Code, h.Get("Content-Type"), got)
		}
		if got := h.Get("Content-Security-Policy"); got != "default-src 'none'; frame-ancestors 'none'" {
			t.Errorf("status %d, %s: Content-Security-Policy %q", rec.Code, h.Get("Content-Type"), got)
		}
	}
	for _, rt := range table {
		method, path, _ := strings.Cut(rt.pattern, " ")
		path = strings.NewReplacer("{id}", fmt.Sprint(f.personID), "{kind}", "lab", "{code}", "x.y").Replace(path)
		t.Run(rt.pattern, func(t *testing.T) {
			check(t, method, path, "")
			for _, role := range []healthcode.Role{healthcode.RoleCitizen, healthcode.RoleAdmin, healthcode.RoleFeed} {
				if rt.perm != permission.None && permission.Of(role)&rt.perm == rt.perm {
					check(t, method, path, tokens[role])
					break
				}
			}
		})
	}
	t.Run("unknown path", func(t *testing.T) { check(t, "GET", "/api/v1/nothing", "") })
}
