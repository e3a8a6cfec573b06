package healthcode

import (
	"fmt"
	"strings"

	"golang.org/x/text/language"
)

// Msg is a sentence a person may read, kept as its English format and
// arguments so that every edge renders it in the reader's language: the
// format is the message's id in the catalogue (messages.go), gettext's way,
// and the English itself when the catalogue says nothing better. A *Msg is
// also an error, so that checks such as identity's can return one.
type Msg struct {
	format string
	args   []any
}

// M returns the message format fills with args. format must be a literal
// the catalogue holds; a test finds every call.
func M(format string, args ...any) *Msg { return &Msg{format: format, args: args} }

// Error is the message in English.
func (m *Msg) Error() string { return m.render(func(f string) string { return f }, "en") }

// In is the message in lang: "zh" for Chinese, anything else English.
func (m *Msg) In(lang string) string {
	return m.render(func(f string) string { return lookup(lang, f) }, lang)
}

func (m *Msg) render(words func(string) string, lang string) string {
	if len(m.args) == 0 {
		return words(m.format)
	}
	args := make([]any, len(m.args))
	for i, a := range m.args {
		args[i] = a
		if inner, ok := a.(*Msg); ok {
			args[i] = inner.render(words, lang)
		}
	}
	return fmt.Sprintf(words(m.format), args...)
}

// Translate is the catalogue's message id in lang, filled with args.
func Translate(lang, id string, args ...any) string { return M(id, args...).In(lang) }

// lookup is the format of id in lang; an id the catalogue lacks is shown
// as it is, in English (a test keeps the catalogue complete).
func lookup(lang, id string) string {
	m, ok := messages[id]
	switch {
	case !ok:
		return id
	case lang == "zh":
		return m[0]
	case m[1] != "":
		return m[1]
	}
	return id
}

// Lang picks the language a client asks for: "zh" when lang says so or
// when Accept-Language, by its weights, prefers Chinese to English, else
// "en".
func Lang(lang, acceptLanguage string) string {
	switch strings.ToLower(lang) {
	case "zh", "en":
		return strings.ToLower(lang)
	}
	// Sorted by weight, then by order; weight 0 (not acceptable) dropped.
	tags, _, _ := language.ParseAcceptLanguage(acceptLanguage)
	for _, t := range tags {
		switch base, _ := t.Base(); base.String() {
		case "zh":
			return "zh"
		case "en":
			return "en"
		}
	}
	return "en"
}
