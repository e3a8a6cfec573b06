package ingest_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"healthcode/internal/ingest"
)

var china = time.FixedZone("CST", 8*60*60)

// now is the decoders' clock: 2026-03-20 12:00 China time.
var now = time.Date(2026, 3, 20, 12, 0, 0, 0, china)

// cst returns a time written 2006-01-02 15:04 in China time.
func cst(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, china)
	if err != nil {
		panic(err)
	}
	return t
}

// kv is one column of a row of a test feed.
type kv struct{ k, v string }

// absent leaves a value out: an empty CSV cell, no NDJSON key.
const absent = "\x00absent"

// csvFeed writes rows as CSV, with a header of the first row's columns.
func csvFeed(rows ...[]kv) string {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	var header []string
	for _, c := range rows[0] {
		header = append(header, c.k)
	}
	w.Write(header)
	for _, r := range rows {
		var rec []string
		for _, c := range r {
			if c.v == absent {
				c.v = ""
			}
			rec = append(rec, c.v)
		}
		w.Write(rec)
	}
	w.Flush()
	return b.String()
}

// ndjsonFeed writes rows as NDJSON objects of strings.
func ndjsonFeed(rows ...[]kv) string {
	var b strings.Builder
	for _, r := range rows {
		b.WriteByte('{')
		first := true
		for _, c := range r {
			if c.v == absent {
				continue
			}
			if !first {
				b.WriteByte(',')
			}
			first = false
			k, _ := json.Marshal(c.k)
			v, _ := json.Marshal(c.v)
			b.Write(k)
			b.WriteByte(':')
			b.Write(v)
		}
		b.WriteString("}\n")
	}
	return b.String()
}

// with returns row with key set to v, appended if the row lacks it.
func with(row []kv, key, v string) []kv {
	out := append([]kv(nil), row...)
	for i := range out {
		if out[i].k == key {
			out[i].v = v
			return out
		}
	}
	return append(out, kv{key, v})
}

// result is everything a decoder returned, in order.
type result struct {
	rows         []ingest.Row
	designations []ingest.Designation
	rejections   []ingest.Rejection
	err          error // the error that ended decoding, nil at io.EOF
}

func decode(t testing.TB, kind string, format ingest.Format, body string) result {
	t.Helper()
	d, err := ingest.NewDecoder(kind, format, strings.NewReader(body), now)
	if err != nil {
		t.Fatalf("NewDecoder(%s, %v): %v", kind, format, err)
	}
	var res result
	for range 10000 {
		var rej *ingest.Rejection
		if kind == "designation" {
			var g ingest.Designation
			g, rej, err = d.NextDesignation()
			if err == nil && rej == nil {
				res.designations = append(res.designations, g)
			}
		} else {
			var r ingest.Row
			r, rej, err = d.Next()
			if err == nil && rej == nil {
				res.rows = append(res.rows, r)
			}
		}
		if rej != nil {
			res.rejections = append(res.rejections, *rej)
		}
		if errors.Is(err, io.EOF) {
			return res
		}
		if err != nil {
			res.err = err
			return res
		}
	}
	t.Fatal("decoder did not end")
	return res
}

var formats = []ingest.Format{ingest.CSV, ingest.NDJSON}

func bytesReader(b []byte) io.Reader { return bytes.NewReader(b) }
