package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"healthcode/internal/store/pgtest"
)

// officialsCmd runs `healthcode officials ARGS…` against the server's store.
func (s *testServer) officialsCmd(t *testing.T, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errs bytes.Buffer
	args = append(append([]string{"officials"}, args...), append([]string{"--data", s.data}, s.extra...)...)
	err = run(context.Background(), args, s.getenv, &out, &errs)
	return out.String(), errs.String(), err
}

var createdLine = regexp.MustCompile(`(?m)^(password|totp secret|totp uri): +(\S+)$`)

// TestOfficialsCommandsOpenListAndDisableAccounts drives the officials
// commands against a running server, on each store: the printed password
// and TOTP secret log in, and a disabled account stops working at once.
func TestOfficialsCommandsOpenListAndDisableAccounts(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) { testOfficialsCommands(t, startServer(t)) })
	t.Run("postgres", func(t *testing.T) { testOfficialsCommands(t, startServer(t, "--db", pgtest.NewDatabase(t))) })
}

func testOfficialsCommands(t *testing.T, s *testServer) {
	out, errs, err := s.officialsCmd(t, "create", "--login", "wang.street", "--role", "street", "--scope", "330106001")
	if err != nil {
		t.Fatalf("officials create: %v\n%s", err, errs)
	}
	printed := map[string]string{}
	for _, m := range createdLine.FindAllStringSubmatch(out, -1) {
		printed[m[1]] = m[2]
	}
	if len(printed["password"]) < 12 || printed["totp secret"] == "" || !strings.HasPrefix(printed["totp uri"], "otpauth://totp/") {
		t.Fatalf("officials create printed %q", out)
	}
	code, err := totp.GenerateCode(printed["totp secret"], time.Now())
	if err != nil {
		t.Fatal(err)
	}
	var sess struct {
		Token string `json:"token"`
		Scope string `json:"scope"`
	}
	if st := s.call(t, "POST", "/api/v1/officials/login", "", map[string]string{"login": "wang.street",
		"password": printed["password"], "code": code}, &sess); st != http.StatusOK || sess.Scope != "330106001" {
		t.Fatalf("login with the printed password and code: %d %+v", st, sess)
	}
	if st := s.call(t, "GET", "/api/v1/officials/persons", sess.Token, nil, nil); st != http.StatusOK {
		t.Errorf("persons in scope: %d", st)
	}

	list, _, err := s.officialsCmd(t, "list")
	if err != nil || !strings.Contains(list, "wang.street") || !strings.Contains(list, "330106001") ||
		strings.Contains(list, printed["password"]) || strings.Contains(list, "argon2") {
		t.Errorf("officials list: %v\n%s", err, list)
	}
	js, _, err := s.officialsCmd(t, "list", "--json")
	var views []struct {
		Login, Role, Scope string
	}
	if err != nil || json.Unmarshal([]byte(js), &views) != nil || len(views) != 1 || views[0].Role != "street" {
		t.Errorf("officials list --json: %v\n%s", err, js)
	}

	if out, errs, err := s.officialsCmd(t, "disable", "wang.street"); err != nil || !strings.Contains(out, "disabled street account") {
		t.Fatalf("officials disable: %v %s %s", err, out, errs)
	}
	if st := s.call(t, "GET", "/api/v1/officials/persons", sess.Token, nil, nil); st != http.StatusUnauthorized {
		t.Errorf("a disabled account's session: %d, want 401", st)
	}
	if _, _, err := s.officialsCmd(t, "disable", "wang.street"); err == nil || !strings.Contains(err.Error(), "disabled already") {
		t.Errorf("disabling twice: %v", err)
	}
}

func TestOfficialsCommandsRefuseBadInput(t *testing.T) {
	s := startServer(t)
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"create", "--login", "x", "--role", "street", "--scope", "330106001"}, "login"},
		{[]string{"create", "--login", "wang", "--role", "mayor", "--scope", "330106001"}, "role"},
		{[]string{"create", "--login", "wang", "--role", "street", "--scope", "330106000"}, "scope"},
		{[]string{"create", "--login", "wang", "--role", "checkpoint", "--scope", "330106"}, "role"},
		{[]string{"disable"}, "name exactly one account"},
		{[]string{"disable", "nobody"}, `"nobody"`},
		{[]string{"promote"}, "usage"},
	}
	for _, tt := range tests {
		_, _, err := s.officialsCmd(t, tt.args...)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("officials %v: %v, want an error about %s", tt.args, err, tt.want)
		}
	}
}

func TestOfficialsHelp(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), []string{"officials", "--help"}, func(string) string { return "" }, &out, &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"officials create", "--scope", "officials list", "officials disable", "prints", "once"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("officials --help does not say %q:\n%s", want, out.String())
		}
	}
}
