package workflow

import (
	"strings"
	"testing"
	"time"

	"healthcode"
)

var china = time.FixedZone("CST", 8*60*60)

func official(role healthcode.Role, id int64, region string) *healthcode.Principal {
	return &healthcode.Principal{Role: role, OfficialID: id, Region: region}
}

// walk takes the steps in order on a workflow of kind k opened in state,
// as each actor, and returns the workflow and its steps.
func walk(t *testing.T, k healthcode.WorkflowKind, state string, path []struct {
	action string
	who    *healthcode.Principal
}) (*healthcode.Workflow, []healthcode.WorkflowStep) {
	t.Helper()
	w := &healthcode.Workflow{ID: 1, Kind: k, Division: "330106", State: state}
	var steps []healthcode.WorkflowStep
	for _, p := range path {
		st, err := Next(w, steps, p.action, p.who)
		if err != nil {
			t.Fatalf("%s by %s at %s: %v", p.action, p.who.Role, w.State, err)
		}
		s := healthcode.WorkflowStep{Seq: len(steps) + 1, Action: st.Action, ActorRole: p.who.Role, Actor: p.who.Author()}
		if st.Colour {
			s.Colour = healthcode.Green
		}
		steps = append(steps, s)
		w.State = st.To
	}
	return w, steps
}

type step = struct {
	action string
	who    *healthcode.Principal
}

var (
	comm   = official(healthcode.RoleCommunity, 1, "330106")
	str    = official(healthcode.RoleStreet, 2, "330106")
	dist   = official(healthcode.RoleDistrict, 3, "330106")
	dist2  = official(healthcode.RoleDistrict, 4, "330100")
	distFa = official(healthcode.RoleDistrict, 5, "440100")
)

func TestEachWorkflowRunsToItsEnd(t *testing.T) {
	tests := []struct {
		kind  healthcode.WorkflowKind
		first string
		path  []step
		want  string
	}{
		{healthcode.WorkflowAppeal, "filed", []step{{ActUphold, dist}, {ActApprove, dist2}}, Applied},
		{healthcode.WorkflowAppeal, "filed", []step{{ActReject, dist}}, Rejected},
		{healthcode.WorkflowAppeal, "filed", []step{{ActUphold, dist}, {ActSendBack, dist2}, {ActUphold, dist}, {ActApprove, dist2}}, Applied},
		{healthcode.WorkflowHomeRelease, "filed", []step{{ActReturn, str}, {ActRefile, comm}, {ActPass, str}, {ActPropose, dist},
			{ActApprove, dist2}}, Applied},
		{healthcode.WorkflowErrorCorrection, "filed", []step{{ActAccept, comm}, {ActPass, str}, {ActCommand, dist},
			{ActAudit, dist2}, {ActTest, comm}, {ActPropose, dist}, {ActApprove, dist2}}, Applied},
	}
	for _, tt := range tests {
		t.Run(string(tt.kind), func(t *testing.T) {
			w, _ := walk(t, tt.kind, tt.first, tt.path)
			if w.State != tt.want {
				t.Errorf("state %q, want %q", w.State, tt.want)
			}
			if NextRole(tt.kind, w.State) != "" {
				t.Errorf("a closed workflow has a next role")
			}
		})
	}
}

func TestStepsAreRefusedWithTheReason(t *testing.T) {
	tests := []struct {
		name   string
		kind   healthcode.WorkflowKind
		path   []step
		action string
		who    *healthcode.Principal
		code   string
	}{
		{"a street officer answers an appeal", healthcode.WorkflowAppeal, nil, ActUphold, str, healthcode.EFORBIDDEN},
		{"a district out of scope", healthcode.WorkflowAppeal, nil, ActUphold, distFa, healthcode.EFORBIDDEN},
		{"the proposer approves", healthcode.WorkflowAppeal, []step{{ActUphold, dist}}, ActApprove, dist, healthcode.EFORBIDDEN},
		{"approving before a proposal", healthcode.WorkflowAppeal, nil, ActApprove, dist2, healthcode.ECONFLICT},
		{"a step after the end", healthcode.WorkflowAppeal, []step{{ActReject, dist}}, ActUphold, dist, healthcode.ECONFLICT},
		{"the commander audits", healthcode.WorkflowErrorCorrection, []step{{ActAccept, comm}, {ActPass, str}, {ActCommand, dist}},
			ActAudit, dist, healthcode.EFORBIDDEN},
		{"a citizen reviews", healthcode.WorkflowHomeRelease, nil, ActPass, &healthcode.Principal{Role: healthcode.RoleCitizen, AccountID: 1},
			healthcode.EFORBIDDEN},
		{"anonymous", healthcode.WorkflowHomeRelease, nil, ActPass, nil, healthcode.EFORBIDDEN},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, steps := walk(t, tt.kind, "filed", tt.path)
			_, err := Next(w, steps, tt.action, tt.who)
			if got := healthcode.ErrorCode(err); got != tt.code {
				t.Errorf("error %v (%s), want %s", err, got, tt.code)
			}
		})
	}
}

func TestStartNeedsTheFilersRole(t *testing.T) {
	cit := &healthcode.Principal{Role: healthcode.RoleCitizen, AccountID: 1}
	tests := []struct {
		kind healthcode.WorkflowKind
		who  *healthcode.Principal
		want string // "" for a refusal
	}{
		{healthcode.WorkflowAppeal, cit, "filed"},
		{healthcode.WorkflowAppeal, comm, ""},
		{healthcode.WorkflowHomeRelease, comm, "filed"},
		{healthcode.WorkflowHomeRelease, cit, ""},
		{healthcode.WorkflowHomeRelease, official(healthcode.RoleCommunity, 9, "440100"), ""},
		{healthcode.WorkflowErrorCorrection, cit, "filed"},
		{healthcode.WorkflowErrorCorrection, comm, "accepted"},
		{healthcode.WorkflowErrorCorrection, dist, ""},
	}
	for _, tt := range tests {
		got, err := Start(tt.kind, tt.who, "330106")
		if got != tt.want || (tt.want == "") != (err != nil) {
			t.Errorf("Start(%s, %s) = %q, %v; want %q", tt.kind, tt.who.Role, got, err, tt.want)
		}
	}
}

func TestHomeReleaseIsDueAtTenTheNextDay(t *testing.T) {
	// 23:30 China time on 1 March: due 10:00 on 2 March, China time.
	opened := time.Date(2026, 3, 1, 15, 30, 0, 0, time.UTC)
	got := Deadline(healthcode.WorkflowHomeRelease, opened, 72*time.Hour, china)
	if want := time.Date(2026, 3, 2, 2, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("deadline %v, want %v", got, want)
	}
	if got := Deadline(healthcode.WorkflowAppeal, opened, 72*time.Hour, china); !got.Equal(opened.Add(72 * time.Hour)) {
		t.Errorf("appeal deadline %v", got)
	}
	w := &healthcode.Workflow{Deadline: got}
	if Overdue(w, got) || !Overdue(w, got.Add(time.Second)) {
		t.Error("overdue only after the deadline")
	}
	w.ClosedAt = got
	if Overdue(w, got.Add(time.Hour)) {
		t.Error("a closed workflow is never overdue")
	}
}

func TestAttachmentsAreTypedByTheirBytes(t *testing.T) {
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"a.pdf", []byte("%PDF-1.7 ..."), "application/pdf"},
		{"a.jpg", []byte{0xFF, 0xD8, 0xFF, 0xE0, 1}, "image/jpeg"},
		{"a.png", []byte("\x89PNG\r\n\x1a\nrest"), "image/png"},
		{"evil.pdf", []byte("<html><script>"), ""},
		{"big.pdf", append([]byte("%PDF-"), make([]byte, MaxAttachment)...), ""},
		{"empty.png", nil, ""},
	}
	for _, tt := range tests {
		var p healthcode.Problems
		a := Attach(tt.name, tt.data, "attachment", &p)
		got := ""
		if a != nil {
			got = a.ContentType
		}
		if got != tt.want || (tt.want == "") != (len(p) > 0) {
			t.Errorf("%s: type %q, problems %v; want %q", tt.name, got, p, tt.want)
		}
	}
}

func TestFormsAreChecked(t *testing.T) {
	tests := []struct {
		name  string
		kind  healthcode.WorkflowKind
		form  healthcode.WorkflowForm
		field string // "" for no problem
	}{
		{"an appeal with a reason", healthcode.WorkflowAppeal, healthcode.WorkflowForm{Reason: "我没有去过高风险地区，请复核"}, ""},
		{"a short reason", healthcode.WorkflowAppeal, healthcode.WorkflowForm{Reason: "错了"}, "reason"},
		{"an error correction without variant", healthcode.WorkflowErrorCorrection, healthcode.WorkflowForm{Reason: "身份证号码登记错误一位数字"}, "variant"},
		{"release dates backwards", healthcode.WorkflowHomeRelease, healthcode.WorkflowForm{IsolationStart: "2026-03-10", IsolationEnd: "2026-03-01"}, "isolation_end"},
		{"release dates", healthcode.WorkflowHomeRelease, healthcode.WorkflowForm{IsolationStart: "2026-03-01", IsolationEnd: "2026-03-10"}, ""},
	}
	for _, tt := range tests {
		var p healthcode.Problems
		CheckForm(tt.kind, tt.form, china, &p)
		got := ""
		if len(p) > 0 {
			got = p[0].Field
		}
		if got != tt.field {
			t.Errorf("%s: problems %v, want one of %q", tt.name, p, tt.field)
		}
	}
}

// A refusal names the workflow's state in the reader's words, not by its
// API name: "流程 … 已驳回", not "rejected" inside Chinese.
func TestRefusalsNameTheStateInTheReadersLanguage(t *testing.T) {
	district := &healthcode.Principal{Role: healthcode.RoleDistrict, OfficialID: 1, Region: "330106"}
	tests := []struct {
		state, action, zh, en string
	}{
		{Rejected, ActApprove, "已驳回", "is closed (rejected)"},
		{"filed", ActApprove, "已提交，待首次答复", "is filed, awaiting its first answer"},
	}
	for _, tt := range tests {
		w := &healthcode.Workflow{ID: 4, Kind: healthcode.WorkflowAppeal, State: tt.state, Division: "330106"}
		_, err := Next(w, nil, tt.action, district)
		if zh, en := healthcode.ErrorIn(err, "zh"), healthcode.ErrorIn(err, "en"); !strings.Contains(zh, tt.zh) ||
			strings.Contains(zh, tt.state) || !strings.Contains(en, tt.en) {
			t.Errorf("%s/%s: %q / %q", tt.state, tt.action, zh, en)
		}
	}
}
