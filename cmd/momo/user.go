package main

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/momoanalytics/momo"
	"github.com/momoanalytics/momo/internal/password"
	"github.com/momoanalytics/momo/internal/web"
)

const userUsage = `usage: momo user COMMAND [ARGS]

Manages web accounts from the command line, for operators:

  create [-admin] -email ADDRESS USERNAME   create an account; the password is
                                            read from standard input (one line)
  promote USERNAME                          make an account an admin
  demote USERNAME                           make an admin a plain user
  deactivate USERNAME                       deactivate an account and end its sessions
  reactivate USERNAME                       let a deactivated account sign in again
  reset-password USERNAME                   set a new password (read from standard
                                            input) and end every session of the account
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
	e.log.Info("Audit", "event", action, "user", "(command line)", "target_id", int64(target.ID), "target", target.Username)
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
	hash, err := newPasswordHash(e.stdin)
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
	fmt.Fprintf(e.stdout, "created %s (%s)\n", u.Username, role(u))
	return nil
}

// newPasswordHash reads one line of standard input as the password (a
// password on the command line would be in the shell history and in ps),
// applies the policy and hashes it.
func newPasswordHash(stdin io.Reader) (string, error) {
	line, err := bufio.NewReader(io.LimitReader(stdin, password.MaxBytes+2)).ReadString('\n')
	if err != nil && err != io.EOF {
		return "", momo.E(momo.CodeInvalid, "cannot read the password from standard input", err)
	}
	pw := strings.TrimSuffix(strings.TrimSuffix(line, "\n"), "\r")
	if err := password.Check(pw); err != nil {
		return "", momo.E(momo.CodeInvalid, err.Error()+" (the password is read from standard input)", nil)
	}
	return password.Default.Hash(pw)
}

// accountChange is a change of one account, with its audit action.
type accountChange struct {
	audit string
	apply func(e *env, app *app, id momo.UserID, a momo.Audit) error
}

var userChanges = map[string]accountChange{
	"promote": {momo.AuditPromote, func(e *env, app *app, id momo.UserID, a momo.Audit) error {
		return app.store.SetAdmin(e.ctx, id, true, a)
	}},
	"demote": {momo.AuditDemote, func(e *env, app *app, id momo.UserID, a momo.Audit) error {
		return app.store.SetAdmin(e.ctx, id, false, a)
	}},
	"deactivate": {momo.AuditDeactivate, func(e *env, app *app, id momo.UserID, a momo.Audit) error {
		return app.store.SetActive(e.ctx, id, false, a)
	}},
	"reactivate": {momo.AuditReactivate, func(e *env, app *app, id momo.UserID, a momo.Audit) error {
		return app.store.SetActive(e.ctx, id, true, a)
	}},
}

func userChange(e *env, name string, act accountChange, args []string) error {
	app, u, err := e.account("user "+name, args)
	if err != nil {
		return err
	}
	if err := act.apply(e, app, u.ID, cliAudit(act.audit)); err != nil {
		return err
	}
	e.logAudit(act.audit, u)
	fmt.Fprintf(e.stdout, "%s: %s\n", u.Username, act.audit)
	return nil
}

func userResetPassword(e *env, args []string) error {
	app, u, err := e.account("user reset-password", args)
	if err != nil {
		return err
	}
	hash, err := newPasswordHash(e.stdin)
	if err != nil {
		return err
	}
	if err := app.store.ChangePassword(e.ctx, u.ID, hash, "", cliAudit(momo.AuditPasswordReset)); err != nil {
		return err
	}
	e.logAudit(momo.AuditPasswordReset, u)
	fmt.Fprintf(e.stdout, "%s: password reset; every session of the account ended\n", u.Username)
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
	_, key, err := web.UsernameKey(fs.Arg(0))
	if err != nil {
		return nil, momo.User{}, momo.E(momo.CodeNotFound, "no account is named "+fs.Arg(0), nil)
	}
	app, err := e.open()
	if err != nil {
		return nil, momo.User{}, err
	}
	u, err := app.store.UserByName(e.ctx, key)
	if err != nil {
		if momo.ErrorCode(err) == momo.CodeNotFound {
			err = momo.E(momo.CodeNotFound, "no account is named "+fs.Arg(0), err)
		}
		return nil, momo.User{}, err
	}
	return app, u, nil
}

func userList(e *env, args []string) error {
	fs := e.flags("user list", userUsage)
	if err := fs.Parse(args); err != nil {
		return usageError(err)
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
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", u.Username, u.Email, role(u), status, last)
	}
	return tw.Flush()
}

func role(u momo.User) string {
	if u.Admin {
		return "admin"
	}
	return "user"
}
