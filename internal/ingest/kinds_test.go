package ingest_test

import (
	"reflect"
	"strings"
	"testing"

	"healthcode"
	"healthcode/internal/ingest"
)

func TestEveryKindDecodesToItsFactInBothFormats(t *testing.T) {
	tests := []struct {
		name   string
		kind   string
		csv    string // header and one row
		ndjson string // one line
		want   ingest.Row
	}{
		{
			name: "lab result, China-time sampling, lower-case x in the ID",
			kind: "lab",
			csv: "source_ref,doc_type,doc_number,at,sampled,result,lab\n" +
				"R1,resident_id,11010519491231002x,2026-03-14T10:00:00+08:00,2026-03-13 16:30,Negative,West Lake Lab\n",
			ndjson: `{"source_ref":"R1","doc_type":"resident_id","doc_number":"11010519491231002x","at":"2026-03-14T10:00:00+08:00","sampled":"2026-03-13 16:30","result":"Negative","lab":"West Lake Lab"}`,
			want: ingest.Row{SourceRef: "R1", DocType: healthcode.DocResidentID, Number: "11010519491231002X",
				Fact: healthcode.Fact{Kind: healthcode.FactTest, At: cst("2026-03-14 10:00"),
					Test: &healthcode.TestFact{Sampled: cst("2026-03-13 16:30"), Result: healthcode.TestNegative, Lab: "West Lake Lab"}}},
		},
		{
			name: "lab result in UTC with seconds, doc_type defaulted, no lab column",
			kind: "lab",
			csv: "result,sampled,at,doc_number,source_ref\n" +
				"positive,2026-03-14 09:59:00,2026-03-14T02:00:00Z,370202198507153318,R2\n",
			ndjson: `{"result":"positive","sampled":"2026-03-14 09:59:00","at":"2026-03-14T02:00:00Z","doc_number":"370202198507153318","source_ref":"R2"}`,
			want: ingest.Row{SourceRef: "R2", DocType: healthcode.DocResidentID, Number: "370202198507153318",
				Fact: healthcode.Fact{Kind: healthcode.FactTest, At: cst("2026-03-14 10:00"),
					Test: &healthcode.TestFact{Sampled: cst("2026-03-14 09:59"), Result: healthcode.TestPositive}}},
		},
		{
			name: "confirmed case with a passport, onset a date",
			kind: "case",
			csv: "source_ref,doc_type,doc_number,at,type,onset,first_positive\n" +
				"C-7,passport,e 1234 5678,2026-03-15 08:00,confirmed,2026-03-12,2026-03-14 21:00\n",
			ndjson: `{"source_ref":"C-7","doc_type":"passport","doc_number":"e 1234 5678","at":"2026-03-15 08:00","type":"confirmed","onset":"2026-03-12","first_positive":"2026-03-14 21:00"}`,
			want: ingest.Row{SourceRef: "C-7", DocType: healthcode.DocPassport, Number: "E12345678",
				Fact: healthcode.Fact{Kind: healthcode.FactCase, At: cst("2026-03-15 08:00"),
					Case: &healthcode.CaseFact{Type: healthcode.CaseConfirmed, Onset: cst("2026-03-12 00:00"), FirstPositive: cst("2026-03-14 21:00")}}},
		},
		{
			name: "fever-clinic case without dates",
			kind: "case",
			csv: "source_ref,doc_number,at,type,onset\n" +
				"C-8,11010519491231002X,2026-03-15 08:00,fever_clinic,\n",
			ndjson: `{"source_ref":"C-8","doc_number":"11010519491231002X","at":"2026-03-15 08:00","type":"fever_clinic","onset":null}`,
			want: ingest.Row{SourceRef: "C-8", DocType: healthcode.DocResidentID, Number: "11010519491231002X",
				Fact: healthcode.Fact{Kind: healthcode.FactCase, At: cst("2026-03-15 08:00"),
					Case: &healthcode.CaseFact{Type: healthcode.CaseFeverClinic}}},
		},
		{
			name: "case closed for a HK permit holder",
			kind: "case_closed",
			csv: "source_ref,doc_type,doc_number,at,outcome\n" +
				"D-1,hk_macao_permit,h1234 5678,2026-03-18 15:00,cured\n",
			ndjson: `{"source_ref":"D-1","doc_type":"hk_macao_permit","doc_number":"h1234 5678","at":"2026-03-18 15:00","outcome":"cured"}`,
			want: ingest.Row{SourceRef: "D-1", DocType: healthcode.DocHKMacaoPermit, Number: "H12345678",
				Fact: healthcode.Fact{Kind: healthcode.FactCaseClosed, At: cst("2026-03-18 15:00"),
					CaseClosed: &healthcode.CaseClosedFact{Outcome: healthcode.OutcomeCured}}},
		},
		{
			name: "close contact in a confined space",
			kind: "contact",
			csv: "source_ref,doc_number,at,type,exposure,confined\n" +
				"K-1,11010519491231002X,2026-03-16 09:00,close,2026-03-14 20:00,yes\n",
			ndjson: `{"source_ref":"K-1","doc_number":"11010519491231002X","at":"2026-03-16 09:00","type":"close","exposure":"2026-03-14 20:00","confined":true}`,
			want: ingest.Row{SourceRef: "K-1", DocType: healthcode.DocResidentID, Number: "11010519491231002X",
				Fact: healthcode.Fact{Kind: healthcode.FactContact, At: cst("2026-03-16 09:00"),
					Contact: &healthcode.ContactFact{Type: healthcode.ContactClose, Exposure: cst("2026-03-14 20:00"), Confined: true}}},
		},
		{
			name: "companion contact, confined 0 and an exposure equal to at",
			kind: "contact",
			csv: "source_ref,doc_number,at,type,exposure,confined\n" +
				"K-2,11010519491231002X,2026-03-16 09:00,companion,2026-03-16T01:00:00Z,0\n",
			ndjson: `{"source_ref":"K-2","doc_number":"11010519491231002X","at":"2026-03-16 09:00","type":"companion","exposure":"2026-03-16T01:00:00Z","confined":0}`,
			want: ingest.Row{SourceRef: "K-2", DocType: healthcode.DocResidentID, Number: "11010519491231002X",
				Fact: healthcode.Fact{Kind: healthcode.FactContact, At: cst("2026-03-16 09:00"),
					Contact: &healthcode.ContactFact{Type: healthcode.ContactCompanion, Exposure: cst("2026-03-16 09:00")}}},
		},
		{
			name: "centralized isolation of a Taiwan resident",
			kind: "isolation",
			csv: "source_ref,doc_type,doc_number,at,setting,event\n" +
				"I-1,taiwan_permit,12345678,2026-03-16 12:00,centralized,start\n",
			ndjson: `{"source_ref":"I-1","doc_type":"taiwan_permit","doc_number":"12345678","at":"2026-03-16 12:00","setting":"centralized","event":"start"}`,
			want: ingest.Row{SourceRef: "I-1", DocType: healthcode.DocTaiwanPermit, Number: "12345678",
				Fact: healthcode.Fact{Kind: healthcode.FactIsolation, At: cst("2026-03-16 12:00"),
					Isolation: &healthcode.IsolationFact{Setting: healthcode.IsolationCentralized, Event: healthcode.IsolationStart}}},
		},
		{
			name: "entry from abroad",
			kind: "entry",
			csv: "source_ref,doc_number,at,port,country\n" +
				"E-1,11010519491231002X,2026-03-10 06:45,Shanghai Pudong,KR\n",
			ndjson: `{"source_ref":"E-1","doc_number":"11010519491231002X","at":"2026-03-10 06:45","port":"Shanghai Pudong","country":"KR"}`,
			want: ingest.Row{SourceRef: "E-1", DocType: healthcode.DocResidentID, Number: "11010519491231002X",
				Fact: healthcode.Fact{Kind: healthcode.FactEntry, At: cst("2026-03-10 06:45"),
					Entry: &healthcode.EntryFact{Port: "Shanghai Pudong", Country: "KR"}}},
		},
		{
			name: "entry with neither port nor country",
			kind: "entry",
			csv: "source_ref,doc_number,at\n" +
				"E-2,11010519491231002X,2026-03-10 06:45\n",
			ndjson: `{"source_ref":"E-2","doc_number":"11010519491231002X","at":"2026-03-10 06:45"}`,
			want: ingest.Row{SourceRef: "E-2", DocType: healthcode.DocResidentID, Number: "11010519491231002X",
				Fact: healthcode.Fact{Kind: healthcode.FactEntry, At: cst("2026-03-10 06:45"), Entry: &healthcode.EntryFact{}}},
		},
		{
			name: "trip to a high-risk region by dates: to is the end of its day",
			kind: "trip",
			csv: "source_ref,doc_number,at,area,level,from,to\n" +
				"T-1,11010519491231002X,2026-03-17 10:00,330106,high,2026-03-14,2026-03-15\n",
			ndjson: `{"source_ref":"T-1","doc_number":"11010519491231002X","at":"2026-03-17 10:00","area":330106,"level":"high","from":"2026-03-14","to":"2026-03-15"}`,
			want: ingest.Row{SourceRef: "T-1", DocType: healthcode.DocResidentID, Number: "11010519491231002X",
				Fact: healthcode.Fact{Kind: healthcode.FactAreaStay, At: cst("2026-03-17 10:00"),
					AreaStay: &healthcode.AreaStayFact{Area: "330106", Level: healthcode.AreaHigh, From: cst("2026-03-14 00:00"), To: cst("2026-03-16 00:00")}}},
		},
		{
			name: "open stay in a named sealed area",
			kind: "trip",
			csv: "source_ref,doc_number,at,area,level,from\n" +
				"T-2,11010519491231002X,2026-03-17 10:00,西湖区北山街道,sealed,2026-03-16 18:30\n",
			ndjson: `{"source_ref":"T-2","doc_number":"11010519491231002X","at":"2026-03-17 10:00","area":"西湖区北山街道","level":"sealed","from":"2026-03-16 18:30"}`,
			want: ingest.Row{SourceRef: "T-2", DocType: healthcode.DocResidentID, Number: "11010519491231002X",
				Fact: healthcode.Fact{Kind: healthcode.FactAreaStay, At: cst("2026-03-17 10:00"),
					AreaStay: &healthcode.AreaStayFact{Area: "西湖区北山街道", Level: healthcode.AreaSealed, From: cst("2026-03-16 18:30")}}},
		},
		{
			name: "third vaccine dose",
			kind: "vaccination",
			csv: "source_ref,doc_number,at,dose,product\n" +
				"V-3,11010519491231002X,2026-01-05 14:00,3,CoronaVac\n",
			ndjson: `{"source_ref":"V-3","doc_number":"11010519491231002X","at":"2026-01-05 14:00","dose":3,"product":"CoronaVac"}`,
			want: ingest.Row{SourceRef: "V-3", DocType: healthcode.DocResidentID, Number: "11010519491231002X",
				Fact: healthcode.Fact{Kind: healthcode.FactVaccination, At: cst("2026-01-05 14:00"),
					Vaccination: &healthcode.VaccinationFact{Dose: 3, Product: "CoronaVac"}}},
		},
	}
	for _, tt := range tests {
		for _, f := range formats {
			t.Run(tt.name+"/"+f.String(), func(t *testing.T) {
				body, want := tt.csv, tt.want
				want.Line = 2
				if f == ingest.NDJSON {
					body, want.Line = tt.ndjson+"\n", 1
				}
				res := decode(t, tt.kind, f, body)
				if res.err != nil || len(res.rejections) > 0 {
					t.Fatalf("err %v, rejections %v", res.err, res.rejections)
				}
				if len(res.rows) != 1 {
					t.Fatalf("got %d rows, want 1", len(res.rows))
				}
				if got := res.rows[0]; !reflect.DeepEqual(got, want) {
					t.Errorf("got  %+v\n%s\nwant %+v\n%s", got, payload(got.Fact), want, payload(want.Fact))
				}
			})
		}
	}
}

func payload(f healthcode.Fact) string {
	b, _ := f.MarshalBody()
	return string(b)
}

func TestKindsCoverTheFeedKindsOfTheAPI(t *testing.T) {
	want := []string{"lab", "case", "case_closed", "contact", "isolation", "entry", "trip", "vaccination", "designation"}
	if got := ingest.Kinds(); !reflect.DeepEqual(got, want) {
		t.Errorf("Kinds() = %v, want %v", got, want)
	}
}

func TestDesignationDecodesInBothFormats(t *testing.T) {
	bodies := map[ingest.Format]string{
		ingest.CSV: "source_ref,area,level,from,to\n" +
			"A-1,330106,high,2026-03-14 00:00,\n" +
			"A-2,拱墅区某小区,control,2026-03-14,2026-03-20\n",
		ingest.NDJSON: `{"source_ref":"A-1","area":"330106","level":"high","from":"2026-03-14 00:00"}` + "\n" +
			`{"source_ref":"A-2","area":"拱墅区某小区","level":"control","from":"2026-03-14","to":"2026-03-20"}` + "\n",
	}
	for f, body := range bodies {
		t.Run(f.String(), func(t *testing.T) {
			first := 2
			if f == ingest.NDJSON {
				first = 1
			}
			want := []ingest.Designation{
				{Line: first, SourceRef: "A-1", Area: "330106", Level: healthcode.AreaHigh, From: cst("2026-03-14 00:00")},
				{Line: first + 1, SourceRef: "A-2", Area: "拱墅区某小区", Level: healthcode.AreaControl, From: cst("2026-03-14 00:00"), To: cst("2026-03-21 00:00")},
			}
			res := decode(t, "designation", f, body)
			if res.err != nil || len(res.rejections) > 0 {
				t.Fatalf("err %v, rejections %v", res.err, res.rejections)
			}
			if !reflect.DeepEqual(res.designations, want) {
				t.Errorf("got  %+v\nwant %+v", res.designations, want)
			}
		})
	}
}

func TestDesignationHasNoPersonColumns(t *testing.T) {
	res := decode(t, "designation", ingest.CSV, "source_ref,doc_number,area,level,from\nA,11010519491231002X,330106,high,2026-03-14\n")
	var fe *ingest.FileError
	if !asFileError(res.err, &fe) || fe.Line != 1 || fe.Field != "doc_number" {
		t.Errorf("err = %v, want a header error for doc_number on line 1", res.err)
	}
	res = decode(t, "designation", ingest.NDJSON, `{"source_ref":"A","at":"2026-03-14 10:00","area":"330106","level":"high","from":"2026-03-14"}`)
	if len(res.rejections) != 1 || res.rejections[0].Field != "at" {
		t.Errorf("rejections = %v, want one for at", res.rejections)
	}
}

func TestNextAndNextDesignationRefuseTheOtherKind(t *testing.T) {
	d, _ := ingest.NewDecoder("designation", ingest.CSV, strings.NewReader(""), now)
	if _, _, err := d.Next(); err == nil {
		t.Error("Next on a designation feed: no error")
	}
	d, _ = ingest.NewDecoder("lab", ingest.CSV, strings.NewReader(""), now)
	if _, _, err := d.NextDesignation(); err == nil {
		t.Error("NextDesignation on a lab feed: no error")
	}
}
