package main

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"
	"time"
)

// Why VerifySignature refuses a delivery.
var (
	ErrNoSignature = errors.New("no valid Monograph-Signature header")
	ErrStale       = errors.New("signature time outside the tolerance")
	ErrMismatch    = errors.New("signature does not match the body and secret")
)

// VerifySignature checks a Monograph-Signature header,
//
//	t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>
//
// against the raw request body: the time must be within tolerance of now, either side
// (older is a replay; newer, a wrong clock), and one v1 signature must match, compared in
// constant time. The HMAC key is the secret exactly as shown at registration, "whsec_"
// included. Verify the bytes as received: a body decoded and encoded again will not match.
func VerifySignature(secret, header string, body []byte, now time.Time, tolerance time.Duration) error {
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
		case "v1": // several during a secret rotation
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
		return ErrStale
	}
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(ts + "."))
	m.Write(body)
	want := m.Sum(nil)
	for _, s := range sigs {
		if hmac.Equal(s, want) {
			return nil
		}
	}
	return ErrMismatch
}
