package auth

import "context"

// orNone returns list, or an empty list for nil, so an audit event records [] rather than
// null for a user without languages.
func orNone(list []string) []string {
	if list == nil {
		return []string{}
	}
	return list
}

// Languages returns the languages a user signs in (the translations' language rule).
func (s *Service) Languages(ctx context.Context, userID string) ([]string, error) {
	u, err := s.GetUser(ctx, userID)
	if err != nil {
		return nil, err
	}
	return u.Languages, nil
}
