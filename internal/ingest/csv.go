package ingest

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"

	"healthcode"
)

// csvSource reads a CSV feed: a header line, then one record per row.
type csvSource struct {
	k      *kind
	lim    *limitReader
	br     *bufio.Reader
	r      *csv.Reader
	colMap []int // CSV column → kind column; nil until the header is read
	last   int   // the line the last record's last field started on
}

func newCSVSource(k *kind, r io.Reader) *csvSource {
	lim := &limitReader{r: r, left: maxRecord}
	br := bufio.NewReader(lim)
	cr := csv.NewReader(br) // uses br as it is
	cr.FieldsPerRecord = -1 // a short row is a rejection, not the end of the feed
	cr.ReuseRecord = true
	return &csvSource{k: k, lim: lim, br: br, r: cr}
}

func (s *csvSource) next(cells []cell) (int, *Rejection, error) {
	if s.colMap == nil {
		if err := s.header(); err != nil {
			return 0, nil, err
		}
	}
	rec, err := s.read()
	if err != nil {
		return 0, nil, err
	}
	line, _ := s.r.FieldPos(0)
	for i := range cells {
		cells[i] = cell{line: line}
	}
	if len(rec) != len(s.colMap) {
		return 0, rejected(line, "", healthcode.M("has %d fields; the header has %d", len(rec), len(s.colMap))), nil
	}
	for i, f := range rec {
		t := strings.TrimSpace(f)
		l, _ := s.r.FieldPos(i)
		cells[s.colMap[i]] = cell{text: t, from: fromCSV, line: l, set: t != ""}
	}
	return line, nil, nil
}

// read returns the next record, translating the CSV reader's errors.
func (s *csvSource) read() ([]string, error) {
	rec, err := s.r.Read()
	s.lim.left = maxRecord
	switch {
	case err == nil:
		s.last, _ = s.r.FieldPos(len(rec) - 1)
		return rec, nil
	case err == io.EOF:
		return nil, io.EOF
	case errors.Is(err, errRecordTooLong):
		return nil, unreadable(s.last+1, "", healthcode.M("a record is longer than %d bytes", maxRecord))
	}
	if pe := (*csv.ParseError)(nil); errors.As(err, &pe) {
		return nil, unreadable(pe.Line, "", healthcode.M("bad CSV at column %d: %v", pe.Column, pe.Err))
	}
	return nil, fmt.Errorf("read CSV feed: %w", err)
}

// header reads the header line and maps its columns to the kind's.
func (s *csvSource) header() error {
	// Spreadsheets save UTF-8 with a byte-order mark; drop it, so that the
	// first column is not named "\ufeffsource_ref". A read error here is
	// kept by br and returned by the CSV reader's first read.
	if b, _ := s.br.Peek(3); string(b) == "\ufeff" {
		s.br.Discard(3)
	}
	rec, err := s.read()
	if err == io.EOF {
		return unreadable(1, "", healthcode.M("the feed is empty: the first line must be the header, naming the columns"))
	}
	if err != nil {
		return err
	}
	line, _ := s.r.FieldPos(0)
	colMap := make([]int, len(rec))
	seen := make([]bool, len(s.k.columns))
	for i, name := range rec {
		name = strings.TrimSpace(name)
		switch j := s.k.index(name); {
		case name == "":
			return unreadable(line, "", healthcode.M("column %d of the header has no name", i+1))
		case j < 0:
			return unreadable(line, clip(name), s.unknown(name))
		case seen[j]:
			return unreadable(line, name, healthcode.M("appears twice in the header"))
		default:
			seen[j] = true
			colMap[i] = j
		}
	}
	var missing []string
	for j, c := range s.k.columns {
		if c.required && !seen[j] {
			missing = append(missing, c.name)
		}
	}
	if len(missing) > 0 {
		reason := healthcode.M("is a required column, missing from the header")
		if len(missing) > 1 {
			reason = healthcode.M("is a required column, missing from the header (and %s)", strings.Join(missing[1:], ", "))
		}
		return unreadable(line, missing[0], reason)
	}
	s.colMap = colMap
	return nil
}

// unknown explains an unknown column, suggesting the nearest known one.
func (s *csvSource) unknown(name string) *healthcode.Msg {
	if near := s.k.nearest(name); near != "" {
		return healthcode.M("unknown column (did you mean %s?); the columns are %s", near, strings.Join(s.k.columnNames(), ", "))
	}
	return healthcode.M("unknown column for a %s feed; the columns are %s", s.k.name, strings.Join(s.k.columnNames(), ", "))
}

func (k *kind) columnNames() []string {
	names := make([]string, len(k.columns))
	for i, c := range k.columns {
		names[i] = c.name
	}
	return names
}

// nearest returns the column within two edits of name, if there is one.
func (k *kind) nearest(name string) string {
	best, bestD := "", 3
	for _, c := range k.columns {
		if d := editDistance(strings.ToLower(name), c.name, bestD); d < bestD {
			best, bestD = c.name, d
		}
	}
	return best
}

// editDistance is the Damerau–Levenshtein (optimal string alignment)
// distance of a and b in bytes, or limit when it is at least limit.
func editDistance(a, b string, limit int) int {
	if len(a)-len(b) >= limit || len(b)-len(a) >= limit {
		return limit
	}
	prev2 := make([]int, len(b)+1)
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return min(prev[len(b)], limit)
}

// clip shortens a name from the feed for an error message.
func clip(s string) string {
	s = strings.ToValidUTF8(s, "\ufffd")
	if r := []rune(s); len(r) > 64 {
		return string(r[:64]) + "…"
	}
	return s
}
