package service_test

import (
	"context"
	"slices"
	"testing"

	"healthcode"
)

// TestCheckApplicationReportsEveryBadFieldAtOnce: the form's first check
// already names the phone that is not the login's, with every other bad
// field, before any confirmation screen.
func TestCheckApplicationReportsEveryBadFieldAtOnce(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	const phone = "13900000051"
	who := mustLogin(t, e, phone)
	baby := validID(t, "33010620240101002") // a child: may be on the login's phone
	adult := validID(t, "33010619900101002")
	tests := []struct {
		name string
		in   func() healthcode.Identity
		rel  healthcode.Relation
		want []string
	}{
		{"oneself on another phone, with a bad ID and no answer", func() healthcode.Identity {
			return healthcode.Identity{DocType: healthcode.DocResidentID, Number: "330106199001010021", Name: "张三", Phone: "13900000052"}
		}, healthcode.RelationSelf, []string{"identity.number", "identity.phone", "declaration.cough"}},
		{"oneself on the login's phone", func() healthcode.Identity {
			return healthcode.Identity{DocType: healthcode.DocResidentID, Number: adult, Name: "张三", Phone: phone}
		}, healthcode.RelationSelf, []string{"declaration.cough"}},
		{"an adult child on the login's phone", func() healthcode.Identity {
			return healthcode.Identity{DocType: healthcode.DocResidentID, Number: adult, Name: "张小", Phone: phone}
		}, healthcode.RelationChild, []string{"identity.phone", "declaration.cough"}},
		{"a baby on the login's phone", func() healthcode.Identity {
			return healthcode.Identity{DocType: healthcode.DocResidentID, Number: baby, Name: "张小", Phone: phone}
		}, healthcode.RelationChild, []string{"declaration.cough"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := applyInput("", "", "", forRelative(tt.rel))
			in.Identity = tt.in()
			in.Declaration.Cough = nil
			err := e.svc.CheckApplication(ctx, who, in)
			var got []string
			for _, f := range healthcode.ErrorFields(err) {
				got = append(got, f.Field)
			}
			slices.Sort(got)
			want := slices.Sorted(slices.Values(tt.want))
			if !slices.Equal(got, want) {
				t.Errorf("fields = %v, want %v (%v)", got, want, err)
			}
		})
	}
	if err := e.svc.CheckApplication(ctx, nil, applyInput(adult, "张三", phone)); healthcode.ErrorCode(err) != healthcode.EUNAUTHORIZED {
		t.Errorf("anonymous check = %v, want unauthorized", err)
	}
}
