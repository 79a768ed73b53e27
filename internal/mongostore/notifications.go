package mongostore

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/monograph-cms/monograph/internal/cms"
	"github.com/monograph-cms/monograph/internal/notify"
)

var _ notify.Store = (*Store)(nil)

// collNotifications holds notify.Notification documents; `_id` is a hash of (user, event),
// so inserting one twice is a duplicate key, which InsertNotifications ignores.
const collNotifications = "notifications"

// notifyCursorID is the meta document holding the notification job's log position.
const notifyCursorID = "notify_cursor"

// notificationIndexes serve a user's list (all and unread, newest first), the unread
// count, and the mail sender's due query (appended to indexes in indexes.go).
var notificationIndexes = []indexSpec{
	{collNotifications, "user_at_id", keys("userId", 1, "at", -1, "_id", -1), false},
	{collNotifications, "user_read_at_id", keys("userId", 1, "readAt", 1, "at", -1, "_id", -1), false},
	{collNotifications, "mail_state_next", keys("mail.state", 1, "mail.nextAt", 1), false},
	// EventNotifications: what one event notified.
	{collNotifications, "event", keys("eventId", 1), false},
}

// InsertNotifications stores the notifications not stored yet (unordered: one already
// there does not stop the others).
func (s *Store) InsertNotifications(ctx context.Context, ns []notify.Notification) error {
	if len(ns) == 0 {
		return nil
	}
	docs := make([]any, len(ns))
	for i, n := range ns {
		n.ReadAt = nil
		docs[i] = n
	}
	_, err := s.coll(collNotifications).InsertMany(ctx, docs, options.InsertMany().SetOrdered(false))
	if err == nil || onlyDuplicates(err) {
		return nil
	}
	return translate(err, "notification")
}

// Notifications returns one user's notifications, newest first.
func (s *Store) Notifications(ctx context.Context, f notify.Filter) ([]notify.Notification, error) {
	filter := bson.D{{Key: "userId", Value: f.UserID}}
	if f.Unread {
		filter = append(filter, bson.E{Key: "readAt", Value: nil})
	}
	if f.BeforeAt != nil {
		filter = append(filter, bson.E{Key: "$or", Value: bson.A{
			bson.D{{Key: "at", Value: bson.D{{Key: "$lt", Value: *f.BeforeAt}}}},
			bson.D{{Key: "at", Value: *f.BeforeAt}, {Key: "_id", Value: bson.D{{Key: "$lt", Value: f.BeforeID}}}},
		}})
	}
	opts := options.Find().SetSort(bson.D{{Key: "at", Value: -1}, {Key: "_id", Value: -1}})
	if f.Limit > 0 {
		opts.SetLimit(int64(f.Limit))
	}
	cur, err := s.coll(collNotifications).Find(ctx, filter, opts)
	return all[notify.Notification](ctx, cur, err, "notifications")
}

// UnreadNotifications counts a user's unread notifications.
func (s *Store) UnreadNotifications(ctx context.Context, userID string) (int, error) {
	n, err := s.coll(collNotifications).CountDocuments(ctx, bson.D{{Key: "userId", Value: userID}, {Key: "readAt", Value: nil}})
	return int(n), translate(err, "notifications")
}

// EventNotifications counts the notifications about one event.
func (s *Store) EventNotifications(ctx context.Context, eventID string) (int, error) {
	n, err := s.coll(collNotifications).CountDocuments(ctx, bson.D{{Key: "eventId", Value: eventID}})
	return int(n), translate(err, "notifications")
}

// MarkNotificationsRead marks the user's unread notifications read: those with these
// ids, or all of them when ids is nil.
func (s *Store) MarkNotificationsRead(ctx context.Context, userID string, ids []string, at time.Time) (int, error) {
	filter := bson.D{{Key: "userId", Value: userID}, {Key: "readAt", Value: nil}}
	if ids != nil {
		if len(ids) == 0 {
			return 0, nil
		}
		filter = append(filter, bson.E{Key: "_id", Value: bson.D{{Key: "$in", Value: ids}}})
	}
	res, err := s.coll(collNotifications).UpdateMany(ctx, filter, bson.D{{Key: "$set", Value: bson.D{{Key: "readAt", Value: at}}}})
	if err != nil {
		return 0, translate(err, "notifications")
	}
	return int(res.ModifiedCount), nil
}

// NotifyCursor returns the notification job's position in the verifiable log. The first
// read creates it at the log's size: a database that had events before notifications
// existed starts after them, so nobody is told about history.
func (s *Store) NotifyCursor(ctx context.Context) (int64, error) {
	var doc struct {
		At int64 `bson:"at"`
	}
	filter := bson.D{{Key: "_id", Value: notifyCursorID}}
	err := s.coll(collMeta).FindOne(ctx, filter).Decode(&doc)
	if !cms.IsCode(translate(err, "notification cursor"), cms.CodeNotFound) {
		return doc.At, translate(err, "notification cursor")
	}
	size, err := s.LogSize(ctx)
	if err != nil {
		return 0, err
	}
	// Another process may create it at the same moment: a duplicate is fine, read it back.
	_, err = s.coll(collMeta).UpdateOne(ctx, filter, bson.D{{Key: "$setOnInsert", Value: bson.D{{Key: "at", Value: size}}}}, options.UpdateOne().SetUpsert(true))
	if err != nil && !isDuplicate(err) {
		return 0, translate(err, "notification cursor")
	}
	err = s.coll(collMeta).FindOne(ctx, filter).Decode(&doc)
	return doc.At, translate(err, "notification cursor")
}

// AdvanceNotifyCursor moves the cursor with one conditional update, if it is still at from.
func (s *Store) AdvanceNotifyCursor(ctx context.Context, from, to int64) error {
	if _, err := s.NotifyCursor(ctx); err != nil { // creates it when it is not there yet
		return err
	}
	res, err := s.coll(collMeta).UpdateOne(ctx, bson.D{{Key: "_id", Value: notifyCursorID}, {Key: "at", Value: from}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "at", Value: to}}}})
	if err != nil {
		return translate(err, "notification cursor")
	}
	if res.MatchedCount == 0 {
		return cms.Errorf(cms.CodeVersionConflict, "the notification cursor moved")
	}
	return nil
}

// MailDue returns pending mails due at now, oldest first.
func (s *Store) MailDue(ctx context.Context, now time.Time, limit int) ([]notify.Notification, error) {
	cur, err := s.coll(collNotifications).Find(ctx,
		bson.D{{Key: "mail.state", Value: string(notify.MailPending)}, {Key: "mail.nextAt", Value: bson.D{{Key: "$lte", Value: now}}}},
		options.Find().SetSort(bson.D{{Key: "mail.nextAt", Value: 1}, {Key: "_id", Value: 1}}).SetLimit(int64(limit)))
	return all[notify.Notification](ctx, cur, err, "notifications")
}

// ClaimMail starts a try of a pending mail, with one conditional update on its state and
// attempt count.
func (s *Store) ClaimMail(ctx context.Context, id string, attempts int, until time.Time) (bool, error) {
	res, err := s.coll(collNotifications).UpdateOne(ctx,
		bson.D{{Key: "_id", Value: id}, {Key: "mail.state", Value: string(notify.MailPending)}, {Key: "mail.attempts", Value: attempts}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "mail.attempts", Value: attempts + 1}, {Key: "mail.nextAt", Value: until}}}})
	if err != nil {
		return false, translate(err, "notification")
	}
	return res.MatchedCount == 1, nil
}

// SetMail replaces a notification's mail status.
func (s *Store) SetMail(ctx context.Context, id string, m notify.Mail) error {
	res, err := s.coll(collNotifications).UpdateOne(ctx, bson.D{{Key: "_id", Value: id}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "mail", Value: m}}}})
	if err != nil {
		return translate(err, "notification")
	}
	if res.MatchedCount == 0 {
		return cms.Errorf(cms.CodeNotFound, "notification not found")
	}
	return nil
}
