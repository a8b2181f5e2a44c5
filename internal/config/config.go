// Package config reads MoMo Analytics' configuration from environment
// variables, with the seed's names kept exactly (see Table), checks all of
// it at once, and looks after the development keys (EnsureKeys).
//
// Load is pure: it takes the lookup function, so tests and `momo config`
// need no process environment. The parsed Config is passed down as a value;
// there is no package-level state.
package config

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"math"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/momoanalytics/momo"
	"github.com/momoanalytics/momo/internal/vault"
)

// Env is the mode the service runs in.
type Env string

// The two modes.
const (
	Development Env = "development"
	Production  Env = "production"
)

// Config is the whole configuration. Secrets are of type Secret, so that
// printing or logging a Config, or any one field of it, shows none of them.
type Config struct {
	Env Env

	SecretKey     Secret
	EncryptionKey Secret // one or more Fernet keys, comma-separated

	DatabaseURL string   // as given; empty means the default SQLite file
	Database    Database // what DatabaseURL means
	RedisURL    string   // empty: rate limits in memory

	Port           int
	PublicURL      string // without a trailing slash; empty when unset
	TrustedProxies []netip.Prefix
	ProxyHeader    string // the header TrustedProxies name the client in: X-Forwarded-For or X-Real-IP
	DataDir        string // empty only when neither it nor HOME is set

	TelegramBotToken      Secret
	TelegramWebhookSecret Secret
	TelegramAPIURL        string // empty: the Telegram client's own default

	TwilioAccountSID     string
	TwilioAuthToken      Secret
	TwilioWhatsAppNumber string // always "whatsapp:+…" when set
	TwilioWebhookSecret  Secret
	TwilioAPIURL         string // empty: the Twilio client's own default

	LogFile        string   // empty: standard output only
	Templates      []string // extra template files or directories
	BackupDir      string
	BackupInterval time.Duration // 0: no scheduled backups
	BackupKeep     int

	Timezone  string // IANA name, checked; empty: each operator's own timezone
	MaxAmount int64  // in major units

	// The web service (momo serve).
	CookieSecure     bool // false only in development
	SessionLifetime  time.Duration
	SessionIdle      time.Duration
	RegistrationOpen bool
	HealthToken      Secret // empty: only admins see /health's counts
	RateLimits       bool   // false only in development
	UploadMaxBytes   int64  // largest SMS backup file the web upload accepts
}

// Production reports whether the service runs in production mode.
func (c Config) Production() bool { return c.Env == Production }

// listSeparator separates MOMO_TEMPLATES entries, as PATH does.
const listSeparator = string(os.PathListSeparator)

func listSeparatorName() string { return "'" + listSeparator + "'" }

// Load reads the configuration through getenv (os.Getenv in main) and
// checks every variable. All problems come back together in one *momo.Error
// with momo.CodeConfig, one per variable, none quoting a secret.
//
// Surrounding spaces are trimmed from every value: a key pasted with a
// newline must not become a different key.
func Load(getenv func(string) string) (Config, error) {
	l := &loader{getenv: getenv}

	c := Config{
		Env:                   l.env(),
		SecretKey:             Secret(l.get("SECRET_KEY")),
		EncryptionKey:         Secret(l.get("ENCRYPTION_KEY")),
		DatabaseURL:           l.get("DATABASE_URL"),
		RedisURL:              l.redisURL(),
		Port:                  l.port(),
		TrustedProxies:        l.proxies(),
		ProxyHeader:           l.proxyHeader(),
		DataDir:               l.dataDir(),
		TelegramBotToken:      l.telegramToken(),
		TelegramWebhookSecret: l.telegramSecret(),
		TelegramAPIURL:        l.httpURL("TELEGRAM_API_URL"),
		TwilioAccountSID:      l.twilioSID(),
		TwilioAuthToken:       Secret(l.get("TWILIO_AUTH_TOKEN")),
		TwilioWhatsAppNumber:  l.whatsAppNumber(),
		TwilioWebhookSecret:   Secret(l.get("TWILIO_WEBHOOK_SECRET")),
		TwilioAPIURL:          l.httpURL("TWILIO_API_URL"),
		Templates:             l.templates(),
		BackupInterval:        l.backupInterval(),
		BackupKeep:            l.backupKeep(),
		Timezone:              l.timezone(),
		MaxAmount:             l.maxAmount(),
		SessionLifetime:       l.duration("SESSION_LIFETIME", defaultSessionLifetime),
		SessionIdle:           l.duration("SESSION_IDLE_TIMEOUT", defaultSessionIdle),
		RegistrationOpen:      l.choice("REGISTRATION", "open", "closed"),
		HealthToken:           l.healthToken(),
		UploadMaxBytes:        l.uploadMaxBytes(),
	}

	// The rest depend on values read above.
	c.PublicURL = l.publicURL(c.Env)
	c.LogFile = l.logFile(c.DataDir)
	c.BackupDir = l.backupDir(c.DataDir)
	c.Database = l.database(c.DatabaseURL, c.DataDir)
	c.CookieSecure = l.cookieSecure(c.Env)
	c.RateLimits = l.rateLimits(c.Env)
	l.checkKeys(c.SecretKey, c.EncryptionKey)
	l.checkTwilio(c)
	if missing := c.missingInProduction(); len(missing) > 0 {
		l.fail("%s", productionMessage(missing))
	}

	if len(l.problems) > 0 {
		return Config{}, momo.E(momo.CodeConfig, "invalid configuration: "+strings.Join(l.problems, "; "), nil)
	}
	return c, nil
}

// loader reads variables and collects every problem instead of stopping at
// the first, so the operator fixes the environment in one go.
type loader struct {
	getenv   func(string) string
	problems []string
}

func (l *loader) get(name string) string { return strings.TrimSpace(l.getenv(name)) }

func (l *loader) fail(format string, args ...any) {
	l.problems = append(l.problems, fmt.Sprintf(format, args...))
}

func (l *loader) env() Env {
	v := strings.ToLower(l.get("MOMO_ENV"))
	switch Env(v) {
	case "":
		return Development
	case Development, Production:
		return Env(v)
	}
	// Never fall back to development: a typo must not switch off the
	// production checks.
	l.fail("MOMO_ENV must be development or production, not %q", v)
	return ""
}

func (l *loader) port() int {
	v := l.get("PORT")
	if v == "" {
		return defaultPort
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > 65535 {
		l.fail("PORT must be a number from 1 to 65535, not %q", v)
	}
	return n
}

// dataDir follows the XDG base directory rules: XDG_DATA_HOME counts only
// when it is absolute.
func (l *loader) dataDir() string {
	if v := l.get("MOMO_DATA_DIR"); v != "" {
		return filepath.Clean(v)
	}
	if x := l.get("XDG_DATA_HOME"); filepath.IsAbs(x) {
		return filepath.Join(x, "momo")
	}
	if h := l.get("HOME"); h != "" {
		return filepath.Join(h, ".local", "share", "momo")
	}
	return ""
}

func (l *loader) database(raw, dataDir string) Database {
	db, err := ParseDatabase(raw, dataDir)
	if err != nil {
		l.fail("%s", momo.ErrorMessage(err))
	}
	return db
}

func (l *loader) redisURL() string {
	v := l.get("REDIS_URL")
	if v == "" {
		return ""
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "redis" && u.Scheme != "rediss" && u.Scheme != "unix") {
		// Name no part of the value: it may hold a password.
		l.fail("REDIS_URL must be a redis://, rediss:// or unix:// URL")
	}
	return v
}

// httpURL reads an absolute http(s) base URL and drops a trailing slash so
// that callers can append paths.
func (l *loader) httpURL(name string) string {
	v := l.get(name)
	if v == "" {
		return ""
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
		l.fail("%s must be an absolute http:// or https:// URL without credentials, not %q", name, RedactURL(v))
		return ""
	}
	if u.RawQuery != "" || u.Fragment != "" {
		l.fail("%s must not have a query or fragment", name)
	}
	return strings.TrimRight(v, "/")
}

func (l *loader) publicURL(env Env) string {
	v := l.httpURL("PUBLIC_URL")
	if v == "" || env != Production {
		return v
	}
	// Twilio signs the https URL, and sessions need Secure cookies: plain
	// http is only for production mode tried out on this machine.
	u, _ := url.Parse(v)
	if u.Scheme != "https" && !isLoopback(u.Hostname()) {
		l.fail("PUBLIC_URL must use https in production")
	}
	return v
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	a, err := netip.ParseAddr(host)
	return err == nil && a.IsLoopback()
}

// proxyHeader reads which header the trusted proxies set, in the spelling
// of the web package's constants.
func (l *loader) proxyHeader() string {
	switch v := strings.ToLower(l.get("PROXY_HEADER")); v {
	case "", "x-forwarded-for":
		return "X-Forwarded-For"
	case "x-real-ip":
		return "X-Real-IP"
	default:
		l.fail("PROXY_HEADER must be X-Forwarded-For or X-Real-IP, not %q", v)
		return ""
	}
}

// proxies reads CIDRs; a bare address means that one host.
func (l *loader) proxies() []netip.Prefix {
	v := l.get("TRUSTED_PROXIES")
	if v == "" {
		return nil
	}

	var out []netip.Prefix
	for i, part := range strings.Split(v, ",") {
		part = strings.TrimSpace(part)
		p, err := parsePrefix(part)
		if err != nil {
			l.fail("TRUSTED_PROXIES entry %d, %q, is not a CIDR (e.g. 10.0.0.0/8) or an IP address", i+1, part)
			continue
		}
		out = append(out, p)
	}
	return out
}

func parsePrefix(s string) (netip.Prefix, error) {
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		return p.Masked(), err
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	return netip.PrefixFrom(a, a.BitLen()), nil
}

// Bot tokens look like 123456:ABC-def_…; the check also keeps anything
// that could change the shape of the API URL out of it.
var (
	botTokenRE      = regexp.MustCompile(`^[0-9]+:[A-Za-z0-9_-]+$`)
	webhookSecretRE = regexp.MustCompile(`^[A-Za-z0-9_-]{1,256}$`)
	twilioSIDRE     = regexp.MustCompile(`^AC[0-9a-fA-F]{32}$`)
	whatsAppRE      = regexp.MustCompile(`^(?:whatsapp:)?(\+[1-9][0-9]{6,14})$`)
)

func (l *loader) telegramToken() Secret {
	v := l.get("TELEGRAM_BOT_TOKEN")
	if v != "" && !botTokenRE.MatchString(v) {
		l.fail("TELEGRAM_BOT_TOKEN does not look like a bot token (digits, a colon, then letters, digits, - and _)")
	}
	return Secret(v)
}

func (l *loader) telegramSecret() Secret {
	v := l.get("TELEGRAM_WEBHOOK_SECRET")
	if v != "" && !webhookSecretRE.MatchString(v) {
		l.fail("TELEGRAM_WEBHOOK_SECRET must be 1 to 256 characters of A-Z, a-z, 0-9, _ and - (Telegram's rule)")
	}
	return Secret(v)
}

func (l *loader) twilioSID() string {
	v := l.get("TWILIO_ACCOUNT_SID")
	if v != "" && !twilioSIDRE.MatchString(v) {
		l.fail("TWILIO_ACCOUNT_SID must be AC followed by 32 hexadecimal digits")
	}
	return v
}

func (l *loader) whatsAppNumber() string {
	v := l.get("TWILIO_WHATSAPP_NUMBER")
	if v == "" {
		return ""
	}
	m := whatsAppRE.FindStringSubmatch(strings.ReplaceAll(v, " ", ""))
	if m == nil {
		l.fail("TWILIO_WHATSAPP_NUMBER must be whatsapp:+ and an international number, not %q", v)
		return ""
	}
	return "whatsapp:" + m[1]
}

// checkTwilio needs the account and its token together: one without the
// other can neither call Twilio nor check its signatures.
func (l *loader) checkTwilio(c Config) {
	if (c.TwilioAccountSID == "") != (c.TwilioAuthToken == "") {
		l.fail("TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN must be set together")
	}
	if c.TwilioWhatsAppNumber != "" && c.TwilioAuthToken == "" {
		l.fail("TWILIO_WHATSAPP_NUMBER needs TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN")
	}
}

func (l *loader) checkKeys(secret, keys Secret) {
	if keys != "" {
		if err := vault.CheckKeys(keys.Reveal()); err != nil {
			l.fail("%s", momo.ErrorMessage(err))
		}
	}
	if secret != "" {
		if err := vault.CheckSecret(secret.Reveal()); err != nil {
			l.fail("%s", momo.ErrorMessage(err))
		}
	}
}

func (l *loader) logFile(dataDir string) string {
	switch v := l.get("LOG_FILE"); {
	case v == "-":
		return ""
	case v != "":
		return filepath.Clean(v)
	case dataDir != "":
		return filepath.Join(dataDir, "momo.log")
	}
	return ""
}

func (l *loader) templates() []string {
	var out []string
	for _, p := range filepath.SplitList(l.get("MOMO_TEMPLATES")) {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, filepath.Clean(p))
		}
	}
	return out
}

func (l *loader) backupDir(dataDir string) string {
	if v := l.get("BACKUP_DIR"); v != "" {
		return filepath.Clean(v)
	}
	if dataDir != "" {
		return filepath.Join(dataDir, "backups")
	}
	return ""
}

func (l *loader) backupInterval() time.Duration {
	v := l.get("BACKUP_INTERVAL")
	if v == "" || v == "0" {
		return 0
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < minBackupInterval {
		l.fail("BACKUP_INTERVAL must be a duration of at least %s such as 24h or 90m, or 0 for none, not %q", minBackupInterval, v)
	}
	return d
}

func (l *loader) backupKeep() int {
	v := l.get("BACKUP_KEEP")
	if v == "" {
		return defaultBackupKeep
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		l.fail("BACKUP_KEEP must be a whole number of at least 1, not %q", v)
	}
	return n
}

// timezone accepts IANA names only. "Local" would mean the server's own
// zone, which is exactly what a subscriber's day must not depend on.
func (l *loader) timezone() string {
	v := l.get("MOMO_TIMEZONE")
	if v == "" {
		return ""
	}
	if _, err := time.LoadLocation(v); err != nil || v == "Local" {
		l.fail("MOMO_TIMEZONE must be an IANA timezone name such as Africa/Accra, not %q", v)
	}
	return v
}

// maxMaxAmount keeps the ceiling within int64 once converted to minor
// units of a currency with up to three decimals.
const maxMaxAmount = math.MaxInt64 / 1000

func (l *loader) maxAmount() int64 {
	v := strings.ReplaceAll(l.get("MOMO_MAX_AMOUNT"), "_", "")
	if v == "" {
		return defaultMaxAmount
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 1 || n > maxMaxAmount {
		l.fail("MOMO_MAX_AMOUNT must be a whole number of major units from 1 to %d, not %q", int64(maxMaxAmount), v)
	}
	return n
}

// uploadMaxBytes reads the upload limit: whole bytes, at least 1 KiB (a
// smaller limit refuses every real export) and at most 1 GiB (the import
// of one request must end within its deadline).
func (l *loader) uploadMaxBytes() int64 {
	v := strings.ReplaceAll(l.get("UPLOAD_MAX_BYTES"), "_", "")
	if v == "" {
		return defaultUploadMaxBytes
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < minUploadMaxBytes || n > maxUploadMaxBytes {
		l.fail("UPLOAD_MAX_BYTES must be a whole number of bytes from %d to %d, not %q", minUploadMaxBytes, maxUploadMaxBytes, v)
		return defaultUploadMaxBytes
	}
	return n
}

// duration reads a positive duration of at least a minute.
func (l *loader) duration(name string, def time.Duration) time.Duration {
	v := l.get(name)
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < time.Minute {
		l.fail("%s must be a duration of at least 1m such as 24h or 30m, not %q", name, v)
		return def
	}
	return d
}

// choice reads one of two words and reports whether it is the first (the
// default).
func (l *loader) choice(name, yes, no string) bool {
	switch v := strings.ToLower(l.get(name)); v {
	case "", yes:
		return true
	case no:
		return false
	default:
		l.fail("%s must be %s or %s, not %q", name, yes, no, v)
		return true
	}
}

// cookieSecure reads COOKIE_SECURE, which production requires and
// development leaves off unless told: a development server listens on
// loopback only, over plain HTTP, where some browsers (Safari) drop Secure
// cookies and the README's first command would never sign anyone in. serve
// refuses plain cookies on any other address.
func (l *loader) cookieSecure(env Env) bool {
	if l.get("COOKIE_SECURE") == "" {
		return env == Production
	}
	return l.devOnlyOff("COOKIE_SECURE", "true", "false", env)
}

// rateLimits reads RATE_LIMITS, on by default in production and off in
// development: the seed's 50 pages an hour locked out the one person
// trying the dashboard on their own laptop within minutes, where they
// protect nobody.
func (l *loader) rateLimits(env Env) bool {
	if l.get("RATE_LIMITS") == "" {
		return env == Production
	}
	return l.devOnlyOff("RATE_LIMITS", "on", "off", env)
}

// devOnlyOff reads a protection that only development may switch off.
func (l *loader) devOnlyOff(name, on, off string, env Env) bool {
	v := l.choice(name, on, off)
	if !v && env == Production {
		l.fail("%s=%s is for development only", name, off)
		return true
	}
	return v
}

// minHealthToken is the length of 24 random bytes in base64: guessing it
// is hopeless.
const minHealthToken = 32

func (l *loader) healthToken() Secret {
	v := l.get("HEALTH_TOKEN")
	if v != "" && len(v) < minHealthToken {
		l.fail("HEALTH_TOKEN must have at least %d characters", minHealthToken)
	}
	return Secret(v)
}

// missingInProduction names the variables production cannot run without:
// generating them would give each instance, and each restart, its own keys.
func (c Config) missingInProduction() []string {
	if c.Env != Production {
		return nil
	}
	var missing []string
	if c.SecretKey == "" {
		missing = append(missing, "SECRET_KEY")
	}
	if c.EncryptionKey == "" {
		missing = append(missing, "ENCRYPTION_KEY")
	}
	if c.DatabaseURL == "" {
		missing = append(missing, "DATABASE_URL")
	}
	return missing
}

func productionMessage(missing []string) string {
	return "production mode needs " + strings.Join(missing, ", ") + " set in the environment"
}

// String gives one NAME=value line per variable, in Table's order, secrets
// redacted: fit for `momo config` and for a support ticket.
func (c Config) String() string {
	var b strings.Builder
	for _, v := range Table() {
		fmt.Fprintf(&b, "%s=%s\n", v.Name, shown[v.Name](&c))
	}
	return b.String()
}

// GoString covers %#v, which would otherwise print every field raw.
func (c Config) GoString() string { return "config.Config{\n" + c.String() + "}" }

// MarshalJSON writes the same redacted view as String, one member per
// variable in Table's order, so a JSON dump cannot leak a password either.
func (c Config) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, v := range Table() {
		if i > 0 {
			b.WriteByte(',')
		}
		name, _ := json.Marshal(v.Name)
		value, _ := json.Marshal(shown[v.Name](&c))
		b.Write(name)
		b.WriteByte(':')
		b.Write(value)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// LogValue logs the configuration under the variables' names, secrets
// redacted.
func (c Config) LogValue() slog.Value {
	attrs := make([]slog.Attr, 0, len(shown))
	for _, v := range Table() {
		attrs = append(attrs, slog.String(v.Name, shown[v.Name](&c)))
	}
	return slog.GroupValue(attrs...)
}
