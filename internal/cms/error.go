// Package cms holds the vocabulary shared by every Monograph package: the error type and its
// machine-readable codes, the authenticated principal, and the clock.
package cms

import (
	"errors"
	"fmt"
)

// Code is a stable, machine-readable error code. The HTTP layer maps each code to one status
// in exactly one table (internal/httpapi/problem.go).
type Code string

// Error codes. Each one names a situation the caller can act on.
const (
	CodeInvalid              Code = "invalid"               // malformed or invalid input (400)
	CodeUnauthorized         Code = "unauthorized"          // missing or invalid credentials (401)
	CodeSignatureFailed      Code = "signature_failed"      // wrong password when signing (401; the session is fine)
	CodeForbidden            Code = "forbidden"             // authenticated but not allowed (403)
	CodeNotFound             Code = "not_found"             // unknown, or not visible to the caller (404)
	CodeMethodNotAllowed     Code = "method_not_allowed"    // the route exists, not with this method (405)
	CodeConflict             Code = "conflict"              // state conflict (409)
	CodeSlugTaken            Code = "slug_taken"            // slug already used (409)
	CodeRevisionNotLatest    Code = "revision_not_latest"   // action names an older revision (409)
	CodeInvalidState         Code = "invalid_state"         // action not allowed in this state (409)
	CodeGone                 Code = "gone"                  // unpublished (410)
	CodeVersionConflict      Code = "version_conflict"      // If-Match mismatch (412)
	CodeTooLarge             Code = "too_large"             // body over the limit (413)
	CodeUnsupportedMedia     Code = "unsupported_media"     // not JSON (415)
	CodeSelfApproval         Code = "self_approval"         // reviewer authored the changes (422)
	CodeApprovalMissing      Code = "approval_missing"      // no approval to publish (422)
	CodeApprovalStale        Code = "approval_stale"        // approval does not match the latest content (422)
	CodeApprovalExpired      Code = "approval_expired"      // the approval's nextReviewDue has passed (422)
	CodeNoChanges            Code = "no_changes"            // resubmitted without a new revision (409)
	CodeIntegrity            Code = "integrity_failed"      // stored bytes do not match their signature (409)
	CodeCheckFailed          Code = "check_failed"          // a blocking pre-review check failed (422)
	CodePreconditionRequired Code = "precondition_required" // If-Match missing (428)
	CodeRateLimited          Code = "rate_limited"          // too many requests (429)
	CodeUnavailable          Code = "unavailable"           // store or dependency down (503)
	CodeInternal             Code = "internal"              // anything else (500)

	// Accounts and signing.
	CodePasswordChangeRequired Code = "password_change_required" // signing with a password someone else chose (403)
	CodeSelfModification       Code = "self_modification"        // changing one's own roles, disabled flag or password by reset (403)
	CodeRoleConflict           Code = "role_conflict"            // one account both admin and reviewer (422)
	CodeTokenInvalid           Code = "token_invalid"            // enrolment or reset token unknown, spent, expired or superseded (400)
)

// FieldError names one invalid field with a JSON path such as "content.sections[2].key".
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// Error is the one error type crossing package boundaries. Message is safe to show to the
// caller; Err (if any) is the internal cause and only ever goes to the log.
type Error struct {
	Code    Code
	Message string
	Fields  []FieldError
	// Data carries extra machine-readable members for the problem body, such as the
	// current version on a version conflict.
	Data map[string]any
	// RetryAfterSeconds is set on rate-limit errors.
	RetryAfterSeconds int
	Err               error
}

// Error implements error.
func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Err)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

// Unwrap returns the internal cause.
func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an Error with the given code and a formatted public message.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Invalid returns a 400-class error listing the failing fields.
func Invalid(fields ...FieldError) *Error {
	msg := "the request is invalid"
	if len(fields) == 1 {
		msg = fields[0].Field + ": " + fields[0].Message
	}
	return &Error{Code: CodeInvalid, Message: msg, Fields: fields}
}

// InvalidField is a shorthand for Invalid with one field.
func InvalidField(field, message string) *Error {
	return Invalid(FieldError{Field: field, Message: message})
}

// ErrorCode returns the code of err, CodeInternal for an error that is not an *Error, and ""
// for nil.
func ErrorCode(err error) Code {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return CodeInternal
}

// IsCode reports whether err carries the given code.
func IsCode(err error, code Code) bool { return ErrorCode(err) == code }
