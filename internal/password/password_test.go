package password

import (
	"runtime"
	"strings"
	"testing"

	"golang.org/x/crypto/argon2"
)

func TestHashIsAPHCStringOfTheOWASPParameters(t *testing.T) {
	h := Hash("correct horse battery")
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Errorf("hash %q: want the PHC form with m=19456,t=2,p=1", h)
	}
	if h == Hash("correct horse battery") {
		t.Error("two hashes of one password are equal: the salt is not random")
	}
}

func TestCheckAcceptsOnlyThePassword(t *testing.T) {
	h := Hash("correct horse battery")
	tests := []struct {
		pw   string
		want bool
	}{
		{"correct horse battery", true},
		{"correct horse batterY", false},
		{"correct horse battery ", false},
		{"", false},
	}
	for _, tt := range tests {
		got, err := Check(h, tt.pw)
		if err != nil || got != tt.want {
			t.Errorf("Check(%q) = %v, %v; want %v", tt.pw, got, err, tt.want)
		}
	}
}

// TestCheckReadsAHashOfOtherParameters: a stored hash carries its own
// parameters, so raising the constants keeps old hashes checkable.
func TestCheckReadsAHashOfOtherParameters(t *testing.T) {
	salt := []byte("0123456789abcdef")
	h := encode(4096, 3, 1, salt, argon2.IDKey([]byte("old password!"), salt, 3, 4096, 1, 32))
	if ok, err := Check(h, "old password!"); !ok || err != nil {
		t.Errorf("Check of an m=4096,t=3 hash = %v, %v; want true", ok, err)
	}
}

func TestCheckRefusesMalformedHashes(t *testing.T) {
	good := Hash("correct horse battery")
	for _, h := range []string{
		"",
		"plain",
		strings.Replace(good, "argon2id", "argon2i", 1),
		strings.Replace(good, "v=19", "v=16", 1),
		strings.Replace(good, "m=19456", "m=99999999", 1), // would exhaust memory
		strings.Replace(good, "t=2", "t=0", 1),
		good[:strings.LastIndex(good, "$")] + "$!!",
		good + "$extra",
	} {
		if ok, err := Check(h, "correct horse battery"); ok || err != ErrMalformed {
			t.Errorf("Check(%q) = %v, %v; want false, ErrMalformed", h, ok, err)
		}
	}
}

func TestCheckNoneIsFalse(t *testing.T) {
	if CheckNone("\x00 no official has this password \x00") {
		t.Error("CheckNone accepted the dummy's own password")
	}
}

func TestTooShortCountsCharacters(t *testing.T) {
	tests := []struct {
		pw   string
		want bool
	}{
		{"elevenchars", true},
		{"twelve chars", false},
		{"十二个汉字的密码一二三四", false}, // 12 characters, 36 bytes
		{"十一个汉字的密码一二三", true},
	}
	for _, tt := range tests {
		if got := TooShort(tt.pw); got != tt.want {
			t.Errorf("TooShort(%q) = %v, want %v", tt.pw, got, tt.want)
		}
	}
}

// A check waits for a slot while every slot is taken, so however many
// logins arrive at once only the cores' worth of hashes hold memory.
func TestChecksWaitWhileEverySlotIsTaken(t *testing.T) {
	phc := Hash("correct horse battery staple")
	for range cap(slots) {
		slots <- struct{}{}
	}
	done := make(chan bool)
	go func() {
		ok, _ := Check(phc, "correct horse battery staple")
		done <- ok
	}()
	// However long this runs, the check cannot finish: no slot is free.
	for range 100 {
		select {
		case <-done:
			t.Fatal("a check ran with every slot taken")
		default:
			runtime.Gosched()
		}
	}
	<-slots // one frees
	if !<-done {
		t.Error("the waiting check failed once it had a slot")
	}
	for range cap(slots) - 1 {
		<-slots
	}
}
