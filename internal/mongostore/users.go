package mongostore

import (
	"context"
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

// InsertUser stores a new user; cms.CodeConflict if the email is taken.
func (s *Store) InsertUser(ctx context.Context, u auth.User) error {
	return s.write(func() error {
		_, err := s.coll(collUsers).InsertOne(ctx, u)
		return translate(err, "user")
	})
}

// UserByEmail returns the user with this (normalised) email; cms.CodeNotFound otherwise.
func (s *Store) UserByEmail(ctx context.Context, email string) (auth.User, error) {
	var u auth.User
	err := s.coll(collUsers).FindOne(ctx, bson.M{"email": email}).Decode(&u)
	return u, translate(err, "user")
}

// UserByID returns the user with this id; cms.CodeNotFound otherwise.
func (s *Store) UserByID(ctx context.Context, id string) (auth.User, error) {
	var u auth.User
	err := s.coll(collUsers).FindOne(ctx, bson.M{"_id": id}).Decode(&u)
	return u, translate(err, "user")
}

// ListUsers returns every user ordered by email.
func (s *Store) ListUsers(ctx context.Context) ([]auth.User, error) {
	cur, err := s.coll(collUsers).Find(ctx, bson.M{}, options.Find().SetSort(bson.D{{Key: "email", Value: 1}}))
	if err != nil {
		return nil, translate(err, "users")
	}
	users := []auth.User{}
	if err := cur.All(ctx, &users); err != nil {
		return nil, translate(err, "users")
	}
	return users, nil
}

// CountUsers returns how many users exist (the demo seeding runs only on an empty store).
func (s *Store) CountUsers(ctx context.Context) (int64, error) {
	n, err := s.coll(collUsers).CountDocuments(ctx, bson.M{})
	return n, translate(err, "users")
}

// UpdateUser replaces the mutable fields of a user; cms.CodeNotFound if there is none.
func (s *Store) UpdateUser(ctx context.Context, u auth.User) error {
	return s.write(func() error {
		res, err := s.coll(collUsers).UpdateOne(ctx, bson.M{"_id": u.ID}, bson.M{"$set": bson.M{
			"name": u.Name, "credentials": u.Credentials, "roles": u.Roles,
			"disabled": u.Disabled, "updatedAt": u.UpdatedAt,
		}})
		if err != nil {
			return translate(err, "user")
		}
		if res.MatchedCount == 0 {
			return cms.Errorf(cms.CodeNotFound, "user not found")
		}
		return nil
	})
}

// InsertRefresh stores a refresh token record.
func (s *Store) InsertRefresh(ctx context.Context, t auth.RefreshToken) error {
	return s.write(func() error {
		_, err := s.coll(collRefresh).InsertOne(ctx, t)
		return translate(err, "refresh token")
	})
}

// SpendRefresh marks the unspent, unrevoked token spent in one conditional update and
// returns it as it was; cms.CodeConflict (with the record) if it was spent or revoked.
func (s *Store) SpendRefresh(ctx context.Context, hash string, now time.Time) (auth.RefreshToken, error) {
	var before auth.RefreshToken
	err := s.write(func() error {
		if s.serialised() {
			// By _id only (FerretDB's index), then check: atomic under the write lock.
			if err := s.coll(collRefresh).FindOne(ctx, bson.M{"_id": hash}).Decode(&before); err != nil {
				return translate(err, "refresh token")
			}
			if before.SpentAt != nil || before.RevokedAt != nil {
				return cms.Errorf(cms.CodeConflict, "refresh token already used")
			}
			_, err := s.coll(collRefresh).UpdateOne(ctx, bson.M{"_id": hash}, bson.M{"$set": bson.M{"spentAt": now}})
			return translate(err, "refresh token")
		}
		err := s.coll(collRefresh).FindOneAndUpdate(ctx,
			bson.M{"_id": hash, "spentAt": nil, "revokedAt": nil},
			bson.M{"$set": bson.M{"spentAt": now}},
			options.FindOneAndUpdate().SetReturnDocument(options.Before),
		).Decode(&before)
		if err == nil {
			return nil
		}
		if err := translate(err, "refresh token"); !cms.IsCode(err, cms.CodeNotFound) {
			return err
		}
		// Not spendable: unknown, or already spent or revoked (reuse).
		if err := s.coll(collRefresh).FindOne(ctx, bson.M{"_id": hash}).Decode(&before); err != nil {
			return translate(err, "refresh token")
		}
		return cms.Errorf(cms.CodeConflict, "refresh token already used")
	})
	return before, err
}

// RevokeFamily revokes every record of the family, and records the revocation in the
// sessions collection, keyed by family id, so checking it on every request is a read by _id.
func (s *Store) RevokeFamily(ctx context.Context, familyID string, now time.Time) error {
	return s.write(func() error {
		_, err := s.coll(collSessions).UpdateOne(ctx, bson.M{"_id": familyID},
			bson.M{"$setOnInsert": bson.M{"revokedAt": now}}, options.UpdateOne().SetUpsert(true))
		if err != nil {
			return translate(err, "session")
		}
		_, err = s.coll(collRefresh).UpdateMany(ctx, bson.M{"familyId": familyID, "revokedAt": nil},
			bson.M{"$set": bson.M{"revokedAt": now}})
		return translate(err, "refresh tokens")
	})
}

// FamilyRevoked reports whether the family (session) was revoked. It runs on every
// authenticated request: one read by _id.
func (s *Store) FamilyRevoked(ctx context.Context, familyID string) (bool, error) {
	err := s.coll(collSessions).FindOne(ctx, bson.M{"_id": familyID}).Err()
	switch err := translate(err, "session"); {
	case err == nil:
		return true, nil
	case cms.IsCode(err, cms.CodeNotFound):
		return false, nil
	default:
		return false, err
	}
}

// DeleteExpiredRefresh deletes expired records (TTL indexes do not exist on FerretDB v1).
func (s *Store) DeleteExpiredRefresh(ctx context.Context, now time.Time) (int64, error) {
	var n int64
	err := s.write(func() error {
		res, err := s.coll(collRefresh).DeleteMany(ctx, bson.M{"expiresAt": bson.M{"$lt": now}})
		if err != nil {
			return translate(err, "refresh tokens")
		}
		// A revoked session's tokens have all expired one refresh lifetime after revocation.
		cutoff := now.Add(-auth.DefaultRefreshTTL - 24*time.Hour)
		if _, err := s.coll(collSessions).DeleteMany(ctx, bson.M{"revokedAt": bson.M{"$lt": cutoff}}); err != nil {
			return translate(err, "sessions")
		}
		n = res.DeletedCount
		return nil
	})
	return n, err
}
