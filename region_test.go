package healthcode_test

import (
	"strings"
	"testing"

	"healthcode"
)

// TestRegionPrefixIsWhatRegionWithinTests: the stores test "within" by
// the prefix, so prefix and RegionWithin must agree on every pair.
func TestRegionPrefixIsWhatRegionWithinTests(t *testing.T) {
	codes := []string{"330000", "330100", "330106", "330206", "331000", "110000", "110105"}
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
