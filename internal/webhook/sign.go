package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"
	"time"
)

// SignatureHeader is the header carrying a delivery's signature.
const SignatureHeader = "Monograph-Signature"

// SecretPrefix starts every signing secret, so a leaked one is recognisable.
const SecretPrefix = "whsec_"

// Errors returned by Verify.
var (
	// ErrNoSignature means the header is missing, malformed or has no v1 signature.
	ErrNoSignature = errors.New("webhook: no valid Monograph-Signature header")
	// ErrTimestamp means the signature's time is outside the tolerance (a replay, or a
	// badly wrong clock).
	ErrTimestamp = errors.New("webhook: signature timestamp outside the tolerance")
	// ErrSignatureMismatch means no v1 signature matches the body and the secret.
	ErrSignatureMismatch = errors.New("webhook: signature does not match")
)

// Sign returns the Monograph-Signature header value for body sent at t:
// "t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>". The HMAC key is the
// secret exactly as shown at registration, "whsec_..." included, so a receiver in any
// language needs no decoding step.
func Sign(secret string, body []byte, t time.Time) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	return "t=" + ts + ",v1=" + hex.EncodeToString(mac(secret, ts, body))
}

func mac(secret, ts string, body []byte) []byte {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(ts))
	m.Write([]byte{'.'})
	m.Write(body)
	return m.Sum(nil)
}

// Verify checks a Monograph-Signature header against body and secret, for receivers (and
// tests): the timestamp must be within tolerance of now (either side) and one of the v1
// signatures must equal HMAC-SHA256(secret, "<t>.<body>"), compared in constant time.
// It returns nil, ErrNoSignature, ErrTimestamp or ErrSignatureMismatch. Receivers should
// also drop deliveries whose body id they have seen (delivery is at least once).
func Verify(secret, header string, body []byte, now time.Time, tolerance time.Duration) error {
	var ts string
	var sigs [][]byte
	for _, part := range strings.Split(header, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			continue
		}
		switch k {
		case "t":
			ts = v
		case "v1":
			if b, err := hex.DecodeString(v); err == nil && len(b) == sha256.Size {
				sigs = append(sigs, b)
			}
		}
	}
	unix, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || len(sigs) == 0 {
		return ErrNoSignature
	}
	if d := now.Sub(time.Unix(unix, 0)); d > tolerance || d < -tolerance {
		return ErrTimestamp
	}
	want := mac(secret, ts, body)
	for _, s := range sigs {
		if hmac.Equal(s, want) {
			return nil
		}
	}
	return ErrSignatureMismatch
}
