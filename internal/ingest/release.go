package ingest

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"healthcode"
)

// An isolation point's release list (SPEC D2: the release of centralized
// isolation personnel information summary form) is no feed: an official
// uploads it, and it names only who was released and when. Its rows are
// checked as the feeds' are, with the columns
//
//	doc_type     optional  as in every person kind; resident_id by default
//	doc_number   required  as in every person kind
//	released_at  required  a time: when the person left the isolation point
//
// in CSV (a header line, then the rows) or as JSON objects, one a row.
var releaseKind = &kind{
	name: "release list",
	columns: []column{
		{name: "doc_type", typ: vDocType},
		{name: "doc_number", typ: vDocNumber, required: true},
		{name: "released_at", typ: vTime, required: true},
	},
}

// MaxReleaseRows bounds a release list: an isolation point releases a
// few hundred people a day, so a list beyond this is some other file.
const MaxReleaseRows = 5000

// ReleaseRow is one accepted row of a release list.
type ReleaseRow struct {
	// Line is the row's number: for CSV the physical line its values
	// start on (the header being line 1, as a spreadsheet numbers its
	// rows), for JSON its place in the list, from 1.
	Line       int
	DocType    healthcode.DocType
	Number     string // canonical, as identity.NormalizeDocument returns it
	ReleasedAt time.Time
}

// NewReleaseDecoder returns a decoder of a release list in CSV read from
// r; now is the clock a resident ID's birth date is checked against.
func NewReleaseDecoder(r io.Reader, now time.Time) *Decoder {
	d := newDecoder(releaseKind, now)
	d.src = newCSVSource(releaseKind, r)
	return d
}

// NewReleaseRowsDecoder is NewReleaseDecoder for rows given as JSON
// values, each of which must be an object with the list's keys.
func NewReleaseRowsDecoder(rows []json.RawMessage, now time.Time) *Decoder {
	d := newDecoder(releaseKind, now)
	d.src = &jsonRowsSource{obj: ndjsonSource{k: releaseKind}, rows: rows}
	return d
}

func newDecoder(k *kind, now time.Time) *Decoder {
	return &Decoder{k: k, now: now, cells: make([]cell, len(k.columns)), vals: values{k: k, vals: make([]value, len(k.columns))}}
}

// NextRelease is Next for a release list.
func (d *Decoder) NextRelease() (ReleaseRow, *Rejection, error) {
	if d.k != releaseKind {
		return ReleaseRow{}, nil, fmt.Errorf("ingest: a %s feed is not a release list", d.k.name)
	}
	line, rej, err := d.read()
	if rej != nil || err != nil {
		return ReleaseRow{}, rej, err
	}
	v := &d.vals
	return ReleaseRow{Line: line, DocType: healthcode.DocType(v.str("doc_type")), Number: v.str("doc_number"),
		ReleasedAt: v.time("released_at")}, nil, nil
}

// ReleaseRows reads a whole release list, telling reject of each rejected
// row. It fails on a problem of the file, or at row MaxReleaseRows+1.
func (d *Decoder) ReleaseRows(reject func(Rejection)) ([]ReleaseRow, error) {
	var rows []ReleaseRow
	for n := 0; ; n++ {
		row, rej, err := d.NextRelease()
		switch {
		case errors.Is(err, io.EOF):
			return rows, nil
		case err != nil:
			return nil, err
		case n == MaxReleaseRows:
			return nil, unreadable(max(row.Line, rejLine(rej)), "", healthcode.M("more than %d rows; split the list", MaxReleaseRows))
		case rej != nil:
			reject(*rej)
		default:
			rows = append(rows, row)
		}
	}
}

func rejLine(r *Rejection) int {
	if r == nil {
		return 0
	}
	return r.Line
}

// jsonRowsSource reads rows given as JSON values, numbered from 1.
type jsonRowsSource struct {
	obj  ndjsonSource // reads one object; its line is the row's number
	rows []json.RawMessage
}

func (s *jsonRowsSource) next(cells []cell) (int, *Rejection, error) {
	if s.obj.line == len(s.rows) {
		return 0, nil, io.EOF
	}
	s.obj.line++
	for i := range cells {
		cells[i] = cell{line: s.obj.line}
	}
	row := s.rows[s.obj.line-1]
	if !json.Valid(row) { // object walks valid JSON only; a decoded RawMessage is
		return s.obj.line, rejected(s.obj.line, "", healthcode.M("must be a JSON object")), nil
	}
	return s.obj.line, s.obj.object(string(row), cells), nil
}
