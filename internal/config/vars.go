package config

import (
	"strconv"
	"strings"
	"time"
)

// Var describes one environment variable. The README's table and
// `momo config` are written from Table, so that the names, defaults and
// meanings are stated in one place.
type Var struct {
	Name    string
	Default string // in words; empty means "not set: the feature is off"
	Meaning string
	Secret  bool // never printed or logged
	Seed    bool // name kept exactly from the Python seed
}

// Table returns every variable Load reads (besides HOME and XDG_DATA_HOME,
// which only place the default data directory), in the order of the
// specification's table.
func Table() []Var {
	return []Var{
		{"SECRET_KEY", "development: generated into the key file", "signs sessions; keyed hashes use a key derived from it; at least 32 bytes", true, true},
		{"ENCRYPTION_KEY", "development: generated into the key file", "Fernet key(s), comma-separated; the first encrypts, all decrypt", true, true},
		{"DATABASE_URL", "SQLite file momo.db in MOMO_DATA_DIR", "postgres:// or postgresql:// URL, a sqlite: URL, or a SQLite file path", false, true},
		{"REDIS_URL", "", "redis://, rediss:// or unix:// URL of the rate-limit store; memory when unset", false, true},
		{"PORT", "8080", "HTTP port", false, true},
		{"TELEGRAM_BOT_TOKEN", "", "Telegram bot token; the bot is off when unset", true, true},
		{"TELEGRAM_WEBHOOK_SECRET", "", "secret Telegram sends in X-Telegram-Bot-Api-Secret-Token (1-256 of A-Z a-z 0-9 _ -)", true, true},
		{"TWILIO_ACCOUNT_SID", "", "Twilio account SID (AC followed by 32 hex digits)", false, true},
		{"TWILIO_AUTH_TOKEN", "", "Twilio auth token; signs webhooks and API calls", true, true},
		{"TWILIO_WHATSAPP_NUMBER", "", "WhatsApp sender, whatsapp:+E.164 (a bare +E.164 number is accepted)", false, true},
		{"TWILIO_WEBHOOK_SECRET", "", "extra shared secret for the WhatsApp webhook", true, true},
		{"MOMO_ENV", string(Development), "development or production; production refuses to start without SECRET_KEY, ENCRYPTION_KEY and DATABASE_URL", false, false},
		{"MOMO_DATA_DIR", "$XDG_DATA_HOME/momo, else $HOME/.local/share/momo", "where the SQLite database, the development key file, logs and backups live", false, false},
		{"PUBLIC_URL", "", "public base URL (webhook registration, Twilio signatures); https in production", false, false},
		{"TRUSTED_PROXIES", "", "comma-separated CIDRs or addresses whose forwarding headers are believed", false, false},
		{"TELEGRAM_API_URL", "the Telegram client's own", "Telegram Bot API base URL (tests point it at a local server)", false, false},
		{"TWILIO_API_URL", "the Twilio client's own", "Twilio API base URL (tests point it at a local server)", false, false},
		{"LOG_FILE", "momo.log in MOMO_DATA_DIR", "rotating log file; - for standard output only", false, false},
		{"MOMO_TEMPLATES", "", "extra SMS template files or directories loaded at start, separated by " + listSeparatorName(), false, false},
		{"BACKUP_DIR", "backups in MOMO_DATA_DIR", "where scheduled backups are written", false, false},
		{"BACKUP_INTERVAL", "", "time between scheduled backups, e.g. 24h; no scheduled backups when unset or 0", false, false},
		{"BACKUP_KEEP", strconv.Itoa(defaultBackupKeep), "how many scheduled backups to keep", false, false},
		{"MOMO_TIMEZONE", "", "IANA timezone of the command-line subscriber; unset: each operator's own timezone", false, false},
		{"MOMO_MAX_AMOUNT", strconv.FormatInt(defaultMaxAmount, 10), "largest accepted amount, in major units of the currency", false, false},
		{"COOKIE_SECURE", "true in production, false in development", "false sends the session cookies over plain HTTP too: only in development, listening on loopback", false, false},
		{"SESSION_LIFETIME", defaultSessionLifetime.String(), "absolute lifetime of a web session, e.g. 24h", false, false},
		{"SESSION_IDLE_TIMEOUT", defaultSessionIdle.String(), "a web session unused this long ends, e.g. 30m", false, false},
		{"REGISTRATION", "open", "open, or closed: only `momo user create` makes accounts", false, false},
		{"HEALTH_TOKEN", "", "bearer token that lets a monitor read /health's counts; at least 32 characters", true, false},
		{"RATE_LIMITS", "on in production, off in development", "on or off: the web rate limits (off only in development)", false, false},
		{"PROXY_HEADER", "X-Forwarded-For", "header TRUSTED_PROXIES name the client in: X-Forwarded-For (its rightmost entry not a trusted proxy) or X-Real-IP; the other is ignored", false, false},
		{"UPLOAD_MAX_BYTES", strconv.Itoa(defaultUploadMaxBytes), "largest SMS backup file the web upload accepts, in bytes (1024 to 1073741824)", false, false},
	}
}

// Defaults that are numbers.
const (
	defaultPort       = 8080
	defaultBackupKeep = 7
	defaultMaxAmount  = 100_000_000
	minBackupInterval = time.Minute

	defaultSessionLifetime = 24 * time.Hour
	defaultSessionIdle     = 30 * time.Minute

	defaultUploadMaxBytes = 50 << 20
	minUploadMaxBytes     = 1 << 10
	maxUploadMaxBytes     = 1 << 30
)

// shown gives each variable's value for display, secrets redacted. Keys
// are exactly Table's names; a test holds the two together.
var shown = map[string]func(c *Config) string{
	"SECRET_KEY":              func(c *Config) string { return c.SecretKey.String() },
	"ENCRYPTION_KEY":          func(c *Config) string { return c.EncryptionKey.String() },
	"DATABASE_URL":            func(c *Config) string { return RedactURL(c.DatabaseURL) },
	"REDIS_URL":               func(c *Config) string { return RedactURL(c.RedisURL) },
	"PORT":                    func(c *Config) string { return strconv.Itoa(c.Port) },
	"TELEGRAM_BOT_TOKEN":      func(c *Config) string { return c.TelegramBotToken.String() },
	"TELEGRAM_WEBHOOK_SECRET": func(c *Config) string { return c.TelegramWebhookSecret.String() },
	"TWILIO_ACCOUNT_SID":      func(c *Config) string { return c.TwilioAccountSID },
	"TWILIO_AUTH_TOKEN":       func(c *Config) string { return c.TwilioAuthToken.String() },
	"TWILIO_WHATSAPP_NUMBER":  func(c *Config) string { return c.TwilioWhatsAppNumber },
	"TWILIO_WEBHOOK_SECRET":   func(c *Config) string { return c.TwilioWebhookSecret.String() },
	"MOMO_ENV":                func(c *Config) string { return string(c.Env) },
	"MOMO_DATA_DIR":           func(c *Config) string { return c.DataDir },
	"PUBLIC_URL":              func(c *Config) string { return c.PublicURL },
	"TRUSTED_PROXIES":         showProxies,
	"TELEGRAM_API_URL":        func(c *Config) string { return c.TelegramAPIURL },
	"TWILIO_API_URL":          func(c *Config) string { return c.TwilioAPIURL },
	"LOG_FILE":                func(c *Config) string { return c.LogFile },
	"MOMO_TEMPLATES":          func(c *Config) string { return strings.Join(c.Templates, listSeparator) },
	"BACKUP_DIR":              func(c *Config) string { return c.BackupDir },
	"BACKUP_INTERVAL":         showInterval,
	"BACKUP_KEEP":             func(c *Config) string { return strconv.Itoa(c.BackupKeep) },
	"MOMO_TIMEZONE":           func(c *Config) string { return c.Timezone },
	"MOMO_MAX_AMOUNT":         func(c *Config) string { return strconv.FormatInt(c.MaxAmount, 10) },
	"COOKIE_SECURE":           func(c *Config) string { return strconv.FormatBool(c.CookieSecure) },
	"SESSION_LIFETIME":        func(c *Config) string { return c.SessionLifetime.String() },
	"SESSION_IDLE_TIMEOUT":    func(c *Config) string { return c.SessionIdle.String() },
	"REGISTRATION":            showRegistration,
	"HEALTH_TOKEN":            func(c *Config) string { return c.HealthToken.String() },
	"RATE_LIMITS":             showRateLimits,
	"PROXY_HEADER":            func(c *Config) string { return c.ProxyHeader },
	"UPLOAD_MAX_BYTES":        func(c *Config) string { return strconv.FormatInt(c.UploadMaxBytes, 10) },
}

func showRegistration(c *Config) string {
	if c.RegistrationOpen {
		return "open"
	}
	return "closed"
}

func showRateLimits(c *Config) string {
	if c.RateLimits {
		return "on"
	}
	return "off"
}

func showProxies(c *Config) string {
	parts := make([]string, len(c.TrustedProxies))
	for i, p := range c.TrustedProxies {
		parts[i] = p.String()
	}
	return strings.Join(parts, ",")
}

func showInterval(c *Config) string {
	if c.BackupInterval == 0 {
		return ""
	}
	return c.BackupInterval.String()
}
