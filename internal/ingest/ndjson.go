package ingest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"healthcode"
)

// ndjsonSource reads an NDJSON feed: one JSON object per line.
type ndjsonSource struct {
	k    *kind
	sc   *bufio.Scanner
	line int
}

func newNDJSONSource(k *kind, r io.Reader) *ndjsonSource {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), maxRecord)
	return &ndjsonSource{k: k, sc: sc}
}

func (s *ndjsonSource) next(cells []cell) (int, *Rejection, error) {
	for s.sc.Scan() {
		s.line++
		b := s.sc.Bytes() // without the line break, and without a \r before it
		if s.line == 1 {
			b = bytes.TrimPrefix(b, []byte("\ufeff"))
		}
		if len(bytes.TrimLeft(b, " \t\r")) == 0 {
			continue
		}
		if !json.Valid(b) {
			return 0, nil, unreadable(s.line, "", notJSON(b))
		}
		for i := range cells {
			cells[i] = cell{line: s.line}
		}
		return s.line, s.object(string(b), cells), nil
	}
	switch err := s.sc.Err(); {
	case err == nil:
		return 0, nil, io.EOF
	case errors.Is(err, bufio.ErrTooLong):
		return 0, nil, unreadable(s.line+1, "", healthcode.M("the line is longer than %d bytes", maxRecord))
	default:
		return 0, nil, fmt.Errorf("read NDJSON feed: %w", err)
	}
}

// notJSON explains why a line is not JSON.
func notJSON(b []byte) *healthcode.Msg {
	var v any
	err := json.Unmarshal(b, &v)
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return healthcode.M("not JSON (%v at byte %d): each line must be one JSON object", se, se.Offset)
	}
	return healthcode.M("not JSON: each line must be one JSON object")
}

// object reads the valid JSON text s, which must be an object whose keys
// are the kind's columns, each at most once, into cells.
func (s *ndjsonSource) object(text string, cells []cell) *Rejection {
	i := skipSpace(text, 0)
	if text[i] != '{' {
		return rejected(s.line, "", healthcode.M("must be a JSON object"))
	}
	i = skipSpace(text, i+1)
	if text[i] == '}' {
		return nil
	}
	var seen uint64 // columns already given, by index; kinds have fewer than 64
	for {
		var key string
		key, i = readString(text, i)
		i = skipSpace(text, i)
		i = skipSpace(text, i+1) // past ':'
		var c cell
		c, i = readValue(text, i)
		j := s.k.index(key)
		switch {
		case j < 0:
			return rejected(s.line, clip(key), s.unknown(key))
		case seen&(1<<j) != 0:
			return rejected(s.line, key, healthcode.M("appears twice in the object"))
		}
		seen |= 1 << j
		c.line = s.line
		cells[j] = c
		i = skipSpace(text, i)
		if text[i] == '}' {
			return nil
		}
		i = skipSpace(text, i+1) // past ','
	}
}

func (s *ndjsonSource) unknown(key string) *healthcode.Msg {
	names := strings.Join(s.k.columnNames(), ", ")
	if near := s.k.nearest(key); near != "" {
		return healthcode.M("unknown key (did you mean %s?); the keys are %s", near, names)
	}
	return healthcode.M("unknown key for a %s feed; the keys are %s", s.k.name, names)
}

// The readers below walk text that json.Valid has accepted, so they need
// not check its syntax.

func skipSpace(s string, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n') {
		i++
	}
	return i
}

// readString reads the JSON string at s[i] and returns it and the index
// after it. A string without escapes is a substring of s, with no copy.
func readString(s string, i int) (string, int) {
	escaped := false
	j := i + 1
	for s[j] != '"' {
		if s[j] == '\\' {
			escaped = true
			j++
		}
		j++
	}
	if !escaped {
		return s[i+1 : j], j + 1
	}
	var out string
	_ = json.Unmarshal([]byte(s[i:j+1]), &out) // valid JSON: cannot fail
	return out, j + 1
}

// readValue reads the JSON value at s[i] as a cell and returns the index
// after it. null is an absent cell.
func readValue(s string, i int) (cell, int) {
	switch s[i] {
	case '"':
		str, j := readString(s, i)
		str = strings.TrimSpace(str)
		return cell{text: str, from: jsonString, set: str != ""}, j
	case 't':
		return cell{text: "true", from: jsonBool, set: true}, i + 4
	case 'f':
		return cell{text: "false", from: jsonBool, set: true}, i + 5
	case 'n':
		return cell{}, i + 4
	case '{', '[':
		return cell{from: jsonComposite, set: true}, skipComposite(s, i)
	}
	j := i
	for j < len(s) && strings.IndexByte("+-0123456789.eE", s[j]) >= 0 {
		j++
	}
	return cell{text: s[i:j], from: jsonNumber, set: true}, j
}

// skipComposite returns the index after the object or array at s[i].
func skipComposite(s string, i int) int {
	depth := 0
	for ; ; i++ {
		switch s[i] {
		case '{', '[':
			depth++
		case '}', ']':
			depth--
			if depth == 0 {
				return i + 1
			}
		case '"':
			_, j := readString(s, i)
			i = j - 1
		}
	}
}
