package identity

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaskName returns the name as shown to checkpoint staff: enough to match
// the person in front of them, not enough to identify them elsewhere.
// A Chinese name keeps its first and last characters when it has three or
// more (张小三 → 张*三) and only its last when it has two (张三 → *三). A
// name with spaces and no Chinese characters keeps the first letter of each
// word ("John Smith" → "J*** S****"). Spaces in a Chinese name are ignored,
// since keeping the first character of each word would show "张 三" whole.
func MaskName(name string) string {
	n := strings.TrimSpace(name)
	if strings.IndexFunc(n, unicode.IsSpace) >= 0 && strings.IndexFunc(n, isHan) < 0 {
		words := strings.Fields(n)
		for i, w := range words {
			first, size := utf8.DecodeRuneInString(w)
			words[i] = string(first) + strings.Repeat("*", utf8.RuneCountInString(w[size:]))
		}
		return strings.Join(words, " ")
	}
	r := []rune(strings.Join(strings.Fields(n), ""))
	switch len(r) {
	case 0:
		return ""
	case 1:
		return "*"
	case 2:
		return "*" + string(r[1])
	}
	return string(r[0]) + strings.Repeat("*", len(r)-2) + string(r[len(r)-1])
}

// Tail returns the last four characters of a document number, or all of it
// if shorter. It is the only part of an ID number ever shown, so that staff
// can tell two documents apart without the number leaking from the screen.
// It cuts on rune boundaries and always returns a suffix of number.
func Tail(number string) string {
	i := len(number)
	for range 4 {
		if i == 0 {
			break
		}
		_, size := utf8.DecodeLastRuneInString(number[:i])
		i -= size
	}
	return number[i:]
}

// MaskPhone returns the phone number as shown to staff: 138****5678 for an
// 11-digit number, keeping the carrier prefix that is shared by millions,
// and otherwise only the last four characters with "*" for the rest.
func MaskPhone(phone string) string {
	if len(phone) == 11 && allDigits(phone) {
		return phone[:3] + "****" + phone[7:]
	}
	tail := Tail(phone)
	head := phone[:len(phone)-len(tail)]
	return strings.Repeat("*", utf8.RuneCountInString(head)) + tail
}

func isHan(r rune) bool { return unicode.Is(unicode.Han, r) }
