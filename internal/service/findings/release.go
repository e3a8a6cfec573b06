package findings

import (
	"context"
	"encoding/hex"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"healthcode"
	"healthcode/internal/ingest"
	"healthcode/internal/permission"
	"healthcode/internal/service/core"
)

// SourceReleaseList is the source of the release facts lists make. With
// the fact's SourceRef (division, identity, time) it makes a release
// known, so a list uploaded again, or another list naming the same
// release, adds nothing.
const SourceReleaseList = "release-list"

// maxPoint bounds an isolation point's name, in characters.
const maxPoint = 128

// ReleaseList is an isolation point's upload: its name and division, the
// rows the decoder accepted and those it refused, and the SHA-256 of the
// file as uploaded.
type ReleaseList struct {
	Point    string
	Division string // "" for the uploader's own scope
	Rows     []ingest.ReleaseRow
	Rejected []ingest.Rejection
	SHA256   []byte
}

// Outcome is what a list did with one row.
type Outcome string

// The outcomes of a row.
const (
	OutcomeReleased    Outcome = "released"         // the release fact was added and the person evaluated
	OutcomeAlready     Outcome = "already_released" // this release was applied before: nothing changed
	OutcomePending     Outcome = "pending"          // no one applied with the document: kept until they do
	OutcomeOutOfScope  Outcome = "out_of_scope"     // the person lives outside the uploader's scope
	OutcomeNotIsolated Outcome = "not_isolated"     // the person is not in centralized isolation
	OutcomeBeforeStart Outcome = "before_start"     // released_at is before the isolation began
	OutcomeDuplicate   Outcome = "duplicate"        // an earlier row names the same person
)

// RowResult is one row's outcome, and the field at fault when the row was
// refused.
type RowResult struct {
	Row     int     `json:"row"`
	Outcome Outcome `json:"outcome"`
	Field   string  `json:"field,omitempty"`
	Message string  `json:"message"` // in English; In gives another language
	why     *healthcode.Msg
}

// In is the result's message in lang.
func (r RowResult) In(lang string) string { return r.why.In(lang) }

func result(row int, o Outcome, field string, why *healthcode.Msg) RowResult {
	return RowResult{Row: row, Outcome: o, Field: field, Message: why.Error(), why: why}
}

// ListView is a stored release list as officials read it.
type ListView struct {
	ID         int64     `json:"id"`
	UploadedBy string    `json:"uploaded_by"`
	Point      string    `json:"point"`
	Division   string    `json:"division"`
	UploadedAt time.Time `json:"uploaded_at"`
	Rows       int       `json:"rows"`
	Released   int       `json:"released"`
	SHA256     string    `json:"sha256"` // hex, as sha256sum prints it
}

func viewOf(l *healthcode.ReleaseList) ListView {
	return ListView{ID: l.ID, UploadedBy: l.UploadedBy, Point: l.Point, Division: l.Division, UploadedAt: l.UploadedAt,
		Rows: l.Rows, Released: l.Released, SHA256: hex.EncodeToString(l.SHA256)}
}

// ReleaseReport is what an upload did.
type ReleaseReport struct {
	List ListView `json:"list"`
	// Repeat says the division had a list of the same file already: List
	// is that one, and no new record was made.
	Repeat     bool        `json:"repeat"`
	Rows       int         `json:"rows"`
	Released   int         `json:"released"`
	Pending    int         `json:"pending"`
	Refused    int         `json:"refused"`    // out of scope, not isolated, before the start, or duplicate
	Recoloured int         `json:"recoloured"` // persons whose colour changed
	Results    []RowResult `json:"results"`    // one per row, in the list's order
}

// UploadReleaseList applies an isolation point's list of the people it
// released from centralized isolation (SPEC D2): each listed person in
// the uploader's scope who is in centralized isolation gets a release
// fact and is evaluated again — red turns yellow with no application by
// them — in one transaction with the list's record and its public-log
// entry. A person who has not applied yet has the release kept for when
// they do, as feeds' facts are. The list is refused whole (EINVALID,
// every bad row and field named) when a row is malformed or released in
// the future; otherwise each row's outcome is reported. Uploading the
// same file again changes nothing. Errors: EUNAUTHORIZED, or EFORBIDDEN
// for anyone without UploadReleaseLists in the list's division.
func (s *Findings) UploadReleaseList(ctx context.Context, who *healthcode.Principal, list ReleaseList) (*ReleaseReport, error) {
	division, err := s.checkList(who, &list)
	if err != nil {
		return nil, err
	}
	now := s.core.Clock()
	rep := &ReleaseReport{Rows: len(list.Rows), Results: make([]RowResult, len(list.Rows))}
	err = s.store.Update(ctx, func(tx healthcode.Tx) error {
		if err := s.apply(ctx, tx, who, division, list.Rows, now, rep); err != nil {
			return err
		}
		return s.record(ctx, tx, who, &list, division, now, rep)
	})
	if err != nil {
		return nil, err
	}
	s.log.InfoContext(ctx, "release list applied", "list", rep.List.ID, "official", who.OfficialID, "division", division,
		"rows", rep.Rows, "released", rep.Released, "repeat", rep.Repeat)
	return rep, nil
}

// checkList authorises the uploader and checks the list whole: the
// division it is for (the uploader's scope by default), the point's name,
// and every row. It returns the division.
func (s *Findings) checkList(who *healthcode.Principal, list *ReleaseList) (string, error) {
	if who == nil {
		return "", healthcode.Errorf(healthcode.EUNAUTHORIZED, "Log in first: send Authorization: Bearer <token>.")
	}
	if !permission.Can(who, permission.UploadReleaseLists, "") {
		return "", healthcode.Errorf(healthcode.EFORBIDDEN, "Release lists are uploaded by isolation-point operators.")
	}
	var p healthcode.Problems
	division := strings.TrimSpace(list.Division)
	if division == "" {
		division = who.Region
	}
	if err := healthcode.ScopeProblem(division); err != nil {
		p.AddErr("division", err)
	} else if !permission.Can(who, permission.UploadReleaseLists, division) {
		return "", healthcode.Errorf(healthcode.EFORBIDDEN, "Your scope %s does not cover the division %s.", who.Region, division)
	}
	list.Point = strings.TrimSpace(list.Point)
	if reason := pointProblem(list.Point); reason != nil {
		p.AddErr("point", reason)
	}
	if len(list.SHA256) != 32 {
		return "", fmt.Errorf("release list: a SHA-256 of %d bytes", len(list.SHA256))
	}
	checkRows(list, s.core.Clock(), &p)
	return division, p.Err()
}

func pointProblem(point string) *healthcode.Msg {
	switch {
	case point == "":
		return healthcode.M("is required: the isolation point's name")
	case utf8.RuneCountInString(point) > maxPoint:
		return healthcode.M("must be at most %d characters", maxPoint)
	case strings.ContainsFunc(point, unicode.IsControl):
		return healthcode.M("must not contain control characters such as line breaks or tabs")
	}
	return nil
}

// checkRows adds the rows the decoder refused, and those released in the
// future, to p, each under "row N: field".
func checkRows(list *ReleaseList, now time.Time, p *healthcode.Problems) {
	if len(list.Rows)+len(list.Rejected) == 0 {
		p.Add("rows", "is required: at least one released person")
	}
	for _, r := range list.Rejected {
		p.AddErr(rowField(r.Line, r.Field), r.Why())
	}
	for _, r := range list.Rows {
		if r.ReleasedAt.After(now) {
			p.Add(rowField(r.Line, "released_at"), "must not be in the future")
		}
	}
}

func rowField(row int, field string) string {
	if field == "" {
		return fmt.Sprintf("row %d", row)
	}
	return fmt.Sprintf("row %d: %s", row, field)
}

// apply locks the persons the rows name, decides each row's outcome into
// rep, and adds the release facts and pending ones through the core.
func (s *Findings) apply(ctx context.Context, tx healthcode.Tx, who *healthcode.Principal, division string,
	rows []ingest.ReleaseRow, now time.Time, rep *ReleaseReport) error {
	hashes := make([][]byte, len(rows))
	for i := range rows {
		hashes[i] = core.IDKey(s.box, rows[i].DocType, rows[i].Number)
	}
	locked, err := tx.LockByIdentity(ctx, hashes)
	if err != nil {
		return err
	}
	ids := make([]int64, len(locked))
	for i, p := range locked {
		ids[i] = p.ID
	}
	facts, err := tx.FactsOf(ctx, ids)
	if err != nil {
		return err
	}
	b := sortRows(who, division, rows, hashes, locked, facts, now, rep)
	if _, rep.Recoloured, err = s.core.AddFacts(ctx, tx, locked, b.known, now); err != nil {
		return err
	}
	// A pending release reaches a person who applies declaring a region
	// of the list's district, as a feed key's facts keep to its region.
	if _, err := tx.AddPendingFacts(ctx, b.pendingHashes, b.pending, healthcode.RegionPrefix(division[:6])); err != nil {
		return err
	}
	rep.count()
	return nil
}

// batch is what a list's rows come to: release facts about persons, and
// releases kept for identities no one applied with yet.
type batch struct {
	known, pending []*healthcode.Fact
	pendingHashes  [][]byte
}

// sortRows decides each row's outcome into rep and makes its release fact.
func sortRows(who *healthcode.Principal, division string, rows []ingest.ReleaseRow, hashes [][]byte,
	locked []*healthcode.Person, facts map[int64][]healthcode.Fact, now time.Time, rep *ReleaseReport) batch {
	byHash := make(map[string]*healthcode.Person, len(locked))
	for _, p := range locked {
		byHash[string(p.IDHash)] = p
	}
	var b batch
	first := make(map[string]int, len(rows))
	for i, r := range rows {
		f := &healthcode.Fact{Kind: healthcode.FactIsolation, At: r.ReleasedAt, RecordedAt: now,
			Source: SourceReleaseList, SourceRef: releaseRef(division, hashes[i], r.ReleasedAt), Author: who.Author(),
			Isolation: &healthcode.IsolationFact{Setting: healthcode.IsolationCentralized, Event: healthcode.IsolationRelease}}
		if j, seen := first[string(hashes[i])]; seen {
			rep.Results[i] = result(r.Line, OutcomeDuplicate, "doc_number", healthcode.M("names the person of row %d again", rows[j].Line))
			continue
		}
		first[string(hashes[i])] = i
		p, ok := byHash[string(hashes[i])]
		switch {
		case !ok:
			rep.Results[i] = result(r.Line, OutcomePending, "",
				healthcode.M("no one has applied with this document yet: the release is kept until they do"))
			b.pending, b.pendingHashes = append(b.pending, f), append(b.pendingHashes, hashes[i])
		default:
			f.PersonID = p.ID
			if rep.Results[i] = judge(who, p, facts[p.ID], f, r.Line); rep.Results[i].Outcome == OutcomeReleased {
				b.known = append(b.known, f)
			}
		}
	}
	return b
}

// count sums the rows' outcomes.
func (rep *ReleaseReport) count() {
	for _, r := range rep.Results {
		switch r.Outcome {
		case OutcomeReleased:
			rep.Released++
		case OutcomePending:
			rep.Pending++
		case OutcomeAlready:
		default:
			rep.Refused++
		}
	}
}

// releaseRef names a release by the division, the person's identity hash
// (never the number) and the time: the same release, whichever list
// brings it, is one fact.
func releaseRef(division string, idHash []byte, at time.Time) string {
	return division + "/" + hex.EncodeToString(idHash[:16]) + "@" + at.UTC().Format(time.RFC3339)
}

// judge decides the outcome of a row about a person the list may name.
func judge(who *healthcode.Principal, p *healthcode.Person, facts []healthcode.Fact, f *healthcode.Fact, line int) RowResult {
	if !permission.Can(who, permission.UploadReleaseLists, p.Division()) {
		return result(line, OutcomeOutOfScope, "doc_number", healthcode.M("the person lives outside your scope %s", who.Region))
	}
	for i := range facts {
		if facts[i].Source == f.Source && facts[i].SourceRef == f.SourceRef {
			return result(line, OutcomeAlready, "", healthcode.M("released already by an earlier list: nothing changed"))
		}
	}
	start, isolated := centralizedSince(p, facts)
	switch {
	case !isolated:
		return result(line, OutcomeNotIsolated, "doc_number", healthcode.M("the person is not in centralized isolation"))
	case f.At.Before(start):
		return result(line, OutcomeBeforeStart, "released_at",
			healthcode.M("is before the person's isolation began (%s)", start.In(chinaTime).Format("2006-01-02 15:04")))
	}
	return result(line, OutcomeReleased, "", healthcode.M("released from centralized isolation"))
}

var chinaTime = time.FixedZone("CST", 8*60*60)

// centralizedSince finds whether the person is in centralized isolation,
// and since when: an isolation start not released yet, or else a status
// whose way out is a release from centralized isolation (a close contact's
// red, which needs no start of its own), since its colour began.
func centralizedSince(p *healthcode.Person, facts []healthcode.Fact) (time.Time, bool) {
	var start time.Time
	open := false
	for i := range facts {
		if iso := facts[i].Isolation; iso != nil && iso.Setting == healthcode.IsolationCentralized {
			open, start = iso.Event == healthcode.IsolationStart, facts[i].At
		}
	}
	if open {
		return start, true
	}
	if p.Status == nil {
		return time.Time{}, false
	}
	for _, n := range p.Status.Needs {
		if n.Kind == healthcode.NeedRelease && n.Setting == string(healthcode.IsolationCentralized) {
			return p.Status.Since, true
		}
	}
	return time.Time{}, false
}

// record stores the list's record and its public-log entry, unless the
// division has a list of the same file already: then the report names it
// and nothing is written.
func (s *Findings) record(ctx context.Context, tx healthcode.Tx, who *healthcode.Principal, list *ReleaseList,
	division string, now time.Time, rep *ReleaseReport) error {
	prev, err := tx.ReleaseListByFile(ctx, division, list.SHA256)
	switch healthcode.ErrorCode(err) {
	case "":
		rep.List, rep.Repeat = viewOf(prev), true
		return nil
	case healthcode.ENOTFOUND:
	default:
		return err
	}
	l := &healthcode.ReleaseList{UploadedBy: who.Author(), Point: list.Point, Division: division, UploadedAt: now,
		Rows: len(list.Rows), Released: rep.Released, SHA256: list.SHA256}
	if err := tx.CreateReleaseList(ctx, l); err != nil {
		return err
	}
	if err := tx.AppendLog(ctx, healthcode.LogOfReleaseList(l, healthcode.LogAuthorOf(who), now)); err != nil {
		return err
	}
	rep.List = viewOf(l)
	return nil
}

// maxLists bounds the lists ReleaseLists returns.
const maxLists = 200

// ReleaseLists returns the release lists of the caller's scope, newest
// first, at most 200. Errors: EUNAUTHORIZED, or EFORBIDDEN for anyone
// without UploadReleaseLists.
func (s *Findings) ReleaseLists(ctx context.Context, who *healthcode.Principal) ([]ListView, error) {
	if who == nil {
		return nil, healthcode.Errorf(healthcode.EUNAUTHORIZED, "Log in first: send Authorization: Bearer <token>.")
	}
	// The operator's empty scope lists every division's; an official's
	// account always has a scope, and one without lists nothing.
	if !permission.Can(who, permission.UploadReleaseLists, "") ||
		(who.Role != healthcode.RoleOperator && healthcode.ScopeProblem(who.Region) != nil) {
		return nil, healthcode.Errorf(healthcode.EFORBIDDEN, "Release lists are uploaded by isolation-point operators.")
	}
	ls, err := s.store.ReleaseLists(ctx, who.Region, maxLists)
	if err != nil {
		return nil, err
	}
	views := make([]ListView, len(ls))
	for i := range ls {
		views[i] = viewOf(&ls[i])
	}
	return views, nil
}
