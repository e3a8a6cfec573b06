package ingest

import (
	"slices"
	"time"

	"healthcode"
)

// valueType is how a column's text is read and checked.
type valueType uint8

const (
	vText      valueType = iota // free text: trimmed, UTF-8, no control characters, ≤ maxText characters
	vArea                       // a 6-digit region code, checked, or a place name (free text)
	vEnum                       // one of column.enum, any ASCII case; the canonical spelling is kept
	vDocType                    // a healthcode.DocType; absent means resident_id
	vDocNumber                  // checked and canonicalised by identity.NormalizeDocument
	vTime                       // a time: RFC 3339 or 2006-01-02 15:04[:05] in China time
	vStart                      // a time, or a date meaning 00:00 China time that day
	vEnd                        // a time, or a date meaning the end of that day (00:00 the next day)
	vBool                       // true/false, 1/0, yes/no
	vInt                        // a whole number within [column.min, column.max]
)

// column is one field of a feed row: a CSV column or an NDJSON key.
type column struct {
	name      string
	typ       valueType
	required  bool
	enum      []string // vEnum: the accepted values
	min, max  int      // vInt: the accepted range
	notAfter  string   // a time column this one must not be after
	notBefore string   // a time column this one must not be before
}

// kind is one feed kind: its columns, in the order problems are reported,
// and how a checked row becomes a fact.
type kind struct {
	name    string
	fact    healthcode.FactKind // "" for designation, which is no person's fact
	columns []column
	build   func(v *values, f healthcode.Fact) healthcode.Fact // sets f's payload
}

// The first columns of every person kind, at these indexes.
const (
	colSourceRef = iota
	colDocType
	colDocNumber
	colAt
	personColumns
)

var commonColumns = []column{
	{name: "source_ref", typ: vText, required: true},
	{name: "doc_type", typ: vDocType},
	{name: "doc_number", typ: vDocNumber, required: true},
	{name: "at", typ: vTime, required: true},
}

func enumOf[T ~string](vs ...T) []string {
	s := make([]string, len(vs))
	for i, v := range vs {
		s[i] = string(v)
	}
	return s
}

var areaLevels = enumOf(healthcode.AreaHigh, healthcode.AreaMedium, healthcode.AreaSealed, healthcode.AreaControl)

func person(name string, fact healthcode.FactKind, build func(*values, healthcode.Fact) healthcode.Fact, cols ...column) *kind {
	return &kind{name: name, fact: fact, columns: slices.Concat(commonColumns, cols), build: build}
}

// kinds lists the feed kinds in the order Kinds returns them. doc.go
// documents each; TestDocNamesEveryColumn keeps the two in step.
var kinds = []*kind{
	person("lab", healthcode.FactTest, func(v *values, f healthcode.Fact) healthcode.Fact {
		f.Test = &healthcode.TestFact{
			Sampled: v.time("sampled"),
			Result:  healthcode.TestResult(v.str("result")),
			Lab:     v.str("lab"),
		}
		return f
	},
		column{name: "sampled", typ: vTime, required: true, notAfter: "at"},
		column{name: "result", typ: vEnum, required: true, enum: enumOf(healthcode.TestNegative, healthcode.TestPositive)},
		column{name: "lab", typ: vText},
	),
	person("case", healthcode.FactCase, func(v *values, f healthcode.Fact) healthcode.Fact {
		f.Case = &healthcode.CaseFact{
			Type:          healthcode.CaseType(v.str("type")),
			Onset:         v.time("onset"),
			FirstPositive: v.time("first_positive"),
		}
		return f
	},
		column{name: "type", typ: vEnum, required: true, enum: enumOf(healthcode.CaseConfirmed, healthcode.CaseClinical,
			healthcode.CaseAsymptomatic, healthcode.CaseSuspected, healthcode.CaseFeverClinic)},
		column{name: "onset", typ: vStart},
		column{name: "first_positive", typ: vStart},
	),
	person("case_closed", healthcode.FactCaseClosed, func(v *values, f healthcode.Fact) healthcode.Fact {
		f.CaseClosed = &healthcode.CaseClosedFact{Outcome: healthcode.CaseOutcome(v.str("outcome"))}
		return f
	},
		column{name: "outcome", typ: vEnum, required: true, enum: enumOf(healthcode.OutcomeCured, healthcode.OutcomeExcluded)},
	),
	person("contact", healthcode.FactContact, func(v *values, f healthcode.Fact) healthcode.Fact {
		f.Contact = &healthcode.ContactFact{
			Type:     healthcode.ContactType(v.str("type")),
			Exposure: v.time("exposure"),
			Confined: v.bool("confined"),
		}
		return f
	},
		column{name: "type", typ: vEnum, required: true, enum: enumOf(healthcode.ContactClose, healthcode.ContactSubClose, healthcode.ContactCompanion)},
		column{name: "exposure", typ: vTime, required: true, notAfter: "at"},
		column{name: "confined", typ: vBool},
	),
	person("isolation", healthcode.FactIsolation, func(v *values, f healthcode.Fact) healthcode.Fact {
		f.Isolation = &healthcode.IsolationFact{
			Setting: healthcode.IsolationSetting(v.str("setting")),
			Event:   healthcode.IsolationEvent(v.str("event")),
		}
		return f
	},
		column{name: "setting", typ: vEnum, required: true, enum: enumOf(healthcode.IsolationCentralized, healthcode.IsolationHome)},
		column{name: "event", typ: vEnum, required: true, enum: enumOf(healthcode.IsolationStart, healthcode.IsolationRelease)},
	),
	person("entry", healthcode.FactEntry, func(v *values, f healthcode.Fact) healthcode.Fact {
		f.Entry = &healthcode.EntryFact{Port: v.str("port"), Country: v.str("country")}
		return f
	},
		column{name: "port", typ: vText},
		column{name: "country", typ: vText},
	),
	person("trip", healthcode.FactAreaStay, func(v *values, f healthcode.Fact) healthcode.Fact {
		f.AreaStay = &healthcode.AreaStayFact{
			Area:  v.str("area"),
			Level: healthcode.AreaLevel(v.str("level")),
			From:  v.time("from"),
			To:    v.time("to"),
		}
		return f
	},
		column{name: "area", typ: vArea, required: true},
		column{name: "level", typ: vEnum, enum: areaLevels}, // absent: the area's designations decide
		column{name: "from", typ: vStart, required: true},
		column{name: "to", typ: vEnd, notBefore: "from"},
	),
	person("vaccination", healthcode.FactVaccination, func(v *values, f healthcode.Fact) healthcode.Fact {
		f.Vaccination = &healthcode.VaccinationFact{Dose: v.int("dose"), Product: v.str("product")}
		return f
	},
		column{name: "dose", typ: vInt, required: true, min: 1, max: 10},
		column{name: "product", typ: vText},
	),
	{
		name: designationKind,
		columns: []column{
			{name: "source_ref", typ: vText, required: true},
			{name: "area", typ: vArea, required: true},
			{name: "level", typ: vEnum, required: true, enum: areaLevels},
			{name: "from", typ: vStart, required: true},
			{name: "to", typ: vEnd, notBefore: "from"},
		},
	},
}

const designationKind = "designation"

// Kinds returns the feed kind names, in the order doc.go documents them.
func Kinds() []string {
	names := make([]string, len(kinds))
	for i, k := range kinds {
		names[i] = k.name
	}
	return names
}

func kindNamed(name string) *kind {
	for _, k := range kinds {
		if k.name == name {
			return k
		}
	}
	return nil
}

// index returns the position of the named column, or -1.
func (k *kind) index(name string) int {
	for i := range k.columns {
		if k.columns[i].name == name {
			return i
		}
	}
	return -1
}

// values are the checked values of one row, by column index.
type values struct {
	k    *kind
	vals []value
}

// value is one checked column value; only the field of its type is set.
type value struct {
	s string
	t time.Time
	b bool
	n int
}

func (v *values) get(name string) *value {
	i := v.k.index(name)
	if i < 0 {
		panic("ingest: kind " + v.k.name + " has no column " + name)
	}
	return &v.vals[i]
}

func (v *values) str(name string) string     { return v.get(name).s }
func (v *values) time(name string) time.Time { return v.get(name).t }
func (v *values) bool(name string) bool      { return v.get(name).b }
func (v *values) int(name string) int        { return v.get(name).n }
