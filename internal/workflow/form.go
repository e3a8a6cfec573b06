package workflow

import (
	"bytes"
	"crypto/sha256"
	"path"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"healthcode"
)

// Limits of what a filer writes and attaches.
const (
	MinReason     = 10
	MaxReason     = 1000
	MaxNote       = 1000
	MaxAttachment = 2 << 20 // 2 MiB
	maxFilename   = 200
)

// CheckForm checks the form of a workflow of kind k and returns it
// trimmed, adding every problem to p. china is the zone its dates are in.
func CheckForm(k healthcode.WorkflowKind, f healthcode.WorkflowForm, china *time.Location, p *healthcode.Problems) healthcode.WorkflowForm {
	f.Reason, f.Note = strings.TrimSpace(f.Reason), strings.TrimSpace(f.Note)
	switch k {
	case healthcode.WorkflowAppeal, healthcode.WorkflowErrorCorrection:
		if n := utf8.RuneCountInString(f.Reason); healthcode.Visible(f.Reason) < MinReason || n > MaxReason {
			p.Addf("reason", "must be %d to %d characters; it is %d", MinReason, MaxReason, n)
		}
	case healthcode.WorkflowHomeRelease:
		checkDates(f, china, p)
	}
	if k == healthcode.WorkflowErrorCorrection && f.Variant != healthcode.VariantWrongColour && f.Variant != healthcode.VariantWrongData {
		p.Addf("variant", "must be %s or %s", healthcode.VariantWrongColour, healthcode.VariantWrongData)
	} else if k != healthcode.WorkflowErrorCorrection && f.Variant != "" {
		p.Add("variant", "is only for error corrections")
	}
	CheckNote(f.Note, p)
	return f
}

// CheckNote adds to p a note too long to keep.
func CheckNote(note string, p *healthcode.Problems) {
	if n := utf8.RuneCountInString(note); n > MaxNote {
		p.Addf("note", "must be at most %d characters; it is %d", MaxNote, n)
	}
}

func checkDates(f healthcode.WorkflowForm, china *time.Location, p *healthcode.Problems) {
	from, err1 := time.ParseInLocation(time.DateOnly, f.IsolationStart, china)
	if err1 != nil {
		p.Add("isolation_start", "must be a date such as 2026-03-01")
	}
	to, err2 := time.ParseInLocation(time.DateOnly, f.IsolationEnd, china)
	if err2 != nil {
		p.Add("isolation_end", "must be a date such as 2026-03-01")
	}
	if err1 == nil && err2 == nil && to.Before(from) {
		p.Add("isolation_end", "must not be before the isolation's start")
	}
}

// Attach checks a filed file and returns it with its metadata: its type
// is what its first bytes say (PDF, JPEG or PNG), whatever its name or
// its sender claims. Problems are added to p under field.
func Attach(filename string, data []byte, field string, p *healthcode.Problems) *healthcode.Attachment {
	filename = path.Base(strings.ReplaceAll(strings.TrimSpace(filename), `\`, "/"))
	switch {
	case filename == "." || filename == ".." || filename == "/" || utf8.RuneCountInString(filename) > maxFilename || !utf8.ValidString(filename):
		p.Addf(field, "needs a file name of at most %d characters", maxFilename)
	case strings.ContainsFunc(filename, unicode.IsControl):
		// The name goes into a Content-Disposition header and onto pages.
		p.Add(field, "must not contain control characters such as line breaks or tabs")
	}
	switch {
	case len(data) == 0:
		p.Add(field, "is empty")
		return nil
	case len(data) > MaxAttachment:
		p.Addf(field, "is %d bytes; at most %d (2 MiB) may be attached", len(data), MaxAttachment)
		return nil
	}
	ct := sniff(data)
	if ct == "" {
		p.Add(field, "must be a PDF, JPEG or PNG file")
		return nil
	}
	sum := sha256.Sum256(data)
	return &healthcode.Attachment{AttachmentMeta: healthcode.AttachmentMeta{Filename: filename, ContentType: ct,
		Size: len(data), SHA256: sum[:]}, Data: data}
}

// sniff is the type of the file by its magic bytes, "" for any other.
func sniff(b []byte) string {
	switch {
	case bytes.HasPrefix(b, []byte("%PDF-")):
		return "application/pdf"
	case bytes.HasPrefix(b, []byte{0xFF, 0xD8, 0xFF}):
		return "image/jpeg"
	case bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")):
		return "image/png"
	}
	return ""
}
