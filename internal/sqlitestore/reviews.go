package sqlitestore

import (
	"context"
	"database/sql"
	"encoding/json"

	"github.com/monograph-cms/monograph/internal/cms"
	"github.com/monograph-cms/monograph/internal/reviews"
)

var _ reviews.Store = (*Store)(nil)

const reviewColumns = `id, slug, name, rating, body, state, client_hash, created_at, moderated_at, moderated_by, reason`

func scanReview(sc interface{ Scan(...any) error }) (reviews.Review, error) {
	var r reviews.Review
	var created int64
	var moderated sql.NullInt64
	var by sql.NullString
	if err := sc.Scan(&r.ID, &r.Slug, &r.Name, &r.Rating, &r.Body, &r.State, &r.ClientHash, &created, &moderated, &by, &r.Reason); err != nil {
		return r, translate(err, "review")
	}
	r.CreatedAt, r.ModeratedAt = fromMS(created), fromMSPtr(moderated)
	if by.Valid {
		r.ModeratedBy = new(reviews.Moderator)
		return r, decode([]byte(by.String), r.ModeratedBy)
	}
	return r, nil
}

func moderatorJSON(m *reviews.Moderator) (any, error) {
	if m == nil {
		return nil, nil
	}
	b, err := json.Marshal(m)
	return string(b), err
}

// InsertReview stores a new reader review.
func (s *Store) InsertReview(ctx context.Context, r reviews.Review) error {
	by, err := moderatorJSON(r.ModeratedBy)
	if err != nil {
		return err
	}
	return s.write(ctx, func(tx *sql.Tx) error {
		_, err := s.exec(ctx, tx, `INSERT INTO reader_reviews (`+reviewColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			r.ID, r.Slug, r.Name, r.Rating, r.Body, string(r.State), r.ClientHash, ms(r.CreatedAt), msPtr(r.ModeratedAt), by, r.Reason)
		return translate(err, "review")
	})
}

// Review reads one reader review.
func (s *Store) Review(ctx context.Context, id string) (reviews.Review, error) {
	return scanReview(s.row(ctx, `SELECT `+reviewColumns+` FROM reader_reviews WHERE id = ?`, id))
}

// Reviews returns reader reviews matching f, newest first.
func (s *Store) Reviews(ctx context.Context, f reviews.Filter) ([]reviews.Review, error) {
	q := `SELECT ` + reviewColumns + ` FROM reader_reviews WHERE 1 = 1`
	var args []any
	if f.State != "" {
		q, args = q+` AND state = ?`, append(args, string(f.State))
	}
	if f.Slug != "" {
		q, args = q+` AND slug = ?`, append(args, f.Slug)
	}
	if f.After != nil {
		t := ms(f.After.At)
		q, args = q+` AND (created_at < ? OR (created_at = ? AND id < ?))`, append(args, t, t, f.After.ID)
	}
	q += ` ORDER BY created_at DESC, id DESC`
	if f.Limit > 0 {
		q, args = q+` LIMIT ?`, append(args, f.Limit)
	}
	rows, err := s.query(ctx, q, args...)
	if err != nil {
		return nil, translate(err, "reviews")
	}
	defer rows.Close()
	out := []reviews.Review{}
	for rows.Next() {
		r, err := scanReview(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, translate(rows.Err(), "reviews")
}

// ModerateReview stores a moderation decision if the review is still in state from.
func (s *Store) ModerateReview(ctx context.Context, r reviews.Review, from reviews.State) error {
	by, err := moderatorJSON(r.ModeratedBy)
	if err != nil {
		return err
	}
	return s.write(ctx, func(tx *sql.Tx) error {
		res, err := s.exec(ctx, tx, `UPDATE reader_reviews SET state = ?, moderated_at = ?, moderated_by = ?, reason = ?
			WHERE id = ? AND state = ?`, string(r.State), msPtr(r.ModeratedAt), by, r.Reason, r.ID, string(from))
		if err != nil {
			return translate(err, "review")
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return cms.Errorf(cms.CodeConflict, "the review was moderated by someone else meanwhile; reload it")
		}
		return nil
	})
}

// ApprovedRatings returns slug and rating of every approved review.
func (s *Store) ApprovedRatings(ctx context.Context) ([]reviews.SlugRating, error) {
	rows, err := s.query(ctx, `SELECT slug, rating FROM reader_reviews WHERE state = ?`, string(reviews.StateApproved))
	if err != nil {
		return nil, translate(err, "reviews")
	}
	defer rows.Close()
	out := []reviews.SlugRating{}
	for rows.Next() {
		var r reviews.SlugRating
		if err := rows.Scan(&r.Slug, &r.Rating); err != nil {
			return nil, translate(err, "reviews")
		}
		out = append(out, r)
	}
	return out, translate(rows.Err(), "reviews")
}

// SlugLive reports whether the page with this slug is live.
func (s *Store) SlugLive(ctx context.Context, slug string) (bool, error) {
	var n int
	err := s.row(ctx, `SELECT count(*) FROM live WHERE slug = ? AND live IS NOT NULL`, slug).Scan(&n)
	return n > 0, translate(err, "page")
}
