package service_test

import (
	"context"
	"math"
	"strings"
	"testing"
	"time"

	"healthcode"
	"healthcode/healthqr"
	"healthcode/internal/service"
	"healthcode/policy"
)

func verifyInput(token string) service.VerifyInput { return service.VerifyInput{Token: token} }

func withTemperature(token string, celsius float64) service.VerifyInput {
	return service.VerifyInput{Token: token, Temperature: &celsius}
}

// holder is a citizen with a green code, ready to be scanned.
type holder struct {
	who    *healthcode.Principal
	person *service.PersonView
	number string
	code   *service.Code
}

func newHolder(t *testing.T, e *testEnv, phone string) holder {
	t.Helper()
	h := holder{who: mustLogin(t, e, phone), number: validID(t, "33010619900307123")}
	h.person = mustApply(t, e, h.who, applyInput(h.number, "王小明", phone))
	var err error
	if h.code, err = e.svc.Code(context.Background(), h.who, h.person.ID); err != nil {
		t.Fatal(err)
	}
	return h
}

func TestVerifyValidGreenToken(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	h := newHolder(t, e, "13900030001")
	if h.code.Color != healthcode.Green || !h.code.ExpiresAt.Equal(h.code.IssuedAt.Add(service.DefaultTokenTTL)) {
		t.Errorf("code = %+v, want green for %v", h.code, service.DefaultTokenTTL)
	}
	if strings.Contains(h.code.Token, h.number) || strings.Contains(h.code.Token, h.number[10:]) {
		t.Errorf("token %q carries the ID number", h.code.Token)
	}

	e.clock.Advance(service.DefaultTokenTTL - time.Second)
	v, err := e.svc.Verify(context.Background(), nil, verifyInput(h.code.Token))
	if err != nil {
		t.Fatal(err)
	}
	if !v.Valid || !v.Pass || v.Reason != "" || v.Color != healthcode.Green || v.TokenColor != healthcode.Green {
		t.Errorf("verification = %+v, want a valid green pass", v)
	}
	if v.Name != "王*明" || v.IDTail != h.number[14:] || v.Issuer != "330100" || !v.ExpiresAt.Equal(h.code.ExpiresAt) {
		t.Errorf("verification shows %q %q issuer %q until %v; want 王*明 %q 330100 until %v",
			v.Name, v.IDTail, v.Issuer, v.ExpiresAt, h.number[14:], h.code.ExpiresAt)
	}
	if v.Why != nil || v.Fever {
		t.Errorf("anonymous verification: reason %+v, fever %v; want no reason (it can be a diagnosis), no fever", v.Why, v.Fever)
	}
	gate := checkpoint(t, e, "gate 1")
	v, err = e.svc.Verify(context.Background(), gate, verifyInput(h.code.Token))
	if err != nil {
		t.Fatal(err)
	}
	if v.Why == nil || v.Why.En == "" || v.Why.Zh == "" {
		t.Errorf("checkpoint verification reason %+v, want an explained reason", v.Why)
	}
}

func TestVerifyTemperatureNeedsACheckpointKey(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	h := newHolder(t, e, "13900030011")
	for name, who := range map[string]*healthcode.Principal{"anonymous": nil, "citizen": h.who} {
		_, err := e.svc.Verify(ctx, who, withTemperature(h.code.Token, 38.5))
		if got := healthcode.ErrorCode(err); got != healthcode.EFORBIDDEN {
			t.Errorf("%s recording a temperature: code %q, want %q", name, got, healthcode.EFORBIDDEN)
		}
	}
	if n := len(storedFacts(t, e, h.person.ID)); n != 1 {
		t.Errorf("%d facts after refused temperatures, want only the application's", n)
	}
}

func TestVerifyFeverAtACheckpointTurnsTheCodeYellow(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	h := newHolder(t, e, "13900030021")
	gate := checkpoint(t, e, "West Lake gate 3")
	if gate.Role != healthcode.RoleCheckpoint || gate.Name != "West Lake gate 3" || gate.Region != "330106" {
		t.Fatalf("checkpoint principal = %+v", gate)
	}

	v, err := e.svc.Verify(ctx, gate, withTemperature(h.code.Token, 38.5))
	if err != nil {
		t.Fatal(err)
	}
	if !v.Valid || v.Pass || !v.Fever || v.Color != healthcode.Yellow || v.TokenColor != healthcode.Green {
		t.Errorf("verification = %+v, want valid, refused, fever, yellow now though signed green", v)
	}
	facts := storedFacts(t, e, h.person.ID)
	last := facts[len(facts)-1]
	if last.Kind != healthcode.FactTemperature || last.Temperature == nil || last.Temperature.Celsius != 38.5 ||
		last.Temperature.Checkpoint != gate.Name || last.Source != gate.Name || last.Author != gate.Author() {
		t.Errorf("last fact = %+v (temperature %+v), want 38.5 °C from %q by %s", last, last.Temperature, gate.Name, gate.Author())
	}
	st, err := e.svc.Status(ctx, h.who, h.person.ID)
	if err != nil {
		t.Fatal(err)
	}
	if st.Color != healthcode.Yellow || st.Rule != ruleCheckpointFever {
		t.Errorf("status = %v by %q, want yellow by %q", st.Color, st.Rule, ruleCheckpointFever)
	}

	// The same still-valid token now shows the live colour to anyone.
	v, err = e.svc.Verify(ctx, nil, verifyInput(h.code.Token))
	if err != nil {
		t.Fatal(err)
	}
	if !v.Valid || v.Pass || v.Color != healthcode.Yellow || v.Fever {
		t.Errorf("later scan = %+v, want valid, refused, yellow, no fever of its own", v)
	}
}

func TestVerifyNormalTemperatureIsRecordedAndPasses(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	h := newHolder(t, e, "13900030031")
	gate := checkpoint(t, e, "Gate 1")
	for _, c := range []float64{34, 36.6, 37.2} {
		v, err := e.svc.Verify(ctx, gate, withTemperature(h.code.Token, c))
		if err != nil {
			t.Fatalf("%.1f °C: %v", c, err)
		}
		if !v.Valid || !v.Pass || v.Fever || v.Color != healthcode.Green {
			t.Errorf("%.1f °C: verification = %+v, want a green pass", c, v)
		}
	}
	if n := len(storedFacts(t, e, h.person.ID)); n != 4 {
		t.Errorf("%d facts, want the application and three temperatures", n)
	}
	v, err := e.svc.Verify(ctx, gate, withTemperature(h.code.Token, 37.3))
	if err != nil {
		t.Fatal(err)
	}
	if v.Pass || !v.Fever || v.Color != healthcode.Yellow {
		t.Errorf("37.3 °C: verification = %+v, want the fever threshold to refuse", v)
	}
}

func TestVerifyRejectsImplausibleTemperatures(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	h := newHolder(t, e, "13900030041")
	gate := checkpoint(t, e, "Gate 1")
	for _, c := range []float64{50, 33.9, 43.1, -37, math.Inf(1)} {
		_, err := e.svc.Verify(ctx, gate, withTemperature(h.code.Token, c))
		if got := healthcode.ErrorCode(err); got != healthcode.EINVALID {
			t.Errorf("%v °C: code %q (%v), want %q", c, got, err, healthcode.EINVALID)
			continue
		}
		if got := fieldNames(err); len(got) != 1 || got[0] != "temperature" {
			t.Errorf("%v °C: fields %v, want [temperature]", c, got)
		}
	}
	if n := len(storedFacts(t, e, h.person.ID)); n != 1 {
		t.Errorf("%d facts after refused temperatures, want only the application's", n)
	}
}

func TestVerifyRejectsNaNTemperature(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	h := newHolder(t, e, "13900030051")
	gate := checkpoint(t, e, "Gate 1")
	_, err := e.svc.Verify(context.Background(), gate, withTemperature(h.code.Token, math.NaN()))
	wantCode(t, err, healthcode.EINVALID)
	if got := fieldNames(err); len(got) != 1 || got[0] != "temperature" {
		t.Errorf("fields %v, want [temperature]", got)
	}
}

func TestVerifyRequiresAToken(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	_, err := e.svc.Verify(context.Background(), nil, verifyInput(""))
	wantCode(t, err, healthcode.EINVALID)
	if got := fieldNames(err); len(got) != 1 || got[0] != "token" {
		t.Errorf("fields %v, want [token]", got)
	}
}

func TestVerifyReportsWhyATokenIsInvalid(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	h := newHolder(t, e, "13900030061")
	now := e.clock.Now()

	otherKey, err := healthqr.GenerateKey("330100", now, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	otherRing, err := healthqr.NewKeyring(otherKey)
	if err != nil {
		t.Fatal(err)
	}
	foreignKey, err := healthqr.GenerateKey("110000", now, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	foreignRing, err := healthqr.NewKeyring(foreignKey)
	if err != nil {
		t.Fatal(err)
	}
	codeID := func() healthqr.CodeID {
		c, err := healthqr.NewCodeID()
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	// claimsOf are the claims of the holder's real token.
	claimsOf, err := e.keys.Verify(h.code.Token, now)
	if err != nil {
		t.Fatal(err)
	}
	sign := func(ring *healthqr.Keyring, c healthqr.Claims) string {
		tok, err := ring.Sign(c)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	unknownCode := claimsOf
	unknownCode.CodeID = codeID()
	future := claimsOf
	future.IssuedAt, future.ExpiresAt = now.Add(5*time.Minute), now.Add(6*time.Minute)
	foreign := claimsOf
	foreign.Issuer = "110000"

	tests := []struct {
		name, token, reason string
	}{
		{"garbage", "not a health code", "malformed"},
		{"right length, wrong prefix", "XXXX" + h.code.Token[4:], "malformed"},
		{"signed by a key this deployment does not know", sign(otherRing, claimsOf), "unknown_issuer"},
		{"signed by another region", sign(foreignRing, foreign), "unknown_issuer"},
		{"a changed signature", tamperSignature(t, h.code.Token), "bad_signature"},
		{"issued in the future", sign(e.keys, future), "not_yet_valid"},
		{"a code id nobody holds", sign(e.keys, unknownCode), "unknown_code"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := e.svc.Verify(context.Background(), nil, verifyInput(tt.token))
			if err != nil {
				t.Fatalf("Verify: %v, want a verdict", err)
			}
			if v.Valid || v.Pass || v.Reason != tt.reason || v.Name != "" || v.IDTail != "" || v.Color != 0 {
				t.Errorf("verification = %+v, want invalid %q showing nobody", v, tt.reason)
			}
		})
	}
}

func TestVerifyRefusesAnExpiredToken(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withConfig(service.Config{Issuer: "330100", TokenTTL: 30 * time.Second}))
	h := newHolder(t, e, "13900030071")
	gate := checkpoint(t, e, "Gate 1")
	if got := h.code.ExpiresAt.Sub(h.code.IssuedAt); got != 30*time.Second {
		t.Errorf("token lifetime = %v, want the configured 30s", got)
	}
	e.clock.Advance(30 * time.Second)
	v, err := e.svc.Verify(context.Background(), gate, withTemperature(h.code.Token, 39))
	if err != nil {
		t.Fatal(err)
	}
	if v.Valid || v.Pass || v.Reason != "expired" {
		t.Errorf("verification = %+v, want invalid expired", v)
	}
	if n := len(storedFacts(t, e, h.person.ID)); n != 1 {
		t.Errorf("an expired token recorded a temperature: %d facts, want 1", n)
	}
}

// tamperSignature changes one signature byte of a token while keeping it
// well-formed base45, so that only the signature check can notice.
func tamperSignature(t *testing.T, token string) string {
	t.Helper()
	const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
	// Group 40 encodes binary bytes 80 and 81, inside the signature; its
	// first character is the group's lowest base45 digit, so moving it by
	// one changes the value by one and never overflows.
	i := len(healthqr.Prefix) + 3*40
	b := []byte(token)
	j := strings.IndexByte(alphabet, b[i])
	if j < 0 {
		t.Fatalf("token character %q is not base45", b[i])
	}
	if j > 0 {
		b[i] = alphabet[j-1]
	} else {
		b[i] = alphabet[j+1]
	}
	return string(b)
}

func TestCreateAPIKeyValidatesItsInput(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	_, _, err := e.svc.CreateAPIKey(ctx, " ", healthcode.RoleCitizen, "33")
	wantCode(t, err, healthcode.EINVALID)
	if got, want := fieldNames(err), []string{"name", "region", "role"}; strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("fields = %v, want %v", got, want)
	}
	key, k, err := e.svc.CreateAPIKey(ctx, "  Gate 2 ", healthcode.RoleCheckpoint, "330106")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(key, "hck_") || k.Name != "Gate 2" || strings.Contains(string(k.Hash), key) {
		t.Errorf("key %q, record %+v: want an hck_ secret, trimmed name and only a hash stored", key, k)
	}
}

// greenPolicy is a region's policy that never looks at temperatures.
type greenPolicy struct{}

func (greenPolicy) PolicyName() string { return "test-always-green" }

func (greenPolicy) Settings() policy.Settings {
	return policy.Settings{ModifyLimit: 1, ModifyPerDay: true, Relatives: true}
}

func (greenPolicy) Evaluate(_ []healthcode.Fact, now time.Time) healthcode.Status {
	return healthcode.Status{Color: healthcode.Green, Policy: "test-always-green", Rule: "test/green", EvaluatedAt: now, Since: now}
}

func TestVerifyFeverRefusesPassageWhateverThePolicySays(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withPolicy(greenPolicy{}))
	h := newHolder(t, e, "13900030081")
	gate := checkpoint(t, e, "Gate 1")
	v, err := e.svc.Verify(context.Background(), gate, withTemperature(h.code.Token, 38.0))
	if err != nil {
		t.Fatal(err)
	}
	if !v.Valid || v.Color != healthcode.Green || !v.Fever || v.Pass {
		t.Errorf("verification = %+v, want a green code refused for the fever measured now", v)
	}
}
