package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"golang.org/x/term"

	"github.com/momoanalytics/momo"
	"github.com/momoanalytics/momo/internal/password"
	"github.com/momoanalytics/momo/internal/web"
)

const userUsage = `usage: momo user COMMAND [ARGS]

Manages web accounts from the command line, for operators:

  create [-admin] -email ADDRESS USERNAME   create an account; the password is
                                            asked for (not echoed) in a terminal,
                                            else read from standard input (one line)
  promote USERNAME                          make an account an admin
  demote USERNAME                           make an admin a plain user
  deactivate USERNAME                       deactivate an account and end its sessions
  reactivate USERNAME                       let a deactivated account sign in again
  reset-password USERNAME                   set a new password (asked for, or read
                                            from standard input) and end every
                                            session of the account
  list                                      list the accounts

Create the first admin with 'momo user create -admin' before exposing the
site, and set REGISTRATION=closed to keep strangers out. The last active
admin can be neither demoted nor deactivated.`

// cliAudit describes an action of the operator at the command line.
func cliAudit(action string) momo.Audit {
	return momo.Audit{Action: action, Actor: "(command line)", UserAgent: "momo " + action}
}

// logAudit writes the log line that goes with the audit row the store
// wrote.
func (e *env) logAudit(action string, target momo.User) {
	e.log.Info("Audit", "event", action, "user", "(command line)", "target_id", int64(target.ID), "target", target.UsernameKey)
}

func runUser(e *env, args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprintln(e.stderr, userUsage)
		if len(args) == 0 {
			return usageError(fmt.Errorf("missing command"))
		}
		return nil
	}
	switch args[0] {
	case "create":
		return userCreate(e, args[1:])
	case "list":
		return userList(e, args[1:])
	case "reset-password":
		return userResetPassword(e, args[1:])
	}
	if act, ok := userChanges[args[0]]; ok {
		return userChange(e, args[0], act, args[1:])
	}
	return usageError(fmt.Errorf("unknown command %q; see 'momo user -h'", args[0]))
}

func userCreate(e *env, args []string) error {
	fs := e.flags("user create", userUsage)
	admin := fs.Bool("admin", false, "make the account an admin")
	email := fs.String("email", "", "email address")
	if err := fs.Parse(args); err != nil {
		return usageError(err)
	}
	if fs.NArg() != 1 {
		return usageError(fmt.Errorf("name exactly one username"))
	}
	display, key, err := web.UsernameKey(fs.Arg(0))
	if err != nil {
		return momo.E(momo.CodeInvalid, err.Error(), nil)
	}
	addr, ok := web.ValidEmail(*email)
	if !ok {
		return usageError(fmt.Errorf("-email: a valid email address is required"))
	}
	hash, err := e.newPasswordHash()
	if err != nil {
		return err
	}

	app, err := e.open()
	if err != nil {
		return err
	}
	rule := momo.AdminNever
	if *admin {
		rule = momo.AdminAlways
	}
	u, err := app.store.CreateUser(e.ctx, momo.User{Username: display, UsernameKey: key, Email: addr, PasswordHash: hash},
		rule, cliAudit(momo.AuditUserCreate))
	if err != nil {
		return err
	}
	e.logAudit(momo.AuditUserCreate, u)
	fmt.Fprintf(e.stdout, "created %s (%s)\n", u.UsernameKey, role(u))
	return nil
}

// newPasswordHash reads the password (never from the command line, where
// it would be in the shell history and in ps), applies the policy and
// hashes it.
func (e *env) newPasswordHash() (string, error) {
	pw, err := e.readPassword()
	if err != nil {
		return "", err
	}
	if err := password.Check(pw); err != nil {
		return "", momo.E(momo.CodeInvalid, err.Error(), nil)
	}
	return password.Default.Hash(pw)
}

// readPassword asks for the password twice on standard error and reads it
// without echo when standard input is a terminal; otherwise it reads one
// line of standard input, as a script pipes it.
func (e *env) readPassword() (string, error) {
	if f, ok := e.stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		return askPassword(int(f.Fd()), e.stderr)
	}
	line, err := bufio.NewReader(io.LimitReader(e.stdin, password.MaxBytes+2)).ReadString('\n')
	if err != nil && err != io.EOF {
		return "", momo.E(momo.CodeInvalid, "cannot read the password from standard input", err)
	}
	if line == "" {
		return "", momo.E(momo.CodeInvalid, "no password given on standard input", nil)
	}
	return strings.TrimSuffix(strings.TrimSuffix(line, "\n"), "\r"), nil
}

// askPassword prompts on prompt and reads the terminal fd without echo,
// twice, so that a typing mistake nobody saw is not stored.
func askPassword(fd int, prompt io.Writer) (string, error) {
	var typed [2]string
	for i, label := range []string{"Password: ", "Password again: "} {
		fmt.Fprint(prompt, label)
		b, err := term.ReadPassword(fd)
		fmt.Fprintln(prompt)
		if err != nil {
			return "", momo.E(momo.CodeInvalid, "cannot read the password from the terminal", err)
		}
		typed[i] = string(b)
	}
	if typed[0] != typed[1] {
		return "", momo.E(momo.CodeInvalid, "the two passwords differ", nil)
	}
	if typed[0] == "" {
		return "", momo.E(momo.CodeInvalid, "no password given", nil)
	}
	return typed[0], nil
}

// accountChange is a change of one account, with its audit action, the
// state it leads to (in words) and whether an account is in it already.
type accountChange struct {
	audit string
	state string
	done  func(u momo.User) bool
	apply func(e *env, app *app, id momo.UserID, a momo.Audit) error
}

var userChanges = map[string]accountChange{
	"promote": {momo.AuditPromote, "an admin", func(u momo.User) bool { return u.Admin },
		func(e *env, app *app, id momo.UserID, a momo.Audit) error {
			return app.store.SetAdmin(e.ctx, id, true, a)
		}},
	"demote": {momo.AuditDemote, "a plain user", func(u momo.User) bool { return !u.Admin },
		func(e *env, app *app, id momo.UserID, a momo.Audit) error {
			return app.store.SetAdmin(e.ctx, id, false, a)
		}},
	"deactivate": {momo.AuditDeactivate, "deactivated", func(u momo.User) bool { return !u.Active },
		func(e *env, app *app, id momo.UserID, a momo.Audit) error {
			return app.store.SetActive(e.ctx, id, false, a)
		}},
	"reactivate": {momo.AuditReactivate, "active", func(u momo.User) bool { return u.Active },
		func(e *env, app *app, id momo.UserID, a momo.Audit) error {
			return app.store.SetActive(e.ctx, id, true, a)
		}},
}

func userChange(e *env, name string, act accountChange, args []string) error {
	app, u, err := e.account("user "+name, args)
	if err != nil {
		return err
	}
	if act.done(u) {
		// Nothing changes: no audit row says it did.
		fmt.Fprintf(e.stdout, "%s is already %s\n", u.UsernameKey, act.state)
		return nil
	}
	if err := act.apply(e, app, u.ID, cliAudit(act.audit)); err != nil {
		return err
	}
	e.logAudit(act.audit, u)
	fmt.Fprintf(e.stdout, "%s is now %s\n", u.UsernameKey, act.state)
	return nil
}

func userResetPassword(e *env, args []string) error {
	app, u, err := e.account("user reset-password", args)
	if err != nil {
		return err
	}
	hash, err := e.newPasswordHash()
	if err != nil {
		return err
	}
	if err := app.store.ChangePassword(e.ctx, u.ID, hash, "", cliAudit(momo.AuditPasswordReset)); err != nil {
		return err
	}
	e.logAudit(momo.AuditPasswordReset, u)
	fmt.Fprintf(e.stdout, "%s: password reset; every session of the account ended\n", u.UsernameKey)
	return nil
}

// account parses a command line naming one account and finds it.
func (e *env) account(name string, args []string) (*app, momo.User, error) {
	fs := e.flags(name, userUsage)
	if err := fs.Parse(args); err != nil {
		return nil, momo.User{}, usageError(err)
	}
	if fs.NArg() != 1 {
		return nil, momo.User{}, usageError(fmt.Errorf("name exactly one username"))
	}
	app, err := e.open()
	if err != nil {
		return nil, momo.User{}, err
	}
	u, err := app.userNamed(e.ctx, fs.Arg(0))
	return app, u, err
}

// userNamed finds the account of a username as its owner types it.
func (a *app) userNamed(ctx context.Context, name string) (momo.User, error) {
	_, key, err := web.UsernameKey(name)
	if err != nil {
		return momo.User{}, momo.E(momo.CodeNotFound, "no account is named "+name, nil)
	}
	u, err := a.store.UserByName(ctx, key)
	if momo.ErrorCode(err) == momo.CodeNotFound {
		return momo.User{}, momo.E(momo.CodeNotFound, "no account is named "+name, err)
	}
	return u, err
}

func userList(e *env, args []string) error {
	fs := e.flags("user list", userUsage)
	if err := fs.Parse(args); err != nil {
		return usageError(err)
	}
	if fs.NArg() > 0 {
		return usageError(fmt.Errorf("user list takes no argument, not %q", fs.Arg(0)))
	}
	app, err := e.open()
	if err != nil {
		return err
	}
	users, err := app.store.Users(e.ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "USERNAME\tEMAIL\tROLE\tSTATUS\tLAST SIGN-IN")
	for _, u := range users {
		status, last := "active", "never"
		if !u.Active {
			status = "deactivated"
		}
		if !u.LastLoginAt.IsZero() {
			last = u.LastLoginAt.UTC().Format("2006-01-02 15:04 UTC")
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", u.UsernameKey, u.Email, role(u), status, last)
	}
	return tw.Flush()
}

func role(u momo.User) string {
	if u.Admin {
		return "admin"
	}
	return "user"
}
