package cms

import (
	"crypto/rand"
	"encoding/base32"
	"strings"
)

var idEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// NewID returns a new random, opaque, URL-safe id (96 bits, 20 lowercase characters).
func NewID() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return idEncoding.EncodeToString(b[:])
}

// ValidID reports whether s looks like an id made by NewID, so malformed ids are answered
// 404 without a store round trip and can never carry an operator or a path separator.
func ValidID(s string) bool {
	if len(s) != 20 {
		return false
	}
	return strings.Trim(s, "abcdefghijklmnopqrstuvwxyz234567") == ""
}
