package demo

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"
)

// Feed is one feed file the stream sends: a kind of internal/ingest and
// its CSV, header first.
type Feed struct {
	Kind string
	CSV  []byte
}

// Step is one moment of the stream: what it brings, said for the
// terminal, and the feeds that bring it, to be sent in order.
type Step struct {
	What  string
	Feeds []Feed
}

// The steps of a round, in order: each reaches people the stream has not
// reached before, so that every one of them changes somebody's colour
// under a pack that colours its kind.
const (
	LabStep     = iota // lab results, a few positive
	ContactStep        // close and sub-close contacts, companions
	AreaStep           // stays in a district, then the district designated high-risk
	CaseStep           // confirmed cases
	StepsPerRound
)

// Stream makes the feeds of a demonstration over the first n people of a
// population, as they would arrive during an outbreak: results, contacts,
// a risk area, cases, and again. Times are those of the moment each step
// is made.
type Stream struct {
	pop      *Population
	n        int
	order    permutation // the order the stream reaches people in
	next     uint64      // the next place in order
	step     int
	featured []int // Contact and Positive
}

// NewStream returns the stream over the first n people, n ≥ 2, who
// applied as Applicant has them. The first two it reaches who declared
// nothing are Contact and Positive.
func NewStream(pop *Population, n int) (*Stream, error) {
	if n < 2 {
		return nil, fmt.Errorf("a stream needs at least 2 people, not %d", n)
	}
	r := rand.New(rand.NewPCG(pop.seed, 0x57ea_0000))
	s := &Stream{pop: pop, n: n, order: newPermutation(r, uint64(n))}
	for ; len(s.featured) < 2 && s.next < uint64(n); s.next++ {
		if i := int(s.order.at(s.next)); pop.declares(i) == declaredNothing {
			s.featured = append(s.featured, i)
		}
	}
	if len(s.featured) < 2 {
		return nil, fmt.Errorf("of %d people, fewer than 2 declared nothing", n)
	}
	return s, nil
}

// Contact is the person whose close contact the first ContactStep
// reports, and Positive the person whose positive result the first
// LabStep brings: green people to watch turning red.
func (s *Stream) Contact() int  { return s.featured[0] }
func (s *Stream) Positive() int { return s.featured[1] }

// reach returns the next person the stream reaches; after everyone, it
// starts again.
func (s *Stream) reach() Person {
	i := s.order.at(s.next % uint64(s.n))
	s.next++
	return s.pop.At(int(i))
}

// reachOr returns person i when featured, else the next person.
func (s *Stream) reachOr(featured bool, i int) Person {
	if featured {
		return s.pop.At(i)
	}
	return s.reach()
}

// Next makes the next step at now.
func (s *Stream) Next(now time.Time) Step {
	at := now.In(chinaTime).Truncate(time.Minute)
	round, kind := s.step/StepsPerRound, s.step%StepsPerRound
	s.step++
	switch kind {
	case LabStep:
		return s.lab(at, round)
	case ContactStep:
		return s.contacts(at, round)
	case AreaStep:
		return s.area(at, round)
	}
	return s.cases(at, round)
}

// sized is how many people a step of a kind reaches: a rate of the
// population, and at least a few.
func (s *Stream) sized(per, least int) int { return max(least, s.n/per) }

func ref(kind string, round, j int) string {
	return "demo-" + kind + "-" + strconv.Itoa(round) + "-" + strconv.Itoa(j)
}

func (s *Stream) lab(at time.Time, round int) Step {
	n, positives := s.sized(100, 3), s.sized(2000, 1)
	return Step{What: fmt.Sprintf("lab: %d nucleic-acid results, %d positive", n, positives),
		Feeds: []Feed{feed("lab", files[fLab].header, n, func(j int) []string {
			p := s.reachOr(round == 0 && j == 0, s.Positive())
			result := "negative"
			if j < positives {
				result = "positive"
			}
			return []string{ref("lab", round, j), p.Number, ts(at), ts(at.Add(-6 * time.Hour)), result, labs[j%len(labs)]}
		})}}
}

func (s *Stream) contacts(at time.Time, round int) Step {
	n := s.sized(200, 3)
	counts := map[string]int{}
	f := feed("contact", files[fContact].header, n, func(j int) []string {
		p := s.reachOr(round == 0 && j == 0, s.Contact())
		typ := "close"
		switch j % 5 {
		case 3:
			typ = "sub_close"
		case 4:
			typ = "companion"
		}
		counts[typ]++
		return []string{ref("contact", round, j), p.Number, ts(at), typ, ts(at.Add(-30 * time.Hour)), strconv.FormatBool(j%2 == 0)}
	})
	return Step{What: fmt.Sprintf("contacts: %d close, %d sub-close, %d spatio-temporal companions",
		counts["close"], counts["sub_close"], counts["companion"]), Feeds: []Feed{f}}
}

func (s *Stream) area(at time.Time, round int) Step {
	d := s.pop.city.Districts[round%len(s.pop.city.Districts)]
	n := s.sized(500, 2)
	trips := feed("trip", files[fTrip].header, n, func(j int) []string {
		p := s.reach()
		return []string{ref("trip", round, j), p.Number, ts(at), d.Code, "", ts(at.Add(-72 * time.Hour)), ts(at.Add(-48 * time.Hour))}
	})
	designation := feed("designation", []string{"source_ref", "area", "level", "from", "to"}, 1, func(int) []string {
		return []string{ref("designation", round, 0), d.Code, "high", ts(at.Add(-96 * time.Hour)), ""}
	})
	return Step{What: fmt.Sprintf("risk area: %d trips through %s (%s), then %s designated high-risk", n, d.Name, d.Code, d.Name),
		Feeds: []Feed{trips, designation}}
}

func (s *Stream) cases(at time.Time, round int) Step {
	n := s.sized(5000, 1)
	day := at.Add(-24 * time.Hour).Format(time.DateOnly)
	return Step{What: fmt.Sprintf("cases: %d confirmed", n),
		Feeds: []Feed{feed("case", files[fCase].header, n, func(j int) []string {
			return []string{ref("case", round, j), s.reach().Number, ts(at), "confirmed", day, day}
		})}}
}

// feed writes n records after the header.
func feed(kind string, header []string, n int, record func(j int) []string) Feed {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	w.Write(header)
	for j := range n {
		w.Write(record(j))
	}
	w.Flush() // a bytes.Buffer does not fail
	return Feed{Kind: kind, CSV: b.Bytes()}
}
