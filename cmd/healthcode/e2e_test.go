package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"image/png"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"

	"healthcode/healthqr"
	"healthcode/identity"
	"healthcode/internal/store/pgtest"
)

// syncBuffer collects a server's output while it runs.
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

// testServer runs the real program on a random port and returns its URL.
type testServer struct {
	url    string
	data   string
	extra  []string // store flags, shared with the operator commands
	logs   *syncBuffer
	getenv func(string) string
}

func startServer(t *testing.T, extra ...string) *testServer {
	t.Helper()
	return startServerIn(t, filepath.Join(t.TempDir(), "data"), extra...) // made 0700 by the server; t.TempDir's are 0755
}

// startServerIn is startServer on the data directory data.
func startServerIn(t *testing.T, data string, extra ...string) *testServer {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	logs := &syncBuffer{}
	getenv := func(string) string { return "" }
	args := append([]string{"serve", "--addr", "127.0.0.1:0", "--data", data, "--dev"}, extra...)
	done := make(chan error, 1)
	go func() { done <- run(ctx, args, getenv, pw, logs); pw.Close() }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("server stopped with %v", err)
		}
	})
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		t.Fatalf("server did not start: %v; logs:\n%s", err, logs)
	}
	go io.Copy(io.Discard, pr)
	url, ok := strings.CutPrefix(strings.TrimSpace(line), "healthcode listening on ")
	if !ok {
		t.Fatalf("unexpected first line %q", line)
	}
	return &testServer{url: url, data: data, extra: extra, logs: logs, getenv: getenv}
}

// call sends a JSON request and decodes the JSON answer into out.
func (s *testServer) call(t *testing.T, method, path, token string, body, out any) int {
	t.Helper()
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, s.url+path, r)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s %s: %v in %s", method, path, err, b)
		}
	}
	return res.StatusCode
}

func (s *testServer) login(t *testing.T, phone string) string {
	t.Helper()
	var otp struct {
		DevCode string `json:"dev_code"`
	}
	if code := s.call(t, "POST", "/api/v1/auth/otp", "", map[string]string{"phone": phone}, &otp); code != http.StatusAccepted {
		t.Fatalf("otp: status %d", code)
	}
	var login struct {
		Token string `json:"token"`
	}
	if code := s.call(t, "POST", "/api/v1/auth/login", "", map[string]string{"phone": phone, "code": otp.DevCode}, &login); code != http.StatusOK {
		t.Fatalf("login: status %d", code)
	}
	return login.Token
}

// residentID makes a valid GB 11643 number from 17 digits.
func residentID(t *testing.T, first17 string) string {
	c, err := identity.ResidentIDCheckChar(first17)
	if err != nil {
		t.Fatal(err)
	}
	return first17 + string(c)
}

func application(number, name, phone string, contact bool) map[string]any {
	return map[string]any{
		"identity": map[string]any{"doc_type": "resident_id", "number": number, "name": name, "phone": phone},
		"region":   "330106",
		"declaration": map[string]any{"fever": false, "cough": false, "other_symptoms": false,
			"left_region_14d": false, "abroad_14d": false, "contact_cases": contact, "commitment": true},
	}
}

type person struct {
	ID     int64 `json:"id"`
	Name   string
	Status struct {
		Color  string `json:"color"`
		Rule   string `json:"rule"`
		Reason struct{ En string }
	} `json:"status"`
}

type verification struct {
	Valid  bool   `json:"valid"`
	Reason string `json:"reason"`
	Pass   bool   `json:"pass"`
	Color  string `json:"color"`
	Name   string `json:"name"`
	IDTail string `json:"id_tail"`
}

// decodeQR reads the text of a QR code in a PNG, as a scanner would.
func decodeQR(t *testing.T, dataURL string) string {
	t.Helper()
	b64, ok := strings.CutPrefix(dataURL, "data:image/png;base64,")
	if !ok {
		t.Fatalf("qr_png is not a PNG data URL: %.40s", dataURL)
	}
	raw, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		t.Fatal(err)
	}
	res, err := qrcode.NewQRCodeReader().Decode(bmp, map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_TRY_HARDER: true})
	if err != nil {
		// gozxing's finder misses about 1 in 100 clean codes; its
		// pure-barcode mode reads the same image.
		res, err = qrcode.NewQRCodeReader().Decode(bmp, map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_PURE_BARCODE: true})
	}
	if err != nil {
		t.Fatalf("decode QR: %v", err)
	}
	return res.GetText()
}

// TestEndToEnd drives the whole flow over real HTTP, on each store.
func TestEndToEnd(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) { testEndToEnd(t, startServer(t)) })
	t.Run("postgres", func(t *testing.T) { testEndToEnd(t, startServer(t, "--db", pgtest.NewDatabase(t))) })
}

func testEndToEnd(t *testing.T, s *testServer) {
	const phone, name = "13812345678", "王小明"
	number := residentID(t, "33010619900307123")
	token := s.login(t, phone)

	var p person
	if code := s.call(t, "POST", "/api/v1/persons", token, application(number, name, phone, false), &p); code != http.StatusCreated {
		t.Fatalf("apply: status %d", code)
	}
	if p.Status.Color != "green" || p.Status.Reason.En == "" {
		t.Fatalf("applied person = %+v, want an explained green", p)
	}

	var code struct {
		Token string `json:"token"`
		Color string `json:"color"`
		QRPNG string `json:"qr_png"`
		QRSVG string `json:"qr_svg"`
	}
	if st := s.call(t, "GET", fmt.Sprintf("/api/v1/persons/%d/code", p.ID), token, nil, &code); st != http.StatusOK {
		t.Fatalf("code: status %d", st)
	}
	if len(code.Token) > 160 || strings.Contains(code.Token, number[10:]) {
		t.Fatalf("token %q: too long or carries the ID number", code.Token)
	}
	scanned := decodeQR(t, code.QRPNG)
	if scanned != code.Token {
		t.Fatalf("QR decodes to %q, want the token %q", scanned, code.Token)
	}
	if !strings.HasPrefix(code.QRSVG, "<svg") && !strings.HasPrefix(code.QRSVG, "<?xml") {
		t.Errorf("qr_svg does not look like SVG: %.40s", code.QRSVG)
	}

	var v verification
	s.call(t, "POST", "/api/v1/verify", "", map[string]any{"token": scanned}, &v)
	if !v.Valid || !v.Pass || v.Color != "green" || v.Name != "王*明" || v.IDTail != number[14:] {
		t.Fatalf("verify = %+v, want valid green pass with masked identity", v)
	}

	checkpoint := s.checkpointKey(t, "West Lake gate 3")
	v = verification{}
	s.call(t, "POST", "/api/v1/verify", checkpoint, map[string]any{"token": scanned, "temperature": 38.5}, &v)
	if !v.Valid || v.Pass || v.Color != "yellow" {
		t.Fatalf("verify with fever = %+v, want valid, refused, yellow", v)
	}
	var st struct {
		Color string `json:"color"`
		Rule  string `json:"rule"`
	}
	s.call(t, "GET", fmt.Sprintf("/api/v1/persons/%d/status", p.ID), token, nil, &st)
	if st.Color != "yellow" || st.Rule != "zhejiang-hangzhou-2020/checkpoint-fever/isolation" {
		t.Errorf("status after fever = %+v, want yellow by the Hangzhou checkpoint rule", st)
	}

	v = verification{}
	s.call(t, "POST", "/api/v1/verify", "", map[string]any{"token": s.expired(t, scanned)}, &v)
	if v.Valid || v.Reason != "expired" {
		t.Errorf("verify of an expired token = %+v, want invalid expired", v)
	}

	tampered := []byte(scanned)
	i := len(tampered) / 2
	tampered[i] = map[bool]byte{true: 'B', false: 'A'}[tampered[i] == 'A']
	v = verification{}
	s.call(t, "POST", "/api/v1/verify", "", map[string]any{"token": string(tampered)}, &v)
	if v.Valid || v.Pass || v.Reason == "" {
		t.Errorf("verify of a tampered token = %+v, want invalid with a reason", v)
	}

	var hist struct {
		Entries []struct {
			From, To, Rule, Author string
		} `json:"entries"`
		Verified bool `json:"verified"`
	}
	s.call(t, "GET", fmt.Sprintf("/api/v1/persons/%d/history", p.ID), token, nil, &hist)
	if len(hist.Entries) != 2 || !hist.Verified || hist.Entries[1].To != "yellow" || hist.Entries[1].Author != "system" {
		t.Errorf("history = %+v, want none→green, green→yellow, verified", hist)
	}

	for _, secret := range []string{number, phone, name} {
		if strings.Contains(s.logs.String(), secret) {
			t.Errorf("logs contain an identity value in clear: %q", secret)
		}
	}
}

// checkpointKey creates a checkpoint key with the real command, against the
// running server's data directory.
func (s *testServer) checkpointKey(t *testing.T, name string) string {
	t.Helper()
	var out, errs bytes.Buffer
	args := append([]string{"keys", "create-checkpoint", "--name", name, "--data", s.data}, s.extra...)
	if err := run(context.Background(), args, s.getenv, &out, &errs); err != nil {
		t.Fatalf("create checkpoint key: %v\n%s", err, errs.String())
	}
	return strings.TrimSpace(out.String())
}

// expired re-signs a scanned token's claims with the server's own key to
// expire one second after it was issued, and waits for that second to pass.
func (s *testServer) expired(t *testing.T, token string) string {
	t.Helper()
	keys, err := healthqr.LoadOrCreate(filepath.Join(s.data, "keys"), "330100", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	c, err := keys.Verify(token, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	c.ExpiresAt = c.IssuedAt.Add(time.Second)
	old, err := keys.Sign(c)
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Until(c.ExpiresAt) + 10*time.Millisecond)
	return old
}
