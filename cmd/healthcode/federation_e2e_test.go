package main

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"healthcode/healthqr"
	"healthcode/internal/store/pgtest"
)

// The tests here run each region as its own process of the real binary,
// built once per test, with its own data directory and database, on
// loopback ports; the operator's trust list is made with the binary's
// `trust` commands and served by a static server with ETags.

func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "healthcode")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// region is one running server process.
type region struct {
	name, bin, data, addr string
	args                  []string
	store                 []string // --db URL, for the operator's commands too
	cmd                   *exec.Cmd
	logs                  *syncBuffer
	srv                   *testServer // for call
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func startRegion(t *testing.T, bin, name string, args ...string) *region {
	t.Helper()
	r := &region{name: name, bin: bin, data: filepath.Join(t.TempDir(), "data"), addr: freeAddr(t), args: args}
	if i := slices.Index(args, "--db"); i >= 0 {
		r.store = args[i : i+2]
	}
	r.start(t)
	t.Cleanup(func() { r.stop(t) })
	return r
}

// start runs the server process and waits for its first line.
func (r *region) start(t *testing.T) {
	t.Helper()
	args := append([]string{"serve", "--dev", "--addr", r.addr, "--data", r.data}, r.args...)
	r.cmd = exec.Command(r.bin, args...)
	r.cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME")}
	r.logs = &syncBuffer{}
	r.cmd.Stderr = r.logs
	out, err := r.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := r.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "healthcode listening on ") {
		t.Fatalf("region %s did not start: %q %v; logs:\n%s", r.name, line, err, r.logs)
	}
	go io.Copy(io.Discard, out)
	r.srv = &testServer{url: "http://" + r.addr, data: r.data, logs: r.logs, getenv: func(string) string { return "" }}
}

// stop ends the process this test started, by its own handle.
func (r *region) stop(t *testing.T) {
	t.Helper()
	if r.cmd == nil {
		return
	}
	r.cmd.Process.Signal(os.Interrupt)
	done := make(chan error, 1)
	go func() { done <- r.cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("region %s stopped with %v; logs:\n%s", r.name, err, r.logs)
		}
	case <-time.After(20 * time.Second):
		r.cmd.Process.Kill()
		<-done
		t.Errorf("region %s did not stop in 20 s", r.name)
	}
	r.cmd = nil
}

func (r *region) url() string { return "http://" + r.addr }

// cli runs one of the binary's operator commands.
func cli(t *testing.T, bin string, args ...string) string {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME")}
	var out, errs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errs
	if err := cmd.Run(); err != nil {
		t.Fatalf("healthcode %s: %v\n%s", strings.Join(args, " "), err, errs.String())
	}
	return out.String()
}

// citizen applies in region r and returns the person id and the login token.
func (r *region) citizen(t *testing.T, phone, first17, name, division string) (int64, string) {
	t.Helper()
	token := r.srv.login(t, phone)
	app := application(residentID(t, first17), name, phone, false)
	app["region"] = division
	var p person
	if st := r.srv.call(t, "POST", "/api/v1/persons", token, app, &p); st != http.StatusCreated {
		t.Fatalf("apply in %s: status %d; logs:\n%s", r.name, st, r.logs)
	}
	return p.ID, token
}

func (r *region) code(t *testing.T, id int64, token string) string {
	t.Helper()
	var c struct {
		Token string `json:"token"`
	}
	if st := r.srv.call(t, "GET", fmt.Sprintf("/api/v1/persons/%d/code", id), token, nil, &c); st != http.StatusOK {
		t.Fatalf("code in %s: status %d", r.name, st)
	}
	return c.Token
}

type foreignVerdict struct {
	Valid           bool   `json:"valid"`
	Reason          string `json:"reason"`
	Pass            bool   `json:"pass"`
	Kind            string `json:"kind"`
	Color           string `json:"color"`
	TokenColor      string `json:"token_color"`
	Name            string `json:"name"`
	Live            bool   `json:"live"`
	Source          string `json:"source"`
	TokenAgeSeconds int64  `json:"token_age_seconds"`
	Notice          *struct {
		Zh, En string
	} `json:"notice"`
	TemperatureNotice *struct {
		Zh, En string
	} `json:"temperature_notice"`
}

func (r *region) verify(t *testing.T, token string, body map[string]any) foreignVerdict {
	t.Helper()
	if body == nil {
		body = map[string]any{}
	}
	body["token"] = token
	var v foreignVerdict
	key, _ := body["key"].(string)
	delete(body, "key")
	if st := r.srv.call(t, "POST", "/api/v1/verify", key, body, &v); st != http.StatusOK {
		t.Fatalf("verify at %s: status %d", r.name, st)
	}
	return v
}

// operator keeps the trust list: a working copy, root keys, and the
// signed note a static server publishes with an ETag.
type operator struct {
	bin, dir    string
	mu          sync.Mutex
	note        []byte
	down        bool // answers 503, as a source that is away
	notModified int
	srv         *httptest.Server
}

func newOperator(t *testing.T, bin string) *operator {
	o := &operator{bin: bin, dir: t.TempDir()}
	o.srv = httptest.NewServer(o)
	t.Cleanup(o.srv.Close)
	cli(t, bin, "trust", "init", o.path("list.json"))
	return o
}

func (o *operator) path(name string) string { return filepath.Join(o.dir, name) }

func (o *operator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.down {
		http.Error(w, "away", http.StatusServiceUnavailable)
		return
	}
	sum := sha256.Sum256(o.note)
	etag := `"` + hex.EncodeToString(sum[:8]) + `"`
	w.Header().Set("ETag", etag)
	if r.Header.Get("If-None-Match") == etag {
		o.notModified++
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Write(o.note)
}

func (o *operator) keygen(t *testing.T, name string) string {
	return strings.TrimSpace(cli(t, o.bin, "trust", "keygen", "--name", "healthcode-root", "--out", o.path(name)))
}

// sign signs the working list with the named root keys and publishes it.
func (o *operator) sign(t *testing.T, keys ...string) {
	t.Helper()
	var paths []string
	for _, k := range keys {
		paths = append(paths, o.path(k))
	}
	cli(t, o.bin, "trust", "sign", o.path("list.json"), "--key", strings.Join(paths, ","), "--out", o.path("list.note"))
	b, err := os.ReadFile(o.path("list.note"))
	if err != nil {
		t.Fatal(err)
	}
	o.mu.Lock()
	o.note = b
	o.mu.Unlock()
}

func (o *operator) addRegion(t *testing.T, r *region, code, name string) {
	cli(t, o.bin, "trust", "add-region", o.path("list.json"), "--region", code, "--name", name, "--url", r.url())
}

// heldSequence is the sequence of the trust list a server holds.
func heldSequence(t *testing.T, r *region) uint64 {
	t.Helper()
	res, err := http.Get(r.url() + "/api/v1/trust")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	var l struct {
		Sequence uint64 `json:"sequence"`
	}
	text, _, _ := bytes.Cut(b, []byte("\n\n"))
	json.Unmarshal(text, &l)
	return l.Sequence
}

// eventually retries cond for up to 15 s (a refresh every second).
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("%s: not within 15 s", what)
}

// official creates an official with the real command and logs them in
// with the printed password and a TOTP code.
func (r *region) official(t *testing.T, login, role, scope string) string {
	t.Helper()
	out := cli(t, r.bin, append([]string{"officials", "create", "--login", login, "--role", role, "--scope", scope, "--data", r.data}, r.store...)...)
	printed := map[string]string{}
	for _, m := range createdLine.FindAllStringSubmatch(out, -1) {
		printed[m[1]] = m[2]
	}
	code, err := totp.GenerateCode(printed["totp secret"], time.Now())
	if err != nil {
		t.Fatal(err)
	}
	var sess struct {
		Token string `json:"token"`
	}
	if st := r.srv.call(t, "POST", "/api/v1/officials/login", "", map[string]string{"login": login,
		"password": printed["password"], "code": code}, &sess); st != http.StatusOK {
		t.Fatalf("official login: %d", st)
	}
	return sess.Token
}

// TestTwoRegions: Wuhan (A, 420100) issues a code; Huzhou (B, 330500,
// whose pack keeps the issuing region's authority) verifies it live; a
// yellow A code linked to the B person cannot be transferred by B's
// officials; another person's green A code cannot lift it; with A stopped,
// B answers with the token's colour and says so.
func TestTwoRegions(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and runs two servers")
	}
	bin := buildBinary(t)
	op := newOperator(t, bin)
	root := op.keygen(t, "root.key")
	a := startRegion(t, bin, "A", "--region", "420100", "--token-ttl", "10m")
	op.addRegion(t, a, "420100", "武汉市")
	op.sign(t, "root.key")
	// B keeps its data in a PostgreSQL database of its own.
	b := startRegion(t, bin, "B", "--region", "330500", "--trust-root", root, "--trust", op.srv.URL,
		"--trust-refresh", "1s", "--foreign-timeout", "1s", "--db", pgtest.NewDatabase(t))

	// B serves the list it holds, with an ETag, and every key it accepts.
	res, err := http.Get(b.url() + "/api/v1/trust")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	etag := res.Header.Get("ETag")
	req, _ := http.NewRequest("GET", b.url()+"/api/v1/trust", nil)
	req.Header.Set("If-None-Match", etag)
	if res, err := http.DefaultClient.Do(req); err != nil || res.StatusCode != http.StatusNotModified {
		t.Errorf("GET /api/v1/trust with its ETag %q: %v %v, want 304", etag, res.Status, err)
	} else {
		res.Body.Close()
	}
	var tk struct {
		Keys []healthqr.PublicKey `json:"keys"`
	}
	b.srv.call(t, "GET", "/api/v1/trust/keys", "", nil, &tk)
	issuers := map[string]bool{}
	for _, k := range tk.Keys {
		issuers[k.Issuer] = true
	}
	if !issuers["330500"] || !issuers["420100"] {
		t.Errorf("GET /api/v1/trust/keys at B names issuers %v, want B's own and A's", issuers)
	}

	const first17, name = "42010619900307123", "王小明"
	aID, aTok := a.citizen(t, "13812345678", first17, name, "420106")
	green := a.code(t, aID, aTok)
	v := b.verify(t, green, nil)
	if !v.Valid || v.Kind != "foreign" || !v.Live || v.Source != "issuer" || v.Color != "green" || !v.Pass || v.Name != "王*明" {
		t.Fatalf("A's green code at B = %+v, want a live green pass read from the issuer", v)
	}

	// A's checkpoint takes a fever: A's colour turns yellow; B reads it live.
	key := strings.TrimSpace(cli(t, bin, "keys", "create-checkpoint", "--name", "gate", "--data", a.data))
	a.verify(t, green, map[string]any{"temperature": 38.6, "key": key})
	if v := b.verify(t, green, nil); v.Color != "yellow" || v.TokenColor != "green" || v.Pass || v.Source != "issuer" {
		t.Errorf("after A's fever, at B = %+v, want the live yellow over the token's green", v)
	}
	bKey := strings.TrimSpace(cli(t, bin, append([]string{"keys", "create-checkpoint", "--name", "B gate", "--data", b.data}, b.store...)...))
	if v := b.verify(t, green, map[string]any{"temperature": 36.6, "key": bKey}); v.TemperatureNotice == nil || !strings.Contains(v.TemperatureNotice.En, "not recorded") {
		t.Errorf("a temperature for a foreign code at B = %+v, want it said not recorded", v)
	}

	// The same person in B links A's yellow code: B's colour is A's.
	bID, bTok := b.citizen(t, "13812345678", first17, name, "330502")
	yellow := a.code(t, aID, aTok)
	var link struct {
		Color  string `json:"color"`
		Status struct {
			Color, Category string
		} `json:"status"`
	}
	if st := b.srv.call(t, "POST", fmt.Sprintf("/api/v1/persons/%d/foreign-codes", bID), bTok, map[string]string{"token": yellow}, &link); st != http.StatusOK ||
		link.Color != "yellow" || link.Status.Color != "yellow" || link.Status.Category != "authority-lock" {
		t.Fatalf("link A's code at B: %d %+v", st, link)
	}
	// Another 王小明 of A, green, cannot lift it: the first link bound A's code id.
	oID, oTok := a.citizen(t, "13812345679", "42010619850101038", name, "420106")
	var refused struct{ Error struct{ Message string } }
	if st := b.srv.call(t, "POST", fmt.Sprintf("/api/v1/persons/%d/foreign-codes", bID), bTok,
		map[string]string{"token": a.code(t, oID, oTok)}, &refused); st != http.StatusConflict {
		t.Errorf("another person's green A code linked: %d %+v", st, refused)
	}
	// A person of another name cannot link the code either.
	b.srv.login(t, "13812345680")
	cID, cTok := b.citizen(t, "13812345680", "33050219850101054", "李四", "330502")
	if st := b.srv.call(t, "POST", fmt.Sprintf("/api/v1/persons/%d/foreign-codes", cID), cTok, map[string]string{"token": yellow}, nil); st != http.StatusConflict {
		t.Errorf("someone else's A code linked to 李四: %d", st)
	}
	// Nor can a namesake of B: the masked names agree, the documents do not.
	dID, dTok := b.citizen(t, "13812345681", "33050219850101062", name, "330502")
	if st := b.srv.call(t, "POST", fmt.Sprintf("/api/v1/persons/%d/foreign-codes", dID), dTok, map[string]string{"token": yellow}, &refused); st != http.StatusConflict ||
		!strings.Contains(refused.Error.Message, "documents differ") {
		t.Errorf("a namesake's A code linked at B: %d %+v", st, refused)
	}

	// B's officials cannot transfer the colour A assigned.
	var filed struct {
		ID int64 `json:"id"`
	}
	if st := b.srv.call(t, "POST", fmt.Sprintf("/api/v1/persons/%d/appeals", bID), bTok,
		map[string]any{"reason": "我已离开武汉十四天，黄码有误，请复核。"}, &filed); st != http.StatusCreated {
		t.Fatalf("appeal at B: %d", st)
	}
	district := b.official(t, "b.district", "district", "330502")
	var body map[string]any
	st := b.srv.call(t, "POST", fmt.Sprintf("/api/v1/officials/workflows/%d/steps", filed.ID), district,
		map[string]any{"seq": 1, "action": "uphold", "colour": "green"}, &body)
	if said, _ := json.Marshal(body); st != http.StatusForbidden || !strings.Contains(string(said), "420100") {
		t.Errorf("B's official transferring A's colour: %d %s, want 403 naming 420100", st, said)
	}

	// A stops: B answers with the colour on the code, its age, and says so.
	a.stop(t)
	v = b.verify(t, yellow, nil)
	if !v.Valid || v.Live || v.Source != "token" || v.Color != "yellow" || v.Pass || v.Notice == nil ||
		!strings.Contains(v.Notice.En, "could not be reached") || !strings.Contains(v.Notice.Zh, "无法连接") {
		t.Errorf("A stopped, at B = %+v, want the token's yellow, said so", v)
	}
	for _, s := range []string{first17, "13812345678", name} {
		if strings.Contains(b.logs.String(), s) || strings.Contains(a.logs.String(), s) {
			t.Errorf("a log holds %q in clear", s)
		}
	}
}

// rotateKey adds a new signing key to a stopped region's key file, valid
// from now: the region signs with it from its next start; the old key
// keeps its validity, so its tokens still verify.
func rotateKey(t *testing.T, r *region, issuer string) {
	t.Helper()
	path := filepath.Join(r.data, "keys", healthqr.KeyFile)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var kf struct {
		Keys []map[string]any `json:"keys"`
	}
	if err := json.Unmarshal(b, &kf); err != nil {
		t.Fatal(err)
	}
	// Valid longer than the old key (two years), so the newest even when
	// both start in the same second.
	k, err := healthqr.GenerateKey(issuer, time.Now(), 3*365*24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	kf.Keys = append(kf.Keys, map[string]any{"kid": k.ID.String(), "alg": healthqr.Alg, "issuer": issuer,
		"public": k.Public, "seed": k.Private.Seed(), "valid_from": k.ValidFrom, "valid_to": k.ValidTo})
	out, _ := json.Marshal(kf)
	if err := os.WriteFile(path, out, 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestThreeRegions: A rotates its key and the operator re-signs; B and C
// refresh (with If-None-Match) and accept A's new tokens and its old ones
// within their validity; a revoked kid is refused at both; the root key
// rotates: a list signed by old and new roots verifies at a server knowing
// either, one signed by the new root alone only where it is configured.
func TestThreeRegions(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and runs three servers")
	}
	bin := buildBinary(t)
	op := newOperator(t, bin)
	root1, root2 := op.keygen(t, "root1.key"), op.keygen(t, "root2.key")
	a := startRegion(t, bin, "A", "--region", "420100", "--token-ttl", "10m")
	op.addRegion(t, a, "420100", "武汉市")
	op.sign(t, "root1.key")
	trust := func(roots string) []string {
		return []string{"--trust-root", roots, "--trust", op.srv.URL, "--trust-refresh", "1s"}
	}
	b := startRegion(t, bin, "B", append([]string{"--region", "330500"}, trust(root1)...)...)
	c := startRegion(t, bin, "C", append([]string{"--region", "310100"}, trust(root1+","+root2)...)...)

	id, tok := a.citizen(t, "13812345678", "42010619900307123", "王小明", "420106")
	old := a.code(t, id, tok)
	// C is not in the list: its codes are unknown issuers at B.
	cID, cTok := c.citizen(t, "13812345670", "31010119900307123", "张三", "310101")
	if v := b.verify(t, c.code(t, cID, cTok), nil); v.Valid || v.Reason != "unknown_issuer" {
		t.Errorf("an untrusted region's code at B = %+v, want unknown_issuer", v)
	}
	for _, r := range []*region{b, c} {
		if v := r.verify(t, old, nil); !v.Valid || v.Source != "issuer" {
			t.Fatalf("A's code at %s = %+v", r.name, v)
		}
	}

	// A rotates its key.
	a.stop(t)
	rotateKey(t, a, "420100")
	a.start(t)
	tok = a.srv.login(t, "13812345678")
	fresh := a.code(t, id, tok)
	if v := b.verify(t, fresh, nil); v.Valid || v.Reason != "unknown_issuer" {
		t.Fatalf("A's new key before the list names it, at B = %+v, want unknown_issuer", v)
	}
	op.addRegion(t, a, "420100", "武汉市") // fetches A's keys again: old and new
	op.sign(t, "root1.key")
	for _, r := range []*region{b, c} {
		eventually(t, "B and C accept A's new key", func() bool { return r.verify(t, fresh, nil).Valid })
		if v := r.verify(t, old, nil); !v.Valid || v.Source != "issuer" {
			t.Errorf("A's old-key token, still within its validity, at %s = %+v", r.name, v)
		}
	}
	// Refreshes of an unchanged list are answered 304 Not Modified.
	eventually(t, "a refresh answered 304 (If-None-Match)", func() bool {
		op.mu.Lock()
		defer op.mu.Unlock()
		return op.notModified >= 2
	})

	// The operator revokes A's old key.
	var keys struct {
		Keys []healthqr.PublicKey `json:"keys"`
	}
	a.srv.call(t, "GET", "/api/v1/keys", "", nil, &keys)
	var oldKID string
	for _, k := range keys.Keys {
		if k.ValidTo.Sub(k.ValidFrom) < 3*365*24*time.Hour {
			oldKID = k.KID // the two-year key LoadOrCreate made, not the rotated-in one
		}
	}
	cli(t, bin, "trust", "revoke-key", op.path("list.json"), "--region", "420100", "--kid", oldKID)
	op.sign(t, "root1.key")
	for _, r := range []*region{b, c} {
		eventually(t, "the revoked key refused at "+r.name, func() bool { return r.verify(t, old, nil).Reason == "revoked_key" })
		if v := r.verify(t, fresh, nil); !v.Valid {
			t.Errorf("the new key's token after the revocation, at %s = %+v", r.name, v)
		}
	}
	var tk struct {
		Keys []healthqr.PublicKey `json:"keys"`
	}
	b.srv.call(t, "GET", "/api/v1/trust/keys", "", nil, &tk)
	for _, k := range tk.Keys {
		if k.KID == oldKID {
			t.Errorf("GET /api/v1/trust/keys at B still serves the revoked key %s", oldKID)
		}
	}

	// The root rotates: old+new signatures verify at B (root1) and C (both).
	op.sign(t, "root1.key", "root2.key")
	seq := heldSequence(t, c) + 1
	for _, r := range []*region{b, c} {
		eventually(t, "a list signed by both roots at "+r.name, func() bool { return heldSequence(t, r) == seq })
	}
	// The new root alone: C takes it, B (still configured with root1 only) keeps its copy.
	op.sign(t, "root2.key")
	eventually(t, "a list signed by the new root at C", func() bool { return heldSequence(t, c) == seq+1 })
	time.Sleep(2 * time.Second)
	if got := heldSequence(t, b); got != seq {
		t.Errorf("B, configured with the old root only, holds sequence %d, want %d kept", got, seq)
	}
	if !strings.Contains(b.logs.String(), "not signed by any configured root key") {
		t.Error("B did not log why it refused the list")
	}

	// The source goes away and C restarts: it starts from its last good
	// copy in its data directory and keeps verifying A's codes.
	op.mu.Lock()
	op.down = true
	op.mu.Unlock()
	c.stop(t)
	c.start(t)
	if got := heldSequence(t, c); got != seq+1 {
		t.Errorf("C restarted with the source away holds sequence %d, want its last good copy %d", got, seq+1)
	}
	if v := c.verify(t, fresh, nil); !v.Valid || v.Source != "issuer" {
		t.Errorf("A's code at C restarted without the source = %+v", v)
	}
	if !strings.Contains(c.logs.String(), "keeping the last good copy") {
		t.Error("C did not log that it kept its last good copy")
	}
}

// TestFederationModes gives SPEC F2's three modes their meaning, each
// server its own process: peer (the other tests), hub — a foreign code's
// live colour is asked from the national hub, never from the issuer —
// and national — a region without a code of its own verifies the
// national code and links it to its people.
func TestFederationModes(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and runs four servers")
	}
	bin := buildBinary(t)
	a := startRegion(t, bin, "A", "--region", "420100", "--token-ttl", "10m")

	// The hub trusts A at its real address.
	hubOp := newOperator(t, bin)
	hubRoot := hubOp.keygen(t, "root.key")
	hubOp.addRegion(t, a, "420100", "武汉市")
	hubOp.sign(t, "root.key")
	hub := startRegion(t, bin, "hub", "--region", "110100", "--trust-root", hubRoot, "--trust", hubOp.srv.URL)

	// B's list names A with an address B cannot reach: in hub mode B must
	// ask the hub.
	bOp := newOperator(t, bin)
	bRoot := bOp.keygen(t, "root.key")
	bOp.addRegion(t, a, "420100", "武汉市")
	b, _ := os.ReadFile(bOp.path("list.json"))
	os.WriteFile(bOp.path("list.json"), bytes.Replace(b, []byte(a.url()), []byte("http://127.0.0.1:9"), 1), 0o644)
	bOp.sign(t, "root.key")
	viaHub := startRegion(t, bin, "B", "--region", "330500", "--trust-root", bRoot, "--trust", bOp.srv.URL,
		"--federation-mode", "hub", "--federation-hub", hub.url())
	peer := startRegion(t, bin, "P", "--region", "310100", "--trust-root", bRoot, "--trust", bOp.srv.URL)

	id, tok := a.citizen(t, "13812345678", "42010619900307123", "王小明", "420106")
	code := a.code(t, id, tok)
	if v := viaHub.verify(t, code, nil); !v.Valid || !v.Live || v.Source != "issuer" || v.Color != "green" {
		t.Errorf("hub mode, A reached through the hub = %+v, want live green", v)
	}
	if v := peer.verify(t, code, nil); v.Live || v.Source != "token" {
		t.Errorf("peer mode with the same (unreachable) address of A = %+v, want the token's colour", v)
	}
	hub.stop(t)
	if v := viaHub.verify(t, code, nil); v.Live || v.Source != "token" || !strings.Contains(v.Notice.En, "could not be reached") {
		t.Errorf("hub mode, hub stopped = %+v, want the token's colour, said so", v)
	}

	// National mode: region L has no code; A stands for the national code.
	nat := startRegion(t, bin, "L", "--region", "330500", "--trust-root", hubRoot, "--trust", hubOp.srv.URL,
		"--federation-mode", "national", "--national-region", "420100", "--policy", "330500=transfer-rules-2022")
	lID, lTok := nat.citizen(t, "13812345678", "42010619900307123", "王小明", "330502")
	var refused struct {
		Error struct{ Message string } `json:"error"`
	}
	if st := nat.srv.call(t, "GET", fmt.Sprintf("/api/v1/persons/%d/code", lID), lTok, nil, &refused); st != http.StatusForbidden ||
		!strings.Contains(refused.Error.Message, "national code") {
		t.Errorf("a code of its own in national mode: %d %+v, want 403 saying to show the national code", st, refused)
	}
	if v := nat.verify(t, code, nil); !v.Valid || v.Kind != "foreign" || !v.Live {
		t.Errorf("the national code at L = %+v, want it verified live", v)
	}
	var link struct {
		Color string `json:"color"`
	}
	if st := nat.srv.call(t, "POST", fmt.Sprintf("/api/v1/persons/%d/foreign-codes", lID), lTok, map[string]string{"token": code}, &link); st != http.StatusOK || link.Color != "green" {
		t.Errorf("linking the national code at L: %d %+v", st, link)
	}
}
