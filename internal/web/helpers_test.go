package web

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"

	"healthcode"
	"healthcode/healthqr"
	"healthcode/identity"
	"healthcode/internal/provider"
	"healthcode/internal/secret"
	"healthcode/internal/service"
	"healthcode/internal/store"
	"healthcode/policy"
)

// fixture is a real server on a real SQLite file, with a citizen who has
// applied and a checkpoint key.
type fixture struct {
	h          http.Handler
	svc        *service.Service
	citizen    string // session token
	checkpoint string // API key
	admin      string // API key
	feed       string // API key for lab feeds
	personID   int64
	codeToken  string
	// officialTokens are officialToken's logins' tokens by login, and
	// officials and officialAccounts their principals and accounts by token.
	officialTokens   map[string]string
	officials        map[string]*healthcode.Principal
	officialAccounts map[string]official
}

func newFixture(tb testing.TB, tokenTTL time.Duration) *fixture {
	tb.Helper()
	db, err := store.OpenSQLite(context.Background(), filepath.Join(tb.TempDir(), "hc.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return newFixtureOn(tb, db, tokenTTL)
}

// newFixtureOn is newFixture on the store db, for benchmarks run on each
// of storeKinds.
func newFixtureOn(tb testing.TB, db healthcode.Store, tokenTTL time.Duration) *fixture {
	tb.Helper()
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	svc := newService(tb, db, service.Config{Issuer: "330100", TokenTTL: tokenTTL, Dev: true}, log, nil)
	f := &fixture{h: NewServer(log, svc), svc: svc}
	const phone = "13900000001"
	f.citizen = f.login(tb, phone)
	who, err := svc.Authenticate(ctx, f.citizen)
	if err != nil {
		tb.Fatal(err)
	}
	check, err := identity.ResidentIDCheckChar("11010519491231002")
	if err != nil {
		tb.Fatal(err)
	}
	yes, no := true, false
	p, err := svc.Apply(ctx, who, service.ApplyInput{
		Identity: healthcode.Identity{DocType: healthcode.DocResidentID, Number: "11010519491231002" + string(check), Name: "张三", Phone: phone},
		Region:   "110105",
		Declaration: service.DeclarationInput{Fever: &no, Cough: &no, OtherSymptoms: &no, LeftRegion14d: &no,
			Abroad14d: &no, ContactCases: &no, Commitment: &yes},
	})
	if err != nil {
		tb.Fatal(err)
	}
	f.personID = p.ID
	code, err := svc.Code(ctx, who, p.ID)
	if err != nil {
		tb.Fatal(err)
	}
	f.codeToken = code.Token
	f.checkpoint, _, err = svc.CreateAPIKey(ctx, "gate 1", healthcode.RoleCheckpoint, "330100")
	if err != nil {
		tb.Fatal(err)
	}
	f.admin, _, err = svc.CreateAPIKey(ctx, "operator", healthcode.RoleAdmin, "330100")
	if err != nil {
		tb.Fatal(err)
	}
	f.feed, _, err = svc.CreateFeedKey(ctx, "lab 1", "110000", []string{"lab"}) // the citizen declared 110105
	if err != nil {
		tb.Fatal(err)
	}
	return f
}

// newService is a service on db with the shipped packs and a signing key
// valid from a minute before now (nil: the wall clock).
func newService(tb testing.TB, db healthcode.Store, cfg service.Config, log *slog.Logger, now func() time.Time) *service.Service {
	tb.Helper()
	box, err := secret.New(bytes.Repeat([]byte{7}, secret.KeySize))
	if err != nil {
		tb.Fatal(err)
	}
	clock := now
	if clock == nil {
		clock = time.Now
	}
	key, err := healthqr.GenerateKey("330100", clock().Add(-time.Minute), 24*time.Hour)
	if err != nil {
		tb.Fatal(err)
	}
	keys, err := healthqr.NewKeyring(key)
	if err != nil {
		tb.Fatal(err)
	}
	policies, err := policy.ShippedRegistry("330100", nil)
	if err != nil {
		tb.Fatal(err)
	}
	if cfg.Identity == nil {
		cfg.Identity = provider.AcceptAnyone{}
	}
	if cfg.LogSigner == nil {
		skey, vkey, err := note.GenerateKey(rand.Reader, "healthcode-test")
		if err != nil {
			tb.Fatal(err)
		}
		if cfg.LogSigner, err = note.NewSigner(skey); err != nil {
			tb.Fatal(err)
		}
		cfg.LogVerifier = vkey
	}
	svc, err := service.New(cfg, db, box, keys, policies, provider.LogSender{Log: log}, log, now)
	if err != nil {
		tb.Fatal(err)
	}
	return svc
}

// do serves one request in process and returns the status and body.
func (f *fixture) do(tb testing.TB, method, path, token string, body any) (int, []byte) {
	tb.Helper()
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			tb.Fatal(err)
		}
		r = bytes.NewReader(b)
	}
	req := httptest.NewRequest(method, path, r)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	rec := httptest.NewRecorder()
	f.h.ServeHTTP(rec, req)
	return rec.Code, rec.Body.Bytes()
}

// officialToken returns the bearer token of an official of role scoped
// to region, by a real account (the operator appoints it, with
// officialPassword) logged in over HTTP with its password and a TOTP code,
// as an official's app does. n tells officials of one role and scope
// apart; asking again for the same one returns its token.
func (f *fixture) officialToken(tb testing.TB, role healthcode.Role, n int64, region string) string {
	tb.Helper()
	login := fmt.Sprintf("t%d.%s.%s", n, role, region)
	if token, ok := f.officialTokens[login]; ok {
		return token
	}
	o := f.appoint(tb, login, role, region)
	status, body := f.do(tb, "POST", "/api/v1/officials/login", "",
		map[string]string{"login": login, "password": officialPassword, "code": o.totpCode(tb, time.Now())})
	if status != http.StatusOK {
		tb.Fatalf("official %s logs in: %d %s", login, status, body)
	}
	var out struct{ Token string }
	if err := json.Unmarshal(body, &out); err != nil || out.Token == "" {
		tb.Fatalf("official %s logs in: no token in %s", login, body)
	}
	if f.officialTokens == nil {
		f.officialTokens, f.officials, f.officialAccounts = map[string]string{}, map[string]*healthcode.Principal{}, map[string]official{}
	}
	f.officialTokens[login] = out.Token
	f.officials[out.Token] = &healthcode.Principal{Role: role, OfficialID: o.id, Region: region}
	f.officialAccounts[out.Token] = o
	return out.Token
}

// login returns a new session token for phone's account.
func (f *fixture) login(tb testing.TB, phone string) string {
	tb.Helper()
	ctx := context.Background()
	otp, err := f.svc.RequestOTP(ctx, phone)
	if err != nil {
		tb.Fatal(err)
	}
	login, err := f.svc.Login(ctx, phone, otp.DevCode)
	if err != nil {
		tb.Fatal(err)
	}
	return login.Token
}

// doBody serves one request with a body of its own content type.
func (f *fixture) doBody(tb testing.TB, method, path, token, contentType, body string) (int, []byte) {
	tb.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	req.Header.Set("Content-Type", contentType)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	rec := httptest.NewRecorder()
	f.h.ServeHTTP(rec, req)
	return rec.Code, rec.Body.Bytes()
}
