package service_test

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"healthcode"
)

// TestNoIdentityReachesTheLogsOrTheDatabase runs every kind of call, good
// and bad, then searches the log and the database files for each ID number,
// phone and name used.
func TestNoIdentityReachesTheLogsOrTheDatabase(t *testing.T) {
	t.Parallel()
	const phoneA, phoneB, nameA = "13900050001", "13900050002", "欧阳明月"
	idA := validID(t, "33010619880808002")
	// The real-name check knows A's identity goes with A's phone only.
	e := newEnv(t, withChecker(checkerFunc(func(id healthcode.Identity) error {
		if id.Number == idA && id.Phone != phoneA {
			return healthcode.ErrIdentityMismatch
		}
		return nil
	})))
	ctx := context.Background()
	var secrets []string
	remember := func(s ...string) { secrets = append(secrets, s...) }

	remember(phoneA, phoneB, nameA, idA)
	a := mustLogin(t, e, phoneA)
	b := mustLogin(t, e, phoneB)
	gate := checkpoint(t, e, "Gate 7")

	// Refused applications, whose messages name the bad fields.
	badID := validID(t, "33010619881308002")
	remember(badID)
	e.svc.Apply(ctx, a, applyInput(badID, nameA, phoneA))
	e.svc.Apply(ctx, a, applyInput(idA, nameA, phoneB))
	self := mustApply(t, e, a, applyInput(idA, nameA, phoneA, declaringContact))

	const parentName, parentPhone = "上官飞燕", "13900050003"
	parentID := validID(t, "33010619520101002")
	remember(parentName, parentPhone, parentID)
	parent := mustApply(t, e, a, applyInput(parentID, parentName, parentPhone, forRelative(healthcode.RelationParent)))
	e.svc.Apply(ctx, b, applyInput(idA, nameA, phoneB)) // someone else's identity

	const hkName, hkNumber = "Chan Siu Ming", "H6543210902"
	remember(hkName, hkNumber, hkNumber[:9])
	mustApply(t, e, b, applyInput(hkNumber, hkName, phoneB, withDoc(healthcode.DocHKMacaoPermit)))

	const newName, newPhone = "上官飞雁", "13900050004"
	remember(newName, newPhone)
	mod := modifyInput()
	mod.Name, mod.Phone = new(newName), new(newPhone)
	if _, err := modify(t, e, a, parent.ID, mod); err != nil {
		t.Fatal(err)
	}
	mod = modifyInput()
	mod.Name, mod.Number = new(nameA), new(idA)
	e.svc.Modify(ctx, a, self.ID, mod)

	const correctedName = "欧阳明悦"
	remember(correctedName)
	if _, err := e.svc.Reapply(ctx, a, self.ID, applyInput(idA, correctedName, phoneA, declaringContact)); err != nil {
		t.Fatal(err)
	}
	e.svc.Reapply(ctx, a, self.ID, applyInput(parentID, correctedName, phoneA))

	e.clock.Advance(14 * 24 * time.Hour)
	views, err := e.svc.Persons(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range views {
		e.svc.History(ctx, a, v.ID)
		code, err := e.svc.Code(ctx, a, v.ID)
		if err != nil {
			t.Fatal(err)
		}
		e.svc.Verify(ctx, nil, verifyInput(code.Token))
		e.svc.Verify(ctx, gate, withTemperature(code.Token, 38.9))
	}
	e.svc.Person(ctx, b, self.ID)
	e.svc.Verify(ctx, nil, verifyInput("HCN1:garbage"))

	const wrongPhone = "13900050005"
	remember(wrongPhone)
	e.svc.RequestOTP(ctx, wrongPhone)
	e.svc.Login(ctx, wrongPhone, "000000")
	e.svc.RequestOTP(ctx, wrongPhone)

	logs := e.logs.String()
	if !strings.Contains(logs, "applied") || !strings.Contains(logs, "colour changed") {
		t.Fatalf("the log did not record the run; the search below would prove nothing:\n%s", logs)
	}
	for _, s := range secrets {
		if strings.Contains(logs, s) {
			t.Errorf("log contains %q in clear", s)
		}
	}

	// The database keeps identities sealed too: WAL pages included.
	var db []byte
	for _, suffix := range []string{"", "-wal"} {
		b, err := os.ReadFile(e.dbPath + suffix)
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		db = append(db, b...)
	}
	if !bytes.Contains(db, []byte("欧**悦")) {
		t.Fatal("the database files do not hold the masked name; the search below would prove nothing")
	}
	for _, s := range secrets {
		if bytes.Contains(db, []byte(s)) {
			t.Errorf("database files contain %q in clear", s)
		}
	}
}
