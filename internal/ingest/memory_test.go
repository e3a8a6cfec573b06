package ingest_test

import (
	"io"
	"runtime"
	"strconv"
	"testing"

	"healthcode/internal/ingest"
)

// labFeed is a lab feed of n rows, written as it is read: it never holds
// more than one row, so the decoder's memory is all that grows, if
// anything does.
type labFeed struct {
	format  ingest.Format
	n, next int // rows in all, rows written
	header  bool
	buf     []byte
	pending []byte
}

func newLabFeed(f ingest.Format, n int) *labFeed { return &labFeed{format: f, n: n} }

func (g *labFeed) Read(p []byte) (int, error) {
	for len(g.pending) == 0 {
		switch {
		case g.format == ingest.CSV && !g.header:
			g.buf = append(g.buf[:0], "source_ref,doc_type,doc_number,at,sampled,result,lab\n"...)
			g.header = true
		case g.next >= g.n:
			return 0, io.EOF
		default:
			g.buf = g.row(g.buf[:0], g.next)
			g.next++
		}
		g.pending = g.buf
	}
	n := copy(p, g.pending)
	g.pending = g.pending[n:]
	return n, nil
}

// row writes lab row i; the ID, times and result vary with i.
func (g *labFeed) row(b []byte, i int) []byte {
	id := validIDs[i%len(validIDs)]
	result := "negative"
	if i%7 == 0 {
		result = "positive"
	}
	var mb [4]byte
	minute := strconv.AppendInt(mb[:0], int64(10+i%50), 10)
	if g.format == ingest.CSV {
		b = append(b, "LAB-"...)
		b = strconv.AppendInt(b, int64(i), 10)
		b = append(b, ",resident_id,"...)
		b = append(b, id...)
		b = append(b, ",2026-03-14T10:"...)
		b = append(b, minute...)
		b = append(b, ":00+08:00,2026-03-13 16:"...)
		b = append(b, minute...)
		b = append(b, ","...)
		b = append(b, result...)
		return append(b, ",West Lake Lab\n"...)
	}
	b = append(b, `{"source_ref":"LAB-`...)
	b = strconv.AppendInt(b, int64(i), 10)
	b = append(b, `","doc_type":"resident_id","doc_number":"`...)
	b = append(b, id...)
	b = append(b, `","at":"2026-03-14T10:`...)
	b = append(b, minute...)
	b = append(b, `:00+08:00","sampled":"2026-03-13 16:`...)
	b = append(b, minute...)
	b = append(b, `","result":"`...)
	b = append(b, result...)
	return append(b, `","lab":"West Lake Lab"}`+"\n"...)
}

var validIDs = []string{"11010519491231002X", "310115198002291235", "650102200012310045", "370202198507153318", "33010619880810001X"}

func TestDecoderAllocationsAndHeapStayConstantOverAMillionRows(t *testing.T) {
	total := 1_000_000
	if testing.Short() {
		total = 100_000
	}
	const batch = 1000
	for _, f := range formats {
		t.Run(f.String(), func(t *testing.T) {
			d, err := ingest.NewDecoder("lab", f, newLabFeed(f, total), now)
			if err != nil {
				t.Fatal(err)
			}
			read := 0
			decodeBatch := func() {
				for range batch {
					if _, rej, err := d.Next(); rej != nil || err != nil {
						t.Fatalf("row %d: %v %v", read, rej, err)
					}
					read++
				}
			}
			decodeBatch()
			early := testing.AllocsPerRun(10, decodeBatch)
			heapEarly := liveHeap()
			for read < total-20*batch {
				decodeBatch()
			}
			late := testing.AllocsPerRun(10, decodeBatch)
			heapLate := liveHeap()
			for {
				_, _, err := d.Next()
				if err == io.EOF {
					break
				} else if err != nil {
					t.Fatal(err)
				}
				read++
			}
			t.Logf("%d rows: %.2f allocations a row early, %.2f late; live heap %d KiB then %d KiB",
				read, early/batch, late/batch, heapEarly>>10, heapLate>>10)
			if read != total {
				t.Errorf("read %d rows, want %d", read, total)
			}
			// Exactly equal in a normal build; the race detector adds a
			// little noise of its own.
			if late > early*1.02 {
				t.Errorf("allocations per %d rows went from %.0f to %.0f", batch, early, late)
			}
			if early/batch > 3 {
				t.Errorf("%.2f allocations a row, want at most 3", early/batch)
			}
			if heapLate > heapEarly+256<<10 {
				t.Errorf("live heap grew from %d KiB to %d KiB", heapEarly>>10, heapLate>>10)
			}
		})
	}
}

func liveHeap() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// BenchmarkDecodeLab decodes a lab feed of 100 000 rows held in memory.
func BenchmarkDecodeLab(b *testing.B) {
	const rows = 100_000
	for _, f := range formats {
		body, err := io.ReadAll(newLabFeed(f, rows))
		if err != nil {
			b.Fatal(err)
		}
		b.Run(f.String(), func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for b.Loop() {
				d, _ := ingest.NewDecoder("lab", f, bytesReader(body), now)
				n := 0
				for {
					_, rej, err := d.Next()
					if err == io.EOF {
						break
					}
					if rej != nil || err != nil {
						b.Fatal(rej, err)
					}
					n++
				}
				if n != rows {
					b.Fatalf("%d rows", n)
				}
			}
			b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(rows*b.N), "ns/row")
		})
	}
}
