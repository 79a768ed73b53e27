package auth

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"

	"github.com/monograph-cms/monograph/internal/keyfile"
)

// maxKeyFileBytes bounds how much of a key file is read; a real one is a few hundred bytes
// per key.
const maxKeyFileBytes = 1 << 20

// Key is one Ed25519 signing key with its key id.
type Key struct {
	ID      string // "kid": first 16 hex characters of sha256(public key)
	Private ed25519.PrivateKey
	Public  ed25519.PublicKey
}

// KeySet holds the signing keys. The first key signs new tokens; every key verifies, so a new
// key can be put first while tokens signed by the old one stay valid until they expire.
type KeySet struct {
	keys []Key
}

// KeyID returns the key id of pub: the first 16 hex characters of its SHA-256.
func KeyID(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	return hex.EncodeToString(sum[:8])
}

// NewKeySet returns a KeySet of the given private keys; the first one signs. It fails on an
// empty list, a malformed key or a duplicate.
func NewKeySet(privs ...ed25519.PrivateKey) (*KeySet, error) {
	if len(privs) == 0 {
		return nil, errors.New("auth: a key set needs at least one key")
	}
	ks := &KeySet{}
	seen := make(map[string]bool)
	for i, priv := range privs {
		if len(priv) != ed25519.PrivateKeySize {
			return nil, fmt.Errorf("auth: key %d: not an Ed25519 private key", i+1)
		}
		pub := priv.Public().(ed25519.PublicKey)
		id := KeyID(pub)
		if seen[id] {
			return nil, fmt.Errorf("auth: key %d (kid %s) appears twice", i+1, id)
		}
		seen[id] = true
		ks.keys = append(ks.keys, Key{ID: id, Private: priv, Public: pub})
	}
	return ks, nil
}

// GenerateKeySet returns a KeySet of one new random key, for tests and ephemeral servers.
func GenerateKeySet() (*KeySet, error) {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("auth: generate key: %w", err)
	}
	return NewKeySet(priv)
}

// Signing returns the key that signs new tokens.
func (ks *KeySet) Signing() Key { return ks.keys[0] }

// Lookup returns the public key with key id kid.
func (ks *KeySet) Lookup(kid string) (ed25519.PublicKey, bool) {
	for _, k := range ks.keys {
		if k.ID == kid {
			return k.Public, true
		}
	}
	return nil, false
}

// IDs returns the key ids, the signing key first.
func (ks *KeySet) IDs() []string {
	ids := make([]string, len(ks.keys))
	for i, k := range ks.keys {
		ids[i] = k.ID
	}
	return ids
}

// MarshalPEM encodes the keys as PEM "PRIVATE KEY" (PKCS#8) blocks, signing key first: the
// format LoadOrCreateKeys reads.
func (ks *KeySet) MarshalPEM() ([]byte, error) {
	var buf bytes.Buffer
	for _, k := range ks.keys {
		der, err := x509.MarshalPKCS8PrivateKey(k.Private)
		if err != nil {
			return nil, fmt.Errorf("auth: marshal key %s: %w", k.ID, err)
		}
		if err := pem.Encode(&buf, &pem.Block{Type: "PRIVATE KEY", Bytes: der}); err != nil {
			return nil, err
		}
	}
	return buf.Bytes(), nil
}

// LoadOrCreateKeys reads the signing keys from path, or creates the file with one new key if
// it does not exist. The file holds PEM "PRIVATE KEY" (PKCS#8 Ed25519) blocks; the first signs
// and all verify, so rotating means putting a new key first and removing the old one once
// its tokens have expired (15 minutes at most). A file that group or others may read or write
// is refused: anyone who can read it can mint tokens for any user. A new file is written with
// mode 0600, in a directory created with mode 0700 if missing.
func LoadOrCreateKeys(path string) (*KeySet, error) {
	ks, err := loadKeys(path)
	if !errors.Is(err, fs.ErrNotExist) {
		return ks, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("auth: create key directory: %w", err)
	}
	ks, err = GenerateKeySet()
	if err != nil {
		return nil, err
	}
	data, err := ks.MarshalPEM()
	if err != nil {
		return nil, err
	}
	switch err := keyfile.CreateExclusive(path, data); {
	case errors.Is(err, fs.ErrExist):
		// Another process created it between our read and our write: use theirs, so both
		// processes sign with the same key.
		return loadKeys(path)
	case err != nil:
		return nil, fmt.Errorf("auth: write signing key file %s: %w", path, err)
	}
	return ks, nil
}

// loadKeys reads and checks an existing key file. It returns an error wrapping
// fs.ErrNotExist if there is none.
func loadKeys(path string) (*KeySet, error) {
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
		return nil, fmt.Errorf("auth: open signing key file: %w", err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("auth: stat signing key file: %w", err)
	}
	// Windows has no Unix permission bits to check; its ACLs are the operator's business.
	if perm := info.Mode().Perm(); runtime.GOOS != "windows" && perm&0o077 != 0 {
		return nil, fmt.Errorf("auth: signing key file %s has mode %04o, which lets group or others access it; "+
			"anyone who can read it can sign tokens for any user. Run: chmod 600 %s", path, perm, path)
	}
	data, err := io.ReadAll(io.LimitReader(f, maxKeyFileBytes+1))
	if err != nil {
		return nil, fmt.Errorf("auth: read signing key file: %w", err)
	}
	if len(data) > maxKeyFileBytes {
		return nil, fmt.Errorf("auth: signing key file %s is larger than %d bytes", path, maxKeyFileBytes)
	}
	privs, err := parseKeysPEM(data)
	if err != nil {
		return nil, fmt.Errorf("auth: signing key file %s: %w", path, err)
	}
	ks, err := NewKeySet(privs...)
	if err != nil {
		return nil, fmt.Errorf("auth: signing key file %s: %w", path, err)
	}
	return ks, nil
}

// parseKeysPEM decodes every PEM block of data as a PKCS#8 Ed25519 private key. Anything else
// (another block type, another algorithm, text after the last block) is an error, so a mangled
// file is noticed at start rather than half used.
func parseKeysPEM(data []byte) ([]ed25519.PrivateKey, error) {
	var privs []ed25519.PrivateKey
	rest := data
	for {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		n := len(privs) + 1
		if block.Type != "PRIVATE KEY" {
			return nil, fmt.Errorf("block %d is %q, want \"PRIVATE KEY\" (PKCS#8)", n, block.Type)
		}
		key, err := x509.ParsePKCS8PrivateKey(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("block %d: %w", n, err)
		}
		priv, ok := key.(ed25519.PrivateKey)
		if !ok {
			return nil, fmt.Errorf("block %d is a %T, want an Ed25519 key", n, key)
		}
		privs = append(privs, priv)
	}
	if len(bytes.TrimSpace(rest)) != 0 {
		return nil, errors.New("unexpected text outside the PEM blocks")
	}
	if len(privs) == 0 {
		return nil, errors.New("no PEM \"PRIVATE KEY\" blocks")
	}
	return privs, nil
}
