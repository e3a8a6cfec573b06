package main

import (
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"healthcode/internal/store/pgtest"
)

// cutProxy forwards TCP connections to a database server until cut: then
// it closes every connection it carries and refuses new ones (accepted and
// closed at once), as a database that went away, until restored.
type cutProxy struct {
	ln     net.Listener
	target string
	wg     sync.WaitGroup

	mu    sync.Mutex
	down  bool
	conns map[net.Conn]bool
}

func startCutProxy(t *testing.T, target string) *cutProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &cutProxy{ln: ln, target: target, conns: map[net.Conn]bool{}}
	p.wg.Go(p.accept)
	t.Cleanup(func() {
		ln.Close()
		p.cut()
		p.wg.Wait()
	})
	return p
}

func (p *cutProxy) accept() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return // closed by the cleanup
		}
		p.wg.Go(func() { p.serve(c) })
	}
}

func (p *cutProxy) serve(client net.Conn) {
	server, err := net.DialTimeout("tcp", p.target, 5*time.Second)
	if err != nil || !p.track(client, server) {
		client.Close()
		if server != nil {
			server.Close()
		}
		return
	}
	done := make(chan struct{}, 2)
	pipe := func(dst, src net.Conn) { io.Copy(dst, src); done <- struct{}{} }
	go pipe(server, client)
	go pipe(client, server)
	<-done // one side ended: end both
	client.Close()
	server.Close()
	<-done
}

// track keeps both ends to close on a cut; false when the proxy is down.
func (p *cutProxy) track(conns ...net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.down {
		return false
	}
	for _, c := range conns {
		p.conns[c] = true
	}
	return true
}

func (p *cutProxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down = true
	for c := range p.conns {
		c.Close()
	}
	clear(p.conns)
}

func (p *cutProxy) restore() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down = false
}

// TestADatabaseOutageAnswers503AndRecovers: the server's PostgreSQL goes
// away under it and comes back; meanwhile every request answers 503 with
// Retry-After, and afterwards the same server serves again, not restarted.
func TestADatabaseOutageAnswers503AndRecovers(t *testing.T) {
	dsn := pgtest.NewDatabase(t)
	u, err := url.Parse(dsn)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		t.Skip("the test database is not named by a postgres:// URL; the proxy needs its address")
	}
	proxy := startCutProxy(t, u.Host)
	u.Host = proxy.ln.Addr().String()
	s := startServer(t, "--db", u.String())
	token := s.login(t, "13812345690")

	// answers checks a read, a write and readiness; down says the
	// database is away. Each phase asks a code for its own phone.
	answers := func(phase, phone string, down bool) {
		t.Helper()
		for _, c := range []struct {
			method, path, token, body string
			up                        int
		}{
			{"GET", "/readyz", "", "", http.StatusOK},
			{"GET", "/api/v1/persons", token, "", http.StatusOK},
			{"POST", "/api/v1/auth/otp", "", `{"phone": "` + phone + `"}`, http.StatusAccepted},
		} {
			res := s.do(t, c.method, c.path, c.token, c.body)
			switch {
			case !down && res.StatusCode != c.up:
				t.Errorf("%s: %s %s = %d, want %d", phase, c.method, c.path, res.StatusCode, c.up)
			case down && (res.StatusCode != http.StatusServiceUnavailable || res.Header.Get("Retry-After") == ""):
				t.Errorf("%s: %s %s = %d, Retry-After %q; want 503 with Retry-After", phase, c.method, c.path,
					res.StatusCode, res.Header.Get("Retry-After"))
			}
		}
	}
	answers("before the outage", "13812345691", false)

	proxy.cut()
	answers("during the outage", "13812345692", true)
	if res := s.do(t, "GET", "/healthz", "", ""); res.StatusCode != http.StatusOK {
		t.Errorf("GET /healthz during the outage = %d, want 200: the process is alive", res.StatusCode)
	}

	proxy.restore()
	// The pool reconnects on the next request; give it a bounded while.
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		if s.do(t, "GET", "/readyz", "", "").StatusCode == http.StatusOK || time.Now().After(deadline) {
			break
		}
	}
	answers("after the outage", "13812345693", false)
	if logs := s.logs.String(); !strings.Contains(logs, "unavailable, try again later") || strings.Contains(logs, "internal error") {
		t.Errorf("the outage was not logged as the database being unavailable:\n%s", logs)
	}
}

// do sends a request with a raw body and returns the answer, its body
// read and closed.
func (s *testServer) do(t *testing.T, method, path, token, body string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(method, s.url+path, strings.NewReader(body))
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
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res
}
