package healthcode_test

import (
	"strings"
	"testing"

	"healthcode"
)

// TestRegionPrefixIsWhatRegionWithinTests: the stores test "within" by
// the prefix, so prefix and RegionWithin must agree on every pair.
func TestRegionPrefixIsWhatRegionWithinTests(t *testing.T) {
	codes := []string{"330000", "330100", "330106", "330206", "331000", "110000", "110105",
		"330106001", "330106002", "330106001001", "330106001002", "330206001001"}
	for _, parent := range codes {
		for _, region := range codes {
			within := healthcode.RegionWithin(region, parent)
			if prefixed := strings.HasPrefix(region, healthcode.RegionPrefix(parent)); prefixed != within {
				t.Errorf("%s under %s: prefix %q says %v, RegionWithin %v", region, parent,
					healthcode.RegionPrefix(parent), prefixed, within)
			}
		}
	}
	if got := healthcode.RegionPrefix(""); got != "" {
		t.Errorf(`RegionPrefix("") = %q, want "" (anywhere)`, got)
	}
}

// TestScopesNestDownToTheCommunity: an official's scope is any node from
// the province to the village or community (SPEC D5).
func TestScopesNestDownToTheCommunity(t *testing.T) {
	for _, c := range []struct {
		region, parent string
		want           bool
	}{
		{"330106001001", "330106001", true},
		{"330106001001", "330106", true},
		{"330106001001", "330100", true},
		{"330106001001", "330000", true},
		{"330106001001", "330106001001", true},
		{"330106001", "330106001001", false}, // a town is not within its village
		{"330106", "330106001", false},
		{"330106001001", "330106002", false},
		{"330206001001", "330100", false},
		{"3301060010", "330106", false}, // no such length
	} {
		if got := healthcode.RegionWithin(c.region, c.parent); got != c.want {
			t.Errorf("RegionWithin(%s, %s) = %v, want %v", c.region, c.parent, got, c.want)
		}
	}
}

func TestScopeProblemNamesWhatIsWrong(t *testing.T) {
	for code, want := range map[string]string{
		"330106":       "",
		"330106001":    "",
		"330106001001": "",
		"330106001000": "9 digits: 330106001",
		"330106000":    "6, 9 or 12 digits",
		"33010600":     "6, 9 or 12 digits",
		"33010600100x": "6, 9 or 12 digits",
		"990106001":    "unknown province",
		"330100001":    "not in 330100",
	} {
		err := healthcode.ScopeProblem(code)
		switch {
		case want == "" && err != nil:
			t.Errorf("%s: %v, want valid", code, err)
		case want != "" && (err == nil || !strings.Contains(err.Error(), want)):
			t.Errorf("%s: %v, want a reason with %q", code, err, want)
		}
	}
}
