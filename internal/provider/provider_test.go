package provider_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"healthcode"
	"healthcode/internal/provider"
)

var secret = []byte("a shared secret of 32 bytes long")

// fakeProvider answers with the statuses of answers in turn (the last
// repeats) and records what it was sent.
type fakeProvider struct {
	mu       sync.Mutex
	answers  []int
	body     string // sent with a 200
	delay    time.Duration
	requests []*http.Request
	bodies   [][]byte
}

func (f *fakeProvider) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	n := len(f.requests)
	f.requests, f.bodies = append(f.requests, r), append(f.bodies, b)
	status := f.answers[min(n, len(f.answers)-1)]
	f.mu.Unlock()
	if f.delay > 0 {
		select {
		case <-time.After(f.delay):
		case <-r.Context().Done():
			return
		}
	}
	w.WriteHeader(status)
	if status == http.StatusOK {
		io.WriteString(w, f.body)
	}
}

// seen returns what the provider was sent so far.
func (f *fakeProvider) seen() ([]*http.Request, [][]byte) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.requests), slices.Clone(f.bodies)
}

func newClient(t *testing.T, f *fakeProvider) *provider.Client {
	t.Helper()
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	c, err := provider.NewClient(srv.URL, secret)
	if err != nil {
		t.Fatal(err)
	}
	c.Backoff = func(int) time.Duration { return time.Millisecond }
	c.Timeout = 200 * time.Millisecond
	return c
}

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

var person = healthcode.Identity{DocType: healthcode.DocResidentID, Number: "11010519491231002X", Name: "张三", Phone: "13812345678"}

func TestIdentityServiceAnswers(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		provider *fakeProvider
		want     string // error code
		tries    int
	}{
		{"match", &fakeProvider{answers: []int{200}, body: `{"match": true}`}, "", 1},
		{"no match", &fakeProvider{answers: []int{200}, body: `{"match": false}`}, healthcode.EINVALID, 1},
		{"down, then up", &fakeProvider{answers: []int{503, 502, 200}, body: `{"match": true}`}, "", 3},
		{"down for good", &fakeProvider{answers: []int{503}}, healthcode.EUNAVAILABLE, 3},
		{"busy", &fakeProvider{answers: []int{429}}, healthcode.EUNAVAILABLE, 3},
		{"refuses the request: not retried", &fakeProvider{answers: []int{401}}, healthcode.EUNAVAILABLE, 1},
		{"an answer without match is no answer", &fakeProvider{answers: []int{200}, body: `{}`}, healthcode.EUNAVAILABLE, 1},
		{"not JSON", &fakeProvider{answers: []int{200}, body: `<html>`}, healthcode.EUNAVAILABLE, 1},
		{"too slow", &fakeProvider{answers: []int{200}, body: `{"match": true}`, delay: time.Second}, healthcode.EUNAVAILABLE, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := tt.provider
			s := &provider.IdentityService{Client: newClient(t, f), Log: quiet}
			err := s.CheckIdentity(context.Background(), healthcode.IdentityClaim{Identity: person})
			if got := healthcode.ErrorCode(err); got != tt.want {
				t.Errorf("error code %q (%v), want %q", got, err, tt.want)
			}
			if reqs, _ := f.seen(); len(reqs) != tt.tries {
				t.Errorf("%d requests, want %d", len(reqs), tt.tries)
			}
		})
	}
}

// TestRequestsAreSignedAndRetriedUnderOneKey checks what a provider sees:
// the documented body, a signature it can check with the shared secret,
// and one idempotency key for every retry of a request.
func TestRequestsAreSignedAndRetriedUnderOneKey(t *testing.T) {
	t.Parallel()
	f := &fakeProvider{answers: []int{500, 200}}
	g := &provider.SMSGateway{Client: newClient(t, f), Log: quiet}
	msg := healthcode.CodeMessage{Phone: "13812345678", Code: "424242", Purpose: healthcode.CodeConsent,
		Requester: "139****0001", ExpiresAt: time.Now().Add(5 * time.Minute)}
	if err := g.SendCode(context.Background(), msg); err != nil {
		t.Fatal(err)
	}
	reqs, bodies := f.seen()
	if len(reqs) != 2 {
		t.Fatalf("%d requests, want 2", len(reqs))
	}
	if k1, k2 := reqs[0].Header.Get("Idempotency-Key"), reqs[1].Header.Get("Idempotency-Key"); k1 == "" || k1 != k2 {
		t.Errorf("idempotency keys %q and %q, want one key for both tries", k1, k2)
	}
	for i, r := range reqs {
		ts := r.Header.Get("X-Healthcode-Timestamp")
		want := "v1=" + provider.Sign(secret, ts, bodies[i])
		if got := r.Header.Get("X-Healthcode-Signature"); got != want || ts == "" {
			t.Errorf("try %d: signature %q over timestamp %q, want %q", i, got, ts, want)
		}
	}
	var body struct {
		Phone    string `json:"phone"`
		Template string `json:"template"`
		Params   struct {
			Code      string `json:"code"`
			Minutes   int    `json:"minutes"`
			Requester string `json:"requester"`
		} `json:"params"`
	}
	if err := json.Unmarshal(bodies[0], &body); err != nil {
		t.Fatal(err)
	}
	if body.Phone != msg.Phone || body.Template != "consent" || body.Params.Code != "424242" ||
		body.Params.Minutes != 5 || body.Params.Requester != "139****0001" {
		t.Errorf("body %s does not follow the contract", bodies[0])
	}
}

func TestSMSGatewayDownIsUnavailable(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	f := &fakeProvider{answers: []int{503}}
	g := &provider.SMSGateway{Client: newClient(t, f), Log: slog.New(slog.NewTextHandler(&logs, nil))}
	err := g.SendCode(context.Background(), healthcode.CodeMessage{Phone: "13812345678", Code: "424242", Purpose: healthcode.CodeLogin})
	if healthcode.ErrorCode(err) != healthcode.EUNAVAILABLE {
		t.Errorf("error %v, want unavailable", err)
	}
	if strings.Contains(logs.String(), "424242") || strings.Contains(logs.String(), "13812345678") {
		t.Errorf("the log holds the code or the phone: %s", logs.String())
	}
}

func TestNewClientWantsHTTPSAndASecret(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		url    string
		secret string
		ok     bool
	}{
		{"https://idcheck.example.gov.cn/v1/check", string(secret), true},
		{"http://127.0.0.1:9000/check", string(secret), true},
		{"http://idcheck.example.gov.cn/check", string(secret), false},
		{"https://idcheck.example.gov.cn/check", "short", false},
		{"idcheck.example.gov.cn", string(secret), false},
	} {
		_, err := provider.NewClient(tt.url, []byte(tt.secret))
		if (err == nil) != tt.ok {
			t.Errorf("NewClient(%q, %d-byte secret): %v, want ok %v", tt.url, len(tt.secret), err, tt.ok)
		}
	}
}

func TestRegisterMatchesThreeElementsOrAPersonWithoutAPhone(t *testing.T) {
	t.Parallel()
	reg, err := provider.ReadRegister(strings.NewReader("doc_type,doc_number,name,phone,guardians\n"+
		"resident_id,11010519491231002x,张三,+86 138 1234 5678,\n"+
		"resident_id,330106202001010020,张小宝,,\n"+
		"resident_id,330106201801010024,张小贝,,13812345678;13900000001\n"), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	adult := person
	child := healthcode.Identity{DocType: healthcode.DocResidentID, Number: "330106202001010020", Name: "张小宝"}
	guarded := healthcode.Identity{DocType: healthcode.DocResidentID, Number: "330106201801010024", Name: "张小贝"}
	noPhone := func(id healthcode.Identity) healthcode.Identity { id.Phone = ""; return id }
	withPhone := func(id healthcode.Identity, phone string) healthcode.Identity { id.Phone = phone; return id }
	named := func(id healthcode.Identity, name string) healthcode.Identity { id.Name = name; return id }
	tests := []struct {
		name  string
		claim healthcode.IdentityClaim
		ok    bool
	}{
		{"three elements", healthcode.IdentityClaim{Identity: adult}, true},
		{"an adult with a phone of their own, claimed without it", healthcode.IdentityClaim{Identity: noPhone(adult), Guardian: "13900000002"}, false},
		{"another phone", healthcode.IdentityClaim{Identity: withPhone(adult, "13900000000")}, false},
		{"another name", healthcode.IdentityClaim{Identity: named(adult, "李四")}, false},
		{"unknown number", healthcode.IdentityClaim{Identity: healthcode.Identity{DocType: adult.DocType, Number: "110105194912310037", Name: adult.Name, Phone: adult.Phone}}, false},
		{"a child without a phone, no guardians listed", healthcode.IdentityClaim{Identity: child, Guardian: "13900000002"}, true},
		{"a child claimed with a phone", healthcode.IdentityClaim{Identity: withPhone(child, adult.Phone)}, false},
		{"a child from a listed guardian", healthcode.IdentityClaim{Identity: guarded, Guardian: "13900000001"}, true},
		{"a child from a stranger", healthcode.IdentityClaim{Identity: guarded, Guardian: "13900000002"}, false},
	}
	for _, tt := range tests {
		err := reg.CheckIdentity(context.Background(), tt.claim)
		if (err == nil) != tt.ok {
			t.Errorf("%s: %v, want ok %v", tt.name, err, tt.ok)
		}
		if err != nil && err != healthcode.ErrIdentityMismatch {
			t.Errorf("%s: %v, want the one mismatch answer", tt.name, err)
		}
	}
}

func TestRegisterNamesEveryBadLine(t *testing.T) {
	t.Parallel()
	_, err := provider.ReadRegister(strings.NewReader("doc_type,doc_number,name,phone\n"+
		"resident_id,11010519491231002X,张三,13812345678\n"+
		"resident_id,110105194912310021,李四,13812345679\n"+
		"visa,X1,王五,\n"+
		"resident_id,11010519491231002X,赵六,12345\n"), time.Now())
	if err == nil {
		t.Fatal("a register with bad rows was accepted")
	}
	for _, want := range []string{"line 3: doc_number", "line 4: doc_type", "line 5: phone"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
	// A guardians column: a bad phone there, and guardians of someone with a phone.
	_, err = provider.ReadRegister(strings.NewReader("doc_type,doc_number,name,phone,guardians\n"+
		"resident_id,330106202001010020,张小宝,,1234\n"+
		"resident_id,11010519491231002X,张三,13812345678,13900000001\n"), time.Now())
	for _, want := range []string{"line 2: guardians", "line 3: guardians: only a person without a phone"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v does not say %q", err, want)
		}
	}
	if _, err := provider.ReadRegister(strings.NewReader("number,name\n"), time.Now()); err == nil {
		t.Error("a register with the wrong header was accepted")
	}
}

func TestLogSenderMasksThePhone(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	s := provider.LogSender{Log: slog.New(slog.NewTextHandler(&buf, nil))}
	if err := s.SendCode(context.Background(), healthcode.CodeMessage{Phone: "13812345678", Code: "424242", Purpose: healthcode.CodeLogin}); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if strings.Contains(out, "13812345678") || !strings.Contains(out, "138****5678") || !strings.Contains(out, "424242") {
		t.Errorf("dev sender logged %q, want the code with the phone masked as 138****5678", out)
	}
}

// TestRedirectsAreNotFollowed: a provider answering 307 elsewhere gets the
// identity no further; the answer is a refusal, not retried.
func TestRedirectsAreNotFollowed(t *testing.T) {
	t.Parallel()
	elsewhere := &fakeProvider{answers: []int{200}, body: `{"match": true}`}
	other := httptest.NewServer(elsewhere)
	t.Cleanup(other.Close)
	redirecting := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+"/steal", http.StatusTemporaryRedirect)
	}))
	t.Cleanup(redirecting.Close)
	c, err := provider.NewClient(redirecting.URL, secret)
	if err != nil {
		t.Fatal(err)
	}
	s := &provider.IdentityService{Client: c, Log: quiet}
	err = s.CheckIdentity(context.Background(), healthcode.IdentityClaim{Identity: person})
	if healthcode.ErrorCode(err) != healthcode.EUNAVAILABLE {
		t.Errorf("after a redirect: %v, want unavailable", err)
	}
	if reqs, _ := elsewhere.seen(); len(reqs) != 0 {
		t.Errorf("the redirect's target got %d requests, want none", len(reqs))
	}
}
