package momo

import (
	"errors"
	"fmt"
)

// Code classifies an error for the one place per edge that turns it into an
// HTTP status, a bot reply or an exit status.
type Code string

// Error codes. Keep the list short: each one must mean something different to
// the person who reads the answer.
const (
	CodeInvalid      Code = "invalid"      // bad input from the user or a file
	CodeNotFound     Code = "not_found"    // the thing asked for does not exist (or is not theirs)
	CodeConflict     Code = "conflict"     // the change clashes with stored state
	CodeUnavailable  Code = "unavailable"  // a dependency is down; trying later may work
	CodeConfig       Code = "config"       // the operator's configuration is wrong or incomplete
	CodeUnauthorized Code = "unauthorized" // credentials missing or wrong
	CodeInternal     Code = "internal"     // our bug; the cause is logged, never shown
)

// Error carries a code, a message that is safe to show to the person who
// caused it (no SMS text, no secrets), and the underlying cause for the log.
type Error struct {
	Code    Code
	Message string
	Err     error
}

// E builds an *Error. cause may be nil.
func E(code Code, message string, cause error) *Error {
	return &Error{Code: code, Message: message, Err: cause}
}

func (e *Error) Error() string {
	if e.Err == nil {
		return e.Message
	}
	return fmt.Sprintf("%s: %v", e.Message, e.Err)
}

func (e *Error) Unwrap() error { return e.Err }

// ErrorCode returns the code of the first *Error in err's chain, or
// CodeInternal when there is none: an error we did not classify is our bug.
func ErrorCode(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return CodeInternal
}

// ErrorMessage returns the safe message of the first *Error in err's chain,
// or a generic sentence for an unclassified error, whose text may hold
// anything.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "internal error"
}
