// Package langcheck finds text of the other language in a rendered page or
// message: English words left in Chinese, Chinese characters in English.
// The language-leak tests use it; it knows nothing of the app.
package langcheck

import (
	"regexp"
	"strings"
	"unicode"
)

// Tokens are the Latin words a Chinese reader meets as they are: the
// abbreviations the real apps print, units and the site's own name for
// the code text's alphabet, and the file types and size an upload may
// have, which upload forms print as they are.
var Tokens = []string{"ID", "QR", "HK", "SMS", "PDF", "JPEG", "PNG", "MiB", "CSV", "A-Z"}

// APITokens are Tokens and the protocol's words an API message names, which
// a client types as they are whatever its language: formats, headers and
// the values a feed writes for true and false.
var APITokens = append([]string{"API", "JSON", "CSV", "NDJSON", "YAML", "UTF", "RFC", "Content-Type", "Authorization",
	"Bearer", "token", "PDF", "JPEG", "PNG", "MiB", "text/csv", "application/x-ndjson", "application/jsonl", "hck_", "true", "false", "yes", "no"}, Tokens...)

var latinWord = regexp.MustCompile(`[A-Za-z][A-Za-z_/-]*[A-Za-z_]`)

// Latin returns the Latin words of s, two letters or more, that are not
// among allowed: a Chinese text should have none. Single letters stay
// (X of an ID number, H or M of a permit, °C).
func Latin(s string, allowed ...[]string) []string {
	ok := map[string]bool{}
	for _, list := range allowed {
		for _, w := range list {
			ok[w] = true
		}
	}
	var out []string
	for _, w := range latinWord.FindAllString(s, -1) {
		if !ok[w] && !allOK(ok, strings.Split(strings.Trim(w, "_/-"), "/")) {
			out = append(out, w)
		}
	}
	return out
}

// allOK reports whether every part of a word written with slashes
// (yes/no, text/csv) is allowed.
func allOK(ok map[string]bool, parts []string) bool {
	for _, p := range parts {
		if !ok[p] {
			return false
		}
	}
	return true
}

// Han returns the runs of Chinese characters in s that are not within
// one of allowed (the names and data a test gave): an English text
// should have none.
func Han(s string, allowed ...string) []string {
	for _, a := range allowed {
		s = strings.ReplaceAll(s, a, " ")
	}
	var out []string
	run := []rune{}
	for _, r := range s + " " {
		if unicode.Is(unicode.Han, r) || isCJKPunct(r) {
			run = append(run, r)
			continue
		}
		if len(run) > 0 {
			out = append(out, string(run))
			run = run[:0]
		}
	}
	return out
}

// isCJKPunct is Chinese punctuation, which has no place in English either.
func isCJKPunct(r rune) bool {
	return strings.ContainsRune("，。：；！？、（）【】《》", r)
}
