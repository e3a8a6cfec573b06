package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"healthcode/internal/store/pgtest"
	"healthcode/policy"
)

// key makes an API key with the real command against the running
// server's store: keys ROLE-COMMAND FLAGS….
func (s *testServer) key(t *testing.T, args ...string) string {
	t.Helper()
	var out, errs bytes.Buffer
	all := append(append([]string{"keys"}, args...), append([]string{"--data", s.data}, s.extra...)...)
	if err := run(context.Background(), all, s.getenv, &out, &errs); err != nil {
		t.Fatalf("keys %v: %v\n%s", args, err, errs.String())
	}
	return strings.TrimSpace(out.String())
}

func TestServeRefusesToStartWithoutRealNameCheckOrSMS(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		args  []string
		wants []string
	}{
		{"neither", nil, []string{"--identity-check: required", "--sms: required"}},
		{"a register that is not there", []string{"--identity-check", "file:/nonexistent/register.csv", "--sms", "https://sms.example.gov.cn/send"},
			[]string{"/nonexistent/register.csv", "HEALTHCODE_SMS_SECRET"}},
		{"a provider without its secret", []string{"--identity-check", "https://idcheck.example.gov.cn/v1"},
			[]string{"HEALTHCODE_IDENTITY_SECRET", "--sms: required"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			args := append([]string{"serve", "--addr", "127.0.0.1:0", "--data", filepath.Join(t.TempDir(), "data")}, tt.args...)
			var out, errs bytes.Buffer
			err := run(context.Background(), args, func(string) string { return "" }, &out, &errs)
			if err == nil {
				t.Fatal("the server started")
			}
			for _, want := range tt.wants {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not say %q", err, want)
				}
			}
			if strings.Contains(out.String(), "listening") {
				t.Error("it listened before refusing")
			}
		})
	}
}

func TestDevServerSaysItChecksNoOne(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	for _, want := range []string{"every identity is accepted without a real-name check", "one-time codes are written to this log"} {
		if !strings.Contains(s.logs.String(), want) {
			t.Errorf("a --dev start does not warn %q:\n%s", want, s.logs)
		}
	}
}

// TestSquattingOverHTTP is the squatting attack against the real program
// with a real-name register: account B applies with A's ID number for
// themself and as A's relative and is refused with the answers an ID
// nobody holds gets; nothing is written; A then applies and finds the lab
// result that was waiting.
func TestSquattingOverHTTP(t *testing.T) {
	t.Parallel()
	t.Run("sqlite", func(t *testing.T) { t.Parallel(); testSquattingOverHTTP(t) })
	t.Run("postgres", func(t *testing.T) { t.Parallel(); testSquattingOverHTTP(t, "--db", pgtest.NewDatabase(t)) })
}

func testSquattingOverHTTP(t *testing.T, store ...string) {
	const phoneA, phoneB, nameA = "13900070001", "13900070002", "冯丽华"
	idA := residentID(t, "33010619910101002")
	idFree := residentID(t, "33010619910202002")
	// An elderly woman with a phone of her own: of proxy age, but no
	// stranger may register her on theirs.
	const nameE, phoneE = "钱桂英", "13900070005"
	idE := residentID(t, "33010619500505002")
	reg := filepath.Join(t.TempDir(), "register.csv")
	rows := "doc_type,doc_number,name,phone\nresident_id," + idA + "," + nameA + "," + phoneA + "\n" +
		"resident_id," + idE + "," + nameE + "," + phoneE + "\n"
	if err := os.WriteFile(reg, []byte(rows), 0o600); err != nil {
		t.Fatal(err)
	}
	s := startServer(t, append([]string{"--identity-check", "file:" + reg}, store...)...)
	s.extra = store // the operator's commands take the store flags only
	feed := s.key(t, "create-feed", "--name", "lab-1", "--kinds", "lab")
	var report struct{ Pending int }
	now := time.Now().In(policy.ChinaTime)
	row := "l-1," + idA + "," + now.Add(-time.Hour).Format("2006-01-02 15:04") + "," + now.Add(-3*time.Hour).Format("2006-01-02 15:04") + ",positive\n"
	if code := s.postFeed(t, feed, "lab", "source_ref,doc_number,at,sampled,result\n"+row, &report); code != http.StatusOK || report.Pending != 1 {
		t.Fatalf("lab feed: %d %+v, want 200 and 1 pending", code, report)
	}
	b := s.login(t, phoneB)
	for _, tt := range []struct {
		name     string
		relation string
		phone    string
	}{
		{"self on B's phone", "self", phoneB},
		{"a parent on B's phone", "parent", phoneB},
		{"a parent with A's phone, no consent", "parent", phoneA},
		{"a parent with A's phone, a guessed consent", "parent", phoneA},
	} {
		answer := func(number string) (int, string) {
			app := application(number, nameA, tt.phone, false)
			app["relation"] = tt.relation
			if strings.Contains(tt.name, "guessed") {
				app["consent_code"] = "000000"
			}
			var body json.RawMessage
			code := s.call(t, "POST", "/api/v1/persons", b, app, &body)
			return code, string(body)
		}
		codeA, bodyA := answer(idA)
		if codeA != http.StatusBadRequest {
			t.Errorf("%s: %d %s, want 400", tt.name, codeA, bodyA)
		}
		if tt.phone == phoneB {
			// With B's phone the check fails for either number; B cannot
			// tell a held ID from a free one.
			if codeF, bodyF := answer(idFree); codeF != codeA || bodyF != bodyA {
				t.Errorf("%s: a held ID answers %d %s, a free one %d %s", tt.name, codeA, bodyA, codeF, bodyF)
			}
		}
	}
	elderly := application(idE, nameE, phoneB, false)
	elderly["relation"] = "parent"
	var refusal json.RawMessage
	if code := s.call(t, "POST", "/api/v1/persons", b, elderly, &refusal); code != http.StatusBadRequest {
		t.Errorf("an elderly woman with her own phone, on B's: %d %s, want 400", code, refusal)
	}
	var consent struct {
		SentTo string `json:"sent_to"`
	}
	req := map[string]any{"relation": "parent", "region": "330106",
		"identity": map[string]any{"doc_type": "resident_id", "number": idA, "name": nameA, "phone": phoneA}}
	if code := s.call(t, "POST", "/api/v1/persons/consent", b, req, &consent); code != http.StatusAccepted || consent.SentTo != "139****0001" {
		t.Errorf("consent request: %d %+v, want 202 sent to 139****0001", code, consent)
	}
	var persons struct{ Persons []person }
	if s.call(t, "GET", "/api/v1/persons", b, nil, &persons); len(persons.Persons) != 0 {
		t.Fatalf("B manages %d persons, want none", len(persons.Persons))
	}

	a := s.login(t, phoneA)
	var mine person
	if code := s.call(t, "POST", "/api/v1/persons", a, application(idA, nameA, phoneA, false), &mine); code != http.StatusCreated {
		t.Fatalf("A applies: %d", code)
	}
	if mine.Status.Color != "red" {
		t.Errorf("A after applying: %s by %s, want red from the positive result that waited", mine.Status.Color, mine.Status.Rule)
	}
	if strings.Contains(s.logs.String(), idA) || strings.Contains(s.logs.String(), nameA) {
		t.Error("the server log names A")
	}
}
