package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"healthcode"
	"healthcode/identity"
	"healthcode/internal/permission"
	"healthcode/internal/service"
	"healthcode/internal/store"
	"healthcode/internal/store/pgtest"
)

// storeKind opens a new empty database, returning a function that opens
// another handle on it: a second server's.
type storeKind struct {
	name string
	open func(t testing.TB) func(t testing.TB) healthcode.Store
}

var storeKinds = []storeKind{
	{"sqlite", func(t testing.TB) func(t testing.TB) healthcode.Store {
		path := filepath.Join(t.TempDir(), "hc.db")
		return func(t testing.TB) healthcode.Store {
			db, err := store.OpenSQLite(context.Background(), path)
			return closeLater(t, db, err)
		}
	}},
	{"postgres", func(t testing.TB) func(t testing.TB) healthcode.Store {
		dsn := pgtest.NewDatabase(t)
		return func(t testing.TB) healthcode.Store {
			db, err := store.OpenPostgres(context.Background(), dsn)
			return closeLater(t, db, err)
		}
	}},
}

func closeLater(t testing.TB, db healthcode.Store, err error) healthcode.Store {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// limitSite is one server, API and service, with rate limits, on a real
// store and a real loopback listener.
type limitSite struct {
	svc *service.Service
	url string
}

// newLimitSite serves a service with limits lim on store, its clock
// stopped at now: a token's coming back is then never a matter of how
// fast the test ran.
func newLimitSite(t *testing.T, store healthcode.Store, now time.Time, lim healthcode.Limits, opts ...Option) *limitSite {
	t.Helper()
	log := slog.New(slog.DiscardHandler)
	svc := newService(t, store, service.Config{Issuer: "330100", Dev: true, Limits: lim}, log, func() time.Time { return now })
	srv := httptest.NewServer(NewServer(log, svc, opts...))
	t.Cleanup(srv.Close)
	return &limitSite{svc: svc, url: srv.URL}
}

var stopped = time.Now().UTC().Truncate(time.Second)

// applied is a person a new citizen of phone applied for with the resident
// ID number of 17 digits (its check character added) in region; contact
// declares a contact with cases (a yellow code).
func (s *limitSite) applied(t *testing.T, phone, number, region string, contact bool) *service.PersonView {
	t.Helper()
	return s.appliedAs(t, s.session(t, phone), phone, number, region, contact)
}

// appliedAs is applied by the citizen of session token.
func (s *limitSite) appliedAs(t *testing.T, token, phone, number, region string, contact bool) *service.PersonView {
	t.Helper()
	who, err := s.svc.Authenticate(t.Context(), token)
	if err != nil {
		t.Fatal(err)
	}
	check, err := identity.ResidentIDCheckChar(number)
	if err != nil {
		t.Fatal(err)
	}
	yes, no := true, false
	p, err := s.svc.Apply(t.Context(), who, service.ApplyInput{
		Identity: healthcode.Identity{DocType: healthcode.DocResidentID, Number: number + string(check), Name: "李四", Phone: phone},
		Region:   region,
		Declaration: service.DeclarationInput{Fever: &no, Cough: &no, OtherSymptoms: &no, LeftRegion14d: &no,
			Abroad14d: &no, ContactCases: &contact, Commitment: &yes},
	})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// official appoints an official of role in scope and logs them in with
// the TOTP code of the site's stopped clock, returning their token.
func (s *limitSite) official(t *testing.T, login string, role healthcode.Role, scope string) string {
	t.Helper()
	a, err := s.svc.CreateOfficial(t.Context(), permission.Operator(),
		service.OfficialSpec{Login: login, Role: role, Scope: scope, Password: officialPassword})
	if err != nil {
		t.Fatal(err)
	}
	code, err := totp.GenerateCode(a.TOTPSecret, stopped)
	if err != nil {
		t.Fatal(err)
	}
	sess, err := s.svc.OfficialLogin(t.Context(), login, officialPassword, code)
	if err != nil {
		t.Fatal(err)
	}
	return sess.Token
}

// from is an HTTP client whose connections come from a loopback address
// of its own (127.0.0.2, …), so that tests can be several clients.
func from(t *testing.T, addr string) *http.Client {
	t.Helper()
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(addr)}}
	return &http.Client{Transport: &http.Transport{DialContext: d.DialContext, MaxIdleConnsPerHost: 64}}
}

// reply is what one request got.
type reply struct {
	status     int
	retryAfter string
	code       string // the error's code
}

func send(t *testing.T, c *http.Client, method, url, token string, body any, header ...string) reply {
	t.Helper()
	b, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest(method, url, bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := c.Do(req)
	if err != nil {
		t.Error(err)
		return reply{}
	}
	defer res.Body.Close()
	var e errorBody
	raw, _ := io.ReadAll(res.Body)
	json.Unmarshal(raw, &e)
	return reply{status: res.StatusCode, retryAfter: res.Header.Get("Retry-After"), code: e.Error.Code}
}

// wantRefused checks a reply is a rate limit's 429 with a Retry-After.
func (r reply) wantRefused(t *testing.T, what string) {
	t.Helper()
	secs, err := strconv.Atoi(r.retryAfter)
	if r.status != http.StatusTooManyRequests || r.code != healthcode.ELIMIT || err != nil || secs < 1 {
		t.Errorf("%s: status %d, code %q, Retry-After %q; want 429, limit, whole seconds", what, r.status, r.code, r.retryAfter)
	}
}

// TestAThousandRequestsASecondFromOneAddressAreCutToTheLimit fires 1 000
// requests for one-time codes at 1 000 a second from one address, each for
// a different phone so that only the address's limit binds: the default
// 20 an hour get through, every other is a 429 saying when to come back,
// and another address is not held back by them.
func TestAThousandRequestsASecondFromOneAddressAreCutToTheLimit(t *testing.T) {
	for _, kind := range storeKinds {
		t.Run(kind.name, func(t *testing.T) {
			site := newLimitSite(t, kind.open(t)(t), stopped, healthcode.DefaultLimits())
			attacker := from(t, "127.0.0.1")
			const n = 1000
			replies := make([]reply, n)
			start := time.Now()
			paced(n, time.Second, func(i int) {
				replies[i] = send(t, attacker, "POST", site.url+"/api/v1/auth/otp", "", map[string]string{"phone": fmt.Sprintf("139%08d", i)})
			})
			t.Logf("%d requests in %v", n, time.Since(start))
			ok := 0
			for i, r := range replies {
				if r.status == http.StatusAccepted {
					ok++
					continue
				}
				r.wantRefused(t, fmt.Sprintf("request %d", i))
			}
			if want := healthcode.DefaultLimits()[healthcode.LimitKey{Class: healthcode.LimitOTP, Scope: healthcode.ScopeAddr}].N; ok != want {
				t.Errorf("%d of %d requests got through, want the limit, %d", ok, n, want)
			}
			if r := send(t, from(t, "127.0.0.2"), "POST", site.url+"/api/v1/auth/otp", "", map[string]string{"phone": "13700000000"}); r.status != http.StatusAccepted {
				t.Errorf("another address was held back: status %d", r.status)
			}
		})
	}
}

// paced calls fn(0), …, fn(n-1) spread evenly over d, from enough
// goroutines that a slow answer does not hold back the next request.
func paced(n int, d time.Duration, fn func(i int)) {
	start := time.Now()
	jobs := make(chan int)
	var wg sync.WaitGroup
	for range 64 {
		wg.Go(func() {
			for i := range jobs {
				fn(i)
			}
		})
	}
	for i := range n {
		time.Sleep(time.Until(start.Add(d * time.Duration(i) / time.Duration(n))))
		jobs <- i
	}
	close(jobs)
	wg.Wait()
}

// TestLoginsAreLimitedPerPhoneFromEveryAddress: guessing one phone's code
// from many addresses gains nothing. Five guesses are checked (the phone's
// guess window), the next are refused unchecked, and past the phone's
// login limit every login is refused.
func TestLoginsAreLimitedPerPhoneFromEveryAddress(t *testing.T) {
	for _, kind := range storeKinds {
		t.Run(kind.name, func(t *testing.T) {
			site := newLimitSite(t, kind.open(t)(t), stopped, healthcode.DefaultLimits())
			body := map[string]string{"phone": "13812345678", "code": "000000"}
			for i := range 10 {
				r := send(t, from(t, fmt.Sprintf("127.0.0.%d", 2+i)), "POST", site.url+"/api/v1/auth/login", "", body)
				if i < 5 && r.status != http.StatusUnauthorized {
					t.Fatalf("login %d for the phone: status %d, want 401", i+1, r.status)
				} else if i >= 5 {
					r.wantRefused(t, fmt.Sprintf("guess %d for the phone", i+1))
				}
			}
			send(t, from(t, "127.0.0.20"), "POST", site.url+"/api/v1/auth/login", "", body).wantRefused(t, "the phone's 11th in 15 minutes")
		})
	}
}

func TestFeedsAreLimitedPerKey(t *testing.T) {
	for _, kind := range storeKinds {
		t.Run(kind.name, func(t *testing.T) {
			lim := healthcode.Limits{{Class: healthcode.LimitFeed, Scope: healthcode.ScopeKey}: {N: 3, Per: time.Minute}}
			site := newLimitSite(t, kind.open(t)(t), stopped, lim)
			c := from(t, "127.0.0.1")
			lab1, lab2 := site.feedKey(t, "lab 1"), site.feedKey(t, "lab 2")
			for i := range 3 {
				if r := send(t, c, "POST", site.url+"/api/v1/feeds/lab", lab1, nil); r.status == http.StatusTooManyRequests {
					t.Fatalf("batch %d of 3 refused", i+1)
				}
			}
			r := send(t, c, "POST", site.url+"/api/v1/feeds/lab", lab1, nil)
			r.wantRefused(t, "the key's 4th batch in a minute")
			if r.retryAfter != "20" {
				t.Errorf("Retry-After %q, want 20 (a batch back every 20 s)", r.retryAfter)
			}
			if r := send(t, c, "POST", site.url+"/api/v1/feeds/lab", lab2, nil); r.status == http.StatusTooManyRequests {
				t.Errorf("another key was held back")
			}
		})
	}
}

func (s *limitSite) checkpointKey(t *testing.T, name string) string {
	t.Helper()
	key, _, err := s.svc.CreateAPIKey(context.Background(), name, healthcode.RoleCheckpoint, "330100")
	if err != nil {
		t.Fatal(err)
	}
	return key
}

func (s *limitSite) feedKey(t *testing.T, name string) string {
	t.Helper()
	key, _, err := s.svc.CreateFeedKey(context.Background(), name, "330100", []string{"lab"})
	if err != nil {
		t.Fatal(err)
	}
	return key
}

// Two servers with their own memory on one database, as a deployment
// runs them behind a load balancer: the limit is the deployment's.
func TestLimitsHoldAcrossServersOnOneDatabase(t *testing.T) {
	for _, kind := range storeKinds {
		t.Run(kind.name, func(t *testing.T) {
			lim := healthcode.Limits{{Class: healthcode.LimitLogin, Scope: healthcode.ScopeAddr}: {N: 5, Per: 15 * time.Minute}}
			another := kind.open(t)
			servers := []*limitSite{newLimitSite(t, another(t), stopped, lim), newLimitSite(t, another(t), stopped, lim)}
			c := from(t, "127.0.0.1")
			through := 0
			for i := range 40 {
				r := send(t, c, "POST", servers[i%2].url+"/api/v1/auth/login", "", map[string]string{"phone": "13812345678", "code": "000000"})
				if r.status != http.StatusTooManyRequests {
					through++
				}
			}
			if through != 5 {
				t.Errorf("%d of 40 logins got through two servers, want 5", through)
			}
		})
	}
}

// TestEveryLimitedRouteIsLimited takes each route of routes.go's limited
// to one request an hour per address and per account: the second is a
// 429, whatever the first answered.
func TestEveryLimitedRouteIsLimited(t *testing.T) {
	lim := healthcode.Limits{}
	for _, class := range limited {
		for _, scope := range []healthcode.LimitScope{healthcode.ScopeAddr, healthcode.ScopeAccount, healthcode.ScopeKey} {
			lim[healthcode.LimitKey{Class: class, Scope: scope}] = healthcode.Rate{N: 1, Per: time.Hour}
		}
	}
	kind := storeKinds[0]
	site := newLimitSite(t, kind.open(t)(t), stopped, lim)
	feed := site.feedKey(t, "lab 1")
	for i, rt := range table {
		class, ok := limited[rt.pattern]
		if !ok {
			continue
		}
		t.Run(rt.pattern, func(t *testing.T) {
			method, path, _ := strings.Cut(rt.pattern, " ")
			path = strings.NewReplacer("{id}", "1", "{kind}", "lab").Replace(path)
			token := site.session(t, fmt.Sprintf("139%08d", i)) // an account of its own, too
			switch class {
			case healthcode.LimitFeed:
				token = feed
			case healthcode.LimitUnmask:
				token = site.official(t, fmt.Sprintf("limit.%d", i), healthcode.RoleCommunity, "330106")
			case healthcode.LimitLookup:
				token = site.checkpointKey(t, fmt.Sprintf("gate %d", i))
			}
			c := from(t, fmt.Sprintf("127.0.1.%d", i)) // an address of its own: classes share none
			if r := send(t, c, method, site.url+path, token, nil); r.status == http.StatusTooManyRequests {
				t.Fatalf("the first request refused")
			}
			send(t, c, method, site.url+path, token, nil).wantRefused(t, "the second in an hour")
		})
	}
	for pattern := range limited {
		if !routed(pattern) {
			t.Errorf("limited names %q, which is not a route", pattern)
		}
	}
}

func routed(pattern string) bool {
	for _, rt := range table {
		if rt.pattern == pattern {
			return true
		}
	}
	return false
}

// session logs phone in, through the service, with no client address and
// so outside the address limits.
func (s *limitSite) session(t *testing.T, phone string) string {
	t.Helper()
	otp, err := s.svc.RequestOTP(context.Background(), phone)
	if err != nil {
		t.Fatal(err)
	}
	login, err := s.svc.Login(context.Background(), phone, otp.DevCode)
	if err != nil {
		t.Fatal(err)
	}
	return login.Token
}

// TestVerifyIsNotLimited: checkpoints verify at the rate people walk
// through, and verification is a signature check with no database write;
// limits would only slow the gate.
func TestVerifyIsNotLimited(t *testing.T) {
	lim := healthcode.Limits{}
	for _, class := range limited {
		lim[healthcode.LimitKey{Class: class, Scope: healthcode.ScopeAddr}] = healthcode.Rate{N: 1, Per: time.Hour}
	}
	site := newLimitSite(t, storeKinds[0].open(t)(t), stopped, lim)
	c := from(t, "127.0.0.1")
	for i := range 50 {
		if r := send(t, c, "POST", site.url+"/api/v1/verify", "", map[string]string{"token": "HCN1:nonsense"}); r.status == http.StatusTooManyRequests {
			t.Fatalf("verification %d refused by a limit", i+1)
		}
	}
}

// Behind a trusted proxy the client is the proxy's X-Forwarded-For hop;
// from anyone else the header counts for nothing.
func TestTrustedProxyNamesTheClient(t *testing.T) {
	lim := healthcode.Limits{{Class: healthcode.LimitOTP, Scope: healthcode.ScopeAddr}: {N: 2, Per: time.Hour}}
	proxied := newLimitSite(t, storeKinds[0].open(t)(t), stopped, lim, WithTrustedProxies([]netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}))
	direct := newLimitSite(t, storeKinds[0].open(t)(t), stopped, lim)
	proxy, stranger := from(t, "127.0.0.1"), from(t, "127.0.0.2")
	phone := 0
	otp := func(site *limitSite, c *http.Client, xff string) reply {
		phone++
		return send(t, c, "POST", site.url+"/api/v1/auth/otp", "", map[string]string{"phone": fmt.Sprintf("139%08d", phone)}, "X-Forwarded-For", xff)
	}
	steps := []struct {
		name    string
		site    *limitSite
		c       *http.Client
		xff     string
		limited bool
	}{
		{"a client through the proxy", proxied, proxy, "203.0.113.7", false},
		{"again", proxied, proxy, "203.0.113.7", false},
		{"a third time", proxied, proxy, "203.0.113.7", true},
		{"a third time, with a forged hop in front", proxied, proxy, "198.51.100.1, 203.0.113.7", true},
		{"another client through the proxy", proxied, proxy, "203.0.113.8", false},
		{"a stranger sending the header to the same server", proxied, stranger, "203.0.113.9", false},
		{"the stranger again, as another", proxied, stranger, "203.0.113.10", false},
		{"the stranger a third time: counted as itself", proxied, stranger, "203.0.113.11", true},
		{"a server trusting no proxy", direct, proxy, "203.0.113.1", false},
		{"the header changed", direct, proxy, "203.0.113.2", false},
		{"still one client", direct, proxy, "203.0.113.3", true},
	}
	for _, st := range steps {
		r := otp(st.site, st.c, st.xff)
		if got := r.status == http.StatusTooManyRequests; got != st.limited {
			t.Errorf("%s: status %d, limited %v, want %v", st.name, r.status, got, st.limited)
		}
	}
}

func TestClientAddr(t *testing.T) {
	s := &Server{proxies: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("fd00::/8")}}
	tests := []struct {
		remote string
		xff    []string
		want   string
	}{
		{"203.0.113.7:4000", nil, "203.0.113.7"},
		{"203.0.113.7:4000", []string{"198.51.100.1"}, "203.0.113.7"}, // not from a proxy: ignored
		{"10.0.0.2:4000", nil, "10.0.0.2"},
		{"10.0.0.2:4000", []string{"198.51.100.1"}, "198.51.100.1"},
		{"10.0.0.2:4000", []string{"192.0.2.66, 198.51.100.1, 10.0.0.9"}, "198.51.100.1"}, // two proxies; the left hop is the client's own
		{"10.0.0.2:4000", []string{"192.0.2.66", "198.51.100.1"}, "198.51.100.1"},         // one header a hop
		{"10.0.0.2:4000", []string{"garbage, 10.0.0.9"}, "10.0.0.9"},
		{"10.0.0.2:4000", []string{"198.51.100.1:5555"}, "198.51.100.1"},
		{"[fd00::1]:4000", []string{"2001:db8::7"}, "2001:db8::7"},
		{"[::ffff:203.0.113.7]:4000", nil, "203.0.113.7"},
		{"not an address", nil, "invalid IP"},
	}
	for _, tt := range tests {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = tt.remote
		for _, h := range tt.xff {
			r.Header.Add("X-Forwarded-For", h)
		}
		if got := s.clientAddr(r).String(); got != tt.want {
			t.Errorf("%s with %q: %s, want %s", tt.remote, tt.xff, got, tt.want)
		}
	}
}

func TestParseProxies(t *testing.T) {
	got, err := ParseProxies(" 10.0.0.0/8, 192.0.2.7 ,fd00::/8,::1")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"10.0.0.0/8", "192.0.2.7/32", "fd00::/8", "::1/128"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("got %v, want %v", got, want)
	}
	_, err = ParseProxies("10.0.0.0/33,proxy.example")
	if err == nil || !strings.Contains(err.Error(), `"10.0.0.0/33"`) || !strings.Contains(err.Error(), `"proxy.example"`) {
		t.Errorf("error %v does not name both bad entries", err)
	}
}
