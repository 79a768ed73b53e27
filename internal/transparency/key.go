package transparency

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"golang.org/x/mod/sumdb/note"

	"github.com/monograph-cms/monograph/internal/keyfile"
)

// KeyFileName is the log key's file in the data dir (or beside the JWT key file when there
// is no data dir). It is apart from the JWT keys on purpose: rotating those (every few
// months, say) must not change the identity of the log, whose checkpoints stay verifiable
// for as long as anyone keeps them.
const KeyFileName = "transparency-log.key"

// maxKeyFileBytes bounds how much of a key file is read (a key is about a hundred bytes).
const maxKeyFileBytes = 4096

// Key is the instance's log key: an Ed25519 note signer whose name is the log's origin.
type Key struct {
	signer   note.Signer
	verifier note.Verifier
	vkey     string
}

// Origin is the log's name: the first line of every checkpoint, and the key's name.
func (k *Key) Origin() string { return k.signer.Name() }

// VerifierKey is the public key in note format, "<name>+<hash>+<key>", what
// note.NewVerifier reads and GET /api/v1/transparency/key serves.
func (k *Key) VerifierKey() string { return k.vkey }

// Verifier verifies the key's signatures.
func (k *Key) Verifier() note.Verifier { return k.verifier }

// ParseKey reads a private key in note format ("PRIVATE+KEY+<name>+<hash>+<key>").
func ParseKey(skey string) (*Key, error) {
	signer, err := note.NewSigner(strings.TrimSpace(skey))
	if err != nil {
		return nil, fmt.Errorf("transparency: log key: %w", err)
	}
	vkey, err := verifierKeyOf(strings.TrimSpace(skey))
	if err != nil {
		return nil, err
	}
	verifier, err := note.NewVerifier(vkey)
	if err != nil {
		return nil, fmt.Errorf("transparency: log key: %w", err)
	}
	return &Key{signer: signer, verifier: verifier, vkey: vkey}, nil
}

// verifierKeyOf derives the verifier key of a note private key: the same name and hash,
// and the Ed25519 public key of the seed, as note.GenerateKey writes them.
func verifierKeyOf(skey string) (string, error) {
	// PRIVATE+KEY+<name>+<hash>+<base64 of 0x01 ‖ seed>
	parts := strings.SplitN(skey, "+", 5) // base64 may hold "+" too
	if len(parts) != 5 {
		return "", errors.New("transparency: log key: not a note private key")
	}
	pub, err := publicKeyOf(parts[4])
	if err != nil {
		return "", err
	}
	return note.NewEd25519VerifierKey(parts[2], pub)
}

// publicKeyOf returns the Ed25519 public key of a note private key's key field (base64 of
// the algorithm byte 1 and the 32-byte seed).
func publicKeyOf(key64 string) (ed25519.PublicKey, error) {
	key, err := base64.StdEncoding.DecodeString(key64)
	if err != nil || len(key) != 1+ed25519.SeedSize || key[0] != 1 {
		return nil, errors.New("transparency: log key: not an Ed25519 note private key")
	}
	return ed25519.NewKeyFromSeed(key[1:]).Public().(ed25519.PublicKey), nil
}

// NewOrigin returns a new log's name: "monograph/" and a random instance id, so that two
// instances never share a name (a checkpoint names the log it is of).
func NewOrigin() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return "monograph/" + hex.EncodeToString(b)
}

// GenerateKey returns a new log key named origin, and its text for the key file.
func GenerateKey(origin string) (*Key, string, error) {
	skey, _, err := note.GenerateKey(rand.Reader, origin)
	if err != nil {
		return nil, "", fmt.Errorf("transparency: generate log key: %w", err)
	}
	k, err := ParseKey(skey)
	return k, skey, err
}

// LoadKey reads the log key file. A file that group or others may read or write is
// refused: whoever reads it can sign checkpoints of any tree.
func LoadKey(path string) (*Key, error) {
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("transparency: no log key at %s: %w", path, err)
		}
		return nil, fmt.Errorf("transparency: open log key file: %w", err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("transparency: stat log key file: %w", err)
	}
	if perm := info.Mode().Perm(); runtime.GOOS != "windows" && perm&0o077 != 0 {
		return nil, fmt.Errorf("transparency: log key file %s has mode %04o, which lets group or others access it; "+
			"anyone who can read it can sign checkpoints. Run: chmod 600 %s", path, perm, path)
	}
	data, err := io.ReadAll(io.LimitReader(f, maxKeyFileBytes+1))
	if err != nil {
		return nil, fmt.Errorf("transparency: read log key file: %w", err)
	}
	if len(data) > maxKeyFileBytes {
		return nil, fmt.Errorf("transparency: log key file %s is larger than %d bytes", path, maxKeyFileBytes)
	}
	k, err := ParseKey(string(data))
	if err != nil {
		return nil, fmt.Errorf("%w (file %s)", err, path)
	}
	return k, nil
}

// LoadOrCreateKey reads the log key file, or creates it (mode 0600, in a directory created
// with mode 0700) with a new key named NewOrigin() if there is none. Two processes creating
// it at once end with the same key: the file appears whole or not at all.
func LoadOrCreateKey(path string) (*Key, error) {
	k, err := LoadKey(path)
	if !errors.Is(err, fs.ErrNotExist) {
		return k, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("transparency: create key directory: %w", err)
	}
	k, skey, err := GenerateKey(NewOrigin())
	if err != nil {
		return nil, err
	}
	switch err := keyfile.CreateExclusive(path, []byte(skey+"\n")); {
	case errors.Is(err, fs.ErrExist):
		return LoadKey(path) // another process wrote it first: sign with theirs
	case err != nil:
		return nil, fmt.Errorf("transparency: write log key file %s: %w", path, err)
	}
	return k, nil
}
