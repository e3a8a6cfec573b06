package ingest_test

import (
	"errors"
	"io"
	"strings"
	"testing"
	"unicode/utf8"

	"healthcode/internal/ingest"
)

// FuzzDecoder feeds arbitrary bytes to every kind in both formats. The
// decoder must never panic, must end (every call consumes a line), and
// whatever it returns must keep the contract: rejections and rows on
// increasing lines from 2 (CSV) or 1 (NDJSON), rows complete.
func FuzzDecoder(f *testing.F) {
	kinds := ingest.Kinds()
	for i, k := range kinds {
		row := validRow[k]
		f.Add(uint8(i), false, []byte(csvFeed(row, with(row, "source_ref", absent), row)))
		f.Add(uint8(i), true, []byte(ndjsonFeed(row, with(row, "source_ref", absent), row)))
	}
	f.Add(uint8(0), false, []byte("source_ref,doc_number,at,sampled,result\n\"R\n1\",11010519491231002X,2026-03-14 10:00,2026-03-13 10:00,\"neg\native\"\n"))
	f.Add(uint8(0), true, []byte(`{"source_ref":"R\u0031","doc_number":"11010519491231002X","at":"2026-03-14 10:00","sampled":[{"a":"]"}],"result":1e3}`+"\n[1]\n\"x\"\nnull\n"))
	f.Fuzz(func(t *testing.T, k uint8, ndjson bool, body []byte) {
		kind := kinds[int(k)%len(kinds)]
		format, minLine := ingest.CSV, 2
		if ndjson {
			format, minLine = ingest.NDJSON, 1
		}
		d, err := ingest.NewDecoder(kind, format, strings.NewReader(string(body)), now)
		if err != nil {
			t.Fatal(err)
		}
		last := minLine - 1
		for calls := 0; ; calls++ {
			if calls > len(body)+1 {
				t.Fatalf("%d calls for %d bytes: the decoder does not end", calls, len(body))
			}
			var (
				line int
				rej  *ingest.Rejection
			)
			if kind == "designation" {
				var g ingest.Designation
				g, rej, err = d.NextDesignation()
				if rej == nil && err == nil {
					line = g.Line
					if g.SourceRef == "" || g.Area == "" || g.Level == "" || g.From.IsZero() || (!g.To.IsZero() && g.To.Before(g.From)) {
						t.Fatalf("incomplete designation %+v", g)
					}
				}
			} else {
				var r ingest.Row
				r, rej, err = d.Next()
				if rej == nil && err == nil {
					line = r.Line
					checkRow(t, kind, r)
				}
			}
			if errors.Is(err, io.EOF) {
				return
			}
			if err != nil {
				var fe *ingest.FileError
				if !errors.As(err, &fe) || fe.Line < 1 || fe.Reason == "" {
					t.Fatalf("error %v (%T), want a *FileError with a line and a reason", err, err)
				}
				return
			}
			if rej != nil {
				line = rej.Line
				if rej.Reason == "" {
					t.Fatalf("rejection %v without a reason", rej)
				}
			}
			if line < minLine || line <= last {
				t.Fatalf("line %d after line %d (first possible %d)", line, last, minLine)
			}
			last = line
		}
	})
}

func checkRow(t *testing.T, kind string, r ingest.Row) {
	t.Helper()
	if r.SourceRef == "" || utf8.RuneCountInString(r.SourceRef) > 128 || !r.DocType.Valid() || r.Number == "" || r.Fact.At.IsZero() || r.Fact.PersonID != 0 {
		t.Fatalf("incomplete %s row %+v", kind, r)
	}
	if _, err := r.Fact.MarshalBody(); err != nil {
		t.Fatalf("%s row %+v: %v", kind, r, err)
	}
	if tf := r.Fact.Test; tf != nil && tf.Sampled.After(r.Fact.At) {
		t.Fatalf("sampled after at: %+v", r)
	}
	if c := r.Fact.Contact; c != nil && c.Exposure.After(r.Fact.At) {
		t.Fatalf("exposure after at: %+v", r)
	}
}
