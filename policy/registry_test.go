package policy

import "testing"

func TestRegistryPicksTheMostSpecificRegion(t *testing.T) {
	r, err := ShippedRegistry("330100", nil)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ region, want string }{
		{"330106", "zhejiang-hangzhou-2020"}, // a Hangzhou district
		{"330602", "zhejiang-shaoxing-2020"},
		{"331102", "zhejiang-lishui-2020"},
		{"420106", "hubei-2020"},             // Wuhan, in Hubei
		{"330282", "transfer-rules-2022"},    // Ningbo: only the province's pack
		{"110105", "zhejiang-hangzhou-2020"}, // elsewhere: the deployment's own
	}
	for _, tt := range tests {
		if got := r.Pack(tt.region).Name; got != tt.want {
			t.Errorf("For(%s) = %s, want %s", tt.region, got, tt.want)
		}
	}
}

func TestParseAssignments(t *testing.T) {
	got, err := ParseAssignments("420000=hubei-2020, 330100=zhejiang-hangzhou-2020")
	if err != nil {
		t.Fatal(err)
	}
	if got["420000"].Name != "hubei-2020" || got["330100"].Name != "zhejiang-hangzhou-2020" {
		t.Errorf("got %v", got)
	}
	for _, bad := range []string{"420000", "420000=no-such-pack"} {
		if _, err := ParseAssignments(bad); err == nil {
			t.Errorf("ParseAssignments(%q) accepted", bad)
		}
	}
}
