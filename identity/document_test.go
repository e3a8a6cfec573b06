package identity_test

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"healthcode"
	"healthcode/identity"
)

var china = time.FixedZone("UTC+8", 8*60*60)

// now is a fixed clock for the tables: 2024-06-01 10:00 China time.
var now = time.Date(2024, 6, 1, 10, 0, 0, 0, china)

// validResidentIDs were computed with an independent implementation of ISO
// 7064 MOD 11-2 and between them cover all eleven check characters. The
// first is the example printed in GB 11643-1999, checked by hand:
// Σ digit×weight = 167, 167 mod 11 = 2, and "10X98765432"[2] = 'X'.
var validResidentIDs = []string{
	"11010519491231002X",
	"310115198002291235", // 29 February of a leap year
	"650102200012310045",
	"820000199901010016",
	"110101190001010006", // the first day accepted
	"370202198507153318",
	"120104197303105628",
	"460002201010101059",
	"330106198808100001",
	"33010619880810001X",
	"330106198808100028",
	"330106198808100036",
	"330106198808100044",
	"330106198808100052",
	"330106198808100060",
	"330106198808100079",
	"330106198808100087",
	"330106198808100095",
	"330106198808100183",
}

func TestResidentIDCheckCharMatchesKnownNumbers(t *testing.T) {
	// The second GB 11643 example is born in 1880: its check character is
	// right even though NormalizeDocument refuses it for the 1900 bound.
	for _, id := range append(validResidentIDs, "440524188001010014") {
		got, err := identity.ResidentIDCheckChar(id[:17])
		if err != nil {
			t.Fatalf("ResidentIDCheckChar(%q): %v", id[:17], err)
		}
		if want := id[17]; got != want {
			t.Errorf("ResidentIDCheckChar(%q) = %c, want %c", id[:17], got, want)
		}
	}
}

func TestResidentIDCheckCharRefusesNonDigits(t *testing.T) {
	for _, in := range []string{"", "1101051949123100", "110105194912310021", "1101051949123100X", "11010519491231002 "} {
		if got, err := identity.ResidentIDCheckChar(in); err == nil {
			t.Errorf("ResidentIDCheckChar(%q) = %c, want an error", in, got)
		}
	}
}

func TestResidentIDCatchesEverySingleDigitTypo(t *testing.T) {
	// MOD 11-2 exists to catch one wrong digit and swapped neighbours; make
	// sure the weights are right by checking that it does.
	id := "370202198507153318"
	for i := range 17 {
		for c := byte('0'); c <= '9'; c++ {
			if c == id[i] {
				continue
			}
			typo := id[:i] + string(c) + id[i+1:]
			if want, _ := identity.ResidentIDCheckChar(typo[:17]); want == typo[17] {
				t.Errorf("typo %s at %d still has a valid check character", typo, i)
			}
		}
		if i < 16 && id[i] != id[i+1] {
			swap := id[:i] + string(id[i+1]) + string(id[i]) + id[i+2:]
			if want, _ := identity.ResidentIDCheckChar(swap[:17]); want == swap[17] {
				t.Errorf("swap %s at %d still has a valid check character", swap, i)
			}
		}
	}
}

func TestNormalizeDocumentAcceptsValidNumbers(t *testing.T) {
	tests := []struct {
		name   string
		typ    healthcode.DocType
		number string
		want   string
	}{
		{"resident id", healthcode.DocResidentID, "370202198507153318", "370202198507153318"},
		{"resident id with lower-case x", healthcode.DocResidentID, "11010519491231002x", "11010519491231002X"},
		{"resident id with spaces", healthcode.DocResidentID, "  110105 19491231 002X ", "11010519491231002X"},
		{"resident id with ideographic space", healthcode.DocResidentID, "110105\u300019491231002X", "11010519491231002X"},
		{"resident id born 1900-01-01", healthcode.DocResidentID, "110101190001010006", "110101190001010006"},
		{"resident id born today in China", healthcode.DocResidentID, "510123202406010088", "510123202406010088"},
		{"hong kong permit", healthcode.DocHKMacaoPermit, "H12345678", "H12345678"},
		{"macao permit lower case", healthcode.DocHKMacaoPermit, "m12345678", "M12345678"},
		{"permit with renewal count", healthcode.DocHKMacaoPermit, "H 12345678 01", "H1234567801"},
		{"taiwan permit", healthcode.DocTaiwanPermit, "01234567", "01234567"},
		{"taiwan permit with spaces", healthcode.DocTaiwanPermit, " 0123 4567 ", "01234567"},
		{"passport", healthcode.DocPassport, "E12345678", "E12345678"},
		{"passport lower case", healthcode.DocPassport, "ea1234567", "EA1234567"},
		{"passport shortest", healthcode.DocPassport, "A1234", "A1234"},
		{"passport longest", healthcode.DocPassport, "ABCDEFGHIJKLMNOP1", "ABCDEFGHIJKLMNOP1"},
		{"passport digits only", healthcode.DocPassport, "123456789", "123456789"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := identity.NormalizeDocument(tt.typ, tt.number, now)
			if err != nil {
				t.Fatalf("NormalizeDocument(%s, %q): %v", tt.typ, tt.number, err)
			}
			if got != tt.want {
				t.Errorf("NormalizeDocument(%s, %q) = %q, want %q", tt.typ, tt.number, got, tt.want)
			}
		})
	}
	for _, id := range validResidentIDs {
		if got, err := identity.NormalizeDocument(healthcode.DocResidentID, id, now); err != nil || got != id {
			t.Errorf("NormalizeDocument(resident_id, %q) = %q, %v, want it unchanged", id, got, err)
		}
	}
}

func TestNormalizeDocumentRefusesWithReason(t *testing.T) {
	const residentFormat = "must be 18 characters: 17 digits and a check character (0-9 or X)"
	const hkMacao = "must be H or M followed by 8 digits, or 10 digits with the renewal count"
	tests := []struct {
		name   string
		typ    healthcode.DocType
		number string
		want   string
	}{
		{"unknown type", "driving_licence", "11010519491231002X", "unknown document type"},
		{"empty type", "", "11010519491231002X", "unknown document type"},
		{"empty number", healthcode.DocResidentID, "", "is required"},
		{"only spaces", healthcode.DocPassport, " \t ", "is required"},
		{"resident id too short", healthcode.DocResidentID, "11010519491231002", residentFormat},
		{"resident id too long", healthcode.DocResidentID, "11010519491231002X1", residentFormat},
		{"resident id old 15 digits", healthcode.DocResidentID, "110105491231002", residentFormat},
		{"resident id letter inside", healthcode.DocResidentID, "1101051949123100AX", residentFormat},
		{"resident id bad check letter", healthcode.DocResidentID, "11010519491231002Y", residentFormat},
		{"resident id full-width digits", healthcode.DocResidentID, "１１０１０５１９４９１２３１００２X", residentFormat},
		// The resident IDs refused for region or date have a correct check
		// character, so the reason under test is the only thing wrong.
		{"resident id unknown province", healthcode.DocResidentID, "991234199001010012", "first two digits 99 are not a valid province code"},
		{"resident id province 83 not in GB/T 2260", healthcode.DocResidentID, "830000199001010012", "first two digits 83 are not a valid province code"},
		{"resident id month 13", healthcode.DocResidentID, "110105199913320011", "birth date 19991332 is not a valid date"},
		{"resident id 30 February", healthcode.DocResidentID, "110105200002300015", "birth date 20000230 is not a valid date"},
		{"resident id 29 February not leap", healthcode.DocResidentID, "110105190002290017", "birth date 19000229 is not a valid date"},
		{"resident id day zero", healthcode.DocResidentID, "110105199001000015", "birth date 19900100 is not a valid date"},
		{"resident id born 1899", healthcode.DocResidentID, "11010118991231001X", "birth date 18991231 is before 1900"},
		{"resident id born 1880 (GB example)", healthcode.DocResidentID, "440524188001010014", "birth date 18800101 is before 1900"},
		{"resident id born tomorrow", healthcode.DocResidentID, "110105202406020019", "birth date is in the future"},
		{"resident id born next century", healthcode.DocResidentID, "110105210001010015", "birth date is in the future"},
		{"resident id wrong check digit", healthcode.DocResidentID, "370202198507153319", "check character is wrong: a character of the number is mistyped"},
		{"resident id X instead of digit", healthcode.DocResidentID, "37020219850715331X", "check character is wrong: a character of the number is mistyped"},
		{"resident id digit instead of X", healthcode.DocResidentID, "110105194912310020", "check character is wrong: a character of the number is mistyped"},
		{"permit without letter", healthcode.DocHKMacaoPermit, "123456789", hkMacao},
		{"permit wrong letter", healthcode.DocHKMacaoPermit, "C12345678", hkMacao},
		{"permit 7 digits", healthcode.DocHKMacaoPermit, "H1234567", hkMacao},
		{"permit 9 digits", healthcode.DocHKMacaoPermit, "H123456789", hkMacao},
		{"permit 11 digits", healthcode.DocHKMacaoPermit, "H12345678901", hkMacao},
		{"permit letter in digits", healthcode.DocHKMacaoPermit, "H1234567A", hkMacao},
		{"taiwan 7 digits", healthcode.DocTaiwanPermit, "1234567", "must be 8 digits"},
		{"taiwan 9 digits", healthcode.DocTaiwanPermit, "123456789", "must be 8 digits"},
		{"taiwan with letter", healthcode.DocTaiwanPermit, "T1234567", "must be 8 digits"},
		{"passport too short", healthcode.DocPassport, "A123", "must be 5 to 17 characters"},
		{"passport too long", healthcode.DocPassport, "ABCDEFGHIJKLMNOP12", "must be 5 to 17 characters"},
		{"passport hyphen", healthcode.DocPassport, "E1234-567", "may contain only letters A-Z and digits"},
		{"passport accented letter", healthcode.DocPassport, "É12345678", "may contain only letters A-Z and digits"},
		{"passport long s is not folded to S", healthcode.DocPassport, "ſ12345678", "may contain only letters A-Z and digits"},
		{"passport no digit", healthcode.DocPassport, "ABCDEFG", "must contain at least one digit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := identity.NormalizeDocument(tt.typ, tt.number, now)
			if err == nil {
				t.Fatalf("NormalizeDocument(%s, %q) = %q, want error %q", tt.typ, tt.number, got, tt.want)
			}
			if got != "" {
				t.Errorf("NormalizeDocument(%s, %q) = %q with an error, want \"\"", tt.typ, tt.number, got)
			}
			if err.Error() != tt.want {
				t.Errorf("NormalizeDocument(%s, %q) error = %q, want %q", tt.typ, tt.number, err, tt.want)
			}
		})
	}
}

func TestNormalizeDocumentJudgesTheFutureInChinaTime(t *testing.T) {
	// Born 2024-06-02 in Beijing; at 2024-06-01 16:30 UTC it is already
	// 00:30 on the 2nd in China, so the birth is today, not in the future.
	id := "110105202406020019"
	tests := []struct {
		name    string
		now     time.Time
		wantErr bool
	}{
		{"before midnight in China", time.Date(2024, 6, 1, 15, 59, 59, 0, time.UTC), true},
		{"after midnight in China", time.Date(2024, 6, 1, 16, 0, 0, 0, time.UTC), false},
		{"clock in another zone", time.Date(2024, 6, 1, 10, 0, 0, 0, time.FixedZone("UTC-6", -6*60*60)), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := identity.NormalizeDocument(healthcode.DocResidentID, id, tt.now)
			if gotErr := err != nil; gotErr != tt.wantErr {
				t.Errorf("NormalizeDocument at %v: error = %v, want error %v", tt.now, err, tt.wantErr)
			}
		})
	}
}

func TestBirthDateReadsCanonicalResidentID(t *testing.T) {
	tests := []struct {
		id     string
		want   time.Time
		wantOK bool
	}{
		{"11010519491231002X", time.Date(1949, 12, 31, 0, 0, 0, 0, china), true},
		{"310115198002291235", time.Date(1980, 2, 29, 0, 0, 0, 0, china), true},
		{"110101190001010006", time.Date(1900, 1, 1, 0, 0, 0, 0, china), true},
		{"110105199913320011", time.Time{}, false},
		{"11010519491231002x", time.Time{}, false}, // not canonical
		{"110105491231002", time.Time{}, false},
		{"", time.Time{}, false},
	}
	for _, tt := range tests {
		got, ok := identity.BirthDate(tt.id)
		if ok != tt.wantOK || !got.Equal(tt.want) {
			t.Errorf("BirthDate(%q) = %v, %v, want %v, %v", tt.id, got, ok, tt.want, tt.wantOK)
		}
	}
}

func FuzzNormalizeDocument(f *testing.F) {
	types := append([]healthcode.DocType{"", "unknown"}, healthcode.DocTypes...)
	seeds := []struct {
		typ    int
		number string
	}{
		{2, "11010519491231002X"}, {2, "11010519491231002x"}, {2, " 110105 19491231 002X "},
		{2, "440524188001010014"}, {2, "110101190001010006"}, {2, "510123202406010088"},
		{2, "110105202406020019"}, {2, "110105199913320011"}, {2, "991234199001010012"},
		{2, "１１０１０５１９４９１２３１００２X"}, {2, "370202198507153319"},
		{3, "H12345678"}, {3, "m1234567801"}, {3, "H123456789"},
		{4, "01234567"}, {4, "0123 4567"},
		{5, "E12345678"}, {5, "ſ1234"}, {5, "ABCDEFG"}, {5, "\xff\xfe1234"},
		{0, "11010519491231002X"}, {1, ""},
	}
	for _, s := range seeds {
		f.Add(s.typ, s.number, now.Unix())
	}
	f.Fuzz(func(t *testing.T, typ int, number string, unix int64) {
		dt := types[uint(typ)%uint(len(types))]
		now := time.Unix(unix, 0)

		tail := identity.Tail(number)
		if !strings.HasSuffix(number, tail) || utf8.RuneCountInString(tail) > 4 {
			t.Fatalf("Tail(%q) = %q, want at most 4 trailing characters", number, tail)
		}

		got, err := identity.NormalizeDocument(dt, number, now)
		if err != nil {
			if got != "" || err.Error() == "" {
				t.Fatalf("NormalizeDocument(%s, %q) = %q, %q: want \"\" and a reason", dt, number, got, err)
			}
			return
		}
		again, err := identity.NormalizeDocument(dt, got, now)
		if err != nil || again != got {
			t.Fatalf("NormalizeDocument(%s, %q) = %q, but that normalises to %q, %v", dt, number, got, again, err)
		}
		for i := 0; i < len(got); i++ {
			if c := got[i]; !(c >= '0' && c <= '9' || c >= 'A' && c <= 'Z') {
				t.Fatalf("NormalizeDocument(%s, %q) = %q, want only A-Z and 0-9", dt, number, got)
			}
		}
		if tail := identity.Tail(got); len(tail) > 4 || !strings.HasSuffix(got, tail) {
			t.Fatalf("Tail(%q) = %q, want at most 4 trailing characters", got, tail)
		}
		if dt == healthcode.DocResidentID {
			birth, ok := identity.BirthDate(got)
			y, m, d := now.In(china).Date()
			today := time.Date(y, m, d, 0, 0, 0, 0, china)
			if !ok || birth.Year() < 1900 || birth.After(today) {
				t.Fatalf("accepted %q whose birth date %v, %v is outside 1900..%v", got, birth, ok, today)
			}
			if c, _ := identity.ResidentIDCheckChar(got[:17]); c != got[17] {
				t.Fatalf("accepted %q whose check character should be %c", got, c)
			}
		}
	})
}

// TestWrongCheckCharacterNamesNoRightOne is the attack: someone with a
// made-up number tries the application form once, and an answer naming
// the right check character would hand them a valid-looking identity. Every
// wrong check character of a number must get one and the same answer.
func TestWrongCheckCharacterNamesNoRightOne(t *testing.T) {
	for _, id := range validResidentIDs {
		answers := map[string]bool{}
		for _, c := range "0123456789X" {
			if byte(c) == id[17] {
				continue
			}
			_, err := identity.NormalizeDocument(healthcode.DocResidentID, id[:17]+string(c), now)
			if err == nil {
				t.Fatalf("%s with check character %c accepted", id[:17], c)
			}
			answers[err.Error()] = true
		}
		if len(answers) != 1 {
			t.Errorf("%s: the wrong check characters got %d different answers, which tell the right one apart: %v",
				id[:17], len(answers), answers)
		}
		for a := range answers {
			if strings.Contains(a, "expected") || strings.ContainsRune(a[strings.LastIndex(a, ":")+1:], rune(id[17])) {
				t.Errorf("%s: answer %q may name the right check character %c", id[:17], a, id[17])
			}
		}
	}
}
