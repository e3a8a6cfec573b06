package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"
)

func TestDemoGenerate(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "demo")
	var out, errs bytes.Buffer
	args := []string{"demo", "generate", "--people", "500", "--out", dir, "--seed", "3"}
	if err := run(context.Background(), args, func(string) string { return "" }, &out, &errs); err != nil {
		t.Fatalf("demo generate: %v\n%s", err, errs.String())
	}
	for _, f := range []string{"persons.csv", "lab.csv", "case.csv", "contact.csv", "trip.csv", "vaccination.csv"} {
		if !strings.Contains(out.String(), f) {
			t.Errorf("output does not name %s:\n%s", f, out.String())
		}
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Error(err)
		}
	}
	if !strings.Contains(out.String(), "persons.csv") || !strings.Contains(out.String(), "500 rows") {
		t.Errorf("output does not count the persons:\n%s", out.String())
	}
	bad := [][]string{
		{"demo", "frobnicate"},
		{"demo", "generate", "--out", dir},
		{"demo", "generate", "--people", "5", "--out", dir, "--region", "990100"},
		{"demo", "generate", "--people", "5", "--out", dir, "--now", "yesterday"},
		{"demo", "--people", "1"},
		{"demo", "run", "--every", "0s"},
	}
	for _, a := range bad {
		if err := run(context.Background(), a, func(string) string { return "" }, &out, &errs); err == nil {
			t.Errorf("%v: no error", a)
		}
	}
}

func TestDemoHelpListsTheRunFlags(t *testing.T) {
	for _, args := range [][]string{{"demo", "--help"}, {"demo", "run", "--help"}} {
		var out, errs bytes.Buffer
		if err := run(context.Background(), args, func(string) string { return "" }, &out, &errs); err != nil {
			t.Fatalf("%v: %v", args, err)
		}
		for _, flag := range []string{"-people", "-every", "-feeds", "-data", "-addr", "-policy"} {
			if !strings.Contains(out.String(), flag) {
				t.Errorf("%v does not list %s:\n%s", args, flag, out.String())
			}
		}
	}
}

// demoOutput is what a running demo printed, line by line.
type demoOutput struct {
	t     *testing.T
	lines chan string
	seen  []string
}

// until reads lines until one matches re and returns its submatches.
func (o *demoOutput) until(re string) []string {
	o.t.Helper()
	rx := regexp.MustCompile(re)
	for line := range o.lines {
		o.seen = append(o.seen, line)
		if m := rx.FindStringSubmatch(line); m != nil {
			return m
		}
	}
	o.t.Fatalf("the demo ended without a line matching %q; it printed:\n%s", re, strings.Join(o.seen, "\n"))
	return nil
}

// next returns the next line.
func (o *demoOutput) next() string {
	return strings.TrimSpace(o.until(`.*`)[0])
}

// startDemo runs healthcode demo with args and returns its output as it
// comes; the demo stops when the test ends.
func startDemo(t *testing.T, args ...string) *demoOutput {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	errs := &syncBuffer{}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, append([]string{"demo", "--addr", "127.0.0.1:0"}, args...), func(string) string { return "" }, pw, errs)
		pw.Close()
	}()
	o := &demoOutput{t: t, lines: make(chan string)}
	go func() {
		defer close(o.lines)
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			o.lines <- sc.Text()
		}
	}()
	t.Cleanup(func() {
		cancel()
		go io.Copy(io.Discard, pr)
		if err := <-done; err != nil {
			t.Errorf("demo stopped with %v\n%s", err, errs)
		}
	})
	return o
}

// TestDemoAppliesACityAndItsFeedsChangeColours runs the demo on a small
// city with a short interval: its people are applied before it listens,
// the citizen it names logs in as it says and finds their code turned red
// by the contact feed, and the staff and admin keys it prints work.
func TestDemoAppliesACityAndItsFeedsChangeColours(t *testing.T) {
	data := filepath.Join(t.TempDir(), "demo-data")
	o := startDemo(t, "--people", "200", "--every", "20ms", "--feeds", "4", "--data", data)
	if m := o.until(`healthcode demo: (\d+) people of 杭州市 applied`); m[1] != "200" {
		t.Errorf("applied %s people, want 200", m[1])
	}
	s := &testServer{url: o.until(`healthcode listening on (http://\S+)`)[1]}
	phone := o.until(`type the phone (\d{11})`)[1]
	o.until(`log in with the staff key`)
	staff := o.next()
	o.until(`with the admin key`)
	admin := o.next()
	district := o.until(`(demo\.district1) +district +password (\S+) +TOTP secret (\S+)`)
	changes, err := strconv.Atoi(o.until(`contacts: .*: (\d+) colour change`)[1])
	if err != nil || changes == 0 {
		t.Errorf("the contact feed changed %d colours (%v), want some", changes, err)
	}
	o.until(`All feeds sent`)

	token := s.login(t, phone) // as the demo says: the --dev server returns the code
	var list struct{ Persons []person }
	if code := s.call(t, "GET", "/api/v1/persons", token, nil, &list); code != http.StatusOK || len(list.Persons) != 1 {
		t.Fatalf("the printed citizen manages %d persons (status %d), want their own", len(list.Persons), code)
	}
	p := list.Persons[0]
	var hist struct {
		Entries []struct{ From, To, Rule string } `json:"entries"`
	}
	s.call(t, "GET", fmt.Sprintf("/api/v1/persons/%d/history", p.ID), token, nil, &hist)
	if n := len(hist.Entries); p.Status.Color != "red" || n != 2 || hist.Entries[1].Rule != "zhejiang-hangzhou-2020/reported-contact/isolation" {
		t.Errorf("the printed citizen is %s with history %+v; want green at application, then red by the reported contact",
			p.Status.Color, hist.Entries)
	}

	var qr struct {
		Token string `json:"token"`
	}
	s.call(t, "GET", fmt.Sprintf("/api/v1/persons/%d/code", p.ID), token, nil, &qr)
	var v verification
	if code := s.call(t, "POST", "/api/v1/verify", staff, map[string]any{"token": qr.Token}, &v); code != http.StatusOK || v.Color != "red" || v.Pass {
		t.Errorf("the staff key's scan: status %d, %+v; want red and refused", code, v)
	}
	if code := s.call(t, "POST", "/api/v1/admin/venues", admin, map[string]any{"name": "西湖文化广场", "region": "330106"}, nil); code != http.StatusCreated {
		t.Errorf("the admin key creating a venue: status %d, want 201", code)
	}
	code, err := totp.GenerateCode(district[3], time.Now())
	if err != nil {
		t.Fatal(err)
	}
	var sess struct{ Token, Role, Scope string }
	if status := s.call(t, "POST", "/api/v1/officials/login", "", map[string]string{"login": district[1], "password": district[2],
		"code": code}, &sess); status != http.StatusOK || sess.Role != "district" || sess.Token == "" {
		t.Errorf("the printed district officer logging in: status %d, %+v; want a district session", status, sess)
	}
	if _, err := os.Stat(filepath.Join(data, demoMark)); err != nil {
		t.Errorf("the data directory is not marked a demo's: %v", err)
	}
}

// TestDemoDataKeepsToDemoDirectories checks which --data directories a
// demo starts afresh in: new, empty or a demo's, never anyone else's.
func TestDemoDataKeepsToDemoDirectories(t *testing.T) {
	root := t.TempDir()
	mkdir := func(name string, files ...string) string {
		dir := filepath.Join(root, name)
		if err := os.MkdirAll(dir, 0o700); err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			if err := os.WriteFile(filepath.Join(dir, f), []byte("x"), 0o600); err != nil {
				t.Fatal(err)
			}
		}
		return dir
	}
	tests := []struct {
		name, dir string
		ok        bool
		kept      string // a file that must survive
		gone      string // a file that must not
	}{
		{"a new directory", filepath.Join(root, "new"), true, "", ""},
		{"an empty directory", mkdir("empty"), true, "", ""},
		{"a demo's, started afresh", mkdir("demo", demoMark, "healthcode.db", "healthcode.db-wal", "secret.key"), true, "secret.key", "healthcode.db"},
		{"a server's", mkdir("server", "healthcode.db"), false, "healthcode.db", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir, cleanup, err := demoData(tt.dir)
			if (err == nil) != tt.ok {
				t.Fatalf("demoData(%s) = %v, want ok %v", tt.dir, err, tt.ok)
			}
			if err == nil {
				defer cleanup()
				if _, err := os.Stat(filepath.Join(dir, demoMark)); err != nil {
					t.Errorf("not marked: %v", err)
				}
			}
			if _, err := os.Stat(filepath.Join(tt.dir, tt.kept)); tt.kept != "" && err != nil {
				t.Errorf("%s was deleted", tt.kept)
			}
			if _, err := os.Stat(filepath.Join(tt.dir, tt.gone)); tt.gone != "" && err == nil {
				t.Errorf("%s was kept", tt.gone)
			}
		})
	}
	tmp, cleanup, err := demoData("")
	if err != nil {
		t.Fatal(err)
	}
	cleanup()
	if _, err := os.Stat(tmp); err == nil {
		t.Errorf("the temporary data directory %s outlived the demo", tmp)
	}
}
