package httpstatus

import (
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"healthcode"
)

func TestEveryCodeHasAStatusForTheAPIAndForForms(t *testing.T) {
	tests := []struct {
		code      string
		api, form int
	}{
		{healthcode.EINVALID, 400, 422},
		{healthcode.ENOTFOUND, 404, 404},
		{healthcode.ECONFLICT, 409, 409},
		{healthcode.EUNAUTHORIZED, 401, 401},
		{healthcode.EFORBIDDEN, 403, 403},
		{healthcode.ELIMIT, 429, 429},
		{healthcode.EUNAVAILABLE, 503, 503},
		{healthcode.EINTERNAL, 500, 500},
		{"no-such-code", 500, 500},
		{"", 500, 500},
	}
	for _, tt := range tests {
		if got, got2 := Of(tt.code), OfForm(tt.code); got != tt.api || got2 != tt.form {
			t.Errorf("%q: Of %d, OfForm %d; want %d, %d", tt.code, got, got2, tt.api, tt.form)
		}
	}
}

func TestRetryAfterSaysWhenToComeBack(t *testing.T) {
	limited := &healthcode.Error{Code: healthcode.ELIMIT, RetryAfter: 1500 * time.Millisecond}
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"a rate limit, rounded up", limited, "2"},
		{"a wrapped rate limit", fmt.Errorf("apply: %w", limited), "2"},
		{"an outage without a wait", healthcode.Unavailable(errors.New("dial: refused")), "5"},
		{"a refusal that never passes", healthcode.Errorf(healthcode.EFORBIDDEN, "no"), ""},
		{"an internal error", errors.New("boom"), ""},
		{"no error", nil, ""},
	}
	for _, tt := range tests {
		rec := httptest.NewRecorder()
		RetryAfter(rec, tt.err)
		if got := rec.Header().Get("Retry-After"); got != tt.want {
			t.Errorf("%s: Retry-After %q, want %q", tt.name, got, tt.want)
		}
	}
	h := http.Header{}
	SetRetryAfter(h, 0)
	if _, ok := h["Retry-After"]; ok {
		t.Errorf("Retry-After set for no wait")
	}
}

// TestTheTableHasEveryCodeTheDomainDeclares reads the error codes from
// the domain's error.go, so that a code added there without a row here
// fails instead of answering 500.
func TestTheTableHasEveryCodeTheDomainDeclares(t *testing.T) {
	f, err := parser.ParseFile(token.NewFileSet(), "../../error.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	codes := 0
	for _, d := range f.Decls {
		gd, ok := d.(*ast.GenDecl)
		if !ok || gd.Tok != token.CONST {
			continue
		}
		for _, spec := range gd.Specs {
			vs := spec.(*ast.ValueSpec)
			for i, name := range vs.Names {
				lit, ok := vs.Values[i].(*ast.BasicLit)
				if !strings.HasPrefix(name.Name, "E") || !ok || lit.Kind != token.STRING {
					continue
				}
				codes++
				if code, _ := strconv.Unquote(lit.Value); table[code] == (status{}) {
					t.Errorf("healthcode.%s (%s) has no status", name.Name, code)
				}
			}
		}
	}
	if codes < len(table) {
		t.Errorf("read %d codes from error.go, the table has %d", codes, len(table))
	}
}
