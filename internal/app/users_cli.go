package app

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/monograph-cms/monograph/internal/auth"
	"github.com/monograph-cms/monograph/internal/cms"
)

// ownHelp explains --own, shared by `users add` and `users passwd`. A password the
// operator types for someone else is temporary because nobody may sign with a password
// someone else chose: the account signs in, and must set its own before it can approve.
const ownHelp = "the password is the account owner's own: you are that person, typing it yourself " +
	"(without --own it is temporary: the account signs in but cannot approve until its owner sets one of their own)"

// runUsers runs `monograph users add|passwd`.
func runUsers(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) error {
	if len(args) > 0 {
		switch args[0] {
		case "add":
			return runUsersAdd(ctx, args[1:], stdin, stdout, stderr, getenv)
		case "passwd":
			return runUsersPasswd(ctx, args[1:], stdin, stdout, stderr, getenv)
		}
	}
	fmt.Fprintln(stderr, usage)
	return fmt.Errorf("unknown command %q: use users add or users passwd", strings.TrimSpace("users "+strings.Join(args, " ")))
}

// runUsersAdd creates a user with the password read from stdin.
func runUsersAdd(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) error {
	var email, name, roles, credentials, languages string
	var own bool
	cfg, _, err := parseConfig("users add", args, stderr, getenv, func(fs *flag.FlagSet) {
		fs.StringVar(&email, "email", "", "email (required)")
		fs.StringVar(&name, "name", "", "full name (required)")
		fs.StringVar(&roles, "roles", "", "comma-separated roles: writer, reviewer, editor, admin (required; not both admin and reviewer)")
		fs.StringVar(&credentials, "credentials", "", "professional credentials shown with signatures, e.g. MD, PharmD")
		fs.StringVar(&languages, "languages", "", "comma-separated configured locales the user signs in, e.g. en,es (see --locales)")
		fs.BoolVar(&own, "own", false, ownHelp)
	})
	if err != nil {
		return err
	}
	password, err := readPassword(stdin, stderr)
	if err != nil {
		return err
	}
	var rs []cms.Role
	for _, r := range strings.Split(roles, ",") {
		if r = strings.TrimSpace(r); r != "" {
			rs = append(rs, cms.Role(r))
		}
	}
	a, err := Open(ctx, cfg, Options{Logger: NewLogger(cfg, stderr)})
	if err != nil {
		return err
	}
	defer a.Close(context.Background())
	u, err := a.Auth.CreateUser(ctx, auth.NewUser{Email: email, Name: name, Password: password, Roles: rs, Credentials: credentials,
		Languages: splitList(languages), OwnPassword: own})
	if err != nil {
		return describe(err)
	}
	fmt.Fprintf(stdout, "created user %s (%s) with roles %s%s\n", u.Email, u.ID, roleList(u.Roles), temporaryNote(u))
	return nil
}

// runUsersPasswd sets the password of an existing user, read from stdin, and ends every
// session of that user. It is the operator's remedy for a lost password or a locked-out
// last admin, so it works without a signed-in admin.
func runUsersPasswd(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) error {
	var email string
	var own bool
	cfg, _, err := parseConfig("users passwd", args, stderr, getenv, func(fs *flag.FlagSet) {
		fs.StringVar(&email, "email", "", "email of the user (required)")
		fs.BoolVar(&own, "own", false, ownHelp)
	})
	if err != nil {
		return err
	}
	if strings.TrimSpace(email) == "" {
		return errors.New("--email is required")
	}
	password, err := readPassword(stdin, stderr)
	if err != nil {
		return err
	}
	a, err := Open(ctx, cfg, Options{Logger: NewLogger(cfg, stderr)})
	if err != nil {
		return err
	}
	defer a.Close(context.Background())
	u, err := a.Auth.SetPasswordByOperator(ctx, email, password, own)
	if err != nil {
		return describe(err)
	}
	fmt.Fprintf(stdout, "set the password of %s (%s); every session of theirs ended%s\n", u.Email, u.ID, temporaryNote(u))
	return nil
}

// readPassword reads one line from stdin: the password, without its line ending.
func readPassword(stdin io.Reader, stderr io.Writer) (string, error) {
	fmt.Fprintln(stderr, "Password (at least 12 characters), then Enter:")
	password, err := bufio.NewReader(io.LimitReader(stdin, 4096)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read password from stdin: %w", err)
	}
	return strings.TrimRight(password, "\r\n"), nil
}

// temporaryNote tells the operator what a temporary password means for the account.
func temporaryNote(u auth.User) string {
	if !u.PasswordChangeRequired {
		return ""
	}
	return "; the password is temporary: the account cannot approve until its owner sets their own"
}
