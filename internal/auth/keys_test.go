package auth

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
)

func TestLoadOrCreateKeysCreates(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data", "keys")
	path := filepath.Join(dir, "signing.pem")
	ks, err := LoadOrCreateKeys(path)
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^[0-9a-f]{16}$`).MatchString(ks.Signing().ID) {
		t.Fatalf("kid = %q, want 16 hex characters", ks.Signing().ID)
	}
	if runtime.GOOS != "windows" {
		info, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if perm := info.Mode().Perm(); perm != 0o600 {
			t.Errorf("key file mode = %04o, want 0600", perm)
		}
		info, err = os.Stat(dir)
		if err != nil {
			t.Fatal(err)
		}
		if perm := info.Mode().Perm(); perm != 0o700 {
			t.Errorf("key directory mode = %04o, want 0700", perm)
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 {
		t.Errorf("key directory holds %d entries, want only the key file (no temporary left)", len(entries))
	}

	again, err := LoadOrCreateKeys(path)
	if err != nil {
		t.Fatal(err)
	}
	if again.Signing().ID != ks.Signing().ID || !again.Signing().Private.Equal(ks.Signing().Private) {
		t.Fatal("reloading gave a different key")
	}
}

func TestLoadOrCreateKeysRotation(t *testing.T) {
	a, b := MustKeySet(t), MustKeySet(t)
	both, err := NewKeySet(b.Signing().Private, a.Signing().Private)
	if err != nil {
		t.Fatal(err)
	}
	data, err := both.MarshalPEM()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "keys.pem")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	ks, err := LoadOrCreateKeys(path)
	if err != nil {
		t.Fatal(err)
	}
	if ks.Signing().ID != b.Signing().ID {
		t.Errorf("signing kid = %s, want the first key %s", ks.Signing().ID, b.Signing().ID)
	}
	for _, k := range []Key{a.Signing(), b.Signing()} {
		if pub, ok := ks.Lookup(k.ID); !ok || !pub.Equal(k.Public) {
			t.Errorf("key %s is not available for verification", k.ID)
		}
	}
	if got := ks.IDs(); len(got) != 2 || got[0] != b.Signing().ID {
		t.Errorf("IDs = %v", got)
	}
}

func TestLoadOrCreateKeysRefuses(t *testing.T) {
	good, err := MustKeySet(t).MarshalPEM()
	if err != nil {
		t.Fatal(err)
	}
	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ecDER, err := x509.MarshalPKCS8PrivateKey(ecKey)
	if err != nil {
		t.Fatal(err)
	}
	ecPEM := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: ecDER})

	tests := []struct {
		name    string
		data    []byte
		mode    os.FileMode
		wantMsg string
	}{
		{"group readable", good, 0o640, "chmod 600"},
		{"world readable", good, 0o604, "chmod 600"},
		{"group writable", good, 0o620, "chmod 600"},
		{"empty", nil, 0o600, "no PEM"},
		{"not PEM", []byte("hello"), 0o600, "outside the PEM blocks"},
		{"trailing text", append(append([]byte{}, good...), "junk"...), 0o600, "outside the PEM blocks"},
		{"wrong block type", pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: ecDER}), 0o600, "PKCS#8"},
		{"not Ed25519", ecPEM, 0o600, "want an Ed25519 key"},
		{"corrupt DER", pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: []byte("xx")}), 0o600, "block 1"},
		{"duplicate key", append(append([]byte{}, good...), good...), 0o600, "appears twice"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if runtime.GOOS == "windows" && tc.mode != 0o600 {
				t.Skip("no Unix permissions")
			}
			path := filepath.Join(t.TempDir(), "keys.pem")
			if err := os.WriteFile(path, tc.data, 0o600); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(path, tc.mode); err != nil {
				t.Fatal(err)
			}
			_, err := LoadOrCreateKeys(path)
			if err == nil {
				t.Fatal("LoadOrCreateKeys accepted it")
			}
			if !strings.Contains(err.Error(), tc.wantMsg) || !strings.Contains(err.Error(), path) {
				t.Fatalf("error %q does not name the file and say %q", err, tc.wantMsg)
			}
			// It must never replace a file it cannot use.
			if data, _ := os.ReadFile(path); string(data) != string(tc.data) {
				t.Fatal("the file was modified")
			}
		})
	}
}

func TestNewKeySetRejects(t *testing.T) {
	if _, err := NewKeySet(); err == nil {
		t.Error("empty key set accepted")
	}
	if _, err := NewKeySet(make([]byte, 10)); err == nil {
		t.Error("short key accepted")
	}
}

func TestLoadOrCreateKeysConcurrent(t *testing.T) {
	path := filepath.Join(t.TempDir(), "keys.pem")
	const n = 8
	ids := make(chan string, n)
	errs := make(chan error, n)
	for range n {
		go func() {
			ks, err := LoadOrCreateKeys(path)
			if err != nil {
				errs <- err
				return
			}
			ids <- ks.Signing().ID
		}()
	}
	var first string
	for range n {
		select {
		case err := <-errs:
			t.Fatal(err)
		case id := <-ids:
			if first == "" {
				first = id
			} else if id != first {
				t.Fatalf("concurrent creators got different keys %s and %s", first, id)
			}
		}
	}
}
