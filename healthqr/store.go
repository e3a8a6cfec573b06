package healthqr

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"healthcode/internal/datadir"
)

// KeyFile is the name of the key file LoadOrCreate keeps in its directory.
const KeyFile = "signing-keys.json"

// keyFile is the JSON layout of KeyFile.
type keyFile struct {
	Keys []storedKey `json:"keys"`
}

type storedKey struct {
	KID       string    `json:"kid"`
	Alg       string    `json:"alg"`
	Issuer    string    `json:"issuer"`
	Public    string    `json:"public"`         // std base64, 32 bytes
	Seed      string    `json:"seed,omitempty"` // std base64 of the 32-byte private seed
	ValidFrom time.Time `json:"valid_from"`
	ValidTo   time.Time `json:"valid_to"`
}

// signingKeyValidityYears is how long LoadOrCreate's new keys are valid.
const signingKeyValidityYears = 2

// LoadOrCreate loads the keys in dir/signing-keys.json (creating dir with
// mode 0700 if needed) and returns a keyring holding all of them. If no
// private key of issuer is valid at now, it generates one valid for two
// years from now and rewrites the file (mode 0600, replaced atomically).
// Old keys are kept, so tokens signed by a retired key keep verifying for
// tokens issued before its ValidTo. A directory or key file open to group
// or others is refused (package datadir says why); dir may be read-only
// while it holds a valid key.
func LoadOrCreate(dir, issuer string, now time.Time) (*Keyring, error) {
	if _, ok := parseIssuer(issuer); !ok {
		return nil, fmt.Errorf("healthqr: issuer %q is not 6 digits", issuer)
	}
	if err := datadir.Ensure(dir); err != nil {
		return nil, fmt.Errorf("healthqr: key directory: %w", err)
	}
	path := filepath.Join(dir, KeyFile)
	kr, err := readKeyFile(path)
	if err != nil {
		return nil, err
	}
	now = now.Truncate(time.Second)
	for _, e := range kr.snapshot().signers[issuer] {
		if e.validAt(now.Unix()) {
			return kr, nil
		}
	}
	key, err := GenerateKey(issuer, now, now.AddDate(signingKeyValidityYears, 0, 0).Sub(now))
	if err != nil {
		return nil, err
	}
	if err := kr.Add(key); err != nil {
		return nil, err
	}
	if err := datadir.Writable(dir); err != nil {
		return nil, fmt.Errorf("healthqr: a new signing key is due: %w", err)
	}
	if err := writeKeyFile(path, kr.keys()); err != nil {
		return nil, err
	}
	return kr, nil
}

func readKeyFile(path string) (*Keyring, error) {
	kr := new(Keyring)
	b, err := datadir.ReadKeyFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return kr, nil
	}
	if err != nil {
		return nil, fmt.Errorf("healthqr: %w", err)
	}
	var kf keyFile
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&kf); err != nil {
		return nil, fmt.Errorf("healthqr: key file %s: %w", path, err)
	}
	for i, sk := range kf.Keys {
		key, err := sk.key()
		if err == nil {
			err = kr.Add(key)
		}
		if err != nil {
			return nil, fmt.Errorf("healthqr: key file %s: key %d: %w", path, i, err)
		}
	}
	return kr, nil
}

func (sk storedKey) key() (Key, error) {
	if sk.Alg != Alg {
		return Key{}, fmt.Errorf("unsupported alg %q", sk.Alg)
	}
	id, err := ParseKeyID(sk.KID)
	if err != nil {
		return Key{}, err
	}
	pub, err := base64.StdEncoding.DecodeString(sk.Public)
	if err != nil {
		return Key{}, fmt.Errorf("public key: %w", err)
	}
	if len(pub) != ed25519.PublicKeySize || KeyIDOf(pub) != id {
		// Checked here as well as in Add, which takes a zero ID as unset.
		return Key{}, fmt.Errorf("kid %s does not match the public key", sk.KID)
	}
	key := Key{ID: id, Issuer: sk.Issuer, Public: pub, ValidFrom: sk.ValidFrom, ValidTo: sk.ValidTo}
	if sk.Seed != "" {
		seed, err := base64.StdEncoding.DecodeString(sk.Seed)
		if err != nil || len(seed) != ed25519.SeedSize {
			return Key{}, errors.New("invalid private seed")
		}
		key.Private = ed25519.NewKeyFromSeed(seed)
	}
	return key, nil
}

// writeKeyFile replaces path with keys: it writes a 0600 temporary file in
// the same directory, syncs it and renames it over path.
func writeKeyFile(path string, keys []Key) (err error) {
	kf := keyFile{Keys: make([]storedKey, len(keys))}
	for i, k := range keys {
		sk := storedKey{
			KID:       k.ID.String(),
			Alg:       Alg,
			Issuer:    k.Issuer,
			Public:    base64.StdEncoding.EncodeToString(k.Public),
			ValidFrom: k.ValidFrom,
			ValidTo:   k.ValidTo,
		}
		if k.Private != nil {
			sk.Seed = base64.StdEncoding.EncodeToString(k.Private.Seed())
		}
		kf.Keys[i] = sk
	}
	data, err := json.MarshalIndent(kf, "", "  ")
	if err != nil {
		return fmt.Errorf("healthqr: key file: %w", err)
	}
	data = append(data, '\n')

	f, err := os.CreateTemp(filepath.Dir(path), KeyFile+".tmp-*")
	if err != nil {
		return fmt.Errorf("healthqr: key file: %w", err)
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	// CreateTemp already uses 0600; Chmod guards against an unusual umask
	// or file system default.
	if err = f.Chmod(0o600); err != nil {
		return fmt.Errorf("healthqr: key file: %w", err)
	}
	if _, err = f.Write(data); err != nil {
		return fmt.Errorf("healthqr: key file: %w", err)
	}
	if err = f.Sync(); err != nil {
		return fmt.Errorf("healthqr: key file: %w", err)
	}
	if err = f.Close(); err != nil {
		return fmt.Errorf("healthqr: key file: %w", err)
	}
	if err = os.Rename(f.Name(), path); err != nil {
		return fmt.Errorf("healthqr: key file: %w", err)
	}
	return nil
}
