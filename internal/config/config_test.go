package config

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/netip"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // timezone checks must not depend on the machine's zoneinfo

	"github.com/momoanalytics/momo"
)

// Valid secrets for tests, in the forms the seed's own commands make.
const (
	testKey    = "cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4="
	testKey2   = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
	testSecret = "6c1d0f8a9b2e4d7f8a1b3c5d7e9f0a2b4c6d8e0f1a3b5c7d9e1f3a5b7c9d1e3f"
)

// env turns a map into the getenv Load takes.
func env(m map[string]string) func(string) string {
	return func(name string) string { return m[name] }
}

// with returns base plus the given NAME=value pairs.
func with(base map[string]string, pairs ...string) map[string]string {
	m := map[string]string{}
	for k, v := range base {
		m[k] = v
	}
	for _, p := range pairs {
		k, v, _ := strings.Cut(p, "=")
		m[k] = v
	}
	return m
}

var home = map[string]string{"HOME": "/home/ama"}

func mustLoad(t *testing.T, m map[string]string) Config {
	t.Helper()

	c, err := Load(env(m))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return c
}

// TestDevelopmentDefaults: Secure cookies and rate limits unless
// development says otherwise, or leaves the variables unset.
func TestDevelopmentDefaults(t *testing.T) {
	prod := []string{"MOMO_ENV=production", "SECRET_KEY=" + testSecret,
		"ENCRYPTION_KEY=" + testKey, "DATABASE_URL=sqlite:/srv/momo.db"}
	tests := []struct {
		name                 string
		vars                 []string
		cookieSecure, limits bool
	}{
		{"development, unset", nil, false, false},
		{"development, on", []string{"COOKIE_SECURE=true", "RATE_LIMITS=on"}, true, true},
		{"development, off", []string{"COOKIE_SECURE=false", "RATE_LIMITS=off"}, false, false},
		{"production, unset", prod, true, true},
		{"production, on", append(slices.Clip(prod), "COOKIE_SECURE=true", "RATE_LIMITS=on"), true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := mustLoad(t, with(home, tt.vars...))
			if c.CookieSecure != tt.cookieSecure || c.RateLimits != tt.limits {
				t.Errorf("CookieSecure %v, RateLimits %v; want %v and %v", c.CookieSecure, c.RateLimits, tt.cookieSecure, tt.limits)
			}
		})
	}
}

func TestLoadDefaults(t *testing.T) {
	c := mustLoad(t, home)

	want := Config{
		Env:        Development,
		Database:   Database{EngineSQLite, "/home/ama/.local/share/momo/momo.db"},
		Port:       8080,
		DataDir:    "/home/ama/.local/share/momo",
		LogFile:    "/home/ama/.local/share/momo/momo.log",
		BackupDir:  "/home/ama/.local/share/momo/backups",
		BackupKeep: 7,
		MaxAmount:  100_000_000,

		UploadMaxBytes: 50 << 20,
		CookieSecure:   false, SessionLifetime: 24 * time.Hour, SessionIdle: 30 * time.Minute,
		RegistrationOpen: true, RateLimits: false, ProxyHeader: "X-Forwarded-For",
	}
	if !reflect.DeepEqual(c, want) {
		t.Errorf("Load defaults\n have %#v\n want %#v\n fields %+v", c, want, c)
	}
	if c.Production() {
		t.Error("default is production")
	}
}

func TestLoadValues(t *testing.T) {
	m := with(home,
		"MOMO_ENV= Production ",
		"SECRET_KEY="+testSecret,
		"ENCRYPTION_KEY="+testKey+", "+testKey2,
		"DATABASE_URL=postgres://momo:pw@db.internal:5432/momo?sslmode=require",
		"REDIS_URL=rediss://default:pw@cache:6380/0",
		"PORT=5000",
		"PUBLIC_URL=https://momo.example.org/",
		"TRUSTED_PROXIES=10.0.0.0/8, 192.168.1.7,fd00::/8, 10.1.2.3/16",
		"TELEGRAM_BOT_TOKEN=123456789:AAEhBOweik6ad9r_QXMENQjcrGbqCr4K-bs",
		"TELEGRAM_WEBHOOK_SECRET=abc_DEF-123",
		"TELEGRAM_API_URL=http://127.0.0.1:9001/",
		"TWILIO_ACCOUNT_SID=AC0123456789abcdef0123456789abcdef",
		"TWILIO_AUTH_TOKEN=0123456789abcdef0123456789abcdef",
		"TWILIO_WHATSAPP_NUMBER=+233 24 123 4567",
		"TWILIO_WEBHOOK_SECRET=hook",
		"TWILIO_API_URL=http://[::1]:9002",
		"MOMO_DATA_DIR=/var/lib/momo/",
		"LOG_FILE=-",
		"MOMO_TEMPLATES=/etc/momo/a.yaml::/etc/momo/more/",
		"BACKUP_DIR=/backups",
		"BACKUP_INTERVAL=24h",
		"BACKUP_KEEP=30",
		"MOMO_TIMEZONE=Africa/Kigali",
		"MOMO_MAX_AMOUNT=5_000_000",
		"SESSION_LIFETIME=12h",
		"SESSION_IDLE_TIMEOUT=15m",
		"REGISTRATION=Closed",
		"HEALTH_TOKEN="+strings.Repeat("h", 40),
		"PROXY_HEADER= x-real-IP ",
		"UPLOAD_MAX_BYTES=10_485_760",
	)
	c := mustLoad(t, m)

	want := Config{
		Env:           Production,
		SecretKey:     testSecret,
		EncryptionKey: Secret(testKey + ", " + testKey2),
		DatabaseURL:   "postgres://momo:pw@db.internal:5432/momo?sslmode=require",
		Database:      Database{EnginePostgres, "postgres://momo:pw@db.internal:5432/momo?sslmode=require"},
		RedisURL:      "rediss://default:pw@cache:6380/0",
		Port:          5000,
		PublicURL:     "https://momo.example.org",
		TrustedProxies: []netip.Prefix{
			netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("192.168.1.7/32"),
			netip.MustParsePrefix("fd00::/8"), netip.MustParsePrefix("10.1.0.0/16"),
		},
		DataDir:               "/var/lib/momo",
		TelegramBotToken:      "123456789:AAEhBOweik6ad9r_QXMENQjcrGbqCr4K-bs",
		TelegramWebhookSecret: "abc_DEF-123",
		TelegramAPIURL:        "http://127.0.0.1:9001",
		TwilioAccountSID:      "AC0123456789abcdef0123456789abcdef",
		TwilioAuthToken:       "0123456789abcdef0123456789abcdef",
		TwilioWhatsAppNumber:  "whatsapp:+233241234567",
		TwilioWebhookSecret:   "hook",
		TwilioAPIURL:          "http://[::1]:9002",
		Templates:             []string{"/etc/momo/a.yaml", "/etc/momo/more"},
		BackupDir:             "/backups",
		BackupInterval:        24 * time.Hour,
		BackupKeep:            30,
		Timezone:              "Africa/Kigali",
		MaxAmount:             5_000_000,
		CookieSecure:          true,
		SessionLifetime:       12 * time.Hour,
		SessionIdle:           15 * time.Minute,
		HealthToken:           Secret(strings.Repeat("h", 40)),
		RateLimits:            true,
		ProxyHeader:           "X-Real-IP",
		UploadMaxBytes:        10 << 20,
	}
	if !reflect.DeepEqual(c, want) {
		t.Errorf("Load\n have %+v\n want %+v", fields(c), fields(want))
	}
}

// fields shows every field, secrets included, for test failure messages.
func fields(c Config) string {
	v := reflect.ValueOf(c)
	var b strings.Builder
	for i := range v.NumField() {
		fmt.Fprintf(&b, "\n  %s: %q", v.Type().Field(i).Name, fmt.Sprint(v.Field(i).Convert(v.Field(i).Type()).Interface()))
		if s, ok := v.Field(i).Interface().(Secret); ok {
			fmt.Fprintf(&b, " (%s)", s.Reveal())
		}
	}
	return b.String()
}

func TestLoadDataDir(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"home", map[string]string{"HOME": "/home/kofi"}, "/home/kofi/.local/share/momo"},
		{"xdg", map[string]string{"HOME": "/home/kofi", "XDG_DATA_HOME": "/data/xdg"}, "/data/xdg/momo"},
		{"relative xdg ignored", map[string]string{"HOME": "/home/kofi", "XDG_DATA_HOME": "xdg"}, "/home/kofi/.local/share/momo"},
		{"explicit wins", map[string]string{"HOME": "/home/kofi", "XDG_DATA_HOME": "/x", "MOMO_DATA_DIR": "./data/"}, "data"},
		{"nothing, with postgres", map[string]string{"DATABASE_URL": "postgres://db/momo"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := mustLoad(t, tt.env).DataDir; got != tt.want {
				t.Errorf("DataDir = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestLoadProblems(t *testing.T) {
	tests := []struct {
		name  string
		env   map[string]string
		wants []string
	}{
		{"env typo", with(home, "MOMO_ENV=prod"), []string{"MOMO_ENV must be development or production"}},
		{"port word", with(home, "PORT=http"), []string{"PORT must be a number"}},
		{"port zero", with(home, "PORT=0"), []string{"PORT"}},
		{"port too big", with(home, "PORT=65536"), []string{"PORT"}},
		{"no data dir for sqlite", map[string]string{}, []string{"DATABASE_URL is unset and there is no data directory"}},
		{"mysql", with(home, "DATABASE_URL=mysql://u:pw@h/db"), []string{`unsupported scheme "mysql"`}},
		{"redis scheme", with(home, "REDIS_URL=http://cache"), []string{"REDIS_URL must be"}},
		{"public url relative", with(home, "PUBLIC_URL=momo.example.org"), []string{"PUBLIC_URL must be an absolute"}},
		{"public url query", with(home, "PUBLIC_URL=https://x.org/?a=b"), []string{"PUBLIC_URL must not have a query"}},
		{"public url credentials", with(home, "PUBLIC_URL=https://u:p@x.org"), []string{"PUBLIC_URL must be an absolute"}},
		{"api url ftp", with(home, "TELEGRAM_API_URL=ftp://127.0.0.1"), []string{"TELEGRAM_API_URL"}},
		{"proxy cidr", with(home, "TRUSTED_PROXIES=10.0.0.0/8,10.0.0.0/33"), []string{"TRUSTED_PROXIES entry 2"}},
		{"proxy name", with(home, "TRUSTED_PROXIES=proxy.local"), []string{"TRUSTED_PROXIES entry 1"}},
		{"bot token", with(home, "TELEGRAM_BOT_TOKEN=123/../evil"), []string{"TELEGRAM_BOT_TOKEN does not look like"}},
		{"webhook secret", with(home, "TELEGRAM_WEBHOOK_SECRET=has space"), []string{"TELEGRAM_WEBHOOK_SECRET must be"}},
		{"twilio sid", with(home, "TWILIO_ACCOUNT_SID=SK123", "TWILIO_AUTH_TOKEN=t"), []string{"TWILIO_ACCOUNT_SID must be AC"}},
		{"twilio half", with(home, "TWILIO_AUTH_TOKEN=t"), []string{"must be set together"}},
		{"whatsapp number", with(home, "TWILIO_WHATSAPP_NUMBER=0241234567"), []string{"TWILIO_WHATSAPP_NUMBER must be"}},
		{"whatsapp without account", with(home, "TWILIO_WHATSAPP_NUMBER=+233241234567"), []string{"TWILIO_WHATSAPP_NUMBER needs TWILIO_ACCOUNT_SID"}},
		{"backup interval", with(home, "BACKUP_INTERVAL=daily"), []string{"BACKUP_INTERVAL must be"}},
		{"backup interval short", with(home, "BACKUP_INTERVAL=5s"), []string{"BACKUP_INTERVAL must be"}},
		{"backup keep", with(home, "BACKUP_KEEP=0"), []string{"BACKUP_KEEP must be"}},
		{"timezone", with(home, "MOMO_TIMEZONE=Ghana/Accra"), []string{"MOMO_TIMEZONE must be an IANA"}},
		{"timezone local", with(home, "MOMO_TIMEZONE=Local"), []string{"MOMO_TIMEZONE"}},
		{"max amount", with(home, "MOMO_MAX_AMOUNT=1e6"), []string{"MOMO_MAX_AMOUNT must be"}},
		{"max amount zero", with(home, "MOMO_MAX_AMOUNT=0"), []string{"MOMO_MAX_AMOUNT"}},
		{"max amount huge", with(home, "MOMO_MAX_AMOUNT=9223372036854775807"), []string{"MOMO_MAX_AMOUNT"}},
		{"upload limit word", with(home, "UPLOAD_MAX_BYTES=50MB"), []string{"UPLOAD_MAX_BYTES must be a whole number of bytes"}},
		{"upload limit tiny", with(home, "UPLOAD_MAX_BYTES=1023"), []string{"UPLOAD_MAX_BYTES"}},
		{"upload limit huge", with(home, "UPLOAD_MAX_BYTES=1073741825"), []string{"UPLOAD_MAX_BYTES"}},
		{"upload limit negative", with(home, "UPLOAD_MAX_BYTES=-1"), []string{"UPLOAD_MAX_BYTES"}},
		{"encryption key hex", with(home, "ENCRYPTION_KEY="+strings.Repeat("ab", 32)), []string{"ENCRYPTION_KEY", "hex"}},
		{"secret short", with(home, "SECRET_KEY=short"), []string{"SECRET_KEY must be at least 32 bytes"}},
		{"production without secrets", with(home, "MOMO_ENV=production"), []string{"production mode needs SECRET_KEY, ENCRYPTION_KEY, DATABASE_URL"}},
		{"production plain http", with(home, "MOMO_ENV=production", "SECRET_KEY="+testSecret, "ENCRYPTION_KEY="+testKey,
			"DATABASE_URL=postgres://db/momo", "PUBLIC_URL=http://momo.example.org"), []string{"PUBLIC_URL must use https in production"}},
		{"cookie secure word", with(home, "COOKIE_SECURE=no"), []string{"COOKIE_SECURE must be true or false"}},
		{"insecure cookies in production", with(home, "MOMO_ENV=production", "SECRET_KEY="+testSecret, "ENCRYPTION_KEY="+testKey,
			"DATABASE_URL=sqlite:/srv/momo.db", "COOKIE_SECURE=false"), []string{"COOKIE_SECURE=false is for development only"}},
		{"rate limits off in production", with(home, "MOMO_ENV=production", "SECRET_KEY="+testSecret, "ENCRYPTION_KEY="+testKey,
			"DATABASE_URL=sqlite:/srv/momo.db", "RATE_LIMITS=off"), []string{"RATE_LIMITS=off is for development only"}},
		{"session lifetime", with(home, "SESSION_LIFETIME=1d"), []string{"SESSION_LIFETIME must be a duration"}},
		{"session idle short", with(home, "SESSION_IDLE_TIMEOUT=10s"), []string{"SESSION_IDLE_TIMEOUT must be"}},
		{"registration", with(home, "REGISTRATION=invite"), []string{"REGISTRATION must be open or closed"}},
		{"proxy header", with(home, "PROXY_HEADER=Forwarded"), []string{"PROXY_HEADER must be X-Forwarded-For or X-Real-IP"}},
		{"health token short", with(home, "HEALTH_TOKEN=abc"), []string{"HEALTH_TOKEN must have at least 32"}},
		{"everything at once", with(home, "MOMO_ENV=staging", "PORT=-1", "TRUSTED_PROXIES=nope", "MOMO_TIMEZONE=Mars/Olympus",
			"DATABASE_URL=http://x"), []string{"MOMO_ENV", "PORT", "TRUSTED_PROXIES", "MOMO_TIMEZONE", "DATABASE_URL"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Load(env(tt.env))
			if err == nil {
				t.Fatalf("Load accepted it: %+v", c)
			}
			if code := momo.ErrorCode(err); code != momo.CodeConfig {
				t.Errorf("code %q, want config", code)
			}
			msg := momo.ErrorMessage(err)
			for _, want := range tt.wants {
				if !strings.Contains(msg, want) {
					t.Errorf("message lacks %q:\n%s", want, msg)
				}
			}
			for _, v := range tt.env {
				if len(v) > 8 && strings.Contains(v, "pw") && strings.Contains(msg, v) {
					t.Errorf("message quotes a value with a password: %s", msg)
				}
			}
			if !reflect.DeepEqual(c, Config{}) {
				t.Error("Load returned a partial Config with its error")
			}
		})
	}
}

func TestLoadAccepts(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
	}{
		{"production on loopback http", with(home, "MOMO_ENV=production", "SECRET_KEY="+testSecret, "ENCRYPTION_KEY="+testKey,
			"DATABASE_URL=sqlite:/srv/momo.db", "PUBLIC_URL=http://127.0.0.1:8080")},
		{"whatsapp prefixed", with(home, "TWILIO_ACCOUNT_SID=AC0123456789abcdef0123456789abcdef", "TWILIO_AUTH_TOKEN=t",
			"TWILIO_WHATSAPP_NUMBER=whatsapp:+250788123456")},
		{"backup interval zero", with(home, "BACKUP_INTERVAL=0")},
		{"timezone utc", with(home, "MOMO_TIMEZONE=UTC")},
		{"ipv6 proxy", with(home, "TRUSTED_PROXIES=::1")},
		{"redis unix", with(home, "REDIS_URL=unix:///run/redis.sock")},
		{"web settings", with(home, "COOKIE_SECURE=false", "RATE_LIMITS=off", "REGISTRATION=closed",
			"SESSION_LIFETIME=12h", "SESSION_IDLE_TIMEOUT=15m", "HEALTH_TOKEN="+strings.Repeat("t", 32))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mustLoad(t, tt.env)
		})
	}
}

// TestLoadReadsOnlyTable holds Load and Table together: every variable Load
// reads is documented, and every documented one is read.
func TestLoadReadsOnlyTable(t *testing.T) {
	read := map[string]bool{}
	_, _ = Load(func(name string) string {
		read[name] = true
		return ""
	})

	documented := map[string]bool{"HOME": true, "XDG_DATA_HOME": true}
	for _, v := range Table() {
		documented[v.Name] = true
	}
	for name := range read {
		if !documented[name] {
			t.Errorf("Load reads %s, which Table does not describe", name)
		}
	}
	for name := range documented {
		if !read[name] {
			t.Errorf("Table describes %s, which Load never reads", name)
		}
	}
}

func TestTable(t *testing.T) {
	spec := []string{
		"SECRET_KEY", "ENCRYPTION_KEY", "DATABASE_URL", "REDIS_URL", "PORT", "TELEGRAM_BOT_TOKEN",
		"TELEGRAM_WEBHOOK_SECRET", "TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_WHATSAPP_NUMBER",
		"TWILIO_WEBHOOK_SECRET", "MOMO_ENV", "MOMO_DATA_DIR", "PUBLIC_URL", "TRUSTED_PROXIES",
		"TELEGRAM_API_URL", "TWILIO_API_URL", "LOG_FILE", "MOMO_TEMPLATES", "BACKUP_DIR",
		"BACKUP_INTERVAL", "BACKUP_KEEP", "MOMO_TIMEZONE", "MOMO_MAX_AMOUNT",
		"COOKIE_SECURE", "SESSION_LIFETIME", "SESSION_IDLE_TIMEOUT", "REGISTRATION", "HEALTH_TOKEN", "RATE_LIMITS",
		"PROXY_HEADER", "UPLOAD_MAX_BYTES",
	}
	secrets := []string{
		"SECRET_KEY", "ENCRYPTION_KEY", "TELEGRAM_BOT_TOKEN", "TELEGRAM_WEBHOOK_SECRET",
		"TWILIO_AUTH_TOKEN", "TWILIO_WEBHOOK_SECRET", "HEALTH_TOKEN",
	}

	var names []string
	for _, v := range Table() {
		names = append(names, v.Name)
		if v.Meaning == "" {
			t.Errorf("%s has no meaning", v.Name)
		}
		if v.Secret != slices.Contains(secrets, v.Name) {
			t.Errorf("%s: Secret = %v", v.Name, v.Secret)
		}
		if shown[v.Name] == nil {
			t.Errorf("%s cannot be shown", v.Name)
		}
	}
	if !slices.Equal(names, spec) {
		t.Errorf("Table names\n have %v\n want %v", names, spec)
	}
	if len(shown) != len(names) {
		t.Errorf("shown has %d entries for %d variables", len(shown), len(names))
	}

	// Table returns a copy: callers cannot change the next one.
	Table()[0].Name = "CHANGED"
	if Table()[0].Name != "SECRET_KEY" {
		t.Error("Table shares its slice")
	}
}

func TestRedaction(t *testing.T) {
	c := mustLoad(t, with(home,
		"SECRET_KEY="+testSecret,
		"ENCRYPTION_KEY="+testKey,
		"DATABASE_URL=postgresql://momo:db-pa55%2Fw%40rd@db:5432/momo?sslmode=require&password=qs-pa55",
		"REDIS_URL=redis://default:redis-pa55@cache:6379",
		"TELEGRAM_BOT_TOKEN=123456789:tg-token-value_abcdefghijklmnop",
		"TELEGRAM_WEBHOOK_SECRET=tg-hook-secret-value",
		"TWILIO_ACCOUNT_SID=AC0123456789abcdef0123456789abcdef",
		"TWILIO_AUTH_TOKEN=twilio-auth-token-value",
		"TWILIO_WEBHOOK_SECRET=twilio-hook-secret-value",
	))
	secrets := []string{
		testSecret, testKey, "db-pa55", "qs-pa55", "redis-pa55", "tg-token-value",
		"tg-hook-secret", "twilio-auth-token", "twilio-hook-secret",
	}

	var logged bytes.Buffer
	slog.New(slog.NewJSONHandler(&logged, nil)).Info("config", "config", c, "token", c.TelegramBotToken, "db", c.Database)
	slog.New(slog.NewTextHandler(&logged, nil)).Info("config", "config", c, "secret", c.SecretKey)
	js, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	dbJSON, err := json.Marshal(c.Database)
	if err != nil {
		t.Fatal(err)
	}
	outputs := map[string]string{
		"String": c.String(), "%v": fmt.Sprintf("%v", c), "%+v": fmt.Sprintf("%+v", c),
		"%#v": fmt.Sprintf("%#v", c), "%v of pointer": fmt.Sprintf("%v", &c), "%s": sprintS(c),
		"slog": logged.String(), "json": string(js), "database json": string(dbJSON),
		"secret %q %x %#v": fmt.Sprintf("%q %x %#v", c.SecretKey, c.SecretKey, c.SecretKey),
		"database":         fmt.Sprint(c.Database),
	}
	for name, out := range outputs {
		for _, s := range secrets {
			if strings.Contains(out, s) {
				t.Errorf("%s shows %q:\n%s", name, s, out)
			}
		}
	}

	// What is not secret stays visible, so the output remains useful.
	for _, want := range []string{"postgresql://momo:[REDACTED]@db:5432/momo?sslmode=require&password=[REDACTED]", "SECRET_KEY=[REDACTED]", "PORT=8080", "AC0123456789abcdef0123456789abcdef"} {
		if !strings.Contains(c.String(), want) {
			t.Errorf("String lacks %q:\n%s", want, c.String())
		}
	}
	if c.SecretKey.Reveal() != testSecret {
		t.Error("Reveal does not give the secret")
	}
	if Secret("").String() != "" {
		t.Error("an unset secret should show as empty")
	}
}

func TestRedactURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"/var/lib/momo/momo.db", "/var/lib/momo/momo.db"},
		{"postgres://db/momo", "postgres://db/momo"},
		{"postgres://user@db/momo", "postgres://user@db/momo"},
		{"postgres://user:pw@db/momo", "postgres://user:[REDACTED]@db/momo"},
		{"postgres://user:p/w#x@db/momo", "postgres://user:[REDACTED]@db/momo"},
		{"postgres://db/momo?user=a&password=b&sslmode=require", "postgres://db/momo?user=a&password=[REDACTED]&sslmode=require"},
		{"postgres://db/momo?PassWord=b", "postgres://db/momo?PassWord=[REDACTED]"},
		{"redis://:pw@cache:6379/0", "redis://:[REDACTED]@cache:6379/0"},
	}
	for _, tt := range tests {
		if got := RedactURL(tt.in); got != tt.want {
			t.Errorf("RedactURL(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// sprintS formats with %s through a variable format, so that the test can
// check what %s prints without the linter asking for String() instead.
func sprintS(v any) string {
	format := "%s"
	return fmt.Sprintf(format, v)
}
