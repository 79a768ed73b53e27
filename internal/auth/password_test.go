package auth

import (
	"strings"
	"testing"

	"github.com/monograph-cms/monograph/internal/cms"
)

// cheapParams make argon2 fast enough for unit tests; production parameters are exercised by
// the benchmarks and by TestDefaultParamsRoundTrip.
var cheapParams = Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

// MustHasher returns a Hasher with cheap parameters.
func MustHasher(tb testing.TB) *Hasher {
	tb.Helper()
	h, err := NewHasher(cheapParams)
	if err != nil {
		tb.Fatal(err)
	}
	return h
}

func TestHashAndVerify(t *testing.T) {
	h := MustHasher(t)
	encoded, err := h.HashPassword("correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(encoded, "$argon2id$v=19$m=64,t=1,p=1$") {
		t.Fatalf("encoded = %q, want the PHC argon2id prefix with the parameters", encoded)
	}
	other, err := h.HashPassword("correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	if other == encoded {
		t.Fatal("two hashes of the same password are equal; the salt is not random")
	}

	// A hash made with different parameters still verifies: they are read from the string.
	h2, err := NewHasher(Params{Memory: 128, Time: 2, Threads: 2, SaltLen: 8, KeyLen: 16})
	if err != nil {
		t.Fatal(err)
	}
	encoded2, err := h2.HashPassword("correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name    string
		encoded string
		pw      string
		want    bool
	}{
		{"right password", encoded, "correct horse battery staple", true},
		{"wrong password", encoded, "correct horse battery stapler", false},
		{"empty password", encoded, "", false},
		{"other params verify", encoded2, "correct horse battery staple", true},
		{"other params wrong password", encoded2, "wrong", false},
		{"empty hash", "", "x", false},
		{"argon2i", strings.Replace(encoded, "argon2id", "argon2i", 1), "correct horse battery staple", false},
		{"old version", strings.Replace(encoded, "v=19", "v=16", 1), "correct horse battery staple", false},
		{"huge memory", strings.Replace(encoded, "m=64", "m=4294967295", 1), "correct horse battery staple", false},
		{"huge time", strings.Replace(encoded, "t=1", "t=100000", 1), "correct horse battery staple", false},
		{"zero threads", strings.Replace(encoded, "p=1", "p=0", 1), "correct horse battery staple", false},
		{"unknown param", strings.Replace(encoded, "p=1", "p=1,x=2", 1), "correct horse battery staple", false},
		{"bad salt", strings.Replace(encoded, "$m=64,t=1,p=1$", "$m=64,t=1,p=1$!!", 1), "correct horse battery staple", false},
		{"truncated", encoded[:len(encoded)-5], "correct horse battery staple", false},
		{"garbage", "$argon2id$$$$", "x", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := h.VerifyPassword(tc.encoded, tc.pw); got != tc.want {
				t.Errorf("VerifyPassword = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestVerifyDummy(t *testing.T) {
	h := MustHasher(t)
	if h.VerifyDummy("") || h.VerifyDummy("anything at all") {
		t.Fatal("VerifyDummy returned true")
	}
	if _, _, _, err := decodeHash(h.dummy); err != nil {
		t.Fatalf("dummy hash does not decode: %v", err)
	}
}

func TestNewHasherRejectsBadParams(t *testing.T) {
	tests := []struct {
		name string
		p    Params
	}{
		{"zero", Params{}},
		{"no threads", Params{Memory: 64, Time: 1, SaltLen: 16, KeyLen: 32}},
		{"short salt", Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 4, KeyLen: 32}},
		{"short key", Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 8}},
		{"memory below 8*threads", Params{Memory: 8, Time: 1, Threads: 2, SaltLen: 16, KeyLen: 32}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := NewHasher(tc.p); err == nil {
				t.Fatal("NewHasher accepted bad params")
			}
		})
	}
}

func TestDefaultParamsRoundTrip(t *testing.T) {
	if testing.Short() {
		t.Skip("production argon2 parameters are slow")
	}
	h, err := NewHasher(DefaultParams())
	if err != nil {
		t.Fatal(err)
	}
	encoded, err := h.HashPassword("a production-strength password")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(encoded, "$argon2id$v=19$m=65536,t=2,p=2$") {
		t.Fatalf("encoded = %q", encoded)
	}
	if !h.VerifyPassword(encoded, "a production-strength password") {
		t.Fatal("production hash does not verify")
	}
}

func TestValidatePassword(t *testing.T) {
	tests := []struct {
		name string
		pw   string
		ok   bool
	}{
		{"12 ascii", "abcdefghijkl", true},
		{"11 ascii", "abcdefghijk", false},
		{"empty", "", false},
		{"12 runes of 3 bytes", strings.Repeat("€", 12), true},
		{"11 runes of 3 bytes is 33 bytes but too few characters", strings.Repeat("€", 11), false},
		{"1024 bytes", strings.Repeat("a", 1024), true},
		{"1025 bytes", strings.Repeat("a", 1025), false},
		{"invalid utf-8", "abcdefghijkl\xff", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := ValidatePassword(tc.pw)
			if tc.ok {
				if err != nil {
					t.Fatalf("ValidatePassword = %v, want nil", err)
				}
				return
			}
			if !cms.IsCode(err, cms.CodeInvalid) {
				t.Fatalf("ValidatePassword = %v, want CodeInvalid", err)
			}
			var e *cms.Error
			if !asError(err, &e) || len(e.Fields) != 1 || e.Fields[0].Field != "password" {
				t.Fatalf("ValidatePassword fields = %+v, want one for password", e)
			}
		})
	}
}

func BenchmarkHashPassword(b *testing.B) {
	h, err := NewHasher(DefaultParams())
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := h.HashPassword("correct horse battery staple"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerifyPassword(b *testing.B) {
	h, err := NewHasher(DefaultParams())
	if err != nil {
		b.Fatal(err)
	}
	encoded, err := h.HashPassword("correct horse battery staple")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if !h.VerifyPassword(encoded, "correct horse battery staple") {
			b.Fatal("does not verify")
		}
	}
}
