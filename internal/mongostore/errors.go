package mongostore

import (
	"context"
	"errors"

	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/x/mongo/driver/topology"

	"github.com/monograph-cms/monograph/internal/cms"
)

// translate maps driver errors to cms errors at the store boundary, so no other package
// ever inspects a driver error: no document → CodeNotFound, a unique index violated →
// CodeConflict, the server not answering (in time) → CodeUnavailable, anything else →
// CodeInternal. A *cms.Error passes unchanged. The driver error stays the cause (Unwrap),
// which is also how a transaction's retry labels still reach WithTransaction.
func translate(err error, what string) error {
	var ce *cms.Error
	switch {
	case err == nil:
		return nil
	case errors.As(err, &ce):
		return err
	case errors.Is(err, mongo.ErrNoDocuments):
		return &cms.Error{Code: cms.CodeNotFound, Message: what + " not found", Err: err}
	case isDuplicate(err):
		return &cms.Error{Code: cms.CodeConflict, Message: what + " already exists", Err: err}
	case unavailable(err):
		return &cms.Error{Code: cms.CodeUnavailable, Message: "the store is not reachable", Err: err}
	default:
		return &cms.Error{Code: cms.CodeInternal, Message: "store error", Err: err}
	}
}

// isDuplicate reports whether err is a unique-index violation (for a bulk write: at least
// one of its errors is).
func isDuplicate(err error) bool { return mongo.IsDuplicateKeyError(err) }

// onlyDuplicates reports whether every error of a write is a duplicate key: for an
// idempotent copy (an event or outbox entry copied before), that means everything is there.
func onlyDuplicates(err error) bool {
	var bwe mongo.BulkWriteException
	if errors.As(err, &bwe) {
		if bwe.WriteConcernError != nil || len(bwe.WriteErrors) == 0 {
			return false
		}
		for _, we := range bwe.WriteErrors {
			if !isDuplicate(we.WriteError) {
				return false
			}
		}
		return true
	}
	var we mongo.WriteException
	if errors.As(err, &we) {
		if we.WriteConcernError != nil || len(we.WriteErrors) == 0 {
			return false
		}
		for _, e := range we.WriteErrors {
			if !isDuplicate(e) {
				return false
			}
		}
		return true
	}
	return isDuplicate(err)
}

// unavailable reports whether err means the server did not answer, or not in time.
func unavailable(err error) bool {
	var sse topology.ServerSelectionError
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) ||
		errors.Is(err, mongo.ErrClientDisconnected) || errors.As(err, &sse) ||
		mongo.IsTimeout(err) || mongo.IsNetworkError(err)
}

// versionConflict is the answer to a change of a page that moved on since it was read.
func versionConflict(err error) error {
	return &cms.Error{Code: cms.CodeVersionConflict, Message: "the page was changed since you loaded it", Err: err}
}
