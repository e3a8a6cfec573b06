package service_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"healthcode"
	"healthcode/healthqr"
	"healthcode/identity"
	"healthcode/internal/provider"
	"healthcode/internal/secret"
	"healthcode/internal/service"
	"healthcode/internal/store"
	"healthcode/internal/store/pgtest"
	"healthcode/policy"
)

// start is where every fake clock begins: 10:00 China time on 10 March 2026,
// a whole second so that key validity and token times line up exactly.
var start = time.Date(2026, 3, 10, 2, 0, 0, 0, time.UTC)

// fakeClock is a clock the test moves by hand.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// Set moves the clock to t, which must not be before the current time: the
// signing key is valid from the clock's start.
func (c *fakeClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if t.Before(c.now) {
		panic("fakeClock.Set: time may not go backwards")
	}
	c.now = t
}

// sentOTP is one one-time code handed to the Sender.
type sentOTP struct{ phone, code string }

// captureSender records the codes the service sends instead of texting them.
type captureSender struct {
	mu   sync.Mutex
	sent []sentOTP
}

func (s *captureSender) SendCode(_ context.Context, m healthcode.CodeMessage) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sent = append(s.sent, sentOTP{m.Phone, m.Code})
	return nil
}

// last returns the newest code sent to phone.
func (s *captureSender) last(t *testing.T, phone string) string {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := len(s.sent) - 1; i >= 0; i-- {
		if s.sent[i].phone == phone {
			return s.sent[i].code
		}
	}
	t.Fatalf("no one-time code was sent to %s", phone)
	return ""
}

func (s *captureSender) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.sent)
}

// syncBuffer is a log destination safe for concurrent writers.
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

// testEnv is a Service on a real SQLite file (or PostgreSQL database, with
// withPostgres) with everything around it reachable by the test.
type testEnv struct {
	svc    *service.Service
	store  healthcode.Store
	dbPath string // the SQLite file; empty on PostgreSQL
	box    *secret.Box
	keys   *healthqr.Keyring
	clock  *fakeClock
	sender *captureSender
	logs   *syncBuffer
}

type envSettings struct {
	cfg      service.Config
	pol      policy.Policy
	chooser  policy.Chooser // when set, instead of pol for every region
	postgres bool
}

type envOption func(*envSettings)

// withConfig replaces the default configuration (issuer 330100, Dev off).
func withConfig(cfg service.Config) envOption { return func(s *envSettings) { s.cfg = cfg } }

// withChooser picks packs by region instead of one pack for all.
func withChooser(c policy.Chooser) envOption { return func(s *envSettings) { s.chooser = c } }

// withPolicy replaces the core test pack (testdata/core-test.yaml).
func withPolicy(p policy.Policy) envOption { return func(s *envSettings) { s.pol = p } }

// withChecker replaces the real-name check, which accepts anyone by
// default.
func withChecker(c healthcode.IdentityChecker) envOption {
	return func(s *envSettings) { s.cfg.Identity = c }
}

// checkerFunc is a real-name check written in place.
type checkerFunc func(healthcode.Identity) error

func (f checkerFunc) CheckIdentity(_ context.Context, c healthcode.IdentityClaim) error {
	return f(c.Identity)
}

// modify modifies as a citizen does, asking a relative's new phone for
// consent when the service wants it.
func modify(t *testing.T, e *testEnv, who *healthcode.Principal, id int64, in service.ModifyInput) (*service.PersonView, error) {
	t.Helper()
	ctx := context.Background()
	v, err := e.svc.Modify(ctx, who, id, in)
	if !errors.Is(err, service.ErrConsentRequired) {
		return v, err
	}
	e.clock.Advance(31 * time.Second)
	req := service.ConsentInput{PersonID: id, Identity: healthcode.Identity{Phone: *in.Phone}}
	if in.Name != nil {
		req.Identity.Name = *in.Name
	}
	if _, err := e.svc.RequestConsent(ctx, who, req); err != nil {
		return nil, err
	}
	phone, err := identity.NormalizePhone(*in.Phone)
	if err != nil {
		t.Fatal(err)
	}
	in.ConsentCode = e.sender.last(t, phone)
	return e.svc.Modify(ctx, who, id, in)
}

// withPostgres runs the service on a new PostgreSQL database instead of
// SQLite; the test skips without a server (pgtest).
func withPostgres() envOption { return func(s *envSettings) { s.postgres = true } }

func newEnv(t *testing.T, opts ...envOption) *testEnv {
	t.Helper()
	set := envSettings{cfg: service.Config{Issuer: "330100"}, pol: corePack(t)}
	for _, o := range opts {
		o(&set)
	}
	if set.cfg.Identity == nil {
		set.cfg.Identity = provider.AcceptAnyone{}
	}
	if set.cfg.LogSigner == nil {
		set.cfg.LogSigner, set.cfg.LogVerifier = testLogKey(t)
	}
	ctx := context.Background()
	e := &testEnv{
		clock:  &fakeClock{now: start},
		sender: &captureSender{},
		logs:   &syncBuffer{},
	}
	var err error
	if set.postgres {
		e.store, err = store.OpenPostgres(ctx, pgtest.NewDatabase(t))
	} else {
		e.dbPath = filepath.Join(t.TempDir(), "healthcode.db")
		e.store, err = store.OpenSQLite(ctx, e.dbPath)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.store.Close() })
	key := make([]byte, secret.KeySize)
	for i := range key {
		key[i] = byte(i*7 + 3)
	}
	if e.box, err = secret.New(key); err != nil {
		t.Fatal(err)
	}
	signing, err := healthqr.GenerateKey("330100", start, 2*365*24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if e.keys, err = healthqr.NewKeyring(signing); err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	var chooser policy.Chooser = policy.Single{Policy: set.pol}
	if set.chooser != nil {
		chooser = set.chooser
	}
	e.svc, err = service.New(set.cfg, e.store, e.box, e.keys, chooser, e.sender, log, e.clock.Now)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// mustLogin logs phone in the way a citizen does — ask for a code, type the
// code that arrived — and returns the principal its session stands for.
func mustLogin(t *testing.T, e *testEnv, phone string) *healthcode.Principal {
	t.Helper()
	who, err := e.svc.Authenticate(context.Background(), mustSession(t, e, phone))
	if err != nil {
		t.Fatalf("Authenticate: %v", err)
	}
	return who
}

// mustSession logs phone in as mustLogin does and returns the session's
// token.
func mustSession(t *testing.T, e *testEnv, phone string) string {
	t.Helper()
	ctx := context.Background()
	if _, err := e.svc.RequestOTP(ctx, phone); err != nil {
		t.Fatalf("RequestOTP(%s): %v", phone, err)
	}
	norm, err := identity.NormalizePhone(phone)
	if err != nil {
		t.Fatal(err)
	}
	login, err := e.svc.Login(ctx, phone, e.sender.last(t, norm))
	if err != nil {
		t.Fatalf("Login(%s): %v", phone, err)
	}
	return login.Token
}

// checkpoint creates a checkpoint API key and returns its principal.
func checkpoint(t *testing.T, e *testEnv, name string) *healthcode.Principal {
	t.Helper()
	key, _, err := e.svc.CreateAPIKey(context.Background(), name, healthcode.RoleCheckpoint, "330106")
	if err != nil {
		t.Fatalf("CreateAPIKey: %v", err)
	}
	return keyPrincipal(t, e, key)
}

// keyPrincipal is the principal an API key's secret authenticates as.
func keyPrincipal(t *testing.T, e *testEnv, key string) *healthcode.Principal {
	t.Helper()
	who, err := e.svc.Authenticate(context.Background(), key)
	if err != nil {
		t.Fatalf("Authenticate(key): %v", err)
	}
	return who
}

// validID completes 17 digits into a resident ID with the right check
// character.
func validID(t *testing.T, first17 string) string {
	t.Helper()
	c, err := identity.ResidentIDCheckChar(first17)
	if err != nil {
		t.Fatalf("ResidentIDCheckChar(%q): %v", first17, err)
	}
	return first17 + string(c)
}

// cleanDeclaration answers every question "no" and ticks the commitment.
func cleanDeclaration() service.DeclarationInput {
	return service.DeclarationInput{
		Fever: new(false), Cough: new(false), OtherSymptoms: new(false),
		LeftRegion14d: new(false), Abroad14d: new(false), ContactCases: new(false),
		Commitment: new(true),
	}
}

type applyOpt func(*service.ApplyInput)

// forRelative applies on behalf of a relative.
func forRelative(rel healthcode.Relation) applyOpt {
	return func(in *service.ApplyInput) { in.Relation = rel }
}

// withDoc uses a document other than a resident ID.
func withDoc(doc healthcode.DocType) applyOpt {
	return func(in *service.ApplyInput) { in.Identity.DocType = doc }
}

// declaringContact declares contact with confirmed or suspected cases.
func declaringContact(in *service.ApplyInput) { in.Declaration.ContactCases = new(true) }

// declaringCough declares a symptom.
func declaringCough(in *service.ApplyInput) { in.Declaration.Cough = new(true) }

// applyInput builds a complete, valid application for a resident ID in
// region 330106 with a clean declaration, for oneself unless an option says
// otherwise.
func applyInput(number, name, phone string, opts ...applyOpt) service.ApplyInput {
	in := service.ApplyInput{
		Identity:    healthcode.Identity{DocType: healthcode.DocResidentID, Number: number, Name: name, Phone: phone},
		Region:      "330106",
		Declaration: cleanDeclaration(),
	}
	for _, o := range opts {
		o(&in)
	}
	return in
}

func mustApply(t *testing.T, e *testEnv, who *healthcode.Principal, in service.ApplyInput) *service.PersonView {
	t.Helper()
	v, err := apply(t, e, who, in)
	if err != nil {
		t.Fatalf("Apply(%s): %v", in.Relation, err)
	}
	return v
}

// apply applies as a citizen does: for a relative with a phone of their
// own it asks for the consent code, takes it from that phone and applies
// again with it.
func apply(t *testing.T, e *testEnv, who *healthcode.Principal, in service.ApplyInput) (*service.PersonView, error) {
	t.Helper()
	ctx := context.Background()
	v, err := e.svc.Apply(ctx, who, in)
	if !errors.Is(err, service.ErrConsentRequired) {
		return v, err
	}
	e.clock.Advance(31 * time.Second) // past the last code's resend wait
	if _, err := e.svc.RequestConsent(ctx, who, service.ConsentInput{Relation: in.Relation, Identity: in.Identity, Region: in.Region}); err != nil {
		return nil, err
	}
	phone, err := identity.NormalizePhone(in.Identity.Phone)
	if err != nil {
		t.Fatal(err)
	}
	in.ConsentCode = e.sender.last(t, phone)
	return e.svc.Apply(ctx, who, in)
}

// modifyInput is a valid modification: region 330106, clean declaration.
func modifyInput() service.ModifyInput {
	return service.ModifyInput{Region: "330106", Declaration: cleanDeclaration()}
}

// wantCode fails the test unless err carries the error code want.
func wantCode(t *testing.T, err error, want string) {
	t.Helper()
	if got := healthcode.ErrorCode(err); got != want {
		t.Fatalf("error code = %q (err %v), want %q", got, err, want)
	}
}

// fieldNames lists the fields an EINVALID error names, sorted.
func fieldNames(err error) []string {
	var names []string
	for _, f := range healthcode.ErrorFields(err) {
		names = append(names, f.Field)
	}
	slices.Sort(names)
	return names
}

// history reads a person's history straight from the store.
func storedHistory(t *testing.T, e *testEnv, personID int64) []healthcode.HistoryEntry {
	t.Helper()
	hs, err := e.store.History(context.Background(), personID)
	if err != nil {
		t.Fatal(err)
	}
	return hs
}

// storedPerson reads a person straight from the store.
func storedPerson(t *testing.T, e *testEnv, personID int64) *healthcode.Person {
	t.Helper()
	p, err := e.store.Person(context.Background(), personID)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// storedFacts reads a person's facts straight from the store.
func storedFacts(t *testing.T, e *testEnv, personID int64) []healthcode.Fact {
	t.Helper()
	fs, err := e.store.Facts(context.Background(), personID)
	if err != nil {
		t.Fatal(err)
	}
	return fs
}

// Rules of the core test pack.
const (
	ruleDeclaredContact = "core-test/declared-contact/isolation"
	ruleDeclaredSymptom = "core-test/declared-symptoms/isolation"
	ruleCheckpointFever = "core-test/checkpoint-fever/isolation"
	ruleNoRisk          = "core-test/green"
)

// corePack loads testdata/core-test.yaml: red 14 days for declared
// contact, yellow 7 days for declared symptoms or a checkpoint fever.
func corePack(t *testing.T) *policy.Pack {
	t.Helper()
	p, err := policy.Load("testdata/core-test.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// packWith is the core test pack with other application settings.
func packWith(t *testing.T, set policy.Settings) *policy.Pack {
	t.Helper()
	p := corePack(t)
	p.Rules = set
	return p
}

// shippedPack loads a shipped pack by name.
func shippedPack(t *testing.T, name string) *policy.Pack {
	t.Helper()
	p, err := policy.LoadShipped(name)
	if err != nil {
		t.Fatal(err)
	}
	return p
}
