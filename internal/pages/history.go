package pages

import (
	"strings"

	"healthcode"
	"healthcode/internal/publiclog"
	"healthcode/internal/service"
)

// historyView is the history page: each change with who made it, and
// whether the page itself checked it against the public log.
type historyView struct {
	Person  *service.PersonView
	History *service.History
	Rows    []historyRow
	// InLog is every change checked against the public log here, as the
	// owner would check it (publiclog.CheckOwn).
	InLog bool
}

// historyRow is one change as the page shows it. By is the catalogue key
// of the role that made it, never a name; LogAt is its 1-based entry in
// the public log of LogSize entries, 0 when unchecked.
type historyRow struct {
	service.HistoryEntry
	By      string
	LogAt   int64
	LogSize int64
}

func historyOf(person *service.PersonView, h *service.History, vkey string, viewer *healthcode.Principal) historyView {
	v := historyView{Person: person, History: h, Rows: make([]historyRow, len(h.Entries)), InLog: len(h.Entries) > 0}
	for i, e := range h.Entries {
		row := historyRow{HistoryEntry: e, By: authorRole(e.Author, viewer)}
		if tree, err := publiclog.CheckOwn([]byte(h.LogHead), vkey, e.Hash, e.Log); err == nil {
			row.LogAt, row.LogSize = e.Log.Index+1, tree.N
		} else {
			v.InLog = false
		}
		v.Rows[i] = row
	}
	return v
}

// authorRole names who made a change by role: the policy by itself, the
// viewer, another citizen (an identity taken back from a wrong claim), or
// staff through an API key.
func authorRole(author string, viewer *healthcode.Principal) string {
	switch {
	case author == healthcode.AuthorSystem:
		return "history.by.system"
	case viewer != nil && author == viewer.Author():
		return "history.by.self"
	case strings.HasPrefix(author, "account:"):
		return "history.by.citizen"
	default:
		return "history.by.staff"
	}
}
