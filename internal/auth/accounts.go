package auth

import (
	"context"
	"fmt"
	"slices"

	"github.com/monograph-cms/monograph/internal/cms"
)

// Created is the answer to creating a user: the user JSON and, for a user created without
// a password, "enrolment":{"token","expiresAt"}, shown this once.
type Created struct {
	User
	Enrolment *IssuedToken `json:"enrolment,omitempty"`
}

// CreateUserBy is an admin creating a user. Without a password the user gets an enrolment
// token (EnrolmentTTL) with which its owner sets their own; with one, that password is the
// admin's choice, so it is temporary: the account signs in but cannot sign until its owner
// changes it. Invalid fields are cms.CodeInvalid (all at once), admin together with reviewer
// is cms.CodeRoleConflict, an email in use cms.CodeConflict.
func (s *Service) CreateUserBy(ctx context.Context, actor cms.Principal, in NewUser) (Created, error) {
	return s.createUser(ctx, actor, in, true)
}

// CreateUser creates a user on the command line (and for the demo data): a password is
// required, and it is temporary unless in.OwnPassword says its owner chose it.
func (s *Service) CreateUser(ctx context.Context, in NewUser) (User, error) {
	c, err := s.createUser(ctx, operator, in, false)
	return c.User, err
}

func (s *Service) createUser(ctx context.Context, actor cms.Principal, in NewUser, enrolment bool) (Created, error) {
	in, err := validateNewUser(in, enrolment)
	if err != nil {
		return Created{}, err
	}
	langs, err := s.cfg.Locales.Languages("languages", in.Languages)
	if err != nil {
		return Created{}, err
	}
	now := s.clock.Now()
	u := User{
		ID:          s.newID(),
		Email:       in.Email,
		Name:        in.Name,
		Roles:       in.Roles,
		Credentials: in.Credentials,
		Languages:   langs,
		CreatedAt:   now,
		UpdatedAt:   now,
	}
	var out Created
	origin := "own"
	if in.Password == "" {
		issued, stored := newAccountToken(u.ID, now.Add(EnrolmentTTL))
		u.Enrolment, out.Enrolment = &stored, &issued
		u.PasswordChangeRequired, origin = true, "enrolment"
	} else {
		if u.PasswordHash, err = s.hasher.HashPassword(in.Password); err != nil {
			return Created{}, err
		}
		if !in.OwnPassword {
			u.PasswordChangeRequired, origin = true, "temporary"
		}
	}
	if err := s.users.InsertUser(ctx, u); err != nil {
		if cms.IsCode(err, cms.CodeConflict) {
			return Created{}, &cms.Error{
				Code:    cms.CodeConflict,
				Message: "a user with this email already exists",
				Fields:  []cms.FieldError{{Field: "email", Message: "already in use"}},
				Err:     err,
			}
		}
		return Created{}, fmt.Errorf("auth: create user: %w", err)
	}
	s.log.Info("user created", "user", u.ID, "email", u.Email, "roles", u.Roles, "password", origin)
	s.record(ctx, actor, EventUserCreated, u, map[string]any{
		"roles": u.Roles, "credentials": u.Credentials, "passwordOrigin": origin,
	})
	out.User = u
	return out, nil
}

// UpdateUser applies patch, by actor, to the user with this id and returns the result.
// Invalid fields are cms.CodeInvalid (all at once); an unknown id is cms.CodeNotFound.
// Nobody changes their own roles or disabled flag (cms.CodeSelfModification): an admin who
// could would give itself the reviewer role and sign alone. No account holds admin and
// reviewer (cms.CodeRoleConflict). Removing the admin role from, or disabling, the last
// enabled admin is cms.CodeConflict, so the system cannot be locked out of user
// administration by accident. That check reads all users and is not atomic with the write:
// two admins demoting each other at the same instant could both succeed; `monograph users
// add` recovers from that.
func (s *Service) UpdateUser(ctx context.Context, actor cms.Principal, id string, patch UserPatch) (User, error) {
	u, err := s.GetUser(ctx, id)
	if err != nil {
		return User{}, err
	}
	updated, err := applyPatch(u, patch)
	if err != nil {
		return User{}, err
	}
	if patch.Languages != nil {
		if updated.Languages, err = s.cfg.Locales.Languages("languages", *patch.Languages); err != nil {
			return User{}, err
		}
	}
	before, _ := normalizeRoles(u.Roles, nil)
	rolesChanged := !slices.Equal(before, updated.Roles)
	if actor.UserID == u.ID {
		var fields []cms.FieldError
		if rolesChanged {
			fields = append(fields, cms.FieldError{Field: "roles", Message: "you cannot change your own roles"})
		}
		if updated.Disabled != u.Disabled {
			fields = append(fields, cms.FieldError{Field: "disabled", Message: "you cannot disable or enable your own account"})
		}
		if len(fields) > 0 {
			return User{}, &cms.Error{Code: cms.CodeSelfModification,
				Message: "another admin must change your own roles or disabled flag", Fields: fields}
		}
	}
	if patch.Roles != nil {
		if err := checkRoleConflict(updated.Roles); err != nil {
			return User{}, err
		}
	}
	if isActiveAdmin(u) && !isActiveAdmin(updated) {
		users, err := s.ListUsers(ctx)
		if err != nil {
			return User{}, err
		}
		if !slices.ContainsFunc(users, func(o User) bool { return o.ID != u.ID && isActiveAdmin(o) }) {
			return User{}, cms.Errorf(cms.CodeConflict, "this is the last enabled admin; make another user admin first")
		}
	}
	updated.UpdatedAt = s.clock.Now()
	if err := s.users.UpdateUser(ctx, updated); err != nil {
		if cms.IsCode(err, cms.CodeNotFound) {
			return User{}, &cms.Error{Code: cms.CodeNotFound, Message: "user not found", Err: err}
		}
		return User{}, fmt.Errorf("auth: update user: %w", err)
	}
	s.log.Info("user updated", "user", u.ID, "roles", updated.Roles, "disabled", updated.Disabled)
	s.recordUpdate(ctx, actor, u, updated, rolesChanged)
	return updated, nil
}

// recordUpdate records what an update changed, one event per kind of change.
func (s *Service) recordUpdate(ctx context.Context, actor cms.Principal, before, after User, rolesChanged bool) {
	if rolesChanged {
		s.record(ctx, actor, EventRolesChanged, after, map[string]any{"from": before.Roles, "to": after.Roles})
	}
	switch {
	case after.Disabled && !before.Disabled:
		s.record(ctx, actor, EventUserDisabled, after, nil)
	case !after.Disabled && before.Disabled:
		s.record(ctx, actor, EventUserEnabled, after, nil)
	}
	profile := map[string]any{}
	if before.Name != after.Name {
		profile["name"] = map[string]string{"from": before.Name, "to": after.Name}
	}
	if before.Credentials != after.Credentials {
		profile["credentials"] = map[string]string{"from": before.Credentials, "to": after.Credentials}
	}
	if !slices.Equal(before.Languages, after.Languages) {
		profile["languages"] = map[string]any{"from": orNone(before.Languages), "to": orNone(after.Languages)}
	}
	if len(profile) > 0 {
		s.record(ctx, actor, EventProfileChanged, after, profile)
	}
}

func isActiveAdmin(u User) bool { return !u.Disabled && slices.Contains(u.Roles, cms.RoleAdmin) }

// IssueReset is an admin asking for a password reset token for another user (ResetTTL,
// single use; it voids any earlier one). The admin hands it to the person, who sets a
// password of their own with ResetPassword. An admin's own password is changed with
// ChangePassword, which asks for the current one: resetting it here would let a stolen
// session take the account over (cms.CodeSelfModification).
func (s *Service) IssueReset(ctx context.Context, actor cms.Principal, id string) (IssuedToken, error) {
	u, err := s.GetUser(ctx, id)
	if err != nil {
		return IssuedToken{}, err
	}
	if actor.UserID == u.ID {
		return IssuedToken{}, cms.Errorf(cms.CodeSelfModification, "change your own password with your current one (POST /api/v1/auth/password)")
	}
	now := s.clock.Now()
	issued, stored := newAccountToken(u.ID, now.Add(ResetTTL))
	if err := s.users.SetResetToken(ctx, u.ID, stored, now); err != nil {
		if cms.IsCode(err, cms.CodeNotFound) {
			return IssuedToken{}, &cms.Error{Code: cms.CodeNotFound, Message: "user not found", Err: err}
		}
		return IssuedToken{}, fmt.Errorf("auth: store reset token: %w", err)
	}
	s.log.Info("password reset issued", "user", u.ID, "by", actor.UserID)
	s.record(ctx, actor, EventPasswordResetIssued, u, map[string]any{"expiresAt": issued.ExpiresAt})
	return issued, nil
}
