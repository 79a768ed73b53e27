package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/monograph-cms/monograph/internal/auth"
	"github.com/monograph-cms/monograph/internal/cms"
	"github.com/monograph-cms/monograph/internal/editorial"
	"github.com/monograph-cms/monograph/internal/strictjson"
)

// accountsFile is the file of an export directory that lists the accounts of the store it
// came from. Import skips it unless told to trust it (--with-accounts): approvals in the
// pages must be signed by accounts of the importing store, so a file must never be able to
// bring its own signers without the operator saying so (and the audit trail recording it).
const accountsFile = "accounts.json"

// accountsFormat names the accounts file format.
const accountsFormat = "monograph-accounts/1"

type exportedAccounts struct {
	Format   string            `json:"format"`
	Accounts []exportedAccount `json:"accounts"`
}

// exportedAccount is an account without any secret: no password hash, no token. An
// imported account has no password; its owner sets one through a reset link from an admin.
type exportedAccount struct {
	ID          string     `json:"id"`
	Email       string     `json:"email"`
	Name        string     `json:"name"`
	Roles       []cms.Role `json:"roles"`
	Credentials string     `json:"credentials"`
	Disabled    bool       `json:"disabled"`
	CreatedAt   time.Time  `json:"createdAt"`
	// Languages are the locales the account signs in (translations); omitted when none.
	Languages []string `json:"languages,omitempty"`
}

// exportAccounts writes the accounts file into dir.
func exportAccounts(ctx context.Context, users auth.UserStore, dir string) error {
	list, err := users.ListUsers(ctx)
	if err != nil {
		return err
	}
	out := exportedAccounts{Format: accountsFormat, Accounts: make([]exportedAccount, len(list))}
	for i, u := range list {
		out.Accounts[i] = exportedAccount{ID: u.ID, Email: u.Email, Name: u.Name, Roles: u.Roles,
			Credentials: u.Credentials, Disabled: u.Disabled, CreatedAt: u.CreatedAt.UTC(), Languages: u.Languages}
	}
	b, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, accountsFile), append(b, '\n'), 0o600)
}

// importAccounts creates the accounts of an accounts file that the store lacks, each without
// a password. An account whose id exists must be the same person (same email); one whose
// email is taken by another id is refused. It returns the ids created.
func importAccounts(ctx context.Context, users auth.UserStore, path string, now time.Time, stderr io.Writer) ([]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var in exportedAccounts
	if err := strictjson.Decode(data, &in, ""); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if in.Format != accountsFormat {
		return nil, fmt.Errorf("%s: format must be %q", path, accountsFormat)
	}
	var created []string
	for i, acc := range in.Accounts {
		where := fmt.Sprintf("%s: accounts[%d] (%s)", path, i, acc.Email)
		if !validAccountID(acc.ID) || acc.Email == "" || slices.ContainsFunc(acc.Roles, func(r cms.Role) bool { return !cms.ValidRole(r) }) {
			return created, errors.New(where + ": needs a valid id, an email and known roles")
		}
		if slices.Contains(acc.Roles, cms.RoleAdmin) && slices.Contains(acc.Roles, cms.RoleReviewer) {
			return created, errors.New(where + ": no account may hold both admin and reviewer")
		}
		existing, err := users.UserByID(ctx, acc.ID)
		switch {
		case err == nil:
			if existing.Email != acc.Email {
				return created, fmt.Errorf("%s: id %s belongs to %s in this store", where, acc.ID, existing.Email)
			}
			continue
		case !cms.IsCode(err, cms.CodeNotFound):
			return created, err
		}
		u := auth.User{ID: acc.ID, Email: acc.Email, Name: acc.Name, Roles: acc.Roles, Credentials: acc.Credentials,
			Disabled: acc.Disabled, PasswordChangeRequired: true, CreatedAt: acc.CreatedAt, UpdatedAt: now, Languages: acc.Languages}
		if err := users.InsertUser(ctx, u); err != nil {
			return created, fmt.Errorf("%s: %w", where, err)
		}
		created = append(created, acc.ID)
		fmt.Fprintf(stderr, "created account %s (%s) without a password: an admin issues a reset link for its owner\n", acc.Email, acc.ID)
	}
	return created, nil
}

// validAccountID accepts the ids accounts are given (lowercase letters and digits, as
// cms.NewID and the account store make them): nothing that could act as an operator.
func validAccountID(id string) bool {
	return len(id) >= 8 && len(id) <= 64 && strings.Trim(id, "abcdefghijklmnopqrstuvwxyz0123456789") == ""
}

// createSignerAccounts creates, for exports that list no accounts (earlier releases), each
// signer the store lacks as a disabled reviewer account named and credentialed as its
// approvals recorded it, with an address that cannot receive mail: enough for the approvals
// to verify, never to sign in (an admin may later give it a real address and a reset link).
func createSignerAccounts(ctx context.Context, users auth.UserStore, signings []editorial.Signing, now time.Time, stderr io.Writer) ([]string, error) {
	var created []string
	seen := map[string]bool{}
	for _, sg := range signings {
		if seen[sg.Signer] {
			continue
		}
		seen[sg.Signer] = true
		if !validAccountID(sg.Signer) {
			return created, fmt.Errorf("page %s, audit event %d: signer id %q is not an account id", sg.PageID, sg.Seq, sg.Signer)
		}
		_, err := users.UserByID(ctx, sg.Signer)
		switch {
		case err == nil:
			continue
		case !cms.IsCode(err, cms.CodeNotFound):
			return created, err
		}
		u := auth.User{ID: sg.Signer, Email: sg.Signer + "@signers.invalid", Name: sg.Name, Roles: []cms.Role{cms.RoleReviewer},
			Credentials: sg.Credentials, Disabled: true, PasswordChangeRequired: true, CreatedAt: now, UpdatedAt: now}
		if err := users.InsertUser(ctx, u); err != nil {
			return created, fmt.Errorf("signer %s (%s): %w", sg.Name, sg.Signer, err)
		}
		created = append(created, sg.Signer)
		fmt.Fprintf(stderr, "created signer %s (%s) as a disabled reviewer account\n", sg.Name, sg.Signer)
	}
	return created, nil
}
