package mongostore

import (
	"context"
	"errors"
	"strings"

	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/monograph-cms/monograph/internal/cms"
)

// translate maps driver errors to cms errors at the store boundary, so no other package
// ever inspects a driver error. FerretDB v1 reports a unique-index violation by an update
// as code 1 with "UNIQUE constraint" in the message rather than 11000: both are conflicts.
func translate(err error, what string) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, mongo.ErrNoDocuments):
		return &cms.Error{Code: cms.CodeNotFound, Message: what + " not found", Err: err}
	case isDuplicate(err):
		return &cms.Error{Code: cms.CodeConflict, Message: what + " already exists", Err: err}
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded), mongo.IsTimeout(err), mongo.IsNetworkError(err):
		return &cms.Error{Code: cms.CodeUnavailable, Message: "the store is not reachable", Err: err}
	default:
		return &cms.Error{Code: cms.CodeInternal, Message: "store error", Err: err}
	}
}

func isDuplicate(err error) bool {
	if mongo.IsDuplicateKeyError(err) {
		return true
	}
	var se mongo.ServerError
	if errors.As(err, &se) {
		return strings.Contains(se.Error(), "UNIQUE constraint")
	}
	return false
}
