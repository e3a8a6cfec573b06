package ingest_test

import (
	"errors"
	"strings"
	"testing"

	"healthcode"
	"healthcode/identity"
	"healthcode/internal/ingest"
)

func asFileError(err error, fe **ingest.FileError) bool { return errors.As(err, fe) }

// validRow is a good row of each kind, which the rejection cases spoil one
// value of.
var validRow = map[string][]kv{
	"lab": {{"source_ref", "R1"}, {"doc_type", "resident_id"}, {"doc_number", "11010519491231002X"}, {"at", "2026-03-14 10:00"},
		{"sampled", "2026-03-13 16:30"}, {"result", "negative"}, {"lab", "West Lake Lab"}},
	"case": {{"source_ref", "C1"}, {"doc_number", "11010519491231002X"}, {"at", "2026-03-14 10:00"},
		{"type", "confirmed"}, {"onset", "2026-03-12"}, {"first_positive", "2026-03-13 10:00"}},
	"case_closed": {{"source_ref", "D1"}, {"doc_number", "11010519491231002X"}, {"at", "2026-03-14 10:00"}, {"outcome", "excluded"}},
	"contact": {{"source_ref", "K1"}, {"doc_number", "11010519491231002X"}, {"at", "2026-03-14 10:00"},
		{"type", "sub_close"}, {"exposure", "2026-03-12 19:00"}, {"confined", "no"}},
	"isolation": {{"source_ref", "I1"}, {"doc_number", "11010519491231002X"}, {"at", "2026-03-14 10:00"},
		{"setting", "home"}, {"event", "release"}},
	"entry": {{"source_ref", "E1"}, {"doc_number", "11010519491231002X"}, {"at", "2026-03-14 10:00"}, {"port", "Xiamen"}, {"country", "SG"}},
	"trip": {{"source_ref", "T1"}, {"doc_number", "11010519491231002X"}, {"at", "2026-03-14 10:00"},
		{"area", "420100"}, {"level", "medium"}, {"from", "2026-03-10"}, {"to", "2026-03-11 12:00"}},
	"vaccination": {{"source_ref", "V1"}, {"doc_number", "11010519491231002X"}, {"at", "2026-03-14 10:00"}, {"dose", "2"}, {"product", "BBIBP"}},
	"designation": {{"source_ref", "A1"}, {"area", "420106"}, {"level", "high"}, {"from", "2026-03-10 00:00"}, {"to", "2026-03-24"}},
}

// futureID is a resident ID with a right check character born after now.
var futureID = func() string {
	first17 := "11010520300101001"
	c, _ := identity.ResidentIDCheckChar(first17)
	return first17 + string(c)
}()

func TestBadValueRejectsItsRowInBothFormats(t *testing.T) {
	tests := []struct {
		name, kind, key, value string
		reason                 string // a substring of the reason
		also                   []kv   // other values changed, valid on their own
	}{
		{"missing source_ref", "lab", "source_ref", absent, "is required", nil},
		{"blank source_ref", "lab", "source_ref", "   ", "is required", nil},
		{"source_ref over 128 characters", "lab", "source_ref", strings.Repeat("参", 129), "at most 128 characters", nil},
		{"source_ref with a line break", "lab", "source_ref", "R\n1", "control characters", nil},
		{"unknown document type", "lab", "doc_type", "id_card", "must be one of resident_id, hk_macao_permit", nil},
		{"missing document number", "lab", "doc_number", absent, "is required", nil},
		{"wrong ID check character", "lab", "doc_number", "110105194912310021", "check character is wrong: a character of the number is mistyped", nil},
		{"ID of someone not yet born", "lab", "doc_number", futureID, "birth date is in the future", nil},
		{"ID with a bad province", "case", "doc_number", "99010519491231002X", "not a valid province code", nil},
		{"resident ID sent as a passport", "lab", "doc_number", "11010519491231002X1", "5 to 17 characters", []kv{{"doc_type", "Passport"}}},
		{"missing at", "lab", "at", absent, "is required", nil},
		{"at with slashes", "lab", "at", "2026/03/14 10:00", "must be a time", nil},
		{"at without an offset", "lab", "at", "2026-03-14T10:00:00", "must be a time", nil},
		{"at a date alone", "lab", "at", "2026-03-14", "must be a time", nil},
		{"at an impossible date", "lab", "at", "2026-02-30 10:00", "must be a time", nil},
		{"missing sampled", "lab", "sampled", absent, "is required", nil},
		{"sampled after at", "lab", "sampled", "2026-03-14 10:01", "must not be after at", nil},
		{"sampled a date alone", "lab", "sampled", "2026-03-13", "must be a time", nil},
		{"missing result", "lab", "result", absent, "is required", nil},
		{"result not negative or positive", "lab", "result", "inconclusive", "must be one of negative, positive", nil},
		{"lab name with a tab", "lab", "lab", "West\tLake", "control characters", nil},
		{"missing case type", "case", "type", absent, "is required", nil},
		{"unknown case type", "case", "type", "probable", "must be one of confirmed, clinical, asymptomatic, suspected, fever_clinic", nil},
		{"onset not a time", "case", "onset", "yesterday", "or a date 2026-03-14", nil},
		{"first_positive not a time", "case", "first_positive", "2026-13-01", "must be a time", nil},
		{"unknown outcome", "case_closed", "outcome", "died", "must be one of cured, excluded", nil},
		{"unknown contact type", "contact", "type", "secondary", "must be one of close, sub_close, companion", nil},
		{"missing exposure", "contact", "exposure", absent, "is required", nil},
		{"exposure after at", "contact", "exposure", "2026-03-14 10:00:01", "must not be after at", nil},
		{"confined not a boolean", "contact", "confined", "maybe", "must be true or false", nil},
		{"unknown isolation setting", "isolation", "setting", "hotel", "must be one of centralized, home", nil},
		{"missing isolation event", "isolation", "event", absent, "is required", nil},
		{"port of 129 characters", "entry", "port", strings.Repeat("p", 129), "at most 128 characters", nil},
		{"missing area", "trip", "area", absent, "is required", nil},
		{"region code of no province", "trip", "area", "990100", "unknown province 99", nil},
		{"region code of 5 digits", "trip", "area", "33010", "6-digit", nil},
		{"unknown level", "trip", "level", "low", "must be one of high, medium, sealed, control", nil},
		{"missing from", "trip", "from", absent, "is required", nil},
		{"to before from", "trip", "to", "2026-03-09 23:59", "must not be before from", nil},
		{"dose 0", "vaccination", "dose", "0", "from 1 to 10", nil},
		{"dose 11", "vaccination", "dose", "11", "from 1 to 10", nil},
		{"dose with a fraction", "vaccination", "dose", "2.5", "from 1 to 10", nil},
		{"dose in words", "vaccination", "dose", "two", "from 1 to 10", nil},
		{"missing dose", "vaccination", "dose", absent, "is required", nil},
		{"designation without a level", "designation", "level", absent, "is required", nil},
		{"designation to before from", "designation", "to", "2026-03-08", "must not be before from", nil},
	}
	for _, tt := range tests {
		for _, f := range formats {
			t.Run(tt.name+"/"+f.String(), func(t *testing.T) {
				good := validRow[tt.kind]
				bad := with(good, tt.key, tt.value)
				for _, c := range tt.also {
					bad = with(bad, c.k, c.v)
				}
				body, line := csvFeed(good, bad, good), 3
				if f == ingest.NDJSON {
					body, line = ndjsonFeed(good, bad, good), 2
				}
				res := decode(t, tt.kind, f, body)
				if res.err != nil {
					t.Fatalf("decoding stopped: %v", res.err)
				}
				if n := len(res.rows) + len(res.designations); n != 2 {
					t.Errorf("%d good rows landed, want 2 (rejections %v)", n, res.rejections)
				}
				if len(res.rejections) != 1 {
					t.Fatalf("rejections = %v, want 1", res.rejections)
				}
				r := res.rejections[0]
				if r.Line != line || r.Field != tt.key || !strings.Contains(r.Reason, tt.reason) {
					t.Errorf("rejection %s, want line %d: %s: …%s…", r, line, tt.key, tt.reason)
				}
			})
		}
	}
}

func TestFirstBadColumnInContractOrderIsReported(t *testing.T) {
	// Both sampled and result are bad; sampled comes first in the
	// contract, whatever the order of the columns in the feed.
	body := "result,sampled,at,doc_number,source_ref\nmaybe,soon,2026-03-14 10:00,11010519491231002X,R1\n"
	res := decode(t, "lab", ingest.CSV, body)
	if len(res.rejections) != 1 || res.rejections[0].Field != "sampled" {
		t.Errorf("rejections = %v, want one for sampled", res.rejections)
	}
}

func TestNDJSONValueTypes(t *testing.T) {
	const base = `"source_ref":"R1","doc_number":"11010519491231002X","at":"2026-03-14 10:00","result":"negative"`
	tests := []struct {
		name   string
		line   string
		field  string // "" with reason "": accepted
		reason string
	}{
		{"unknown key, a typo", `{` + base + `,"smapled":"2026-03-13 10:00"}`, "smapled", "did you mean sampled?"},
		{"unknown key", `{` + base + `,"sampled":"2026-03-13 10:00","colour":"red"}`, "colour", "the keys are source_ref, doc_type, doc_number, at, sampled, result, lab"},
		{"unknown key before a missing one", `{"smapled":"2026-03-13 10:00",` + base + `}`, "smapled", "unknown key"},
		{"key given twice", `{` + base + `,"sampled":"2026-03-13 10:00","result":"positive"}`, "result", "appears twice"},
		{"a number as the document number", `{"source_ref":"R1","doc_type":"taiwan_permit","doc_number":12345678,"at":"2026-03-14 10:00","sampled":"2026-03-13 10:00","result":"negative"}`, "doc_number", "must be a JSON string"},
		{"a number as a time", `{` + base + `,"sampled":1773400000}`, "sampled", "must be a JSON string"},
		{"a boolean as text", `{` + base + `,"sampled":"2026-03-13 10:00","lab":true}`, "lab", "must be a string or a number"},
		{"an object as a value", `{` + base + `,"sampled":"2026-03-13 10:00","lab":{"name":"x"}}`, "lab", "not an object or array"},
		{"an array as a value", `{` + base + `,"sampled":["2026-03-13 10:00"]}`, "sampled", "not an object or array"},
		{"null is absent", `{` + base + `,"sampled":null}`, "sampled", "is required"},
		{"a number as source_ref and lab", `{"source_ref":98765,"doc_number":"11010519491231002X","at":"2026-03-14 10:00","sampled":"2026-03-13 10:00","result":"negative","lab":7}`, "", ""},
		{"escapes in strings and keys", `{"source_\u0072ef":"R\u0031","doc_number":"11010519491231002X","at":"2026-03-14 10:00","sampled":"2026-03-13 10:00","result":"neg\u0061tive","lab":"A \"quoted\" lab"}`, "", ""},
		{"a string that is not an object", `"R1"`, "", "must be a JSON object"},
		{"an array line", `[1,2]`, "", "must be a JSON object"},
		{"an empty object", `{}`, "source_ref", "is required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := decode(t, "lab", ingest.NDJSON, "\n"+tt.line+"\n")
			if res.err != nil {
				t.Fatalf("decoding stopped: %v", res.err)
			}
			if tt.field == "" && tt.reason == "" {
				if len(res.rows) != 1 {
					t.Fatalf("rejections %v, want a row", res.rejections)
				}
				return
			}
			if len(res.rejections) != 1 {
				t.Fatalf("rejections = %v, want 1", res.rejections)
			}
			r := res.rejections[0]
			if r.Line != 2 || r.Field != tt.field || !strings.Contains(r.Reason, tt.reason) {
				t.Errorf("rejection %s, want line 2: %s: …%s…", r, tt.field, tt.reason)
			}
		})
	}
}

func TestNDJSONAcceptsNumbersAndBooleansWhereSensible(t *testing.T) {
	res := decode(t, "lab", ingest.NDJSON, `{"source_ref":98765,"doc_number":"11010519491231002X","at":"2026-03-14 10:00","sampled":"2026-03-13 10:00","result":"negative","lab":"L \"2\""}`)
	if len(res.rows) != 1 || res.rows[0].SourceRef != "98765" || res.rows[0].Fact.Test.Lab != `L "2"` {
		t.Fatalf("got %+v, %v", res.rows, res.rejections)
	}
	res = decode(t, "lab", ingest.NDJSON, `{"source_\u0072ef":"R\u0031","doc_number":"11010519491231002X","at":"2026-03-14 10:00","sampled":"2026-03-13 10:00","result":"neg\u0061tive"}`)
	if len(res.rows) != 1 || res.rows[0].SourceRef != "R1" || res.rows[0].Fact.Test.Result != healthcode.TestNegative {
		t.Fatalf("got %+v, %v", res.rows, res.rejections)
	}
	res = decode(t, "contact", ingest.NDJSON, `{"source_ref":"K","doc_number":"11010519491231002X","at":"2026-03-14 10:00","type":"close","exposure":"2026-03-13 10:00","confined":1}`)
	if len(res.rows) != 1 || !res.rows[0].Fact.Contact.Confined {
		t.Fatalf("got %+v, %v", res.rows, res.rejections)
	}
}

func TestTextThatIsNotUTF8IsRejected(t *testing.T) {
	bodies := map[ingest.Format]string{
		ingest.CSV:    "source_ref,doc_number,at,port\nE1,11010519491231002X,2026-03-14 10:00,X\xffmen\n",
		ingest.NDJSON: `{"source_ref":"E1","doc_number":"11010519491231002X","at":"2026-03-14 10:00","port":"X` + "\xff" + `men"}` + "\n",
	}
	for f, body := range bodies {
		res := decode(t, "entry", f, body)
		if len(res.rejections) != 1 || res.rejections[0].Field != "port" || res.rejections[0].Reason != "is not valid UTF-8" {
			t.Errorf("%v: rejections %v, err %v", f, res.rejections, res.err)
		}
	}
}

func TestCSVRowWithTheWrongNumberOfFieldsIsRejected(t *testing.T) {
	body := "source_ref,doc_number,at,outcome\n" +
		"D1,11010519491231002X,2026-03-14 10:00,cured\n" +
		"D2,11010519491231002X,2026-03-14 10:00\n" +
		"D3,11010519491231002X,2026-03-14 10:00,cured,extra\n" +
		"D4,11010519491231002X,2026-03-14 10:00,cured\n"
	res := decode(t, "case_closed", ingest.CSV, body)
	want := []ingest.Rejection{
		{Line: 3, Reason: "has 3 fields; the header has 4"},
		{Line: 4, Reason: "has 5 fields; the header has 4"},
	}
	if len(res.rows) != 2 || res.rows[1].Line != 5 || !equalRejections(res.rejections, want) {
		t.Errorf("rows %+v, rejections %v; want D1 and D4, rejections %v", res.rows, res.rejections, want)
	}
}

func equalRejections(a, b []ingest.Rejection) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Line != b[i].Line || a[i].Field != b[i].Field || a[i].Reason != b[i].Reason {
			return false
		}
	}
	return true
}

func TestCSVQuotedMultiLineFieldsKeepLineNumbers(t *testing.T) {
	body := "source_ref,doc_number,at,sampled,result,lab\n" + // 1
		"R1,11010519491231002X,2026-03-14 10:00,2026-03-13 10:00,\"\n" + // 2: result spans 2–3
		"negative\",\"Lab, \"\"North\"\"\"\n" + // 3
		"R2,11010519491231002X,2026-03-14 10:00,2026-03-13 10:00,positive,\n" + // 4
		"\"R3\n" + // 5: source_ref spans 5–6
		"\",11010519491231002X,2026-03-14 10:00,2026-03-13 10:00,maybe,\n" + // 6: the bad result is on line 6
		"\n" + // 7: blank, skipped
		"R4,11010519491231002X,2026-03-14 10:00,2026-03-13 10:00,\"negative\",\"a\n" + // 8: lab spans 8–9, and has a line break
		"b\"\n" + // 9
		"R5,11010519491231002X,2026-03-14 10:00,2026-03-13 10:00,negative,\n" // 10
	res := decode(t, "lab", ingest.CSV, body)
	if res.err != nil {
		t.Fatal(res.err)
	}
	var lines []int
	for _, r := range res.rows {
		lines = append(lines, r.Line)
	}
	wantRej := []ingest.Rejection{
		{Line: 6, Field: "result", Reason: "must be one of negative, positive"},
		{Line: 8, Field: "lab", Reason: "must not contain control characters such as line breaks or tabs"},
	}
	if len(lines) != 3 || lines[0] != 2 || lines[1] != 4 || lines[2] != 10 || !equalRejections(res.rejections, wantRej) {
		t.Errorf("row lines %v, rejections %v; want rows on 2, 4, 10 and rejections %v", lines, res.rejections, wantRej)
	}
	if got := res.rows[0].Fact.Test; got.Result != healthcode.TestNegative || got.Lab != `Lab, "North"` {
		t.Errorf("row 1 test = %+v", got)
	}
}

func TestCSVHeaderErrors(t *testing.T) {
	tests := []struct {
		name   string
		body   string
		line   int
		field  string
		reason string
	}{
		{"empty feed", "", 1, "", "the feed is empty"},
		{"only blank lines", "\n\n", 1, "", "the feed is empty"},
		{"a typo in a column", "source_ref,doc_number,at,smapled,result\n", 1, "smapled", "did you mean sampled?"},
		{"an unknown column", "source_ref,doc_number,at,sampled,result,colour\n", 1, "colour", "the columns are source_ref, doc_type, doc_number, at, sampled, result, lab"},
		{"a column of another kind", "source_ref,doc_number,at,sampled,result,outcome\n", 1, "outcome", "unknown column"},
		{"a column twice", "source_ref,doc_number,at,sampled,result,at\n", 1, "at", "appears twice"},
		{"a column without a name", "source_ref,doc_number,at,,sampled,result\n", 1, "", "column 4 of the header has no name"},
		{"a required column missing", "source_ref,doc_number,at,result\n", 1, "sampled", "required column"},
		{"two required columns missing", "source_ref,at,result,lab\n", 1, "doc_number", "(and sampled)"},
		{"the header after blank lines", "\n\nsource_ref,doc_number,at,result\n", 3, "sampled", "required column"},
		{"bad quoting in the header", "source_ref,\"doc_number,at\n", 1, "", "bad CSV"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := decode(t, "lab", ingest.CSV, tt.body)
			var fe *ingest.FileError
			if !errors.As(res.err, &fe) {
				t.Fatalf("err = %v, want a *FileError", res.err)
			}
			if fe.Line != tt.line || fe.Field != tt.field || !strings.Contains(fe.Reason, tt.reason) {
				t.Errorf("err = %v, want line %d: %s: …%s…", fe, tt.line, tt.field, tt.reason)
			}
			if healthcode.ErrorCode(res.err) != healthcode.EINVALID || !strings.Contains(healthcode.ErrorMessage(res.err), tt.reason) {
				t.Errorf("ErrorCode %q, ErrorMessage %q: want invalid, with the reason", healthcode.ErrorCode(res.err), healthcode.ErrorMessage(res.err))
			}
		})
	}
}

func TestCSVHeaderMayStartWithAByteOrderMarkAndSpaces(t *testing.T) {
	body := "\ufeff\"source_ref\", doc_number ,at,outcome\r\nD1,11010519491231002X,2026-03-14 10:00,cured\r\n"
	res := decode(t, "case_closed", ingest.CSV, body)
	if res.err != nil || len(res.rows) != 1 {
		t.Fatalf("err %v, rejections %v", res.err, res.rejections)
	}
	res = decode(t, "case_closed", ingest.NDJSON, "\ufeff"+`{"source_ref":"D1","doc_number":"11010519491231002X","at":"2026-03-14 10:00","outcome":"cured"}`+"\r\n")
	if res.err != nil || len(res.rows) != 1 {
		t.Fatalf("NDJSON: err %v, rejections %v", res.err, res.rejections)
	}
}

func TestFileErrorsStopDecodingAfterTheGoodRows(t *testing.T) {
	good := `{"source_ref":"D1","doc_number":"11010519491231002X","at":"2026-03-14 10:00","outcome":"cured"}`
	long := `{"source_ref":"` + strings.Repeat("x", 70<<10) + `"}`
	tests := []struct {
		name   string
		format ingest.Format
		body   string
		rows   int
		line   int
		reason string
	}{
		{"bare quote in a CSV row", ingest.CSV, "source_ref,doc_number,at,outcome\nD1,11010519491231002X,2026-03-14 10:00,cured\nD\"2,x,y,z\n", 1, 3, `bare "`},
		{"unterminated CSV quote", ingest.CSV, "source_ref,doc_number,at,outcome\nD1,11010519491231002X,2026-03-14 10:00,cured\n\"D2,x,y,z\n", 1, 3, `extraneous or missing "`},
		{"CSV record over 64 KiB", ingest.CSV, "source_ref,doc_number,at,outcome\nD1,11010519491231002X,2026-03-14 10:00,cured\n\"" + strings.Repeat("x", 200<<10) + "\",a,b,c\n", 1, 3, "longer than 65536 bytes"},
		{"a line that is not JSON", ingest.NDJSON, good + "\n\nsource_ref=D2\n" + good + "\n", 1, 3, "not JSON"},
		{"a pretty-printed object", ingest.NDJSON, "{\n" + `"source_ref":"D1"` + "\n}\n", 0, 1, "not JSON"},
		{"a JSON array of objects", ingest.NDJSON, "[" + good + ",\n" + good + "]\n", 0, 1, "not JSON"},
		{"an NDJSON line over 64 KiB", ingest.NDJSON, good + "\n" + long + "\n" + good + "\n", 1, 2, "longer than 65536 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := decode(t, "case_closed", tt.format, tt.body)
			var fe *ingest.FileError
			if !errors.As(res.err, &fe) {
				t.Fatalf("err = %v, want a *FileError", res.err)
			}
			if len(res.rows) != tt.rows || fe.Line != tt.line || !strings.Contains(fe.Reason, tt.reason) {
				t.Errorf("%d rows, err %v; want %d rows, line %d: …%s…", len(res.rows), fe, tt.rows, tt.line, tt.reason)
			}
		})
	}
}

func TestErrorsAreSticky(t *testing.T) {
	d, _ := ingest.NewDecoder("lab", ingest.NDJSON, strings.NewReader("nope\n"), now)
	_, _, err1 := d.Next()
	_, _, err2 := d.Next()
	if err1 == nil || err1 != err2 {
		t.Errorf("errors %v then %v, want the same error twice", err1, err2)
	}
}

func TestReaderErrorsPassThrough(t *testing.T) {
	boom := errors.New("connection reset")
	for _, f := range formats {
		d, _ := ingest.NewDecoder("lab", f, errReader{boom}, now)
		if _, _, err := d.Next(); !errors.Is(err, boom) {
			t.Errorf("%v: err = %v, want it to wrap %v", f, err, boom)
		}
	}
}

type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }

func TestUnknownKindListsTheKinds(t *testing.T) {
	_, err := ingest.NewDecoder("labs", ingest.CSV, strings.NewReader(""), now)
	if healthcode.ErrorCode(err) != healthcode.ENOTFOUND || !strings.Contains(err.Error(), "lab, case, case_closed, contact, isolation, entry, trip, vaccination, designation") {
		t.Errorf("err = %v", err)
	}
	if _, err := ingest.NewDecoder("lab", ingest.Format(0), strings.NewReader(""), now); err == nil {
		t.Error("format 0: no error")
	}
}

func TestDetectFormat(t *testing.T) {
	tests := []struct {
		contentType string
		want        ingest.Format // 0: an error
	}{
		{"text/csv", ingest.CSV},
		{"text/csv; charset=utf-8", ingest.CSV},
		{"Text/CSV; charset=UTF-8", ingest.CSV},
		{"application/csv", ingest.CSV},
		{"application/x-ndjson", ingest.NDJSON},
		{"application/ndjson", ingest.NDJSON},
		{"application/jsonl", ingest.NDJSON},
		{"application/x-jsonlines; charset=utf8", ingest.NDJSON},
		{"text/csv; charset=gbk", 0},
		{"application/json", 0},
		{"text/plain", 0},
		{"", 0},
		{"text/csv; charset", 0},
	}
	for _, tt := range tests {
		got, err := ingest.DetectFormat(tt.contentType)
		if got != tt.want || (err != nil) != (tt.want == 0) {
			t.Errorf("DetectFormat(%q) = %v, %v; want %v", tt.contentType, got, err, tt.want)
		}
		if err != nil && healthcode.ErrorCode(err) != healthcode.EINVALID {
			t.Errorf("DetectFormat(%q): error code %q, want invalid", tt.contentType, healthcode.ErrorCode(err))
		}
	}
}

func TestRejectionString(t *testing.T) {
	if got := (ingest.Rejection{Line: 7, Field: "sampled", Reason: "must not be after at"}).String(); got != "line 7: sampled: must not be after at" {
		t.Errorf("String() = %q", got)
	}
	if got := (ingest.Rejection{Line: 3, Reason: "has 3 fields; the header has 4"}).String(); got != "line 3: has 3 fields; the header has 4" {
		t.Errorf("String() = %q", got)
	}
}
