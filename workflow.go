package healthcode

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"
)

// WorkflowKind names one of the officials' workflows (SPEC D1–D4); package
// internal/workflow holds each kind's states and steps, as data.
type WorkflowKind string

// The workflow kinds.
const (
	WorkflowAppeal          WorkflowKind = "appeal"           // 复核 (D1)
	WorkflowHomeRelease     WorkflowKind = "home_release"     // yellow→green on release from home isolation (D3)
	WorkflowErrorCorrection WorkflowKind = "error_correction" // 纠错 (D4)
)

// Variants of an error correction (seed 003 Q7).
const (
	VariantWrongColour = "wrong-colour" // the colour itself is wrong
	VariantWrongData   = "wrong-data"   // wrong identity or phone data made it abnormal
)

// Workflow is one case passed along the officials' chain. What was filed
// (Kind, PersonID, Division, Form, OpenedBy, OpenedRole, OpenedAt, LogRef)
// never changes once stored — the schema refuses it, as a citizen's appeal
// cannot be edited after submitting (D1); State, NextRole, Deadline, Seq,
// Outcome and ClosedAt move with each step.
type Workflow struct {
	ID       int64        `json:"id"`
	Kind     WorkflowKind `json:"kind"`
	PersonID int64        `json:"person_id"`
	// Division is the person's (Person.Division) when the workflow was
	// filed: the officials whose scope covers it act on it.
	Division   string       `json:"division"`
	Form       WorkflowForm `json:"form"`
	OpenedBy   string       `json:"-"` // the filer's author string (Principal.Author)
	OpenedRole Role         `json:"opened_role"`
	OpenedAt   time.Time    `json:"opened_at"`
	// LogRef is a random reference the public log's entries of this
	// workflow's steps carry: it links the steps to each other, never to
	// the person.
	LogRef []byte `json:"-"`

	State    string    `json:"state"`
	NextRole Role      `json:"next_role,omitempty"` // "" once closed
	Deadline time.Time `json:"deadline,omitzero"`
	Seq      int       `json:"seq"`               // steps taken: the next step's is Seq+1
	Outcome  Color     `json:"outcome,omitempty"` // the colour transferred to, once applied
	ClosedAt time.Time `json:"closed_at,omitzero"`

	Attachment *AttachmentMeta `json:"attachment,omitempty"`
}

// Open reports whether the workflow still waits for a step.
func (w *Workflow) Open() bool { return w.ClosedAt.IsZero() }

// WorkflowForm is what the filer wrote. Each kind uses its own fields.
type WorkflowForm struct {
	Reason         string `json:"reason,omitempty"`          // appeal, error correction
	Variant        string `json:"variant,omitempty"`         // error correction
	IsolationStart string `json:"isolation_start,omitempty"` // home release, China-time date 2006-01-02
	IsolationEnd   string `json:"isolation_end,omitempty"`
	Note           string `json:"note,omitempty"`
}

// MarshalForm encodes a form for storage; UnmarshalForm decodes it.
func (w *Workflow) MarshalForm() ([]byte, error) {
	b, err := json.Marshal(w.Form)
	if err != nil {
		return nil, fmt.Errorf("encode workflow form: %w", err)
	}
	return b, nil
}

// UnmarshalForm sets the form from its stored bytes.
func (w *Workflow) UnmarshalForm(b []byte) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&w.Form); err != nil {
		return fmt.Errorf("decode form of workflow %d: %w", w.ID, err)
	}
	return nil
}

// AttachmentMeta describes a file filed with a workflow.
type AttachmentMeta struct {
	Filename    string `json:"filename"`
	ContentType string `json:"content_type"` // by its magic bytes, not as declared
	Size        int    `json:"size"`
	SHA256      []byte `json:"sha256"`
}

// Attachment is a filed file with its bytes.
type Attachment struct {
	AttachmentMeta
	Data []byte
}

// WorkflowStep is one step taken on a workflow: who (by role and author,
// never a name), what, when, and the colour a transfer proposes or
// approves. Steps are only appended; (WorkflowID, Seq) is unique, so of
// two officials taking the same step at once one is refused.
type WorkflowStep struct {
	WorkflowID int64     `json:"-"`
	Seq        int       `json:"seq"`
	Action     string    `json:"action"`
	ActorRole  Role      `json:"actor_role"`
	Actor      string    `json:"actor"` // "official:7", "account:3"
	At         time.Time `json:"at"`
	Note       string    `json:"note,omitempty"`
	Colour     Color     `json:"colour,omitempty"`
}
