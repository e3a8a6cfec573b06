package demo

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

// Options say what Write generates.
type Options struct {
	People int       // how many people, 1 to MaxPeople
	Seed   uint64    // the same seed gives the same files
	City   string    // a code from Cities, e.g. 330100
	Now    time.Time // every time written lies in the 14 days before it
}

// DefaultNow is Write's Now when Options give none: a fixed time, so
// that the same seed gives the same files whenever they are written.
var DefaultNow = time.Date(2026, 3, 14, 10, 0, 0, 0, chinaTime)

// Window is how far before Now the generated events lie.
const Window = 14 * 24 * time.Hour

// File is one file Write wrote and its number of rows, header excluded.
type File struct {
	Name string
	Rows int
}

// Rates of the events, per person.
const (
	caseRate     = 0.0005 // confirmed or asymptomatic; each also has a positive test
	positiveRate = 0.0015 // a positive test without a case (yet), besides the cases'
	contactRate  = 0.01
	tripRate     = 0.02
	vaccineRate  = 0.9
)

// files are the files Write writes, in order, with their headers; the
// feeds' columns are those of internal/ingest.
var files = []struct {
	name   string
	header []string
}{
	{"persons.csv", []string{"number", "name", "phone", "region"}},
	{"lab.csv", []string{"source_ref", "doc_number", "at", "sampled", "result", "lab"}},
	{"case.csv", []string{"source_ref", "doc_number", "at", "type", "onset", "first_positive"}},
	{"contact.csv", []string{"source_ref", "doc_number", "at", "type", "exposure", "confined"}},
	{"trip.csv", []string{"source_ref", "doc_number", "at", "area", "level", "from", "to"}},
	{"vaccination.csv", []string{"source_ref", "doc_number", "at", "dose", "product"}},
}

const (
	fPersons = iota
	fLab
	fCase
	fContact
	fTrip
	fVaccination
)

// ProgressEvery is how many people Write generates between calls of its
// progress function.
const ProgressEvery = 10_000

// Write generates the population and its feeds into dir (created if
// missing), one person at a time: memory does not grow with People. It
// calls progress, if not nil, every ProgressEvery people and at the end
// with the number of people done.
func Write(dir string, o Options, progress func(done int)) ([]File, error) {
	if o.People < 1 || o.People > MaxPeople {
		return nil, fmt.Errorf("people must be from 1 to %d", MaxPeople)
	}
	if o.Now.IsZero() {
		o.Now = DefaultNow
	}
	pop, err := NewPopulation(o.Seed, o.City)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	g := &gen{pop: pop, now: o.Now.In(chinaTime).Truncate(time.Minute), refPrefix: "demo" + strconv.FormatUint(o.Seed, 10) + "-"}
	var closers []func() error
	for _, f := range files {
		osf, err := os.Create(filepath.Join(dir, f.name))
		if err != nil {
			for _, c := range closers {
				c()
			}
			return nil, err
		}
		bw := bufio.NewWriterSize(osf, 256<<10)
		w := csv.NewWriter(bw)
		g.out = append(g.out, w)
		g.rows = append(g.rows, 0)
		closers = append(closers, osf.Close)
		w.Write(f.header)
		g.flushers = append(g.flushers, func() error {
			w.Flush()
			if err := w.Error(); err != nil {
				return err
			}
			return bw.Flush()
		})
	}
	pcg := rand.NewPCG(0, 0)
	r := rand.New(pcg)
	var werr error
	for i := range o.People {
		pcg.Seed(o.Seed, uint64(i))
		g.person(i, r)
		if (i+1)%ProgressEvery == 0 {
			if werr = g.err(); werr != nil {
				break
			}
			if progress != nil {
				progress(i + 1)
			}
		}
	}
	for _, f := range g.flushers {
		werr = errors.Join(werr, f())
	}
	for _, c := range closers {
		werr = errors.Join(werr, c())
	}
	if werr != nil {
		return nil, werr
	}
	if progress != nil && o.People%ProgressEvery != 0 {
		progress(o.People)
	}
	out := make([]File, len(files))
	for i, f := range files {
		out[i] = File{Name: f.name, Rows: g.rows[i]}
	}
	return out, nil
}

// gen writes the rows of one person after another.
type gen struct {
	pop       *Population
	now       time.Time
	refPrefix string
	out       []*csv.Writer
	flushers  []func() error
	rows      []int
	ref       []byte
}

func (g *gen) err() error {
	for _, w := range g.out {
		if err := w.Error(); err != nil {
			return err
		}
	}
	return nil
}

func (g *gen) write(file int, rec ...string) {
	g.out[file].Write(rec)
	g.rows[file]++
}

// sourceRef is unique per file and seed: demo<seed>-<kind>-<person>-<n>.
func (g *gen) sourceRef(kind string, i, n int) string {
	b := append(g.ref[:0], g.refPrefix...)
	b = append(b, kind...)
	b = append(b, '-')
	b = strconv.AppendInt(b, int64(i), 10)
	b = append(b, '-')
	b = strconv.AppendInt(b, int64(n), 10)
	g.ref = b
	return string(b)
}

// between returns a time, to the minute, uniformly in [from, to].
func between(r *rand.Rand, from, to time.Time) time.Time {
	if !to.After(from) {
		return from
	}
	return from.Add(time.Duration(r.Int64N(int64(to.Sub(from)/time.Minute)+1)) * time.Minute)
}

func hours(r *rand.Rand, lo, hi int) time.Duration {
	return time.Duration(lo+r.IntN(hi-lo+1)) * time.Hour
}

func ts(t time.Time) string { return t.Format(time.RFC3339) }

var (
	labs     = []string{"演示检测实验室一号", "演示检测实验室二号", "Demo Lab 3", "Demo Lab 4"}
	products = []string{"CoronaVac", "BBIBP-CorV", "Ad5-nCoV", "ZF2001"}
	levels   = []string{"medium", "medium", "medium", "high", "control", "sealed"}
)

// person draws the i-th person and their events. The order of the draws
// is part of the output: changing it changes every file.
func (g *gen) person(i int, r *rand.Rand) {
	p := g.pop.Person(i, r)
	g.write(fPersons, p.Number, p.Name, p.Phone, p.Region)
	start := g.now.Add(-Window)

	isCase := r.Float64() < caseRate
	positive := isCase || r.Float64() < positiveRate

	// Lab: one to three tests, the last positive for a positive person.
	tests := 1 + r.IntN(3)
	var posSampled, posAt time.Time
	for n := range tests {
		delay := hours(r, 4, 30)
		sampled := between(r, start, g.now.Add(-delay))
		at := sampled.Add(delay)
		result := "negative"
		if positive && n == tests-1 {
			result, posSampled, posAt = "positive", sampled, at
		}
		g.write(fLab, g.sourceRef("lab", i, n), p.Number, ts(at), ts(sampled), result, labs[r.IntN(len(labs))])
	}

	if isCase {
		typ, onset := "asymptomatic", ""
		if r.IntN(10) < 7 {
			typ = "confirmed"
			onset = posSampled.Add(-hours(r, 0, 72)).Format(time.DateOnly)
		}
		at := posAt.Add(hours(r, 1, 12))
		if at.After(g.now) {
			at = g.now
		}
		g.write(fCase, g.sourceRef("case", i, 0), p.Number, ts(at), typ, onset, posSampled.Format(time.DateOnly))
	}

	if r.Float64() < contactRate {
		typ := "close"
		switch u := r.IntN(10); {
		case u >= 8:
			typ = "companion"
		case u >= 5:
			typ = "sub_close"
		}
		delay := hours(r, 6, 72)
		exposure := between(r, start, g.now.Add(-delay))
		g.write(fContact, g.sourceRef("contact", i, 0), p.Number, ts(exposure.Add(delay)), typ, ts(exposure),
			strconv.FormatBool(r.IntN(5) == 0))
	}

	if r.Float64() < tripRate {
		ds := g.pop.city.Districts
		area := ds[r.IntN(len(ds))].Code
		level := levels[r.IntN(len(levels))]
		from := between(r, start, g.now.Add(-time.Hour))
		to := from.Add(hours(r, 2, 72))
		at := to.Add(hours(r, 1, 24))
		toText := ts(to)
		if to.After(g.now) { // still there
			toText, at = "", g.now
		} else if at.After(g.now) {
			at = g.now
		}
		g.write(fTrip, g.sourceRef("trip", i, 0), p.Number, ts(at), area, level, ts(from), toText)
	}

	if r.Float64() < vaccineRate {
		doses := 1 + r.IntN(3)
		if r.IntN(2) == 0 {
			doses = 3 // most of the vaccinated have had three doses
		}
		product := products[r.IntN(len(products))]
		// The doses in order, spread over the window.
		at := between(r, start, start.Add(Window/4))
		for d := 1; d <= doses; d++ {
			g.write(fVaccination, g.sourceRef("vaccination", i, d), p.Number, ts(at), strconv.Itoa(d), product)
			at = between(r, at.Add(time.Hour), at.Add(Window/4))
		}
	}
}
