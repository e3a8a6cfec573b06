// Package demo generates a synthetic population and the feed files about
// it, for benchmarks and demonstrations. Everything is derived from a seed
// (math/rand/v2 PCG), so the same seed gives the same people and the same
// files byte for byte. The people are invented: their resident IDs and
// mobile numbers are well formed but drawn from a permutation, not from any
// register.
package demo

import (
	"fmt"
	"math/bits"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"healthcode/identity"
)

// chinaTime is UTC+8, the zone of every time the generator writes.
var chinaTime = time.FixedZone("UTC+8", 8*60*60)

// District is a county-level division (GB/T 2260) of a city.
type District struct {
	Code, Name string
}

// City is a prefecture-level city and its districts.
type City struct {
	Code, Name string
	Districts  []District
}

// cities is the small built-in table of cities the generator knows.
var cities = []City{
	{"110100", "北京市", []District{
		{"110101", "东城区"}, {"110102", "西城区"}, {"110105", "朝阳区"}, {"110106", "丰台区"},
		{"110107", "石景山区"}, {"110108", "海淀区"}, {"110109", "门头沟区"}, {"110111", "房山区"},
		{"110112", "通州区"}, {"110113", "顺义区"}, {"110114", "昌平区"}, {"110115", "大兴区"},
		{"110116", "怀柔区"}, {"110117", "平谷区"}, {"110118", "密云区"}, {"110119", "延庆区"},
	}},
	{"310100", "上海市", []District{
		{"310101", "黄浦区"}, {"310104", "徐汇区"}, {"310105", "长宁区"}, {"310106", "静安区"},
		{"310107", "普陀区"}, {"310109", "虹口区"}, {"310110", "杨浦区"}, {"310112", "闵行区"},
		{"310113", "宝山区"}, {"310114", "嘉定区"}, {"310115", "浦东新区"}, {"310116", "金山区"},
		{"310117", "松江区"}, {"310118", "青浦区"}, {"310120", "奉贤区"}, {"310151", "崇明区"},
	}},
	{"330100", "杭州市", []District{
		{"330102", "上城区"}, {"330105", "拱墅区"}, {"330106", "西湖区"}, {"330108", "滨江区"},
		{"330109", "萧山区"}, {"330110", "余杭区"}, {"330111", "富阳区"}, {"330112", "临安区"},
		{"330113", "临平区"}, {"330114", "钱塘区"},
	}},
	{"440100", "广州市", []District{
		{"440103", "荔湾区"}, {"440104", "越秀区"}, {"440105", "海珠区"}, {"440106", "天河区"},
		{"440111", "白云区"}, {"440112", "黄埔区"}, {"440113", "番禺区"}, {"440114", "花都区"},
		{"440115", "南沙区"}, {"440117", "从化区"}, {"440118", "增城区"},
	}},
	{"440300", "深圳市", []District{
		{"440303", "罗湖区"}, {"440304", "福田区"}, {"440305", "南山区"}, {"440306", "宝安区"},
		{"440307", "龙岗区"}, {"440308", "盐田区"}, {"440309", "龙华区"}, {"440310", "坪山区"},
		{"440311", "光明区"},
	}},
}

// Cities returns the codes of the cities the generator knows.
func Cities() []string {
	codes := make([]string, len(cities))
	for i, c := range cities {
		codes[i] = c.Code
	}
	return codes
}

// CityOf returns the built-in city with the given code.
func CityOf(code string) (City, error) {
	for _, c := range cities {
		if c.Code == code {
			return c, nil
		}
	}
	return City{}, fmt.Errorf("unknown city %q: the generator knows %s", code, strings.Join(Cities(), ", "))
}

// Surnames in rough order of frequency; weight falls with rank.
var surnames = []rune("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈")

// givenChars are characters common in given names.
var givenChars = []rune("伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华建国文辉鑫宇浩晨欣怡子涵梓轩雨萱博思佳俊一诺嘉宁婷玉红丹飞斌鹏海燕志林晓春云琳颖慧欢亮宏凯成楠")

// surnameCum holds cumulative weights 1/(rank+4) for picking a surname.
var surnameCum = func() []float64 {
	cum := make([]float64, len(surnames))
	total := 0.0
	for i := range surnames {
		total += 1 / float64(i+4)
		cum[i] = total
	}
	for i := range cum {
		cum[i] /= total
	}
	return cum
}()

// mobilePrefixes are the first three digits of mainland mobile numbers.
var mobilePrefixes = []string{
	"130", "131", "132", "133", "134", "135", "136", "137", "138", "139",
	"150", "151", "152", "153", "155", "156", "157", "158", "159",
	"166", "173", "175", "176", "177", "178",
	"180", "181", "182", "183", "184", "185", "186", "187", "188", "189",
	"191", "193", "195", "198", "199",
}

// Birth dates lie from 1930-01-01 to 2020-12-31.
var (
	birthFirst = time.Date(1930, 1, 1, 0, 0, 0, 0, time.UTC)
	birthDays  = uint64(time.Date(2020, 12, 31, 0, 0, 0, 0, time.UTC).Sub(birthFirst)/(24*time.Hour)) + 1
)

// Person is one synthetic resident.
type Person struct {
	Number string // an 18-character resident ID (GB 11643), its first 6 digits Region
	Name   string
	Phone  string // 11 digits, unique in the population
	Region string // the district's code
}

// permutation maps 0…m-1 onto itself one to one, x ↦ (a·x + b) mod m, so
// that the i-th person gets a distinct but scattered ID and phone number.
type permutation struct{ a, b, m uint64 }

func newPermutation(r *rand.Rand, m uint64) permutation {
	a := r.Uint64N(m/2) + m/3 // far from 0 and 1, so neighbours scatter
	for gcd(a, m) != 1 {
		a++
	}
	return permutation{a: a % m, b: r.Uint64N(m), m: m}
}

func (p permutation) at(x uint64) uint64 {
	hi, lo := bits.Mul64(p.a, x%p.m)
	_, rem := bits.Div64(hi%p.m, lo, p.m)
	rem += p.b
	if rem >= p.m { // no overflow: b and rem are below m < 2^63
		rem -= p.m
	}
	return rem
}

func gcd(a, b uint64) uint64 {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// Population derives people from a seed: Person(i) is the same for the
// same seed, city and i, and no two people share an ID or a phone number.
type Population struct {
	seed   uint64
	city   City
	ids    permutation // over districts × birth days × 1000 sequence numbers
	phones permutation // over prefixes × 10^8
}

// MaxPeople is the most people a population may have: far below the
// number of distinct IDs and phone numbers either permutation can give.
const MaxPeople = 50_000_000

// NewPopulation returns the population of the city (a code from Cities)
// for a seed.
func NewPopulation(seed uint64, cityCode string) (*Population, error) {
	city, err := CityOf(cityCode)
	if err != nil {
		return nil, err
	}
	r := rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
	return &Population{
		seed:   seed,
		city:   city,
		ids:    newPermutation(r, uint64(len(city.Districts))*birthDays*1000),
		phones: newPermutation(r, uint64(len(mobilePrefixes))*100_000_000),
	}, nil
}

// City returns the population's city.
func (p *Population) City() City { return p.city }

// Person returns the i-th person, 0 ≤ i < MaxPeople. r supplies the
// name; pass a generator seeded for i (as Write does) for a stable name.
func (p *Population) Person(i int, r *rand.Rand) Person {
	x := p.ids.at(uint64(i))
	seq, x := x%1000, x/1000
	day, d := x%birthDays, x/birthDays
	district := p.city.Districts[d].Code
	birth := birthFirst.AddDate(0, 0, int(day))
	b := make([]byte, 0, 18)
	b = append(b, district...)
	b = birth.AppendFormat(b, "20060102")
	b = append(b, byte('0'+seq/100), byte('0'+seq/10%10), byte('0'+seq%10))
	check, err := identity.ResidentIDCheckChar(string(b))
	if err != nil {
		panic("demo: built a malformed ID: " + string(b)) // cannot happen: 17 digits by construction
	}
	b = append(b, check)

	y := p.phones.at(uint64(i))
	phone := fmt.Sprintf("%s%08d", mobilePrefixes[y/100_000_000], y%100_000_000)

	return Person{Number: string(b), Name: name(r), Phone: phone, Region: district}
}

// name draws a surname by frequency and a given name of one or two
// characters.
func name(r *rand.Rand) string {
	s, _ := slices.BinarySearch(surnameCum, r.Float64())
	s = min(s, len(surnames)-1)
	n := []rune{surnames[s], givenChars[r.IntN(len(givenChars))]}
	if r.IntN(10) < 7 {
		n = append(n, givenChars[r.IntN(len(givenChars))])
	}
	return string(n)
}
