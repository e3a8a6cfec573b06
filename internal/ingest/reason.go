package ingest

import "healthcode"

// rejected is the rejection of a row's field (or, with field "", of the
// whole row) for why, which keeps its words translatable.
func rejected(line int, field string, why error) *Rejection {
	m := asMsg(why)
	return &Rejection{Line: line, Field: field, Reason: m.Error(), why: m}
}

// unreadable is a problem with the feed as a whole at line, for why.
func unreadable(line int, field string, why error) *FileError {
	m := asMsg(why)
	return &FileError{Line: line, Field: field, Reason: m.Error(), why: m}
}

// Reject is the rejection of a row's field for why, as a caller that
// checks rows further (a feed key's region) reports one.
func Reject(line int, field string, why *healthcode.Msg) Rejection {
	return *rejected(line, field, why)
}

// In is the rejection's reason in lang, as healthcode.Msg renders it.
func (r Rejection) In(lang string) string {
	if r.why == nil {
		return healthcode.Translate(lang, r.Reason)
	}
	return r.why.In(lang)
}

func (e *FileError) reason() *healthcode.Msg {
	if e.why == nil {
		return healthcode.M(e.Reason)
	}
	return e.why
}

// asMsg is why as a message: the checks return *healthcode.Msg, identity's
// too.
func asMsg(why error) *healthcode.Msg {
	if m, ok := why.(*healthcode.Msg); ok {
		return m
	}
	return healthcode.M("%s", why.Error())
}

// Why is the rejection's reason as a message, for a caller that reports
// it among other problems (a release list refused for its bad rows).
func (r Rejection) Why() *healthcode.Msg {
	if r.why == nil {
		return healthcode.M(r.Reason)
	}
	return r.why
}
