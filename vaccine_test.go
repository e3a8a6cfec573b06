package healthcode

import "testing"

func TestPrimaryCourseByProduct(t *testing.T) {
	for _, tc := range []struct {
		product string
		want    int
	}{
		{"CoronaVac", 2},
		{"BBIBP-CorV", 2},
		{"", 2},
		{"Ad5-nCoV", 1},
		{"康希诺 Ad5-nCoV", 1},
		{"ZF2001", 3},
		{"智飞龙科马", 3},
	} {
		if got := PrimaryCourse(tc.product); got != tc.want {
			t.Errorf("PrimaryCourse(%q) = %d, want %d", tc.product, got, tc.want)
		}
	}
}
