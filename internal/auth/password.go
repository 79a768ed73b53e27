// Package auth authenticates Monograph's management users: argon2id password hashes, Ed25519
// signed JWT access and preview tokens, rotating refresh tokens with reuse detection, login
// rate limiting, and user administration. It is the only package that imports the JWT and
// argon2 libraries; storage sits behind the UserStore and RefreshStore interfaces declared
// here and implemented by the store adapters.
package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"

	"github.com/monograph-cms/monograph/internal/cms"
)

// Password length limits. The minimum follows NIST SP 800-63B's advice to prefer length over
// composition rules; the maximum only stops absurd inputs (argon2 pre-hashes the password, so
// a long one costs little, but there is no reason to accept megabytes).
const (
	MinPasswordRunes = 12
	MaxPasswordBytes = 1024
)

// Params are the argon2id cost parameters. They are written into every hash (PHC string
// format), so they can be raised later without invalidating stored hashes.
type Params struct {
	Memory  uint32 // KiB
	Time    uint32 // passes over memory
	Threads uint8  // lanes; also the parallelism used to compute one hash
	SaltLen uint32 // bytes
	KeyLen  uint32 // bytes
}

// DefaultParams returns the production parameters: m=64 MiB, t=2, p=2, 16-byte salt, 32-byte
// key. This is above every OWASP Password Storage Cheat Sheet minimum for argon2id (the
// strongest of which is m=46 MiB, t=1, p=1) and uses both cores of the 2-core reference
// machine for one hash. Measured there (BenchmarkHashPassword, BenchmarkVerifyPassword):
// 50-70 ms per hash when idle, about 90 ms with other work running; 64 MiB while it runs.
// That is slow enough to make offline guessing expensive and fast enough that a login does
// not feel slow. Hasher bounds how many run at once so a login flood cannot exhaust memory.
func DefaultParams() Params {
	return Params{Memory: 64 * 1024, Time: 2, Threads: 2, SaltLen: 16, KeyLen: 32}
}

// validate rejects parameters that are malformed, or so large that decoding a hostile or
// corrupted stored hash could exhaust memory or CPU.
func (p Params) validate() error {
	switch {
	case p.Threads < 1:
		return errors.New("threads must be at least 1")
	case p.Time < 1 || p.Time > 64:
		return errors.New("time must be between 1 and 64")
	case p.Memory < 8*uint32(p.Threads) || p.Memory > 4*1024*1024:
		return errors.New("memory must be between 8*threads KiB and 4 GiB")
	case p.SaltLen < 8 || p.SaltLen > 64:
		return errors.New("salt length must be between 8 and 64 bytes")
	case p.KeyLen < 16 || p.KeyLen > 128:
		return errors.New("key length must be between 16 and 128 bytes")
	}
	return nil
}

// Hasher hashes and verifies passwords with argon2id. It is safe for concurrent use.
type Hasher struct {
	params Params
	// sem bounds concurrent argon2 computations: each holds Params.Memory KiB, so an unbounded
	// burst of logins could exhaust memory while adding no throughput (the CPU is saturated).
	sem chan struct{}
	// dummy is a hash of a random password with the same parameters, verified when the user
	// is unknown so that an unknown email costs the same as a wrong password.
	dummy string
	// derivations counts argon2 computations, so tests can check that every login outcome
	// costs the same number of them.
	derivations atomic.Int64
}

// NewHasher returns a Hasher that hashes with p. It computes one hash up front (the dummy
// used to equalise the cost of failed logins), so it takes as long as one HashPassword.
func NewHasher(p Params) (*Hasher, error) {
	if err := p.validate(); err != nil {
		return nil, fmt.Errorf("auth: argon2 params: %w", err)
	}
	h := &Hasher{params: p, sem: make(chan struct{}, max(2, runtime.GOMAXPROCS(0)))}
	dummy, err := h.HashPassword(rand.Text())
	if err != nil {
		return nil, err
	}
	h.dummy = dummy
	return h, nil
}

// Params returns the parameters new hashes are made with.
func (h *Hasher) Params() Params { return h.params }

// HashPassword returns the argon2id hash of pw in PHC string format,
// "$argon2id$v=19$m=<KiB>,t=<time>,p=<threads>$<salt>$<key>" with unpadded standard base64.
func (h *Hasher) HashPassword(pw string) (string, error) {
	salt := make([]byte, h.params.SaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("auth: read salt: %w", err)
	}
	key := h.derive([]byte(pw), salt, h.params)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version,
		h.params.Memory, h.params.Time, h.params.Threads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key)), nil
}

// VerifyPassword reports whether pw matches encoded. The parameters are read from encoded,
// so hashes made with older parameters keep verifying. A malformed hash never matches.
func (h *Hasher) VerifyPassword(encoded, pw string) bool {
	p, salt, want, err := decodeHash(encoded)
	if err != nil {
		return false
	}
	got := h.derive([]byte(pw), salt, p)
	return subtle.ConstantTimeCompare(got, want) == 1
}

// VerifyDummy does the work of VerifyPassword against a hash no password matches, and always
// returns false. Callers use it when there is no user, so that failure costs the same.
func (h *Hasher) VerifyDummy(pw string) bool {
	h.VerifyPassword(h.dummy, pw)
	return false
}

// derive computes the argon2id key, holding a slot of the concurrency bound while it does.
func (h *Hasher) derive(pw, salt []byte, p Params) []byte {
	h.sem <- struct{}{}
	defer func() { <-h.sem }()
	h.derivations.Add(1)
	return argon2.IDKey(pw, salt, p.Time, p.Memory, p.Threads, p.KeyLen)
}

// decodeHash parses a PHC argon2id string into its parameters, salt and key.
func decodeHash(encoded string) (Params, []byte, []byte, error) {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return Params{}, nil, nil, errors.New("not an argon2id PHC string")
	}
	if parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return Params{}, nil, nil, fmt.Errorf("unsupported argon2 version %q", parts[2])
	}
	var p Params
	for _, kv := range strings.Split(parts[3], ",") {
		name, value, ok := strings.Cut(kv, "=")
		if !ok {
			return Params{}, nil, nil, fmt.Errorf("malformed parameter %q", kv)
		}
		n, err := strconv.ParseUint(value, 10, 32)
		if err != nil {
			return Params{}, nil, nil, fmt.Errorf("malformed parameter %q", kv)
		}
		switch name {
		case "m":
			p.Memory = uint32(n)
		case "t":
			p.Time = uint32(n)
		case "p":
			if n > 255 {
				return Params{}, nil, nil, fmt.Errorf("parallelism %d out of range", n)
			}
			p.Threads = uint8(n)
		default:
			return Params{}, nil, nil, fmt.Errorf("unknown parameter %q", name)
		}
	}
	salt, err := base64.RawStdEncoding.Strict().DecodeString(parts[4])
	if err != nil {
		return Params{}, nil, nil, fmt.Errorf("salt: %w", err)
	}
	key, err := base64.RawStdEncoding.Strict().DecodeString(parts[5])
	if err != nil {
		return Params{}, nil, nil, fmt.Errorf("key: %w", err)
	}
	p.SaltLen, p.KeyLen = uint32(len(salt)), uint32(len(key))
	if err := p.validate(); err != nil {
		return Params{}, nil, nil, err
	}
	return p, salt, key, nil
}

// ValidatePassword checks a new password against the length policy: at least
// MinPasswordRunes characters and at most MaxPasswordBytes bytes of valid UTF-8. It returns a
// cms.CodeInvalid error naming the field "password".
func ValidatePassword(pw string) error {
	switch {
	case !utf8.ValidString(pw):
		return cms.InvalidField("password", "must be valid UTF-8")
	case len(pw) > MaxPasswordBytes:
		return cms.InvalidField("password", fmt.Sprintf("must be at most %d bytes", MaxPasswordBytes))
	case utf8.RuneCountInString(pw) < MinPasswordRunes:
		return cms.InvalidField("password", fmt.Sprintf("must be at least %d characters", MinPasswordRunes))
	}
	return nil
}
