package healthcode

import "strings"

// primaryCourses names, by a word of the product's name, the vaccines
// whose primary course is not two doses: the adenovirus vector (CanSino's
// Ad5-nCoV, 克威莎) takes one, the recombinant protein (Zhifei's ZF2001,
// 智飞龙科马) three. The inactivated vaccines most people had (CoronaVac,
// BBIBP-CorV, 科兴, 国药) take two, and so does a product no one named.
var primaryCourses = []struct {
	word  string
	doses int
}{
	{"ad5", 1}, {"cansino", 1}, {"康希诺", 1}, {"克威莎", 1},
	{"zf2001", 3}, {"zhifei", 3}, {"智飞", 3},
}

// PrimaryCourse is how many doses of product make its full primary course
// (全程接种).
func PrimaryCourse(product string) int {
	p := strings.ToLower(product)
	for _, c := range primaryCourses {
		if strings.Contains(p, c.word) {
			return c.doses
		}
	}
	return 2
}
