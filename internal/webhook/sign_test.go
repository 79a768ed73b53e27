package webhook

import (
	"errors"
	"testing"
	"time"
)

func TestSignVerify(t *testing.T) {
	const secret = "whsec_c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldA"
	body := []byte(`{"id":"e1","event":"page.published"}`)
	now := time.Unix(1_760_000_000, 0)
	good := Sign(secret, body, now)
	tests := []struct {
		name   string
		secret string
		header string
		body   []byte
		now    time.Time
		want   error
	}{
		{"valid", secret, good, body, now, nil},
		{"valid within tolerance", secret, good, body, now.Add(4 * time.Minute), nil},
		{"valid with clock behind", secret, good, body, now.Add(-4 * time.Minute), nil},
		{"valid among several v1", secret, "t=1760000000,v1=" + "00" + good[len("t=1760000000,v1=")+2:] + "," + good[len("t=1760000000,"):], body, now, nil},
		{"too old", secret, good, body, now.Add(6 * time.Minute), ErrTimestamp},
		{"wrong secret", "whsec_other", good, body, now, ErrSignatureMismatch},
		{"changed body", secret, good, []byte(`{"id":"e2","event":"page.published"}`), now, ErrSignatureMismatch},
		{"timestamp changed", secret, "t=1760000001," + good[len("t=1760000000,"):], body, now, ErrSignatureMismatch},
		{"empty header", secret, "", body, now, ErrNoSignature},
		{"no v1", secret, "t=1760000000", body, now, ErrNoSignature},
		{"no t", secret, good[len("t=1760000000,"):], body, now, ErrNoSignature},
		{"v1 not hex", secret, "t=1760000000,v1=zz", body, now, ErrNoSignature},
		{"v1 short", secret, "t=1760000000,v1=abcd", body, now, ErrNoSignature},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := Verify(tc.secret, tc.header, tc.body, tc.now, 5*time.Minute)
			if !errors.Is(err, tc.want) {
				t.Fatalf("Verify = %v, want %v", err, tc.want)
			}
		})
	}
}

func TestSignFormat(t *testing.T) {
	// Fixed vector: HMAC-SHA256("whsec_test", "1700000000.{}"), computed independently with
	// `printf '1700000000.{}' | openssl dgst -sha256 -hmac whsec_test`.
	got := Sign("whsec_test", []byte("{}"), time.Unix(1_700_000_000, 0))
	want := "t=1700000000,v1=35495024f4ef3f94e5a93e22221544c4b75e9a42300cd965ab81cb85cd994e91"
	if got != want {
		t.Fatalf("Sign = %s, want %s", got, want)
	}
}
