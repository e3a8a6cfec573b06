package service_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"healthcode"
	"healthcode/internal/provider"
	"healthcode/internal/service"
)

// wrongCode returns a six-digit code that is not code.
func wrongCode(code string) string {
	if code == "000000" {
		return "000001"
	}
	return "000000"
}

func TestLoginGivesASessionThatAuthenticatesAsACitizen(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	const phone = "13900040001"
	otp, err := e.svc.RequestOTP(ctx, "+86 139-0004-0001")
	if err != nil {
		t.Fatal(err)
	}
	if want := start.Add(5 * time.Minute); !otp.ExpiresAt.Equal(want) {
		t.Errorf("code expires at %v, want %v", otp.ExpiresAt, want)
	}
	code := e.sender.last(t, phone)
	if len(code) != 6 || strings.Trim(code, "0123456789") != "" {
		t.Errorf("code %q is not six digits", code)
	}
	login, err := e.svc.Login(ctx, phone, " "+code+" ")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(login.Token, "hcs_") || !login.ExpiresAt.Equal(start.Add(service.DefaultSessionTTL)) {
		t.Errorf("login = %+v, want an hcs_ token for %v", login, service.DefaultSessionTTL)
	}
	who, err := e.svc.Authenticate(ctx, login.Token)
	if err != nil {
		t.Fatal(err)
	}
	if who.Role != healthcode.RoleCitizen || who.AccountID == 0 {
		t.Errorf("principal = %+v, want a citizen account", who)
	}

	// Logging in again finds the same account.
	e.clock.Advance(time.Minute)
	if again := mustLogin(t, e, phone); again.AccountID != who.AccountID {
		t.Errorf("second login: account %d, want %d", again.AccountID, who.AccountID)
	}
	// A code is used once.
	_, err = e.svc.Login(ctx, phone, code)
	wantCode(t, err, healthcode.EUNAUTHORIZED)

	// The session ends after its lifetime.
	e.clock.Set(login.ExpiresAt)
	_, err = e.svc.Authenticate(ctx, login.Token)
	wantCode(t, err, healthcode.EUNAUTHORIZED)
}

func TestAuthenticateRefusesUnknownTokens(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	mustLogin(t, e, "13900040011")
	for _, token := range []string{"", "hcs_", "hcs_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "hck_nope", "Bearer x", "13900040011"} {
		who, err := e.svc.Authenticate(ctx, token)
		if healthcode.ErrorCode(err) != healthcode.EUNAUTHORIZED || who != nil {
			t.Errorf("Authenticate(%q) = %+v, %v; want unauthorized", token, who, err)
		}
	}
}

func TestLoginRefusesWrongCodesAndLocksAfterFive(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	const phone = "13900040021"
	if _, err := e.svc.RequestOTP(ctx, phone); err != nil {
		t.Fatal(err)
	}
	code := e.sender.last(t, phone)
	for i := 1; i <= 5; i++ {
		res, err := e.svc.Login(ctx, phone, wrongCode(code))
		if healthcode.ErrorCode(err) != healthcode.EUNAUTHORIZED || res != nil {
			t.Fatalf("wrong try %d: %+v, %v; want unauthorized", i, res, err)
		}
	}
	// The sixth guess is not checked at all, the right code included.
	_, err := e.svc.Login(ctx, phone, code)
	wantCode(t, err, healthcode.ELIMIT)
}

func TestLoginAcceptsTheRightCodeAfterFourWrongOnes(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	const phone = "13900040031"
	if _, err := e.svc.RequestOTP(ctx, phone); err != nil {
		t.Fatal(err)
	}
	code := e.sender.last(t, phone)
	for range 4 {
		_, err := e.svc.Login(ctx, phone, wrongCode(code))
		wantCode(t, err, healthcode.EUNAUTHORIZED)
	}
	if _, err := e.svc.Login(ctx, phone, code); err != nil {
		t.Errorf("right code on the fifth try: %v", err)
	}
}

func TestLoginRefusesAnExpiredCode(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	const phone = "13900040041"
	if _, err := e.svc.RequestOTP(ctx, phone); err != nil {
		t.Fatal(err)
	}
	code := e.sender.last(t, phone)
	e.clock.Advance(6 * time.Minute)
	_, err := e.svc.Login(ctx, phone, code)
	wantCode(t, err, healthcode.EUNAUTHORIZED)
	// Without any code requested there is nothing to log in with.
	_, err = e.svc.Login(ctx, "13900040049", "123456")
	wantCode(t, err, healthcode.EUNAUTHORIZED)
}

func TestRequestOTPIsLimitedTo1Per30Seconds(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	const phone = "13900040051"
	if _, err := e.svc.RequestOTP(ctx, phone); err != nil {
		t.Fatal(err)
	}
	first := e.sender.last(t, phone)
	e.clock.Advance(29 * time.Second)
	_, err := e.svc.RequestOTP(ctx, "+86"+phone)
	wantCode(t, err, healthcode.ELIMIT)
	if n := e.sender.count(); n != 1 {
		t.Errorf("%d codes sent, want 1: a refused request sends nothing", n)
	}
	// Another phone is not held up.
	if _, err := e.svc.RequestOTP(ctx, "13900040052"); err != nil {
		t.Errorf("another phone: %v", err)
	}

	e.clock.Advance(time.Second)
	if _, err := e.svc.RequestOTP(ctx, phone); err != nil {
		t.Fatalf("after 30 s: %v", err)
	}
	second := e.sender.last(t, phone)
	if first != second {
		_, err = e.svc.Login(ctx, phone, first)
		wantCode(t, err, healthcode.EUNAUTHORIZED)
	}
	if _, err := e.svc.Login(ctx, phone, second); err != nil {
		t.Errorf("newest code: %v", err)
	}
}

// Burning a code's five tries must not open the door to an immediate new
// code: otherwise anyone can text a phone as fast as they can type five
// wrong codes, which is the storm the 30 s limit exists to prevent.
func TestExhaustingACodeDoesNotLiftTheResendLimit(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	const phone = "13900040061"
	if _, err := e.svc.RequestOTP(ctx, phone); err != nil {
		t.Fatal(err)
	}
	code := e.sender.last(t, phone)
	for range 5 {
		_, err := e.svc.Login(ctx, phone, wrongCode(code))
		wantCode(t, err, healthcode.EUNAUTHORIZED)
	}
	e.clock.Advance(time.Second)
	_, err := e.svc.RequestOTP(ctx, phone)
	wantCode(t, err, healthcode.ELIMIT)
	if n := e.sender.count(); n != 1 {
		t.Errorf("%d codes sent within a second, want 1", n)
	}
}

func TestRequestOTPRejectsBadPhones(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	for _, phone := range []string{"", "12345678901", "057187654321", "1390004007"} {
		_, err := e.svc.RequestOTP(ctx, phone)
		wantCode(t, err, healthcode.EINVALID)
		if got := fieldNames(err); len(got) != 1 || got[0] != "phone" {
			t.Errorf("RequestOTP(%q): fields %v, want [phone]", phone, got)
		}
		_, err = e.svc.Login(ctx, phone, "123456")
		wantCode(t, err, healthcode.EINVALID)
	}
	if n := e.sender.count(); n != 0 {
		t.Errorf("%d codes sent to bad phones", n)
	}
}

func TestDevModeAloneRevealsTheCode(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, dev := range []bool{false, true} {
		e := newEnv(t, withConfig(service.Config{Issuer: "330100", Dev: dev}))
		const phone = "13900040071"
		res, err := e.svc.RequestOTP(ctx, phone)
		if err != nil {
			t.Fatal(err)
		}
		sent := e.sender.last(t, phone)
		want := ""
		if dev {
			want = sent
		}
		if res.DevCode != want {
			t.Errorf("Dev=%v: DevCode = %q, want %q", dev, res.DevCode, want)
		}
	}
}

func TestNewValidatesTheConfiguration(t *testing.T) {
	accept := provider.AcceptAnyone{}
	t.Parallel()
	e := newEnv(t)
	for _, cfg := range []service.Config{{Issuer: "33010", Identity: accept}, {Issuer: "990100", Identity: accept}, {TokenTTL: 500 * time.Millisecond, Identity: accept}, {TokenTTL: -time.Minute, Identity: accept}, {}} {
		if _, err := service.New(cfg, e.store, e.box, e.keys, nil, e.sender, nil, nil); err == nil {
			t.Errorf("New(%+v) accepted a bad configuration", cfg)
		}
	}
	svc, err := service.New(service.Config{Identity: accept}, e.store, e.box, e.keys, nil, e.sender, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if svc.Issuer() != service.DefaultIssuer || len(svc.Keys()) != 1 || svc.Keys()[0].Issuer != "330100" {
		t.Errorf("defaults: issuer %q, keys %+v", svc.Issuer(), svc.Keys())
	}
}

func TestExhaustingACodeLocksThePhoneFor15Minutes(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	const phone = "13900040071"
	if _, err := e.svc.RequestOTP(ctx, phone); err != nil {
		t.Fatal(err)
	}
	code := e.sender.last(t, phone)
	for range 5 {
		_, err := e.svc.Login(ctx, phone, wrongCode(code))
		wantCode(t, err, healthcode.EUNAUTHORIZED)
	}
	e.clock.Advance(14 * time.Minute)
	_, err := e.svc.RequestOTP(ctx, phone)
	wantCode(t, err, healthcode.ELIMIT)
	e.clock.Advance(time.Minute)
	if _, err := e.svc.RequestOTP(ctx, phone); err != nil {
		t.Fatalf("a new code after 15 minutes: %v", err)
	}
}

// TestConcurrentWrongGuessesAreAllCounted has many wrong guesses race for
// one code: no more than five may be checked, on either store.
func TestConcurrentWrongGuessesAreAllCounted(t *testing.T) {
	for _, store := range []struct {
		name string
		opts []envOption
	}{{"sqlite", nil}, {"postgres", []envOption{withPostgres()}}} {
		t.Run(store.name, func(t *testing.T) {
			e := newEnv(t, store.opts...)
			ctx := context.Background()
			const phone = "13900040081"
			if _, err := e.svc.RequestOTP(ctx, phone); err != nil {
				t.Fatal(err)
			}
			code := e.sender.last(t, phone)
			var mu sync.Mutex
			var wg sync.WaitGroup
			checked := 0
			for range 30 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					_, err := e.svc.Login(ctx, phone, wrongCode(code))
					if err != nil && healthcode.ErrorMessage(err) == "Wrong code." {
						mu.Lock()
						checked++
						mu.Unlock()
					}
				}()
			}
			wg.Wait()
			if checked > 5 {
				t.Errorf("%d wrong guesses were checked, want at most 5", checked)
			}
		})
	}
}

func TestStaffLoginTakesOnlyCheckpointAndAdminKeys(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	gate, _, err := e.svc.CreateAPIKey(ctx, "gate 1", healthcode.RoleCheckpoint, "330100")
	if err != nil {
		t.Fatal(err)
	}
	feed, _, err := e.svc.CreateFeedKey(ctx, "lab 1", "330100", []string{"lab"})
	if err != nil {
		t.Fatal(err)
	}
	citizen := mustSession(t, e, "13900080001")
	tests := []struct {
		name, key, want string
	}{
		{"a checkpoint key", gate, ""},
		{"a feed key", feed, healthcode.EFORBIDDEN},
		{"a citizen's session", citizen, healthcode.EUNAUTHORIZED},
		{"an unknown key", "hck_" + strings.Repeat("A", 43), healthcode.EUNAUTHORIZED},
	}
	for _, tt := range tests {
		res, who, err := e.svc.StaffLogin(ctx, tt.key)
		if got := healthcode.ErrorCode(err); got != tt.want && !(tt.want == "" && err == nil) {
			t.Errorf("%s: error %q (%v), want %q", tt.name, got, err, tt.want)
			continue
		}
		if tt.want == "" && (res == nil || who.Name != "gate 1" || strings.Contains(res.Token, gate)) {
			t.Errorf("%s: %+v, %+v; want a session token of gate 1's", tt.name, res, who)
		}
	}
}
