package healthcode

import "strings"

// provinces holds the first two digits of every province-level division in
// GB/T 2260; a region code outside them cannot be real.
var provinces = map[string]bool{
	"11": true, "12": true, "13": true, "14": true, "15": true,
	"21": true, "22": true, "23": true,
	"31": true, "32": true, "33": true, "34": true, "35": true, "36": true, "37": true,
	"41": true, "42": true, "43": true, "44": true, "45": true, "46": true,
	"50": true, "51": true, "52": true, "53": true, "54": true,
	"61": true, "62": true, "63": true, "64": true, "65": true,
	"71": true, "81": true, "82": true,
}

// ValidateRegion checks a 6-digit administrative division code (GB/T 2260)
// and returns a reason a citizen can act on, or "" when it is acceptable.
func ValidateRegion(code string) string {
	if err := RegionProblem(code); err != nil {
		return err.Error()
	}
	return ""
}

// RegionProblem is ValidateRegion's reason as a message to translate, or
// nil for a valid code.
func RegionProblem(code string) error {
	if len(code) != 6 {
		return M("must be a 6-digit administrative division code, e.g. 330100")
	}
	for i := 0; i < len(code); i++ {
		if code[i] < '0' || code[i] > '9' {
			return M("must be a 6-digit administrative division code, e.g. 330100")
		}
	}
	if !provinces[code[:2]] {
		return M("unknown province %s", code[:2])
	}
	return nil
}

// RegionWithin reports whether region lies inside parent in the division
// hierarchy (SPEC D5): 330102 is within 330100 and 330000; a town or
// street (9 digits, 330102001) within its district and the district's
// parents; a village or community (12 digits, 330102001001) within its
// town. A code is within itself. Lengths other than 6, 9 and 12 are
// within nothing.
func RegionWithin(region, parent string) bool {
	if !scopeLength(region) || !scopeLength(parent) || len(region) < len(parent) {
		return false
	}
	return strings.HasPrefix(region, RegionPrefix(parent))
}

func scopeLength(code string) bool {
	return len(code) == 6 || len(code) == 9 || len(code) == 12
}

// RegionPrefix is what every code within region starts with: a province
// 330000 covers 33…, a city 330100 covers 3301…, a district, a town and a
// village their own code. Stores keep it to test "within" in SQL without
// knowing the hierarchy.
func RegionPrefix(region string) string {
	switch {
	case len(region) != 6:
		return region
	case region[2:] == "0000":
		return region[:2]
	case region[4:] == "00":
		return region[:4]
	}
	return region
}

// ScopeProblem checks a node of the hierarchy an official may be scoped
// to (SPEC D5): a GB/T 2260 code of 6 digits (province, city, district or
// county), or a national statistical division code of 9 digits (town or
// street) or 12 (village or community) that starts with a valid 6-digit
// one. A 12-digit town code, ending in 000, is written with its 9
// digits. It returns nil for a valid scope.
func ScopeProblem(code string) error {
	if len(code) == 6 {
		return RegionProblem(code)
	}
	bad := M("must be a division code of 6, 9 or 12 digits, e.g. 330106 or 330106001")
	if len(code) != 9 && len(code) != 12 {
		return bad
	}
	for i := 0; i < len(code); i++ {
		if code[i] < '0' || code[i] > '9' {
			return bad
		}
	}
	if len(code) == 12 && code[9:] == "000" {
		return M("a town or street is written with its 9 digits: %s", code[:9])
	}
	if code[6:9] == "000" {
		return bad
	}
	if err := RegionProblem(code[:6]); err != nil {
		return err
	}
	if RegionPrefix(code[:6]) != code[:6] {
		return M("a town or village lies in a district or county, not in %s", code[:6])
	}
	return nil
}
