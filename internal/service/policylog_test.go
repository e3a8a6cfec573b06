package service_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"healthcode"
	"healthcode/policy"
)

// A server's start writes the packs in force to the public log, each with
// its file's SHA-256, so a switched or edited pack is on record before the
// colours it decides; a chooser that cannot list its packs is refused.
func TestTheStartingPolicyIsInThePublicLog(t *testing.T) {
	ctx := context.Background()
	edited, err := policy.Parse("edited.yaml", []byte(strings.Replace(packSource(t, "zhejiang-hangzhou-2020"),
		"  - id: reported-contact", "  # edited\n  - id: reported-contact", 1)))
	if err != nil {
		t.Fatal(err)
	}
	if edited.Digest == shippedPack(t, "zhejiang-hangzhou-2020").Digest {
		t.Fatal("an edited pack has the shipped pack's digest")
	}
	for _, tt := range []struct {
		name      string
		overrides map[string]*policy.Pack
		want      string // the pack of 330100, name and digest
	}{
		{"as shipped", nil, "zhejiang-hangzhou-2020 " + shippedPack(t, "zhejiang-hangzhou-2020").Digest},
		{"edited by a byte", map[string]*policy.Pack{"330100": edited}, "zhejiang-hangzhou-2020 " + edited.Digest},
	} {
		t.Run(tt.name, func(t *testing.T) {
			reg, err := policy.ShippedRegistry("330100", tt.overrides)
			if err != nil {
				t.Fatal(err)
			}
			e := newEnv(t, withChooser(reg))
			if err := e.svc.RecordPolicy(ctx, "330100"); err != nil {
				t.Fatal(err)
			}
			var got []*healthcode.LogEntry
			for _, le := range logged(t, e) {
				if le.Kind == healthcode.LogPolicySet {
					got = append(got, le)
				}
			}
			if len(got) != 1 || got[0].Author.Role != healthcode.RoleOperator || got[0].Policy.Home != "330100" {
				t.Fatalf("policy entries %+v, want one by the operator for 330100", got)
			}
			var hangzhou, fallback string
			for _, p := range got[0].Policy.Packs {
				if len(p.SHA256) != 64 {
					t.Errorf("pack %+v: no SHA-256", p)
				}
				switch p.Region {
				case "330100":
					hangzhou = p.Name + " " + p.SHA256
				case "":
					fallback = p.Name
				}
			}
			if hangzhou != tt.want || fallback != "zhejiang-hangzhou-2020" {
				t.Errorf("330100 by %q, others by %q; want %q and the home region's pack", hangzhou, fallback, tt.want)
			}
		})
	}
	if err := newEnv(t).svc.RecordPolicy(ctx, "330100"); err == nil {
		t.Error("a single test pack was recorded as if it were a registry")
	}
}

// packSource is a shipped pack's file as the repository holds it.
func packSource(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "policy", "packs", name+".yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
