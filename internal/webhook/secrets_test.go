package webhook

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLoadOrCreateKeyFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", KeyFileName)
	k1, err := LoadOrCreateKeyFile(path)
	if err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %v, want 0600", st.Mode().Perm())
	}
	k2, err := LoadOrCreateKeyFile(path)
	if err != nil || !bytes.Equal(k1, k2) || len(k1) != KeySize {
		t.Fatalf("second load: %v, same=%v", err, bytes.Equal(k1, k2))
	}
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadOrCreateKeyFile(path); err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Fatalf("world-readable key file accepted: %v", err)
	}
	bad := filepath.Join(t.TempDir(), "bad.key")
	if err := os.WriteFile(bad, []byte("not base64!\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadOrCreateKeyFile(bad); err == nil {
		t.Fatal("malformed key file accepted")
	}
}

func TestSealer(t *testing.T) {
	master := bytes.Repeat([]byte{7}, 32)
	s, err := NewSealer(DeriveKey(master, "webhook-secrets"))
	if err != nil {
		t.Fatal(err)
	}
	other, _ := NewSealer(DeriveKey(master, "something-else"))
	secret := NewSecret()
	sealed := s.Seal(secret, "hook1")
	if bytes.Contains(sealed, []byte(secret)) || bytes.Contains(sealed, []byte(secret[len(SecretPrefix):])) {
		t.Fatal("the sealed secret contains the secret")
	}
	tests := []struct {
		name    string
		sealer  *Sealer
		sealed  []byte
		keyID   string
		hook    string
		wantErr bool
	}{
		{"opens", s, sealed, s.KeyID(), "hook1", false},
		{"opens without key id", s, sealed, "", "hook1", false},
		{"other webhook id", s, sealed, s.KeyID(), "hook2", true},
		{"other key", other, sealed, "", "hook1", true},
		{"key id mismatch", other, sealed, s.KeyID(), "hook1", true},
		{"tampered", s, append(append([]byte{}, sealed[:len(sealed)-1]...), sealed[len(sealed)-1]^1), s.KeyID(), "hook1", true},
		{"short", s, []byte{1, 2}, s.KeyID(), "hook1", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.sealer.Open(tc.sealed, tc.keyID, tc.hook)
			if (err != nil) != tc.wantErr {
				t.Fatalf("Open err = %v, wantErr %v", err, tc.wantErr)
			}
			if !tc.wantErr && got != secret {
				t.Fatalf("Open = %q, want %q", got, secret)
			}
		})
	}
	if a, b := NewSecret(), NewSecret(); a == b || !strings.HasPrefix(a, SecretPrefix) || len(a) != len(SecretPrefix)+43 {
		t.Fatalf("NewSecret: %q %q", a, b)
	}
}
