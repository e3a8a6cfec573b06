package demo

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"healthcode"
	"healthcode/identity"
	"healthcode/internal/ingest"
)

func generate(t testing.TB, dir string, people int, seed uint64) []File {
	t.Helper()
	got, err := Write(dir, Options{People: people, Seed: seed, City: "330100"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func TestFeedsDecodeCleanly(t *testing.T) {
	dir := t.TempDir()
	written := generate(t, dir, 2000, 7)
	for _, f := range written[1:] {
		kind := strings.TrimSuffix(f.Name, ".csv")
		file, err := os.Open(filepath.Join(dir, f.Name))
		if err != nil {
			t.Fatal(err)
		}
		dec, err := ingest.NewDecoder(kind, ingest.CSV, file, DefaultNow)
		if err != nil {
			t.Fatalf("%s: %v", f.Name, err)
		}
		rows, refs := 0, map[string]bool{}
		for {
			row, rej, err := dec.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatalf("%s: %v", f.Name, err)
			}
			if rej != nil {
				t.Errorf("%s: rejected: %s", f.Name, rej)
				continue
			}
			rows++
			if refs[row.SourceRef] {
				t.Errorf("%s: source_ref %s repeated", f.Name, row.SourceRef)
			}
			refs[row.SourceRef] = true
			if at := row.Fact.At; at.After(DefaultNow) || at.Before(DefaultNow.Add(-Window)) {
				t.Errorf("%s: %s at %v, outside the 14 days before now", f.Name, row.SourceRef, at)
			}
		}
		file.Close()
		if rows != f.Rows {
			t.Errorf("%s: decoded %d rows, Write counted %d", f.Name, rows, f.Rows)
		}
		if rows == 0 && f.Name != "case.csv" {
			t.Errorf("%s: no rows for 2000 people", f.Name)
		}
	}
}

func TestPersonsAreValidAndUnique(t *testing.T) {
	dir := t.TempDir()
	written := generate(t, dir, 2000, 7)
	if written[0].Name != "persons.csv" || written[0].Rows != 2000 {
		t.Fatalf("persons: %+v", written[0])
	}
	f, err := os.Open(filepath.Join(dir, "persons.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	city, _ := CityOf("330100")
	districts := map[string]bool{}
	for _, d := range city.Districts {
		districts[d.Code] = true
	}
	ids, phones := map[string]bool{}, map[string]bool{}
	for _, rec := range recs[1:] {
		number, name, phone, region := rec[0], rec[1], rec[2], rec[3]
		if n, err := identity.NormalizeDocument(healthcode.DocResidentID, number, DefaultNow); err != nil || n != number {
			t.Errorf("ID %s: %q, %v", number, n, err)
		}
		birth, _ := identity.BirthDate(number)
		if birth.Year() < 1930 || birth.Year() > 2020 {
			t.Errorf("ID %s born %v", number, birth)
		}
		if p, err := identity.NormalizePhone(phone); err != nil || p != phone {
			t.Errorf("phone %s: %q, %v", phone, p, err)
		}
		if _, err := identity.ValidateName(name); err != nil || len([]rune(name)) < 2 || len([]rune(name)) > 3 {
			t.Errorf("name %q: %v", name, err)
		}
		if !districts[region] || number[:6] != region {
			t.Errorf("ID %s in region %s", number, region)
		}
		if ids[number] || phones[phone] {
			t.Errorf("ID %s or phone %s repeated", number, phone)
		}
		ids[number], phones[phone] = true, true
	}
}

func TestSameSeedSameFiles(t *testing.T) {
	a, b, c := t.TempDir(), t.TempDir(), t.TempDir()
	generate(t, a, 3000, 42)
	generate(t, b, 3000, 42)
	generate(t, c, 3000, 43)
	for _, f := range files {
		x, _ := os.ReadFile(filepath.Join(a, f.name))
		y, _ := os.ReadFile(filepath.Join(b, f.name))
		z, _ := os.ReadFile(filepath.Join(c, f.name))
		if !bytes.Equal(x, y) {
			t.Errorf("%s differs for the same seed", f.name)
		}
		if bytes.Equal(x, z) {
			t.Errorf("%s is the same for seeds 42 and 43", f.name)
		}
	}
}

// The permutation must be one to one, or IDs would repeat in a large
// population; check it exhaustively on small moduli.
func TestPermutationIsBijective(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, m := range []uint64{7, 1000, 1024, 3 * 5 * 7 * 11 * 13} {
		p := newPermutation(r, m)
		seen := make([]bool, m)
		for x := range m {
			y := p.at(x)
			if y >= m || seen[y] {
				t.Fatalf("m=%d: %d ↦ %d repeated or out of range", m, x, y)
			}
			seen[y] = true
		}
	}
}

func TestRates(t *testing.T) {
	written := generate(t, t.TempDir(), 100_000, 1)
	want := map[string][2]int{ // rows expected, low and high
		"lab.csv":         {190_000, 210_000},
		"case.csv":        {25, 80},
		"contact.csv":     {850, 1150},
		"trip.csv":        {1800, 2200},
		"vaccination.csv": {220_000, 250_000},
	}
	for _, f := range written[1:] {
		if w := want[f.Name]; f.Rows < w[0] || f.Rows > w[1] {
			t.Errorf("%s: %d rows, want %d to %d", f.Name, f.Rows, w[0], w[1])
		}
	}
}

func TestUnknownCityAndBadCounts(t *testing.T) {
	if _, err := Write(t.TempDir(), Options{People: 10, City: "990100"}, nil); err == nil || !strings.Contains(err.Error(), "330100") {
		t.Errorf("unknown city: %v", err)
	}
	if _, err := Write(t.TempDir(), Options{People: 0, City: "330100"}, nil); err == nil {
		t.Error("0 people accepted")
	}
}

func BenchmarkGenerate(b *testing.B) {
	dir := b.TempDir()
	const people = 20_000
	start := time.Now()
	for b.Loop() {
		if _, err := Write(dir, Options{People: people, Seed: 1, City: "330100"}, nil); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(people*b.N)/time.Since(start).Seconds(), "persons/s")
}
