package ingest_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"healthcode"
	"healthcode/internal/ingest"
)

func readRelease(t *testing.T, dec *ingest.Decoder) ([]ingest.ReleaseRow, []ingest.Rejection, error) {
	t.Helper()
	var rejs []ingest.Rejection
	rows, err := dec.ReleaseRows(func(r ingest.Rejection) { rejs = append(rejs, r) })
	return rows, rejs, err
}

func TestReleaseListRowsAreCheckedAsFeeds(t *testing.T) {
	want := []ingest.ReleaseRow{
		{Line: 2, DocType: healthcode.DocResidentID, Number: "11010519491231002X", ReleasedAt: cst("2026-03-18 09:00")},
		{Line: 4, DocType: healthcode.DocPassport, Number: "E12345678", ReleasedAt: cst("2026-03-18 10:30")},
	}
	csvList := "doc_type,doc_number,released_at\n" +
		",11010519491231002x,2026-03-18 09:00\n" +
		"resident_id,110105194912310021,2026-03-18 09:00\n" +
		"passport,e12345678,2026-03-18T02:30:00Z\n" +
		"passport,E12345678,yesterday\n"
	rows, rejs, err := readRelease(t, ingest.NewReleaseDecoder(strings.NewReader(csvList), now))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(rows, want) {
		t.Errorf("rows:\n got %+v\nwant %+v", rows, want)
	}
	if got := fmt.Sprint(fields(rejs)); got != "[3:doc_number 5:released_at]" {
		t.Errorf("rejections at %s, want rows 3 (doc_number) and 5 (released_at): %v", got, rejs)
	}

	js := []json.RawMessage{
		json.RawMessage(`{"doc_number":"11010519491231002x","released_at":"2026-03-18 09:00"}`),
		json.RawMessage(`{"doc_number":"110105194912310021","released_at":"2026-03-18 09:00"}`),
		json.RawMessage(`{"doc_type":"passport","doc_number":"e12345678","released_at":"2026-03-18T02:30:00Z"}`),
		json.RawMessage(`"not an object"`),
		json.RawMessage(`{"doc_number":"E12345678","released_at":"2026-03-18 09:00","point":"x"}`),
	}
	want[1].Line = 3
	want[0].Line = 1
	rows, rejs, err = readRelease(t, ingest.NewReleaseRowsDecoder(js, now))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(rows, want) {
		t.Errorf("JSON rows:\n got %+v\nwant %+v", rows, want)
	}
	if got := fmt.Sprint(fields(rejs)); got != "[2:doc_number 4: 5:point]" {
		t.Errorf("JSON rejections at %s, want rows 2 (doc_number), 4 (the row) and 5 (point): %v", got, rejs)
	}
}

func fields(rejs []ingest.Rejection) []string {
	var out []string
	for _, r := range rejs {
		out = append(out, fmt.Sprintf("%d:%s", r.Line, r.Field))
	}
	return out
}

func TestReleaseListFileProblemsStopIt(t *testing.T) {
	var long strings.Builder
	long.WriteString("doc_number,released_at\n")
	for range ingest.MaxReleaseRows + 1 {
		long.WriteString("11010519491231002X,2026-03-18 09:00\n")
	}
	tests := []struct {
		name, list string
		line       int
		field      string
	}{
		{"a feed's column", "source_ref,doc_number,released_at\n", 1, "source_ref"},
		{"no released_at", "doc_type,doc_number\n", 1, "released_at"},
		{"empty", "", 1, ""},
		{"too many rows", long.String(), ingest.MaxReleaseRows + 2, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := readRelease(t, ingest.NewReleaseDecoder(strings.NewReader(tt.list), now))
			var fe *ingest.FileError
			if !errors.As(err, &fe) || fe.Line != tt.line || fe.Field != tt.field {
				t.Fatalf("err = %v, want a file error at line %d, field %q", err, tt.line, tt.field)
			}
			if healthcode.ErrorCode(err) != healthcode.EINVALID {
				t.Errorf("code %s, want invalid", healthcode.ErrorCode(err))
			}
		})
	}
}
