package mongostore

import (
	"context"
	"fmt"
	"slices"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/monograph-cms/monograph/internal/auth"
	"github.com/monograph-cms/monograph/internal/cms"
)

var (
	_ auth.UserStore    = (*Store)(nil)
	_ auth.RefreshStore = (*Store)(nil)
)

// InsertUser stores a new user; cms.CodeConflict if the email is taken (unique index).
func (s *Store) InsertUser(ctx context.Context, u auth.User) error {
	_, err := s.coll(collUsers).InsertOne(ctx, u)
	return translate(err, "user")
}

// UserByEmail returns the user with this (normalised) email; cms.CodeNotFound otherwise.
func (s *Store) UserByEmail(ctx context.Context, email string) (auth.User, error) {
	var u auth.User
	err := s.coll(collUsers).FindOne(ctx, bson.D{{Key: "email", Value: email}}).Decode(&u)
	return u, translate(err, "user")
}

// UserByID returns the user with this id; cms.CodeNotFound otherwise.
func (s *Store) UserByID(ctx context.Context, id string) (auth.User, error) {
	var u auth.User
	err := s.coll(collUsers).FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&u)
	return u, translate(err, "user")
}

// ListUsers returns every user ordered by email.
func (s *Store) ListUsers(ctx context.Context) ([]auth.User, error) {
	cur, err := s.coll(collUsers).Find(ctx, bson.D{}, options.Find().SetSort(bson.D{{Key: "email", Value: 1}}))
	return all[auth.User](ctx, cur, err, "users")
}

// CountUsers returns how many users exist (the demo seeding runs only on an empty store).
func (s *Store) CountUsers(ctx context.Context) (int64, error) {
	n, err := s.coll(collUsers).CountDocuments(ctx, bson.D{})
	return n, translate(err, "users")
}

// UpdateUser replaces the name, credentials, roles, disabled flag and updatedAt of a user
// (never its email or password hash); cms.CodeNotFound if there is none.
func (s *Store) UpdateUser(ctx context.Context, u auth.User) error {
	res, err := s.coll(collUsers).UpdateOne(ctx, bson.D{{Key: "_id", Value: u.ID}}, bson.D{{Key: "$set", Value: bson.D{
		{Key: "name", Value: u.Name}, {Key: "credentials", Value: u.Credentials}, {Key: "roles", Value: u.Roles},
		{Key: "disabled", Value: u.Disabled}, {Key: "updatedAt", Value: u.UpdatedAt}, {Key: "languages", Value: u.Languages},
	}}})
	if err != nil {
		return translate(err, "user")
	}
	if res.MatchedCount == 0 {
		return cms.Errorf(cms.CodeNotFound, "user not found")
	}
	return nil
}

// SetPassword stores a new password and clears both one-time tokens, in one update; with
// p.Spend its filter also requires that token's hash and an expiry after p.At, so a token
// spends once.
func (s *Store) SetPassword(ctx context.Context, id string, p auth.PasswordUpdate) error {
	filter := bson.D{{Key: "_id", Value: id}}
	if p.Spend != nil {
		field := ""
		switch p.Spend.Kind {
		case auth.TokenEnrolment:
			field = "enrolment"
		case auth.TokenReset:
			field = "reset"
		default:
			return fmt.Errorf("mongostore: unknown token kind %q", p.Spend.Kind)
		}
		filter = append(filter,
			bson.E{Key: field + ".hash", Value: p.Spend.Hash},
			bson.E{Key: field + ".expiresAt", Value: bson.D{{Key: "$gt", Value: p.At}}})
	}
	res, err := s.coll(collUsers).UpdateOne(ctx, filter, bson.D{{Key: "$set", Value: bson.D{
		{Key: "passwordHash", Value: p.Hash}, {Key: "passwordChangeRequired", Value: p.ChangeRequired},
		{Key: "updatedAt", Value: p.At}, {Key: "enrolment", Value: nil}, {Key: "reset", Value: nil},
	}}})
	if err != nil {
		return translate(err, "user")
	}
	if res.MatchedCount > 0 {
		return nil
	}
	if p.Spend == nil {
		return cms.Errorf(cms.CodeNotFound, "user not found")
	}
	if err := s.coll(collUsers).FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Err(); err != nil {
		return translate(err, "user")
	}
	return cms.Errorf(cms.CodeConflict, "the token was spent, replaced or expired")
}

// SetResetToken replaces the user's reset token.
func (s *Store) SetResetToken(ctx context.Context, id string, t auth.AccountToken, at time.Time) error {
	res, err := s.coll(collUsers).UpdateOne(ctx, bson.D{{Key: "_id", Value: id}}, bson.D{{Key: "$set", Value: bson.D{
		{Key: "reset", Value: t}, {Key: "updatedAt", Value: at},
	}}})
	if err != nil {
		return translate(err, "user")
	}
	if res.MatchedCount == 0 {
		return cms.Errorf(cms.CodeNotFound, "user not found")
	}
	return nil
}

// InsertRefresh stores a refresh token record (`_id` is the token's hash).
func (s *Store) InsertRefresh(ctx context.Context, t auth.RefreshToken) error {
	_, err := s.coll(collRefresh).InsertOne(ctx, t)
	return translate(err, "refresh token")
}

// SpendRefresh marks the unspent, unrevoked token spent in one conditional update and
// returns it as it was. If nothing matched, the record is read: none is cms.CodeNotFound,
// one already spent or revoked is cms.CodeConflict, returned with the record so the caller
// can revoke the family of a reused token.
func (s *Store) SpendRefresh(ctx context.Context, hash string, now time.Time) (auth.RefreshToken, error) {
	var before auth.RefreshToken
	err := s.coll(collRefresh).FindOneAndUpdate(ctx,
		bson.D{{Key: "_id", Value: hash}, {Key: "spentAt", Value: nil}, {Key: "revokedAt", Value: nil}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "spentAt", Value: now}}}},
		options.FindOneAndUpdate().SetReturnDocument(options.Before)).Decode(&before)
	if err := translate(err, "refresh token"); !cms.IsCode(err, cms.CodeNotFound) {
		return before, err
	}
	if err := s.coll(collRefresh).FindOne(ctx, bson.D{{Key: "_id", Value: hash}}).Decode(&before); err != nil {
		return auth.RefreshToken{}, translate(err, "refresh token")
	}
	return before, cms.Errorf(cms.CodeConflict, "refresh token already used")
}

// RevokeFamily records the revoked session first (keyed by family id, so FamilyRevoked is
// one read by `_id` on every request, and the revocation sticks for a family without
// records), then sets revokedAt on the family's records: a record a concurrent rotation
// inserts is revoked through the session from that moment.
func (s *Store) RevokeFamily(ctx context.Context, familyID string, now time.Time) error {
	if err := s.recordRevokedSession(ctx, familyID, now); err != nil {
		return err
	}
	_, err := s.coll(collRefresh).UpdateMany(ctx, bson.D{{Key: "familyId", Value: familyID}, {Key: "revokedAt", Value: nil}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "revokedAt", Value: now}}}})
	return translate(err, "refresh tokens")
}

// recordRevokedSession stores the revocation of a family, keeping the first time.
func (s *Store) recordRevokedSession(ctx context.Context, familyID string, at time.Time) error {
	_, err := s.coll(collSessions).UpdateOne(ctx, bson.D{{Key: "_id", Value: familyID}},
		bson.D{{Key: "$setOnInsert", Value: bson.D{{Key: "revokedAt", Value: at}}}}, options.UpdateOne().SetUpsert(true))
	if isDuplicate(err) {
		return nil // a concurrent revocation inserted it first
	}
	return translate(err, "session")
}

// FamilyRevoked reports whether RevokeFamily was called for the family: one read by `_id`.
func (s *Store) FamilyRevoked(ctx context.Context, familyID string) (bool, error) {
	err := s.coll(collSessions).FindOne(ctx, bson.D{{Key: "_id", Value: familyID}}).Err()
	return found(translate(err, "session"))
}

// UserFamilies returns the user's open sessions: the distinct families of its unrevoked,
// unexpired records.
func (s *Store) UserFamilies(ctx context.Context, userID string, now time.Time) ([]string, error) {
	cur, err := s.coll(collRefresh).Find(ctx, bson.D{
		{Key: "userId", Value: userID}, {Key: "revokedAt", Value: nil}, {Key: "expiresAt", Value: bson.D{{Key: "$gt", Value: now}}},
	}, options.Find().SetProjection(bson.D{{Key: "familyId", Value: 1}}))
	records, err := all[auth.RefreshToken](ctx, cur, err, "refresh tokens")
	if err != nil {
		return nil, err
	}
	var out []string
	for _, r := range records {
		if !slices.Contains(out, r.FamilyID) {
			out = append(out, r.FamilyID)
		}
	}
	return out, nil
}

// DeleteExpiredRefresh deletes expired records, returning how many, and forgets revoked
// sessions whose records have all expired (TTL indexes are not used, so the job is the same
// on every server).
func (s *Store) DeleteExpiredRefresh(ctx context.Context, now time.Time) (int64, error) {
	res, err := s.coll(collRefresh).DeleteMany(ctx, bson.D{{Key: "expiresAt", Value: bson.D{{Key: "$lt", Value: now}}}})
	if err != nil {
		return 0, translate(err, "refresh tokens")
	}
	// A revoked session's records have all expired one refresh lifetime after revocation.
	cutoff := now.Add(-auth.DefaultRefreshTTL - 24*time.Hour)
	if _, err := s.coll(collSessions).DeleteMany(ctx, bson.D{{Key: "revokedAt", Value: bson.D{{Key: "$lt", Value: cutoff}}}}); err != nil {
		return res.DeletedCount, translate(err, "sessions")
	}
	return res.DeletedCount, nil
}
