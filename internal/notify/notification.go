// Package notify passes work between people: it derives in-app notifications (and, when
// SMTP is configured, e-mails) from the audit events, and computes each user's work
// queues from the pages. It never touches a page's commit: a background job tails the
// verifiable log (every audit event has a leaf index there, in order) from a cursor kept
// in the store, and writes one notification per recipient and event, idempotently, so a
// restart or a second process running the same job creates nothing twice.
//
// It knows nothing of HTTP, SMTP or a database: the store is the Store below, mail goes
// through the Mailer interface (internal/mail implements it).
package notify

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"time"
)

// Kind is what a notification is about.
type Kind string

// The kinds of notification.
const (
	KindChangesRequested    Kind = "changes_requested"    // to the page's writers
	KindReviewRequested     Kind = "review_requested"     // a page awaits review: to reviewers
	KindApproved            Kind = "approved"             // to editors and the submitter
	KindPublished           Kind = "published"            // to the authors
	KindReviewDue           Kind = "review_due"           // periodic review: to reviewers
	KindTranslationOutdated Kind = "translation_outdated" // to the translation's writers
)

// Kinds lists every kind.
var Kinds = []Kind{KindChangesRequested, KindReviewRequested, KindApproved, KindPublished, KindReviewDue, KindTranslationOutdated}

// MailState is where a notification's e-mail is: none was due (SMTP off), pending
// (waiting or being retried), sent (the SMTP server accepted it) or failed (gave up).
type MailState string

// The mail states.
const (
	MailNone    MailState = ""
	MailPending MailState = "pending"
	MailSent    MailState = "sent"
	MailFailed  MailState = "failed"
)

// Mail is a notification's e-mail status. Attempts counts claims (tries started);
// NextAt is when the next try may start while pending.
type Mail struct {
	State    MailState  `bson:"state" json:"state"`
	Attempts int        `bson:"attempts" json:"attempts"`
	NextAt   *time.Time `bson:"nextAt" json:"nextAt"`
	Error    string     `bson:"error" json:"error"`
	SentAt   *time.Time `bson:"sentAt" json:"sentAt"`
}

// Notification is one message to one user about one audit event.
type Notification struct {
	// ID is derived from (UserID, EventID) (NotificationID), so writing it twice is a no-op.
	ID      string `bson:"_id" json:"id"`
	UserID  string `bson:"userId" json:"userId"`
	EventID string `bson:"eventId" json:"eventId"` // the audit event's "<pageId>/<seq>"
	// LogIndex is the event's leaf in the verifiable log.
	LogIndex  int64      `bson:"logIndex" json:"logIndex"`
	Kind      Kind       `bson:"kind" json:"kind"`
	PageID    string     `bson:"pageId" json:"pageId"`
	Slug      string     `bson:"slug" json:"slug"`
	Title     string     `bson:"title" json:"title"`
	Revision  int        `bson:"revision" json:"revision"`
	ActorName string     `bson:"actorName" json:"actorName"`
	Comment   string     `bson:"comment" json:"comment"`
	At        time.Time  `bson:"at" json:"at"`
	ReadAt    *time.Time `bson:"readAt" json:"readAt"`
	Mail      Mail       `bson:"mail" json:"mail"`
}

// NotificationID is the id of the notification of userID about eventID: a hash, so it is
// the same however many times (or processes) derive it.
func NotificationID(userID, eventID string) string {
	h := sha256.Sum256([]byte(userID + "\n" + eventID))
	return hex.EncodeToString(h[:16])
}

// ValidID reports whether s has the shape of a notification id.
func ValidID(s string) bool {
	if len(s) != 32 {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil
}

// Filter selects one user's notifications, newest first by (At, ID).
type Filter struct {
	UserID string
	Unread bool
	Limit  int
	// Before is the cursor: notifications strictly older than (BeforeAt, BeforeID).
	BeforeAt *time.Time
	BeforeID string
}

// Store keeps notifications and the job's cursor. Implemented by internal/sqlitestore and
// internal/mongostore; internal/storetest holds the contract both pass.
type Store interface {
	// InsertNotifications stores ns, skipping each one whose ID is stored already (so the
	// stored one, with its read and mail state, is kept).
	InsertNotifications(ctx context.Context, ns []Notification) error
	// Notifications returns up to f.Limit (all when 0) of f.UserID's notifications,
	// newest first, only unread ones with f.Unread.
	Notifications(ctx context.Context, f Filter) ([]Notification, error)
	// UnreadNotifications counts the user's unread notifications.
	UnreadNotifications(ctx context.Context, userID string) (int, error)
	// EventNotifications counts the notifications stored about the audit event eventID
	// (every user's): what the event really notified, for the admin's "the writer will see".
	EventNotifications(ctx context.Context, eventID string) (int, error)
	// MarkNotificationsRead sets ReadAt = at on the user's unread notifications with these
	// ids (all of them when ids is nil), and returns how many it changed. Ids of other
	// users' notifications are ignored.
	MarkNotificationsRead(ctx context.Context, userID string, ids []string, at time.Time) (int, error)
	// NotifyCursor returns how many leaves of the verifiable log the job has handled. A
	// store that had events before it had notifications starts at the end of them (nobody
	// is told about history); an empty store starts at 0.
	NotifyCursor(ctx context.Context) (int64, error)
	// AdvanceNotifyCursor moves the cursor from `from` to `to`, only if it is still at
	// `from`; cms.CodeVersionConflict otherwise (another process moved it).
	AdvanceNotifyCursor(ctx context.Context, from, to int64) error
	// MailDue returns up to limit notifications whose mail is pending with NextAt at or
	// before now, oldest NextAt first.
	MailDue(ctx context.Context, now time.Time, limit int) ([]Notification, error)
	// ClaimMail starts try number attempts+1 of a pending mail: only if it is still pending
	// with that many attempts, it sets Attempts+1 and NextAt = until (when an unfinished try
	// may be retried) and returns true; false when someone else claimed it.
	ClaimMail(ctx context.Context, id string, attempts int, until time.Time) (bool, error)
	// SetMail replaces the mail status of notification id.
	SetMail(ctx context.Context, id string, m Mail) error
}
