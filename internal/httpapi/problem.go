package httpapi

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/monograph-cms/monograph/internal/cms"
)

// statusByCode is the one table mapping error codes to HTTP statuses (docs/api.md "Errors").
var statusByCode = map[cms.Code]int{
	cms.CodeInvalid:              http.StatusBadRequest,
	cms.CodeUnauthorized:         http.StatusUnauthorized,
	cms.CodeSignatureFailed:      http.StatusUnauthorized,
	cms.CodeForbidden:            http.StatusForbidden,
	cms.CodeNotFound:             http.StatusNotFound,
	cms.CodeMethodNotAllowed:     http.StatusMethodNotAllowed,
	cms.CodeConflict:             http.StatusConflict,
	cms.CodeSlugTaken:            http.StatusConflict,
	cms.CodeRevisionNotLatest:    http.StatusConflict,
	cms.CodeInvalidState:         http.StatusConflict,
	cms.CodeGone:                 http.StatusGone,
	cms.CodeVersionConflict:      http.StatusPreconditionFailed,
	cms.CodeTooLarge:             http.StatusRequestEntityTooLarge,
	cms.CodeUnsupportedMedia:     http.StatusUnsupportedMediaType,
	cms.CodeSelfApproval:         http.StatusUnprocessableEntity,
	cms.CodeApprovalMissing:      http.StatusUnprocessableEntity,
	cms.CodeApprovalStale:        http.StatusUnprocessableEntity,
	cms.CodeApprovalExpired:      http.StatusUnprocessableEntity,
	cms.CodeNoChanges:            http.StatusConflict,
	cms.CodeIntegrity:            http.StatusConflict,
	cms.CodeCheckFailed:          http.StatusUnprocessableEntity,
	cms.CodePreconditionRequired: http.StatusPreconditionRequired,
	cms.CodeRateLimited:          http.StatusTooManyRequests,
	cms.CodeUnavailable:          http.StatusServiceUnavailable,
	cms.CodeInternal:             http.StatusInternalServerError,

	// Accounts and signing.
	cms.CodePasswordChangeRequired: http.StatusForbidden,
	cms.CodeSelfModification:       http.StatusForbidden,
	cms.CodeRoleConflict:           http.StatusUnprocessableEntity,
	cms.CodeTokenInvalid:           http.StatusBadRequest,
}

// writeError answers with the problem document for err. An error that is not a *cms.Error
// (or is internal) becomes a bare 500 whose cause goes only to the log.
func (s *Server) writeError(c *gin.Context, err error) {
	var e *cms.Error
	if !errors.As(err, &e) {
		e = &cms.Error{Code: cms.CodeInternal, Message: "internal error", Err: err}
	}
	status, ok := statusByCode[e.Code]
	if !ok {
		status = http.StatusInternalServerError
	}
	detail := e.Message
	if status >= 500 {
		s.log.ErrorContext(c.Request.Context(), "request failed", "requestId", requestID(c), "code", e.Code, "error", err)
		if e.Code == cms.CodeInternal {
			detail = "internal error; the request id in X-Request-Id identifies it in the server log"
		}
	}
	if e.Code == cms.CodeRateLimited && e.RetryAfterSeconds > 0 {
		c.Header("Retry-After", strconv.Itoa(e.RetryAfterSeconds))
	}
	// An RFC 9457 problem document, with Monograph's stable `code`, the failing fields and
	// any extra members the error carries (e.g. currentVersion on a version conflict).
	body := make(map[string]any, len(e.Data)+6)
	for k, v := range e.Data {
		body[k] = v
	}
	body["type"] = "https://monograph.dev/problems/" + string(e.Code)
	body["title"] = http.StatusText(status)
	body["status"] = status
	body["code"] = e.Code
	if detail != "" {
		body["detail"] = detail
	}
	if len(e.Fields) > 0 {
		body["errors"] = e.Fields
	}
	writeJSON(c, status, "application/problem+json", body)
	c.Abort()
}

// writeJSON encodes v with the given content type.
func writeJSON(c *gin.Context, status int, contentType string, v any) {
	b, err := marshalJSON(v)
	if err != nil {
		c.Status(http.StatusInternalServerError)
		return
	}
	c.Data(status, contentType+"; charset=utf-8", b)
}
