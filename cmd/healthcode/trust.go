package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"

	"healthcode"
	"healthcode/healthqr"
	"healthcode/internal/federation"
)

const trustUsage = `usage: healthcode trust keygen --name NAME --out SIGNER_FILE   (writes the root signer key 0600, prints its verifier key)
       healthcode trust init LIST.json
       healthcode trust add-region LIST.json --region CODE --name NAME --url URL [--keys KEYS.json]   (else GET URL/api/v1/keys)
       healthcode trust revoke-key LIST.json --region CODE --kid KID
       healthcode trust remove-region LIST.json --region CODE
       healthcode trust sign LIST.json --key SIGNER_FILE[,SIGNER_FILE] --out LIST.note [--valid 168h]
       healthcode trust show LIST.json|LIST.note
       healthcode trust verify --root VKEY[,VKEY] LIST.note
LIST.json is the operator's working copy; sign bumps its sequence, sets issued_at and expires_at, and writes the signed note servers fetch.`

func trustCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return errors.New(trustUsage)
	}
	if isHelp(args[0]) {
		fmt.Fprintln(stdout, trustUsage)
		return nil
	}
	cmds := map[string]func(context.Context, []string, io.Writer, io.Writer) error{
		"keygen": trustKeygen, "init": trustInit, "add-region": trustAddRegion, "revoke-key": trustRevoke,
		"remove-region": trustRemove, "sign": trustSign, "show": trustShow, "verify": trustVerify,
	}
	if cmd, ok := cmds[args[0]]; ok {
		return cmd(ctx, args[1:], stdout, stderr)
	}
	return errors.New(trustUsage)
}

// trustArgs parses a trust subcommand's flags and its one positional
// argument (none for keygen).
func trustArgs(name string, args []string, stderr io.Writer, want int, bind func(fs *flag.FlagSet)) ([]string, error) {
	fs := newFlags("trust "+name, stderr)
	if bind != nil {
		bind(fs)
	}
	rest, err := parseArgs(fs, args)
	if err != nil {
		return nil, err
	}
	if len(rest) != want {
		return nil, fmt.Errorf("trust %s: takes %d file argument(s), got %d\n%s", name, want, len(rest), trustUsage)
	}
	return rest, nil
}

func trustKeygen(_ context.Context, args []string, stdout, stderr io.Writer) error {
	var name, out string
	if _, err := trustArgs("keygen", args, stderr, 0, func(fs *flag.FlagSet) {
		fs.StringVar(&name, "name", "healthcode-trust-root", "the root key's `NAME`, shown in every signature")
		fs.StringVar(&out, "out", "", "the signer key `FILE` to write (mode 0600; refused if it exists)")
	}); err != nil {
		return err
	}
	if out == "" {
		return errors.New("--out: required: the file to write the root signer key to")
	}
	skey, vkey, err := note.GenerateKey(rand.Reader, name)
	if err != nil {
		return fmt.Errorf("--name: %w", err)
	}
	f, err := os.OpenFile(out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("--out: %w", err)
	}
	if _, err := fmt.Fprintln(f, skey); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	fmt.Fprintln(stdout, vkey)
	return nil
}

// readWorking reads the operator's working list: strict JSON, not yet
// validated (an unsigned list has no sequence).
func readWorking(path string) (*federation.List, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var l federation.List
	if err := dec.Decode(&l); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &l, nil
}

func writeWorking(path string, l *federation.List) error {
	b, err := l.Marshal()
	if err != nil {
		return err
	}
	return os.WriteFile(path, b, 0o644)
}

// editWorking applies edit to the working list in the one file argument.
func editWorking(name string, args []string, stderr io.Writer, bind func(*flag.FlagSet), edit func(*federation.List) error) error {
	rest, err := trustArgs(name, args, stderr, 1, bind)
	if err != nil {
		return err
	}
	l, err := readWorking(rest[0])
	if err != nil {
		return err
	}
	if err := edit(l); err != nil {
		return err
	}
	return writeWorking(rest[0], l)
}

func trustInit(_ context.Context, args []string, _, stderr io.Writer) error {
	rest, err := trustArgs("init", args, stderr, 1, nil)
	if err != nil {
		return err
	}
	if _, err := os.Stat(rest[0]); err == nil {
		return fmt.Errorf("%s exists: init starts a new list", rest[0])
	}
	return writeWorking(rest[0], &federation.List{Version: federation.Version, Regions: []federation.Region{}})
}

func trustAddRegion(ctx context.Context, args []string, _, stderr io.Writer) error {
	var r federation.Region
	var keysFile string
	return editWorking("add-region", args, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&r.Region, "region", "", "the region's 6-digit `CODE`")
		fs.StringVar(&r.Name, "name", "", "the region's `NAME`, as people read it")
		fs.StringVar(&r.URL, "url", "", "the base `URL` of the region's server")
		fs.StringVar(&keysFile, "keys", "", "its keys, as its GET /api/v1/keys answers, from `FILE`; empty: fetched from URL/api/v1/keys")
	}, func(l *federation.List) error {
		var errs []error
		if reason := healthcode.ValidateRegion(r.Region); reason != "" {
			errs = append(errs, fmt.Errorf("--region: %s", reason))
		}
		if strings.TrimSpace(r.Name) == "" {
			errs = append(errs, errors.New("--name: required"))
		}
		if err := federation.CheckURL(r.URL); err != nil {
			errs = append(errs, fmt.Errorf("--url: %w", err))
		}
		if err := errors.Join(errs...); err != nil {
			return err
		}
		keys, err := regionKeys(ctx, keysFile, r.URL)
		if err != nil {
			return err
		}
		for i, k := range keys {
			if _, err := federation.PublicKey(k); err != nil {
				return fmt.Errorf("keys[%d]: %w", i, err)
			}
			if k.Issuer != r.Region {
				return fmt.Errorf("keys[%d].issuer: %s is not the region %s", i, k.Issuer, r.Region)
			}
		}
		// A region already listed keeps its old keys (their tokens verify
		// until each key's valid_to) and its revocations: rotation adds.
		if old := l.Find(r.Region); old != nil {
			old.Name, old.URL = r.Name, r.URL
			for _, k := range keys {
				if !slices.ContainsFunc(old.Keys, func(o healthqr.PublicKey) bool { return o.KID == k.KID }) {
					old.Keys = append(old.Keys, k)
				}
			}
			return nil
		}
		r.Keys = keys
		l.Regions = append(l.Regions, r)
		return nil
	})
}

// regionKeys reads a region's published keys from a file or its server.
func regionKeys(ctx context.Context, file, base string) ([]healthqr.PublicKey, error) {
	var b []byte
	var err error
	where := file
	if file != "" {
		b, err = os.ReadFile(file)
	} else {
		where = strings.TrimRight(base, "/") + "/api/v1/keys"
		b, err = fetchKeys(ctx, where)
	}
	if err != nil {
		return nil, fmt.Errorf("keys: %w", err)
	}
	keys, err := decodeKeyList(b)
	if err != nil {
		return nil, fmt.Errorf("keys: %s is not a key list as GET /api/v1/keys serves it (%v)", where, err)
	}
	return keys, nil
}

func fetchKeys(ctx context.Context, url string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s answered %s", url, res.Status)
	}
	return io.ReadAll(io.LimitReader(res.Body, 1<<20))
}

func trustRevoke(_ context.Context, args []string, _, stderr io.Writer) error {
	var region, kid string
	return editWorking("revoke-key", args, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&region, "region", "", "the region's 6-digit `CODE`")
		fs.StringVar(&kid, "kid", "", "the key id `KID` to revoke (8 hex digits)")
	}, func(l *federation.List) error {
		r := l.Find(region)
		if r == nil {
			return fmt.Errorf("--region: %q is not in the list", region)
		}
		if !slices.ContainsFunc(r.Keys, func(k healthqr.PublicKey) bool { return k.KID == kid }) {
			return fmt.Errorf("--kid: %q is not a key of region %s", kid, region)
		}
		if !slices.Contains(r.Revoked, kid) {
			r.Revoked = append(r.Revoked, kid)
		}
		return nil
	})
}

func trustRemove(_ context.Context, args []string, _, stderr io.Writer) error {
	var region string
	return editWorking("remove-region", args, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&region, "region", "", "the region's 6-digit `CODE`")
	}, func(l *federation.List) error {
		n := len(l.Regions)
		l.Regions = slices.DeleteFunc(l.Regions, func(r federation.Region) bool { return r.Region == region })
		if len(l.Regions) == n {
			return fmt.Errorf("--region: %q is not in the list", region)
		}
		return nil
	})
}

func trustSign(_ context.Context, args []string, stdout, stderr io.Writer) error {
	var keys, out string
	valid := 7 * 24 * time.Hour
	rest, err := trustArgs("sign", args, stderr, 1, func(fs *flag.FlagSet) {
		fs.StringVar(&keys, "key", "", "root signer key `FILE[,FILE]` (trust keygen); two while the root rotates")
		fs.StringVar(&out, "out", "", "the signed note `FILE` to write")
		fs.DurationVar(&valid, "valid", valid, "how long the signed list stays valid")
	})
	if err != nil {
		return err
	}
	var errs []error
	if keys == "" {
		errs = append(errs, errors.New("--key: required: the root signer key file"))
	}
	if out == "" {
		errs = append(errs, errors.New("--out: required: the file to write the signed list to"))
	}
	if valid < time.Minute {
		errs = append(errs, errors.New("--valid: must be at least 1m"))
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	var signers []note.Signer
	for _, path := range strings.Split(keys, ",") {
		b, err := os.ReadFile(path)
		if err != nil {
			return fmt.Errorf("--key: %w", err)
		}
		s, err := note.NewSigner(strings.TrimSpace(string(b)))
		if err != nil {
			return fmt.Errorf("--key: %s: %w", path, err)
		}
		signers = append(signers, s)
	}
	l, err := readWorking(rest[0])
	if err != nil {
		return err
	}
	now := time.Now().UTC().Truncate(time.Second)
	l.Sequence++
	l.IssuedAt, l.ExpiresAt = now, now.Add(valid)
	msg, err := l.Sign(signers...)
	if err != nil {
		return err
	}
	if err := os.WriteFile(out, msg, 0o644); err != nil {
		return fmt.Errorf("--out: %w", err)
	}
	if err := writeWorking(rest[0], l); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "signed trust list sequence %d, %d regions, valid until %s\n", l.Sequence, len(l.Regions), l.ExpiresAt.Format(time.RFC3339))
	return nil
}

func trustShow(_ context.Context, args []string, stdout, stderr io.Writer) error {
	rest, err := trustArgs("show", args, stderr, 1, nil)
	if err != nil {
		return err
	}
	b, err := os.ReadFile(rest[0])
	if err != nil {
		return err
	}
	if i := bytes.LastIndex(b, []byte("\n\n—")); i >= 0 { // a signed note: its text
		b = b[:i+1]
	}
	l, err := readWorkingBytes(b)
	if err != nil {
		return fmt.Errorf("%s: %w", rest[0], err)
	}
	printList(stdout, l)
	return nil
}

func readWorkingBytes(b []byte) (*federation.List, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var l federation.List
	return &l, dec.Decode(&l)
}

func printList(w io.Writer, l *federation.List) {
	fmt.Fprintf(w, "trust list version %d, sequence %d, issued %s, expires %s\n", l.Version, l.Sequence,
		l.IssuedAt.Format(time.RFC3339), l.ExpiresAt.Format(time.RFC3339))
	for _, r := range l.Regions {
		fmt.Fprintf(w, "  %s %s %s\n", r.Region, r.Name, r.URL)
		for _, k := range r.Keys {
			state := ""
			if slices.Contains(r.Revoked, k.KID) {
				state = " REVOKED"
			}
			fmt.Fprintf(w, "    key %s valid %s to %s%s\n", k.KID, k.ValidFrom.Format(time.RFC3339), k.ValidTo.Format(time.RFC3339), state)
		}
	}
}

func trustVerify(_ context.Context, args []string, stdout, stderr io.Writer) error {
	var roots string
	rest, err := trustArgs("verify", args, stderr, 1, func(fs *flag.FlagSet) {
		fs.StringVar(&roots, "root", "", "root verifier `VKEY[,VKEY]`")
	})
	if err != nil {
		return err
	}
	vs, err := federation.Roots(strings.Split(roots, ","))
	if err != nil {
		return fmt.Errorf("--root: %w", err)
	}
	b, err := os.ReadFile(rest[0])
	if err != nil {
		return err
	}
	l, err := federation.Open(b, vs)
	if err != nil {
		return err
	}
	if !time.Now().Before(l.ExpiresAt) {
		return fmt.Errorf("%s: signed, but expired at %s", rest[0], l.ExpiresAt.Format(time.RFC3339))
	}
	fmt.Fprintln(stdout, "signature OK")
	printList(stdout, l)
	return nil
}
