package ingest

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"healthcode"
)

// maxRecord bounds one CSV record or NDJSON line, in bytes: a row of this
// contract is well under 1 KiB, so anything near the bound is not a row.
const maxRecord = 64 << 10

// Row is one accepted row of a person feed.
type Row struct {
	Line      int // the physical line the row starts on (CSV: the header is 1)
	SourceRef string
	DocType   healthcode.DocType
	Number    string // canonical, as identity.NormalizeDocument returns it
	// Fact has Kind, At and the payload of Kind set, and nothing else: the
	// caller resolves the person and sets Source, SourceRef and Author.
	Fact healthcode.Fact
}

// Designation is one accepted row of a designation feed: an area's risk
// level over a period. It concerns no person.
type Designation struct {
	Line      int
	SourceRef string
	Area      string // a checked 6-digit region code, or a place name
	Level     healthcode.AreaLevel
	From      time.Time
	To        time.Time // zero: until further notice
}

// Rejection is a row that was not accepted, and the first reason why.
type Rejection struct {
	Line   int    `json:"line"`   // the physical line the faulty value starts on
	Field  string `json:"field"`  // the column or key; "" for a problem of the whole row
	Reason string `json:"reason"` // a short English reason the provider can act on (In: in another language)
	why    *healthcode.Msg
}

// String renders the rejection as "line 7: sampled: must not be after at".
func (r Rejection) String() string {
	if r.Field == "" {
		return fmt.Sprintf("line %d: %s", r.Line, r.Reason)
	}
	return fmt.Sprintf("line %d: %s: %s", r.Line, r.Field, r.Reason)
}

// FileError is a problem with the feed as a whole — a missing or bad CSV
// header, broken CSV quoting, a line that is not JSON, a record beyond
// 64 KiB — after which nothing more can be read. It unwraps to an EINVALID
// *healthcode.Error, so healthcode.ErrorCode and ErrorMessage report it.
type FileError struct {
	Line   int    // the physical line, as near as is known
	Field  string // the column at fault, if any
	Reason string // in English
	why    *healthcode.Msg
}

func (e *FileError) Error() string {
	if e.Field == "" {
		return fmt.Sprintf("line %d: %s", e.Line, e.Reason)
	}
	return fmt.Sprintf("line %d: %s: %s", e.Line, e.Field, e.Reason)
}

// Unwrap presents the error in the domain's vocabulary.
func (e *FileError) Unwrap() error {
	why := e.reason()
	if e.Field == "" {
		return healthcode.Errorf(healthcode.EINVALID, "The feed cannot be read: line %d: %s", e.Line, why)
	}
	var field healthcode.Problems
	field.AddErr(e.Field, why)
	err := healthcode.Errorf(healthcode.EINVALID, "The feed cannot be read: line %d: %s: %s", e.Line, e.Field, why)
	err.Fields = field
	return err
}

// source yields the raw cells of one row at a time.
type source interface {
	// next fills cells (one per column of the kind, reset to absent at
	// line) and returns the line the row starts on, or a rejection of the
	// whole row, or an error: io.EOF at the end, a *FileError, or the
	// reader's own error.
	next(cells []cell) (line int, rej *Rejection, err error)
}

// Decoder reads a feed row by row. It holds one row at a time, so memory
// does not grow with the feed.
type Decoder struct {
	k     *kind
	now   time.Time
	src   source
	cells []cell
	vals  values
	err   error // sticky: once set, every call returns it
}

// NewDecoder returns a decoder of a feed of the given kind (see Kinds) in
// format, read from r. now is the clock against which a resident ID's
// birth date is checked. It reads nothing until the first Next; an unknown
// kind is an ENOTFOUND *healthcode.Error listing the kinds.
func NewDecoder(kindName string, format Format, r io.Reader, now time.Time) (*Decoder, error) {
	k := kindNamed(kindName)
	if k == nil {
		return nil, healthcode.Errorf(healthcode.ENOTFOUND, "Unknown feed kind %q: the kinds are %s.", kindName, strings.Join(Kinds(), ", "))
	}
	d := newDecoder(k, now)
	switch format {
	case CSV:
		d.src = newCSVSource(k, r)
	case NDJSON:
		d.src = newNDJSONSource(k, r)
	default:
		return nil, fmt.Errorf("ingest: unknown format %d", format)
	}
	return d, nil
}

// Kind returns the feed kind the decoder reads.
func (d *Decoder) Kind() string { return d.k.name }

// Next returns the next row, or the rejection of the next row, or an
// error: io.EOF after the last row, a *FileError when the feed cannot be
// read further, or the reader's error. A rejected row does not stop the
// feed: call Next again. Next is for person kinds; a designation feed is
// read with NextDesignation.
func (d *Decoder) Next() (Row, *Rejection, error) {
	if d.k.fact == "" {
		return Row{}, nil, fmt.Errorf("ingest: a %s feed is read with NextDesignation", d.k.name)
	}
	line, rej, err := d.read()
	if rej != nil || err != nil {
		return Row{}, rej, err
	}
	v := d.vals.vals
	row := Row{
		Line:      line,
		SourceRef: v[colSourceRef].s,
		DocType:   healthcode.DocType(v[colDocType].s),
		Number:    v[colDocNumber].s,
		Fact:      healthcode.Fact{Kind: d.k.fact, At: v[colAt].t},
	}
	row.Fact = d.k.build(&d.vals, row.Fact)
	return row, nil, nil
}

// NextDesignation is Next for a designation feed.
func (d *Decoder) NextDesignation() (Designation, *Rejection, error) {
	if d.k.name != designationKind {
		return Designation{}, nil, fmt.Errorf("ingest: a %s feed is read with Next", d.k.name)
	}
	line, rej, err := d.read()
	if rej != nil || err != nil {
		return Designation{}, rej, err
	}
	v := &d.vals
	return Designation{
		Line:      line,
		SourceRef: v.str("source_ref"),
		Area:      v.str("area"),
		Level:     healthcode.AreaLevel(v.str("level")),
		From:      v.time("from"),
		To:        v.time("to"),
	}, nil, nil
}

// read fetches the next row and checks its values into d.vals, column by
// column in the kind's order, stopping at the first problem.
func (d *Decoder) read() (int, *Rejection, error) {
	if d.err != nil {
		return 0, nil, d.err
	}
	line, rej, err := d.src.next(d.cells)
	if err != nil {
		d.err = err
		return 0, nil, err
	}
	if rej != nil {
		return 0, rej, nil
	}
	for i := range d.k.columns {
		c := &d.k.columns[i]
		x := &d.cells[i]
		out := &d.vals.vals[i]
		*out = value{}
		if !x.set {
			switch {
			case c.typ == vDocType:
				out.s = string(healthcode.DocResidentID)
			case c.required:
				return 0, rejected(x.line, c.name, healthcode.M("is required")), nil
			}
			continue
		}
		if reason := check(c, x, &d.vals, d.now, out); reason != nil {
			return 0, rejected(x.line, c.name, reason), nil
		}
	}
	return line, nil, nil
}

// errRecordTooLong is what the byte limiter under the CSV reader returns.
var errRecordTooLong = errors.New("record too long")

// limitReader fails once more than left bytes are read; the CSV source
// refills it after every record, which bounds the memory of one record.
type limitReader struct {
	r    io.Reader
	left int
}

func (l *limitReader) Read(p []byte) (int, error) {
	if l.left <= 0 {
		return 0, errRecordTooLong
	}
	if len(p) > l.left {
		p = p[:l.left]
	}
	n, err := l.r.Read(p)
	l.left -= n
	return n, err
}

// MaxDesignations bounds a designation feed, read whole before it is
// applied: a headquarters announces areas by the dozen, so a feed beyond
// this is a mistake (a trip feed sent as designations, say).
const MaxDesignations = 10_000

// Designations reads a whole designation feed, telling reject of each
// rejected row. It fails on a file problem, or at row MaxDesignations+1.
func (d *Decoder) Designations(reject func(Rejection)) ([]Designation, error) {
	var ds []Designation
	for {
		row, rej, err := d.NextDesignation()
		switch {
		case errors.Is(err, io.EOF):
			return ds, nil
		case err != nil:
			return nil, err
		case rej != nil:
			reject(*rej)
		case len(ds) == MaxDesignations:
			return nil, unreadable(row.Line, "", healthcode.M("more than %d designations; split the feed", MaxDesignations))
		default:
			ds = append(ds, row)
		}
	}
}
