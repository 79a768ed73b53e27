package auth

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/monograph-cms/monograph/internal/cms"
)

// Field limits for users.
const (
	MaxEmailBytes       = 254 // RFC 5321 path limit
	MaxNameRunes        = 200
	MaxCredentialsRunes = 100
)

// User is a management user. Its JSON form is the user JSON,
// {"id","email","name","roles","credentials","languages","disabled","passwordChangeRequired","createdAt"}:
// the password hash, the token hashes and the update time never leave the server.
type User struct {
	ID          string     `bson:"_id" json:"id"`
	Email       string     `bson:"email" json:"email"` // lower case; unique
	Name        string     `bson:"name" json:"name"`
	Roles       []cms.Role `bson:"roles" json:"roles"`
	Credentials string     `bson:"credentials" json:"credentials"` // e.g. "PharmD", shown with signatures
	// Languages are the configured locales the user signs in (internal/locale): only a
	// reviewer whose languages include a translation's locale may approve it.
	Languages    []string `bson:"languages" json:"languages"`
	Disabled     bool     `bson:"disabled" json:"disabled"`
	PasswordHash string   `bson:"passwordHash" json:"-"` // argon2id PHC string; "" until enrolment
	// PasswordChangeRequired is set while the account has no password its owner chose (one
	// an admin or operator set, or none yet): it signs in, it does not sign.
	PasswordChangeRequired bool `bson:"passwordChangeRequired" json:"passwordChangeRequired"`
	// Enrolment and Reset are the outstanding one-time tokens (hashes only), or nil.
	Enrolment *AccountToken `bson:"enrolment" json:"-"`
	Reset     *AccountToken `bson:"reset" json:"-"`
	CreatedAt time.Time     `bson:"createdAt" json:"createdAt"`
	UpdatedAt time.Time     `bson:"updatedAt" json:"-"`
}

// Principal returns the user as the authenticated caller of a request.
func (u User) Principal() cms.Principal {
	return cms.Principal{
		UserID:      u.ID,
		Email:       u.Email,
		Name:        u.Name,
		Credentials: u.Credentials,
		Roles:       slices.Clone(u.Roles),
	}
}

// NewUser is the input for creating a user.
type NewUser struct {
	Email string `json:"email"`
	Name  string `json:"name"`
	// Password may be empty when an admin creates the user: the answer then carries an
	// enrolment token with which its owner sets their own.
	Password    string     `json:"password"`
	Roles       []cms.Role `json:"roles"`
	Credentials string     `json:"credentials"`
	Languages   []string   `json:"languages"`
	// OwnPassword says that Password was chosen by the person the account is for (the
	// command line's --own, the demo accounts), so it is not temporary. It is never read
	// from a request body: over HTTP the password is always the admin's choice.
	OwnPassword bool `json:"-"`
}

// UserPatch changes some fields of a user; nil fields are left alone.
type UserPatch struct {
	Roles       *[]cms.Role `json:"roles,omitempty"`
	Disabled    *bool       `json:"disabled,omitempty"`
	Name        *string     `json:"name,omitempty"`
	Credentials *string     `json:"credentials,omitempty"`
	Languages   *[]string   `json:"languages,omitempty"`
}

// NormalizeEmail returns email as stored and looked up: trimmed and in lower case. Treating
// the local part case-insensitively is what every mail provider users meet does, and it stops
// "Ann@x.org" and "ann@x.org" from becoming two accounts.
func NormalizeEmail(email string) string {
	return strings.ToLower(strings.TrimSpace(email))
}

// checkEmail returns why a normalised email is unacceptable, or "". The check is
// deliberately simple: one "@", a plausible local part and a dotted domain; deliverability is
// not its business.
func checkEmail(email string) string {
	if email == "" {
		return "required"
	}
	if len(email) > MaxEmailBytes {
		return fmt.Sprintf("must be at most %d bytes", MaxEmailBytes)
	}
	if !utf8.ValidString(email) {
		return "must be valid UTF-8"
	}
	local, domain, ok := strings.Cut(email, "@")
	if !ok || strings.Contains(domain, "@") {
		return "must contain exactly one @"
	}
	if local == "" || len(local) > 64 {
		return "must have 1 to 64 bytes before the @"
	}
	for _, r := range local {
		if unicode.IsSpace(r) || unicode.IsControl(r) || strings.ContainsRune(`"(),:;<>[\]`, r) {
			return "contains a character not allowed in an email address"
		}
	}
	if strings.HasPrefix(local, ".") || strings.HasSuffix(local, ".") || strings.Contains(local, "..") {
		return "must not have a leading, trailing or double dot before the @"
	}
	labels := strings.Split(domain, ".")
	if len(labels) < 2 {
		return "must have a domain with a dot, such as example.org"
	}
	for _, l := range labels {
		if l == "" || len(l) > 63 || strings.HasPrefix(l, "-") || strings.HasSuffix(l, "-") {
			return "must have a valid domain"
		}
		for _, r := range l {
			if r != '-' && !unicode.IsLetter(r) && !unicode.IsDigit(r) {
				return "must have a valid domain"
			}
		}
	}
	return ""
}

// checkText returns why a trimmed free-text field is unacceptable, or "".
func checkText(s string, required bool, maxRunes int) string {
	switch {
	case s == "" && required:
		return "required"
	case !utf8.ValidString(s):
		return "must be valid UTF-8"
	case utf8.RuneCountInString(s) > maxRunes:
		return fmt.Sprintf("must be at most %d characters", maxRunes)
	case strings.ContainsFunc(s, unicode.IsControl):
		return "must not contain control characters"
	}
	return ""
}

// normalizeRoles validates roles and returns them without duplicates, in cms.AllRoles order
// so stored role lists compare equal however they were given. Errors are appended to fields.
func normalizeRoles(roles []cms.Role, fields []cms.FieldError) ([]cms.Role, []cms.FieldError) {
	if len(roles) == 0 {
		return nil, append(fields, cms.FieldError{Field: "roles", Message: "at least one role is required"})
	}
	for i, r := range roles {
		if !cms.ValidRole(r) {
			fields = append(fields, cms.FieldError{Field: fmt.Sprintf("roles[%d]", i),
				Message: fmt.Sprintf("unknown role %q; valid roles are %v", r, cms.AllRoles)})
		}
	}
	var out []cms.Role
	for _, r := range cms.AllRoles {
		if slices.Contains(roles, r) {
			out = append(out, r)
		}
	}
	return out, fields
}

// validateNewUser normalises in and reports every invalid field at once; a role conflict
// comes after them. An empty password is accepted only if passwordOptional (enrolment).
func validateNewUser(in NewUser, passwordOptional bool) (NewUser, error) {
	var fields []cms.FieldError
	add := func(field, msg string) {
		if msg != "" {
			fields = append(fields, cms.FieldError{Field: field, Message: msg})
		}
	}
	in.Email = NormalizeEmail(in.Email)
	add("email", checkEmail(in.Email))
	in.Name = strings.TrimSpace(in.Name)
	add("name", checkText(in.Name, true, MaxNameRunes))
	in.Credentials = strings.TrimSpace(in.Credentials)
	add("credentials", checkText(in.Credentials, false, MaxCredentialsRunes))
	if in.Password != "" || !passwordOptional {
		if err := ValidatePassword(in.Password); err != nil {
			fields = append(fields, err.(*cms.Error).Fields...)
		}
	}
	in.Roles, fields = normalizeRoles(in.Roles, fields)
	if len(fields) > 0 {
		return NewUser{}, cms.Invalid(fields...)
	}
	if err := checkRoleConflict(in.Roles); err != nil {
		return NewUser{}, err
	}
	return in, nil
}

// checkRoleConflict refuses an account that could both administer accounts and sign:
// an admin who is also a reviewer could give any account, their own included, the means
// to sign, and no second person would be involved in a signature.
func checkRoleConflict(roles []cms.Role) error {
	if slices.Contains(roles, cms.RoleAdmin) && slices.Contains(roles, cms.RoleReviewer) {
		return &cms.Error{Code: cms.CodeRoleConflict,
			Message: "an account cannot be both admin and reviewer: whoever manages accounts cannot sign",
			Fields:  []cms.FieldError{{Field: "roles", Message: "admin and reviewer exclude each other"}}}
	}
	return nil
}

// applyPatch returns u with p applied, or an error listing every invalid field.
func applyPatch(u User, p UserPatch) (User, error) {
	var fields []cms.FieldError
	if p.Name != nil {
		u.Name = strings.TrimSpace(*p.Name)
		if msg := checkText(u.Name, true, MaxNameRunes); msg != "" {
			fields = append(fields, cms.FieldError{Field: "name", Message: msg})
		}
	}
	if p.Credentials != nil {
		u.Credentials = strings.TrimSpace(*p.Credentials)
		if msg := checkText(u.Credentials, false, MaxCredentialsRunes); msg != "" {
			fields = append(fields, cms.FieldError{Field: "credentials", Message: msg})
		}
	}
	if p.Roles != nil {
		u.Roles, fields = normalizeRoles(*p.Roles, fields)
	}
	if p.Disabled != nil {
		u.Disabled = *p.Disabled
	}
	if len(fields) > 0 {
		return User{}, cms.Invalid(fields...)
	}
	return u, nil
}
