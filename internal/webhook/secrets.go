package webhook

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Secret storage.
//
// Monograph signs every delivery with HMAC-SHA256, which needs the secret itself, so a
// one-way hash (as for passwords) cannot work. The secret is therefore stored sealed with
// AES-256-GCM under a key that lives OUTSIDE the database: a 32-byte key file
// (<data>/webhook-secrets.key by default, mode 0600, generated on first start; every server
// process sharing a MongoDB must be given the same file). A database dump or backup alone
// does not reveal usable secrets; the key file must be protected like the JWT signing keys
// and backed up separately. Each ciphertext is bound to its webhook id (GCM additional
// data), so a sealed secret copied onto another webhook does not open.

// KeyFileName is the default name of the sealing key file in the data dir.
const KeyFileName = "webhook-secrets.key"

// KeySize is the size of the master key in the key file.
const KeySize = 32

// NewSecret returns a new signing secret: 32 random bytes as "whsec_<base64url>".
func NewSecret() string {
	var b [32]byte
	_, _ = rand.Read(b[:])
	return SecretPrefix + base64.RawURLEncoding.EncodeToString(b[:])
}

// DeriveKey derives a 32-byte key for one purpose from the master key (HMAC-SHA256 of the
// purpose), so one key file can serve several uses without reusing a key.
func DeriveKey(master []byte, purpose string) []byte {
	m := hmac.New(sha256.New, master)
	m.Write([]byte("monograph/" + purpose))
	return m.Sum(nil)
}

// LoadOrCreateKeyFile reads the master key from path (base64 of 32 bytes), or, if the file
// does not exist, creates it with a new random key, mode 0600. It refuses a key file that
// other users may read.
func LoadOrCreateKeyFile(path string) ([]byte, error) {
	key, err := readKeyFile(path)
	if !errors.Is(err, fs.ErrNotExist) {
		return key, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("webhook: create key directory: %w", err)
	}
	key = make([]byte, KeySize)
	_, _ = rand.Read(key)
	data := []byte(base64.StdEncoding.EncodeToString(key) + "\n")
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return readKeyFile(path) // another process made it first: use theirs
	}
	if err != nil {
		return nil, fmt.Errorf("webhook: create key file %s: %w", path, err)
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		_ = os.Remove(path)
		return nil, fmt.Errorf("webhook: write key file %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		_ = os.Remove(path)
		return nil, fmt.Errorf("webhook: write key file %s: %w", path, err)
	}
	return key, f.Close()
}

func readKeyFile(path string) ([]byte, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if st.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("webhook: key file %s is readable by other users (mode %v); chmod 600 it", path, st.Mode().Perm())
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	key, err := base64.StdEncoding.DecodeString(string(bytes.TrimSpace(raw)))
	if err != nil || len(key) != KeySize {
		return nil, fmt.Errorf("webhook: key file %s must hold the base64 of %d bytes", path, KeySize)
	}
	return key, nil
}

// Sealer encrypts and decrypts webhook secrets with AES-256-GCM. It is safe for concurrent
// use.
type Sealer struct {
	aead  cipher.AEAD
	keyID string
}

// NewSealer returns a Sealer for a 32-byte key.
func NewSealer(key []byte) (*Sealer, error) {
	if len(key) != 32 {
		return nil, fmt.Errorf("webhook: sealing key must be 32 bytes, got %d", len(key))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	id := sha256.Sum256(append([]byte("monograph/key-id/"), key...))
	return &Sealer{aead: aead, keyID: hex.EncodeToString(id[:6])}, nil
}

// KeyID returns a short fingerprint of the key (not secret), stored beside each sealed
// secret so a wrong key file is named as such.
func (s *Sealer) KeyID() string { return s.keyID }

// Seal encrypts secret for the webhook id: a random 12-byte nonce followed by the
// ciphertext and tag.
func (s *Sealer) Seal(secret, webhookID string) []byte {
	nonce := make([]byte, s.aead.NonceSize(), s.aead.NonceSize()+len(secret)+s.aead.Overhead())
	_, _ = rand.Read(nonce)
	return s.aead.Seal(nonce, nonce, []byte(secret), []byte(webhookID))
}

// Open decrypts what Seal made for the same webhook id.
func (s *Sealer) Open(sealed []byte, keyID, webhookID string) (string, error) {
	if keyID != "" && keyID != s.keyID {
		return "", fmt.Errorf("webhook: the secret was sealed with key %s but the key file holds key %s (wrong or replaced webhook key file?)", keyID, s.keyID)
	}
	n := s.aead.NonceSize()
	if len(sealed) < n {
		return "", errors.New("webhook: sealed secret too short")
	}
	plain, err := s.aead.Open(nil, sealed[:n], sealed[n:], []byte(webhookID))
	if err != nil {
		return "", errors.New("webhook: sealed secret does not open with this key")
	}
	return string(plain), nil
}
