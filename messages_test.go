package healthcode

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"healthcode/internal/langcheck"
)

// userMessage is a message literal a person may read, where the source
// gives it.
type userMessage struct {
	id  string
	pos string
}

// messageCalls are the functions whose argument at the index is a
// message id: a format or a reason.
var messageCalls = map[string]int{
	"Errorf": 1, "M": 0, "Translate": 1, // healthcode's own, or healthcode.X
	"Add": 1, "Addf": 1, // Problems
	"Invalid": 1, // core.Invalid(field, reason)
}

// messageFields are the fields of composite literals that hold a message.
var messageFields = map[string]bool{"Message": true, "Reason": true}

// scanMessages finds every user-facing message literal in the module's
// Go source (tests and tools aside), and the places where a message is
// built in a way no catalogue can translate.
func scanMessages(t *testing.T) (found []userMessage, bad []string) {
	t.Helper()
	fset := token.NewFileSet()
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || d.Name() == "tools" || strings.HasPrefix(d.Name(), ".") && path != ".") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, 0) // with objects: a constant reason is read where it is declared
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.CallExpr:
				msgs, why := callMessages(f, n)
				for _, m := range msgs {
					found = append(found, userMessage{m, fset.Position(n.Pos()).String()})
				}
				if why != "" {
					bad = append(bad, fset.Position(n.Pos()).String()+": "+why)
				}
			case *ast.CompositeLit:
				if !isErrorType(n.Type) {
					return true
				}
				for _, kv := range messageElts(n) {
					if s, ok := literal(kv.Value); ok {
						found = append(found, userMessage{s, fset.Position(kv.Pos()).String()})
					} else if _, sum := kv.Value.(*ast.BinaryExpr); sum {
						bad = append(bad, fset.Position(kv.Pos()).String()+": a message built by + cannot be translated; use Errorf")
					}
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return found, bad
}

// callMessages is the message a call passes, if it is one of
// messageCalls, and why its message cannot be translated, if so.
func callMessages(f *ast.File, c *ast.CallExpr) ([]string, string) {
	name := ""
	switch fn := c.Fun.(type) {
	case *ast.Ident:
		if f.Name.Name == "healthcode" {
			name = fn.Name
		}
	case *ast.SelectorExpr:
		x, _ := fn.X.(*ast.Ident)
		switch {
		case fn.Sel.Name == "Add" || fn.Sel.Name == "Addf":
			name = fn.Sel.Name // p.Add, problems.Add
		case x != nil && (x.Name == "healthcode" || x.Name == "core"):
			name = fn.Sel.Name
		}
	}
	i, ok := messageCalls[name]
	if !ok || len(c.Args) <= i || name == "Add" && len(c.Args) != 2 {
		return nil, ""
	}
	if name == "Invalid" && !isIdent(c.Fun, "core") {
		return nil, ""
	}
	arg := c.Args[i]
	if s, ok := literal(arg); ok {
		return []string{s}, ""
	}
	switch a := arg.(type) {
	case *ast.BinaryExpr:
		return nil, "a message built by + cannot be translated; use a format with arguments"
	case *ast.CallExpr:
		if sel, ok := a.Fun.(*ast.SelectorExpr); ok && (sel.Sel.Name == "Error" || sel.Sel.Name == "Sprintf") {
			return nil, "a message made by " + sel.Sel.Name + " cannot be translated; pass the error (AddErr) or the format (Addf)"
		}
	}
	return nil, ""
}

func isIdent(e ast.Expr, pkg string) bool {
	sel, ok := e.(*ast.SelectorExpr)
	if !ok {
		return false
	}
	x, ok := sel.X.(*ast.Ident)
	return ok && x.Name == pkg
}

// errorTypes are the types whose Message or Reason a person reads:
// healthcode's errors and a feed's rejections.
var errorTypes = map[string]bool{"Error": true, "FieldError": true, "Rejection": true, "FileError": true}

// isErrorType reports whether a composite literal builds one of
// errorTypes.
func isErrorType(e ast.Expr) bool {
	switch t := e.(type) {
	case *ast.Ident:
		return errorTypes[t.Name]
	case *ast.SelectorExpr:
		x, ok := t.X.(*ast.Ident)
		return ok && (x.Name == "healthcode" || x.Name == "ingest") && errorTypes[t.Sel.Name]
	case *ast.ArrayType:
		return isErrorType(t.Elt)
	}
	return false
}

// messageElts are the message fields of an Error or FieldError literal,
// and of the FieldErrors a slice literal holds with their type elided.
func messageElts(c *ast.CompositeLit) []*ast.KeyValueExpr {
	var out []*ast.KeyValueExpr
	for _, el := range c.Elts {
		switch el := el.(type) {
		case *ast.KeyValueExpr:
			if k, _ := el.Key.(*ast.Ident); k != nil && messageFields[k.Name] {
				out = append(out, el)
			}
		case *ast.CompositeLit:
			if el.Type == nil {
				out = append(out, messageElts(el)...)
			}
		}
	}
	return out
}

// literal is the string a literal, a sum of literals or a constant
// declared as one spells.
func literal(e ast.Expr) (string, bool) {
	switch e := e.(type) {
	case *ast.Ident:
		if e.Obj == nil || e.Obj.Kind != ast.Con {
			return "", false
		}
		if spec, ok := e.Obj.Decl.(*ast.ValueSpec); ok && len(spec.Values) == 1 {
			return literal(spec.Values[0])
		}
	case *ast.BinaryExpr:
		a, ok1 := literal(e.X)
		b, ok2 := literal(e.Y)
		return a + b, ok1 && ok2 && e.Op == token.ADD
	case *ast.BasicLit:
		if e.Kind != token.STRING {
			return "", false
		}
		s, err := strconv.Unquote(e.Value)
		return s, err == nil
	}
	return "", false
}

func TestEveryMessageHasChinese(t *testing.T) {
	found, bad := scanMessages(t)
	if len(found) < 50 {
		t.Fatalf("found %d messages in the source; the scan is broken", len(found))
	}
	for _, b := range bad {
		t.Error(b)
	}
	for _, m := range found {
		if zh := messages[m.id][0]; zh == "" {
			t.Errorf("%s: no Chinese for %q", m.pos, m.id)
		}
	}
}

// verbs are fmt's verbs, which a translation must keep in number.
var verbs = regexp.MustCompile(`%(\[\d+\])?[-+# 0]*\d*(\.\d+)?[a-zA-Z%]`)

func TestTranslationsKeepTheirArguments(t *testing.T) {
	for id, m := range messages {
		if got, want := len(verbs.FindAllString(m[0], -1)), len(verbs.FindAllString(id, -1)); got != want {
			t.Errorf("%q has %d verbs, its Chinese %q %d", id, want, m[0], got)
		}
	}
}

// TestChineseMessagesAreChinese fails on English words left in a Chinese
// message: only the tokens the reader meets as they are (units, ID, QR,
// the API's own words) may stay.
func TestChineseMessagesAreChinese(t *testing.T) {
	for id, m := range messages {
		if w := langcheck.Latin(verbs.ReplaceAllString(m[0], ""), langcheck.APITokens); len(w) > 0 {
			t.Errorf("Chinese for %q keeps English %q", id, w)
		}
	}
}

// TestMessagesRevealNoCheckDigit keeps any error from telling a guesser
// what an ID number's check character should be.
func TestMessagesRevealNoCheckDigit(t *testing.T) {
	leak := regexp.MustCompile(`(?i)expected|(check|校验)[^,，;；:：]*(should|must|应|是)[^,，;；:：]*\b[0-9X]\b`)
	for id, m := range messages {
		if leak.MatchString(id) || leak.MatchString(m[0]) || leak.MatchString(m[1]) {
			t.Errorf("%q may reveal an expected character", id)
		}
	}
}

func TestCatalogueHoldsNoUnusedMessage(t *testing.T) {
	found, _ := scanMessages(t)
	used := map[string]bool{}
	for _, m := range found {
		used[m.id] = true
	}
	for id := range messages {
		if !used[id] && !indirect[id] {
			t.Errorf("catalogue message %q is used nowhere", id)
		}
	}
}

// indirect are catalogue ids no literal in a scanned call names.
var indirect = map[string]bool{}

// TestEnglishMessagesAreEnglish fails on Chinese left in an English
// message, the id or the English given for it.
func TestEnglishMessagesAreEnglish(t *testing.T) {
	found, _ := scanMessages(t)
	for _, m := range found {
		if h := langcheck.Han(lookup("en", m.id)); len(h) > 0 {
			t.Errorf("%s: English %q holds Chinese %q", m.pos, lookup("en", m.id), h)
		}
	}
}
