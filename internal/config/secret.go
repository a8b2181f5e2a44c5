package config

import (
	"log/slog"
	"net/url"
	"strconv"
	"strings"
)

const redacted = "[REDACTED]"

// Secret is a configuration value that must never be printed or logged.
// fmt, slog and encoding/json all see "[REDACTED]" (or "" when unset);
// only Reveal gives the value, so every use of it is visible in the code.
type Secret string

// Reveal returns the secret itself.
func (s Secret) Reveal() string { return string(s) }

// String shows whether the secret is set, never what it is.
func (s Secret) String() string {
	if s == "" {
		return ""
	}
	return redacted
}

// GoString covers %#v.
func (s Secret) GoString() string { return strconv.Quote(s.String()) }

// LogValue covers slog.
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.String()) }

// MarshalText covers encoding/json and other text encoders.
func (s Secret) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// RedactURL hides the password of a database or Redis URL, whether it is
// in the user information or in a password= query parameter. It works on
// the text rather than on url.Parse's result because a password holding '/'
// or '#' would otherwise be split and half of it shown.
func RedactURL(raw string) string {
	scheme, rest, ok := strings.Cut(raw, "://")
	if !ok {
		return raw // a file path: nothing to hide
	}

	// Everything before the last '@' is user information: cutting there
	// hides a password containing '@' or '/', at worst more than needed.
	if at := strings.LastIndex(rest, "@"); at >= 0 {
		if user, _, hasPassword := strings.Cut(rest[:at], ":"); hasPassword {
			rest = user + ":" + redacted + rest[at:]
		}
	}

	base, query, hasQuery := strings.Cut(rest, "?")
	if hasQuery {
		query = redactQuery(query)
		return scheme + "://" + base + "?" + query
	}
	return scheme + "://" + base
}

// redactQuery hides libpq's password parameter, keeping the other
// parameters as written.
func redactQuery(query string) string {
	params := strings.Split(query, "&")
	for i, p := range params {
		name, _, _ := strings.Cut(p, "=")
		if n, err := url.QueryUnescape(name); err == nil && strings.EqualFold(n, "password") {
			params[i] = name + "=" + redacted
		}
	}
	return strings.Join(params, "&")
}
