package policy

import (
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"time"

	"healthcode"
)

// Facts as data: one mapping a fact, the form of pack tests (YAML) and of
// the evaluate API (JSON):
//
//	{kind: checkin, at: "2026-03-02 08:00", celsius: 36.5}
//	{kind: test, at: "2026-03-02 15:00", sampled: "2026-03-02 09:00", result: negative}
//
// kind and at are required; source and source_ref name the record (a trip
// a designation refers to); repeat: {count: 14, every: 1d} writes the same
// fact count times, every apart, each of its times moved along. Every other
// key is a field of the kind's payload, by its JSON name (healthcode.Fact).
// A check-in's date is the China-time date of at unless given; a
// declaration's region is the timeline's unless given.

// factKeys are the keys of a fact that are not its payload's.
var factKeys = []string{"kind", "at", "source", "source_ref", "repeat"}

// maxTimelineFacts bounds one timeline, repeats included: an API caller
// cannot make the server build millions of facts with one small request.
const maxTimelineFacts = 10000

// payloadField is one field of a kind's payload.
type payloadField struct {
	name string
	typ  reflect.Type
}

// payloadFields lists each kind's payload fields by JSON name, in the
// order they are declared.
var payloadFields = func() map[healthcode.FactKind][]payloadField {
	out := map[healthcode.FactKind][]payloadField{}
	for _, k := range healthcode.FactKinds {
		f := healthcode.Fact{Kind: k}
		if err := f.UnmarshalBody([]byte("{}")); err != nil {
			panic(err)
		}
		v := reflect.ValueOf(f)
		for i := range v.NumField() {
			if fv := v.Field(i); fv.Kind() == reflect.Pointer && !fv.IsNil() {
				out[k] = jsonFields(fv.Type().Elem())
			}
		}
	}
	return out
}()

// jsonFields lists the JSON fields of struct type t, embedded structs'
// fields flattened as encoding/json does.
func jsonFields(t reflect.Type) []payloadField {
	var fs []payloadField
	for f := range t.Fields() {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		switch {
		case f.Anonymous && f.Type.Kind() == reflect.Struct:
			fs = append(fs, jsonFields(f.Type)...)
		case !f.IsExported() || name == "-":
		case name == "":
			fs = append(fs, payloadField{f.Name, f.Type})
		default:
			fs = append(fs, payloadField{name, f.Type})
		}
	}
	return fs
}

// factEnums are the payload fields that take one of a few words.
var factEnums = map[healthcode.FactKind]map[string][]string{
	healthcode.FactCase:       {"type": caseTypes},
	healthcode.FactCaseClosed: {"outcome": caseOutcomes},
	healthcode.FactContact:    {"type": contactTypes},
	healthcode.FactAreaStay:   {"level": append([]string{""}, areaLevels...)},
	healthcode.FactIsolation: {"setting": isolationSettings,
		"event": stringsOf(healthcode.IsolationStart, healthcode.IsolationRelease)},
	healthcode.FactTest: {"result": testResults},
}

// FactProblem is one thing wrong with a fact written as data: Key is the
// key it is about ("" for the fact as a whole).
type FactProblem struct {
	Key    string
	Reason string
}

var timeType = reflect.TypeFor[time.Time]()

// DecodeFact reads one fact written as data, with the copies its repeat
// asks for; region is the person's, for a declaration that names none.
// The facts have no ids: DecodeFacts numbers them.
func DecodeFact(m map[string]any, region string) ([]healthcode.Fact, []FactProblem) {
	var ps []FactProblem
	bad := func(key, format string, args ...any) { ps = append(ps, FactProblem{key, fmt.Sprintf(format, args...)}) }
	kind := healthcode.FactKind(stringOf(m["kind"]))
	fields, known := payloadFields[kind]
	switch {
	case m["kind"] == nil:
		bad("kind", "is required: one of %s", kindList())
	case !known:
		bad("kind", "%s is not a fact kind: one of %s", describeValue(m["kind"]), kindList())
	}
	at, err := timeValue(m["at"])
	if err != nil {
		bad("at", "%v", err)
	}
	count, every := 1, time.Duration(0)
	if r, ok := m["repeat"]; ok {
		count, every, err = repeatValue(r)
		if err != nil {
			bad("repeat", "%v", err)
		}
	}
	if !known {
		return nil, ps
	}
	for _, key := range slices.Sorted(maps.Keys(m)) {
		if !slices.Contains(factKeys, key) && !slices.ContainsFunc(fields, func(f payloadField) bool { return f.name == key }) {
			bad(key, "unknown field of a %s fact (its fields: %s)", kind, strings.Join(fieldList(fields), ", "))
		}
	}
	for _, key := range []string{"source", "source_ref"} {
		if v, ok := m[key]; ok {
			if _, isString := v.(string); !isString {
				bad(key, "must be a string, got %s", describeValue(v))
			}
		}
	}
	if kind == healthcode.FactCheckIn && count > 1 && m["date"] != nil {
		bad("date", "leave it out with repeat: each check-in's date is the China-time date of its at")
	}
	if len(ps) > 0 {
		return nil, ps
	}
	facts := make([]healthcode.Fact, 0, count)
	for k := range count {
		f, fps := decodePayload(m, kind, fields, at.Add(time.Duration(k)*every), time.Duration(k)*every, region)
		if len(fps) > 0 {
			return nil, fps
		}
		facts = append(facts, f)
	}
	return facts, nil
}

// decodePayload builds one fact at at, its payload's times moved by shift.
func decodePayload(m map[string]any, kind healthcode.FactKind, fields []payloadField, at time.Time, shift time.Duration,
	region string) (healthcode.Fact, []FactProblem) {
	var ps []FactProblem
	body := map[string]any{}
	for _, f := range fields {
		v, ok := m[f.name]
		if !ok || v == nil {
			continue
		}
		if f.typ == timeType {
			t, err := timeValue(v)
			if err != nil {
				ps = append(ps, FactProblem{f.name, err.Error()})
				continue
			}
			v = t.Add(shift)
		}
		if err := checkValue(v, f.typ); err != nil {
			ps = append(ps, FactProblem{f.name, err.Error()})
			continue
		}
		if allowed := factEnums[kind][f.name]; allowed != nil && !slices.Contains(allowed, stringOf(v)) {
			ps = append(ps, FactProblem{f.name, fmt.Sprintf("%s is not one of %s", describeValue(v), strings.Join(nonEmpty(allowed), ", "))})
			continue
		}
		body[f.name] = v
	}
	switch kind {
	case healthcode.FactCheckIn:
		if body["date"] == nil {
			body["date"] = at.In(ChinaTime).Format(time.DateOnly)
		}
	case healthcode.FactDeclaration:
		if body["region"] == nil {
			body["region"] = region
		}
	}
	if len(ps) > 0 {
		return healthcode.Fact{}, ps
	}
	f := healthcode.Fact{Kind: kind, At: at, RecordedAt: at, Source: stringOf(m["source"]), SourceRef: stringOf(m["source_ref"])}
	data, err := json.Marshal(body)
	if err == nil {
		err = f.UnmarshalBody(data)
	}
	if err != nil {
		return healthcode.Fact{}, []FactProblem{{"", err.Error()}}
	}
	return f, nil
}

// DecodeFacts reads a timeline's facts, numbering them from 1 in the order
// written, and reports every problem with its path (facts[2].result), as
// the evaluate API answers them.
func DecodeFacts(raw []map[string]any, region string) ([]healthcode.Fact, healthcode.Problems) {
	var all []healthcode.Fact
	var problems healthcode.Problems
	for i, m := range raw {
		facts, ps := DecodeFact(m, region)
		for _, p := range ps {
			problems.Add(factPath(fmt.Sprintf("facts[%d]", i), p.Key), p.Reason)
		}
		all = append(all, facts...)
		if len(all) > maxTimelineFacts {
			problems.Addf(fmt.Sprintf("facts[%d]", i), "a timeline holds at most %d facts, repeats included", maxTimelineFacts)
			return nil, problems
		}
	}
	Number(all)
	return all, problems
}

// Number gives facts the ids 1, 2, … in order.
func Number(facts []healthcode.Fact) {
	for i := range facts {
		facts[i].ID = int64(i + 1)
	}
}

func factPath(prefix, key string) string {
	if key == "" {
		return prefix
	}
	return prefix + "." + key
}

// checkValue reports whether v, as decoded from YAML or JSON, fits a field
// of type t.
func checkValue(v any, t reflect.Type) error {
	if t == timeType {
		return nil
	}
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("cannot be read: %v", err)
	}
	if err := json.Unmarshal(data, reflect.New(t).Interface()); err != nil {
		return fmt.Errorf("must be %s, got %s", describeType(t), describeValue(v))
	}
	return nil
}

func describeType(t reflect.Type) string {
	switch {
	case t == colorType:
		return "green, yellow or red"
	case t.Kind() == reflect.Bool:
		return "true or false"
	case t.Kind() >= reflect.Int && t.Kind() <= reflect.Int64:
		return "a whole number"
	case t.Kind() == reflect.Float64:
		return "a number"
	case t.Kind() == reflect.String:
		return "a string"
	}
	names := []string{}
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	for _, f := range jsonFields(t) {
		names = append(names, f.name)
	}
	return "a mapping of " + strings.Join(names, ", ")
}

func describeValue(v any) string {
	switch v := v.(type) {
	case string:
		return fmt.Sprintf("%q", v)
	case map[string]any:
		return "a mapping"
	case []any:
		return "a list"
	}
	return fmt.Sprint(v)
}

// timeValue reads a time, a string ParseTime reads.
func timeValue(v any) (time.Time, error) {
	switch v := v.(type) {
	case nil:
		return time.Time{}, fmt.Errorf("is required: a time such as 2026-03-01 10:00 (China time)")
	case string:
		return ParseTime(v)
	}
	return time.Time{}, fmt.Errorf("must be a time such as 2026-03-01 10:00 (China time), got %s", describeValue(v))
}

// repeatValue reads {count: N, every: DURATION}.
func repeatValue(v any) (int, time.Duration, error) {
	const want = "must be {count: N, every: DURATION}, e.g. {count: 14, every: 1d}"
	m, ok := v.(map[string]any)
	if !ok {
		return 0, 0, fmt.Errorf("%s", want)
	}
	for k := range m {
		if k != "count" && k != "every" {
			return 0, 0, fmt.Errorf("unknown field %q: %s", k, want)
		}
	}
	count, ok := wholeNumber(m["count"])
	if !ok || count < 1 || count > maxTimelineFacts {
		return 0, 0, fmt.Errorf("count: must be a whole number from 1 to %d", maxTimelineFacts)
	}
	d, err := ParseDuration(stringOf(m["every"]))
	if err != nil || d <= 0 {
		return 0, 0, fmt.Errorf("every: must be a duration such as 1d or 12h")
	}
	return count, d.D(), nil
}

// wholeNumber reads a count from YAML (int) or JSON (float64).
func wholeNumber(v any) (int, bool) {
	switch n := v.(type) {
	case int:
		return n, true
	case float64:
		return int(n), n == float64(int(n))
	}
	return 0, false
}

func stringOf(v any) string {
	s, _ := v.(string)
	return s
}

func kindList() string {
	return strings.Join(stringsOf(healthcode.FactKinds...), ", ")
}

func fieldList(fs []payloadField) []string {
	names := slices.Clone(factKeys)
	for _, f := range fs {
		names = append(names, f.name)
	}
	return names
}

func nonEmpty(ss []string) []string {
	return slices.DeleteFunc(slices.Clone(ss), func(s string) bool { return s == "" })
}
