package service_test

import (
	"context"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"healthcode"
	"healthcode/internal/permission"
	"healthcode/internal/service"
)

const officialPassword = "correct horse battery staple"

// appoint opens an account by who and returns it with its TOTP secret.
func appoint(t *testing.T, e *testEnv, who *healthcode.Principal, login string, role healthcode.Role, scope string) (*healthcode.Official, string) {
	t.Helper()
	a, err := e.svc.CreateOfficial(context.Background(), who, service.OfficialSpec{Login: login, Role: role, Scope: scope, Password: officialPassword})
	if err != nil {
		t.Fatalf("CreateOfficial(%s, %s, %s): %v", login, role, scope, err)
	}
	return a.Official, a.TOTPSecret
}

// code is the TOTP code of secret at the env's time.
func code(t *testing.T, e *testEnv, secret string) string {
	t.Helper()
	c, err := totp.GenerateCode(secret, e.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// officialLogin logs in and returns the official's principal.
func officialLogin(t *testing.T, e *testEnv, login, secret string) (*healthcode.Principal, string) {
	t.Helper()
	ctx := context.Background()
	sess, err := e.svc.OfficialLogin(ctx, login, officialPassword, code(t, e, secret))
	if err != nil {
		t.Fatalf("OfficialLogin(%s): %v", login, err)
	}
	who, err := e.svc.Authenticate(ctx, sess.Token)
	if err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(30 * time.Second) // the next login takes the next step's code
	return who, sess.Token
}

func TestAnOfficialLogsInWithPasswordAndCodeAsTheirRoleAndScope(t *testing.T) {
	onBothStores(t, func(t *testing.T, opts ...envOption) {
		e := newEnv(t, opts...)
		ctx := context.Background()
		a, err := e.svc.CreateOfficial(ctx, permission.Operator(), service.OfficialSpec{Login: "wang.street",
			Role: healthcode.RoleStreet, Scope: "330106001", Password: officialPassword})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(a.TOTPURI, "otpauth://totp/") || !strings.Contains(a.TOTPURI, "secret="+a.TOTPSecret) {
			t.Errorf("provisioning URI %q: want an otpauth://totp/ URI with the secret", a.TOTPURI)
		}
		if strings.Contains(a.Official.PasswordHash, officialPassword) || !strings.HasPrefix(a.Official.PasswordHash, "$argon2id$") {
			t.Errorf("stored password %q: want an argon2id hash", a.Official.PasswordHash)
		}
		sess, err := e.svc.OfficialLogin(ctx, "wang.street", officialPassword, code(t, e, a.TOTPSecret))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(sess.Token, "hco_") || !sess.ExpiresAt.Equal(start.Add(8*time.Hour)) ||
			sess.Role != healthcode.RoleStreet || sess.Scope != "330106001" {
			t.Errorf("session = %+v", sess)
		}
		who, err := e.svc.Authenticate(ctx, sess.Token)
		if err != nil {
			t.Fatal(err)
		}
		want := healthcode.Principal{Role: healthcode.RoleStreet, OfficialID: a.Official.ID, Region: "330106001"}
		if !reflect.DeepEqual(*who, want) {
			t.Errorf("principal = %+v, want %+v", *who, want)
		}
		e.clock.Advance(8 * time.Hour)
		wantWorking(t, e, false, sess.Token)
	})
}

func TestAnOfficialLoginRefusesWithOneAnswer(t *testing.T) {
	onBothStores(t, func(t *testing.T, opts ...envOption) {
		e := newEnv(t, opts...)
		ctx := context.Background()
		_, secret := appoint(t, e, permission.Operator(), "li.district", healthcode.RoleDistrict, "330106")
		_, otherSecret := appoint(t, e, permission.Operator(), "zhao.district", healthcode.RoleDistrict, "330106")
		used := code(t, e, secret)
		if _, err := e.svc.OfficialLogin(ctx, "li.district", officialPassword, used); err != nil {
			t.Fatal(err)
		}
		tests := []struct {
			name, login, password, code string
		}{
			{"an unknown login", "nobody", officialPassword, used},
			{"a wrong password", "li.district", officialPassword + "!", code(t, e, secret)},
			{"another account's code", "li.district", officialPassword, code(t, e, otherSecret)},
			{"a code used once already", "li.district", officialPassword, used},
		}
		for _, tt := range tests {
			_, err := e.svc.OfficialLogin(ctx, tt.login, tt.password, tt.code)
			if healthcode.ErrorCode(err) != healthcode.EUNAUTHORIZED || healthcode.ErrorMessage(err) != "Wrong login, password or code." {
				t.Errorf("%s: %v, want the one EUNAUTHORIZED answer", tt.name, err)
			}
		}
		// A step later the used code is still refused (a fourth failure,
		// one short of the lock), and the new step's code is taken.
		e.clock.Advance(30 * time.Second)
		if _, err := e.svc.OfficialLogin(ctx, "li.district", officialPassword, used); err == nil {
			t.Error("the used code was taken again one step later")
		}
		if _, err := e.svc.OfficialLogin(ctx, "li.district", officialPassword, code(t, e, secret)); err != nil {
			t.Errorf("the next step's code: %v", err)
		}
	})
}

func TestFailedLoginsLockTheAccount(t *testing.T) {
	onBothStores(t, func(t *testing.T, opts ...envOption) {
		e := newEnv(t, opts...)
		ctx := context.Background()
		_, secret := appoint(t, e, permission.Operator(), "sun.community", healthcode.RoleCommunity, "330106001002")
		for i := range 4 {
			_, err := e.svc.OfficialLogin(ctx, "sun.community", "wrong password!", code(t, e, secret))
			wantCode(t, err, healthcode.EUNAUTHORIZED)
			e.clock.Advance(time.Minute)
			if i == 1 { // a wrong code counts as a wrong password does
				_, err := e.svc.OfficialLogin(ctx, "sun.community", officialPassword, "000000")
				wantCode(t, err, healthcode.EUNAUTHORIZED)
				break
			}
		}
		// Three failures so far; a success resets the count.
		officialLogin(t, e, "sun.community", secret)
		for range 4 {
			_, err := e.svc.OfficialLogin(ctx, "sun.community", "wrong password!", code(t, e, secret))
			wantCode(t, err, healthcode.EUNAUTHORIZED)
		}
		_, err := e.svc.OfficialLogin(ctx, "sun.community", "wrong password!", code(t, e, secret))
		wantCode(t, err, healthcode.ELIMIT)
		if got := healthcode.ErrorRetryAfter(err); got != 15*time.Minute {
			t.Errorf("RetryAfter = %v, want 15m", got)
		}
		e.clock.Advance(14 * time.Minute)
		_, err = e.svc.OfficialLogin(ctx, "sun.community", officialPassword, code(t, e, secret))
		wantCode(t, err, healthcode.ELIMIT) // the right password too
		if got := healthcode.ErrorRetryAfter(err); got != time.Minute {
			t.Errorf("RetryAfter = %v, want the minute left", got)
		}
		e.clock.Advance(time.Minute)
		officialLogin(t, e, "sun.community", secret)
	})
}

func TestFailuresOutsideTheWindowDoNotLock(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	_, secret := appoint(t, e, permission.Operator(), "slow.typist", healthcode.RoleStreet, "330106001")
	for range 8 {
		_, err := e.svc.OfficialLogin(ctx, "slow.typist", "wrong password!", code(t, e, secret))
		wantCode(t, err, healthcode.EUNAUTHORIZED)
		e.clock.Advance(4 * time.Minute) // 4 a quarter of an hour at most
	}
	officialLogin(t, e, "slow.typist", secret)
}

func TestAppointingNeedsTheScope(t *testing.T) {
	onBothStores(t, func(t *testing.T, opts ...envOption) {
		e := newEnv(t, opts...)
		ctx := context.Background()
		_, secret := appoint(t, e, permission.Operator(), "admin.xihu", healthcode.RoleAdministrator, "330106")
		admin, _ := officialLogin(t, e, "admin.xihu", secret)
		_, districtSecret := appoint(t, e, admin, "officer.xihu", healthcode.RoleDistrict, "330106")
		district, _ := officialLogin(t, e, "officer.xihu", districtSecret)
		spec := func(login string, role healthcode.Role, scope string) service.OfficialSpec {
			return service.OfficialSpec{Login: login, Role: role, Scope: scope, Password: officialPassword}
		}
		tests := []struct {
			name string
			who  *healthcode.Principal
			spec service.OfficialSpec
			want string
		}{
			{"an administrator appoints a street in its district", admin, spec("street.one", healthcode.RoleStreet, "330106001"), ""},
			{"an administrator appoints an administrator below it", admin, spec("admin.street", healthcode.RoleAdministrator, "330106001"), ""},
			{"not an administrator of the city", admin, spec("admin.city", healthcode.RoleAdministrator, "330100"), healthcode.EFORBIDDEN},
			{"not beyond its district", admin, spec("street.other", healthcode.RoleStreet, "330102001"), healthcode.EFORBIDDEN},
			{"a district officer appoints no one", district, spec("street.two", healthcode.RoleStreet, "330106001"), healthcode.EFORBIDDEN},
			{"a login is taken once", admin, spec("officer.xihu", healthcode.RoleStreet, "330106001"), healthcode.ECONFLICT},
			{"keys are not officials", permission.Operator(), spec("gate", healthcode.RoleCheckpoint, "330106"), healthcode.EINVALID},
		}
		for _, tt := range tests {
			_, err := e.svc.CreateOfficial(ctx, tt.who, tt.spec)
			if got := healthcode.ErrorCode(err); got != tt.want {
				t.Errorf("%s: %v, want %q", tt.name, err, tt.want)
			}
		}
		_, err := e.svc.CreateOfficial(ctx, permission.Operator(), service.OfficialSpec{Login: "Bad Login", Role: "mayor", Scope: "330106000", Password: "short"})
		if got, want := fieldNames(err), []string{"login", "password", "role", "scope"}; !slices.Equal(got, want) {
			t.Errorf("fields = %v, want %v (%v)", got, want, err)
		}
	})
}

func TestAdministratorsListAndDisableWithinTheirScope(t *testing.T) {
	onBothStores(t, func(t *testing.T, opts ...envOption) {
		e := newEnv(t, opts...)
		ctx := context.Background()
		_, secret := appoint(t, e, permission.Operator(), "admin.xihu", healthcode.RoleAdministrator, "330106")
		admin, _ := officialLogin(t, e, "admin.xihu", secret)
		street, streetSecret := appoint(t, e, admin, "street.one", healthcode.RoleStreet, "330106001")
		other, _ := appoint(t, e, permission.Operator(), "street.other", healthcode.RoleStreet, "330102001")
		_, token := officialLogin(t, e, "street.one", streetSecret)

		list, err := e.svc.ListOfficials(ctx, admin)
		if err != nil {
			t.Fatal(err)
		}
		var logins []string
		for _, o := range list {
			logins = append(logins, o.Login)
		}
		if want := []string{"admin.xihu", "street.one"}; !slices.Equal(logins, want) {
			t.Errorf("the administrator lists %v, want %v", logins, want)
		}
		_, err = e.svc.DisableOfficial(ctx, admin, other.ID)
		wantCode(t, err, healthcode.EFORBIDDEN)
		_, err = e.svc.DisableOfficial(ctx, admin, admin.OfficialID)
		wantCode(t, err, healthcode.EFORBIDDEN)
		if _, err := e.svc.DisableOfficial(ctx, admin, street.ID); err != nil {
			t.Fatal(err)
		}
		wantWorking(t, e, false, token)
		_, err = e.svc.OfficialLogin(ctx, "street.one", officialPassword, code(t, e, streetSecret))
		if healthcode.ErrorMessage(err) != "Wrong login, password or code." {
			t.Errorf("a disabled account's login: %v, want the one answer", err)
		}
		_, err = e.svc.DisableOfficial(ctx, admin, street.ID)
		wantCode(t, err, healthcode.ECONFLICT)
		kinds := []healthcode.LogKind{}
		for _, le := range logged(t, e) {
			if le.Official != nil {
				kinds = append(kinds, le.Kind)
				if le.Kind == healthcode.LogOfficialDisabled && (le.Author.Official != admin.OfficialID || le.Official.ID != street.ID) {
					t.Errorf("disabling logged as %+v by %+v", le.Official, le.Author)
				}
			}
		}
		want := []healthcode.LogKind{healthcode.LogOfficialCreated, healthcode.LogOfficialCreated,
			healthcode.LogOfficialCreated, healthcode.LogOfficialDisabled}
		if !slices.Equal(kinds, want) {
			t.Errorf("logged %v, want %v", kinds, want)
		}
	})
}

func TestOfficialsSeePersonsOfTheirScopeMasked(t *testing.T) {
	onBothStores(t, func(t *testing.T, opts ...envOption) {
		e := newEnv(t, opts...)
		ctx := context.Background()
		citizen := mustLogin(t, e, "13800000001")
		in := applyInput(validID(t, "33010619900101001"), "张三丰", "13800000001")
		in.Community = "330106001002"
		mine := mustApply(t, e, citizen, in)
		if mine.Community != "330106001002" {
			t.Errorf("the person view shows community %q", mine.Community)
		}
		neighbour := mustLogin(t, e, "13800000002")
		other := mustApply(t, e, neighbour, applyInput(validID(t, "33010619900101002"), "李四", "13800000002")) // no community

		_, secret := appoint(t, e, permission.Operator(), "street.one", healthcode.RoleStreet, "330106001")
		street, _ := officialLogin(t, e, "street.one", secret)
		_, dsecret := appoint(t, e, permission.Operator(), "district", healthcode.RoleDistrict, "330106")
		district, _ := officialLogin(t, e, "district", dsecret)

		list, err := e.svc.PersonsInScope(ctx, street, 0, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 1 || list[0].ID != mine.ID || list[0].Name != "张*丰" || list[0].Community != "330106001002" {
			t.Errorf("the street sees %+v, want only its community's person, masked", list)
		}
		if list, _ := e.svc.PersonsInScope(ctx, district, 0, 10); len(list) != 2 {
			t.Errorf("the district sees %d persons, want 2", len(list))
		}
		file, err := e.svc.OfficialPerson(ctx, street, mine.ID)
		if err != nil {
			t.Fatal(err)
		}
		if file.Status == nil || len(file.History) == 0 || file.Name != "张*丰" {
			t.Errorf("file = %+v, want a status and its history, masked", file)
		}
		_, err = e.svc.OfficialPerson(ctx, street, other.ID)
		wantCode(t, err, healthcode.EFORBIDDEN)
		_, err = e.svc.OfficialPerson(ctx, citizen, mine.ID)
		wantCode(t, err, healthcode.EFORBIDDEN)
	})
}

func TestUnmaskingNeedsAReasonAndIsRecorded(t *testing.T) {
	onBothStores(t, func(t *testing.T, opts ...envOption) {
		e := newEnv(t, opts...)
		ctx := context.Background()
		citizen := mustLogin(t, e, "13800000001")
		number := validID(t, "33010619900101001")
		p := mustApply(t, e, citizen, applyInput(number, "张三丰", "13800000001"))
		_, secret := appoint(t, e, permission.Operator(), "district", healthcode.RoleDistrict, "330106")
		district, _ := officialLogin(t, e, "district", secret)
		_, asecret := appoint(t, e, permission.Operator(), "auditor", healthcode.RoleAuditor, "330106")
		auditor, _ := officialLogin(t, e, "auditor", asecret)
		_, osecret := appoint(t, e, permission.Operator(), "elsewhere", healthcode.RoleDistrict, "330102")
		elsewhere, _ := officialLogin(t, e, "elsewhere", osecret)

		_, err := e.svc.UnmaskPerson(ctx, district, p.ID, "short", "gossip")
		if got, want := fieldNames(err), []string{"category", "reason"}; !slices.Equal(got, want) {
			t.Errorf("fields = %v, want %v", got, want)
		}
		_, err = e.svc.UnmaskPerson(ctx, auditor, p.ID, "流调需要核实联系方式", healthcode.UnmaskInvestigation)
		wantCode(t, err, healthcode.EFORBIDDEN)
		_, err = e.svc.UnmaskPerson(ctx, elsewhere, p.ID, "流调需要核实联系方式", healthcode.UnmaskInvestigation)
		wantCode(t, err, healthcode.EFORBIDDEN)

		id, err := e.svc.UnmaskPerson(ctx, district, p.ID, "流调需要核实联系方式", healthcode.UnmaskInvestigation)
		if err != nil {
			t.Fatal(err)
		}
		if id.Name != "张三丰" || id.Number != number || id.Phone != "13800000001" {
			t.Errorf("identity = %+v", id)
		}
		us, err := e.store.Unmaskings(ctx, p.ID)
		if err != nil || len(us) != 1 || us[0].OfficialID != district.OfficialID || us[0].Category != healthcode.UnmaskInvestigation {
			t.Errorf("unmaskings = %+v, %v", us, err)
		}
		var unmasked int
		for _, le := range logged(t, e) {
			if le.Kind == healthcode.LogPersonUnmasked {
				unmasked++
				if le.Author.Official != district.OfficialID || le.Unmasking.Category != healthcode.UnmaskInvestigation {
					t.Errorf("logged %+v by %+v", le.Unmasking, le.Author)
				}
			}
		}
		if unmasked != 1 {
			t.Errorf("%d person-unmasked entries, want 1", unmasked)
		}
		for _, secretWord := range []string{"张三丰", number, "13800000001", "流调", officialPassword, "district\""} {
			if strings.Contains(e.logs.String(), secretWord) {
				t.Errorf("the service's log holds %q", secretWord)
			}
		}
	})
}

func TestACommunityMustLieInTheDeclaredRegion(t *testing.T) {
	e := newEnv(t)
	citizen := mustLogin(t, e, "13800000001")
	tests := []struct {
		community string
		ok        bool
	}{
		{"", true},
		{"330106001", true},
		{"330106001002", true},
		{"330102001", false},    // another district
		{"330106", false},       // a district is no community
		{"330106001000", false}, // a town written with 12 digits
		{"33010600100x", false},
	}
	for i, tt := range tests {
		in := applyInput(validID(t, "3301061990010100"+string(rune('1'+i))), "张三", "13800000001")
		in.Community = tt.community
		err := e.svc.CheckApplication(context.Background(), citizen, in)
		if tt.ok && err != nil {
			t.Errorf("community %q: %v", tt.community, err)
		}
		if !tt.ok && !slices.Equal(fieldNames(err), []string{"community"}) {
			t.Errorf("community %q: %v, want a problem on community", tt.community, err)
		}
	}
}
