package web

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"strings"
	"time"

	"github.com/momoanalytics/momo"
	"github.com/momoanalytics/momo/internal/chart"
)

//go:embed templates/*.html
var templateFiles embed.FS

//go:embed static
var staticFS embed.FS

// page is what every template receives.
type page struct {
	Title   string
	Message string // the error page's text
	Error   string // a form's problem
	Notice  string
	Next    string
	Form    map[string]string // values typed, shown again
	Data    any

	// Set by render.
	User             *momo.User
	FormToken        string
	RegistrationOpen bool
	// zone is the viewer's timezone (nil: none chosen); render reads it
	// unless the handler did (zoneKnown).
	zone      *time.Location
	zoneKnown bool
}

// When writes a time of the page in the viewer's timezone with its
// abbreviation, or in UTC when they chose none.
func (p page) When(t time.Time) string {
	switch {
	case t.IsZero():
		return "never"
	case p.zone == nil:
		return t.UTC().Format("2006-01-02 15:04 UTC")
	}
	return t.In(p.zone).Format("2006-01-02 15:04 MST")
}

// inZone is p with the viewer's timezone already read.
func (p page) inZone(loc *time.Location) page {
	p.zone, p.zoneKnown = loc, true
	return p
}

// pages are the parsed templates, each with the layout.
type pages map[string]*template.Template

var pageNames = []string{"login", "register", "dashboard", "settings", "users", "audit", "error",
	"upload", "link", "overview", "subscriber"}

var funcs = template.FuncMap{
	"args": func(id momo.UserID, action, label, token string) actionButton {
		return actionButton{ID: id, Action: action, Label: label, Token: token}
	},
	"channel": channelName,
	// money writes minor units in the currency's convention, with its code.
	"money": func(c momo.Currency, minor int64) string { return c.Format(minor) + " " + string(c) },
	// amount is money the SMS may not have stated: blank then, not 0.
	"amount": func(c momo.Currency, a momo.Amount) string {
		if !a.Known {
			return ""
		}
		return c.Format(a.Minor)
	},
}

// channelNames say where a subscriber's messages come from in the words
// of the person who sent them.
var channelNames = map[momo.Source]string{
	momo.SourceUpload:   "Uploads on this site",
	momo.SourceTelegram: "Telegram chat",
	momo.SourceWhatsApp: "WhatsApp number",
	momo.SourceDevice:   "Android forwarder",
	momo.SourceCLI:      "Command line",
	momo.SourceBackup:   "Backup file",
}

func channelName(c momo.Source) string {
	if name, ok := channelNames[c]; ok {
		return name
	}
	return string(c)
}

// actionButton is one admin action's form on the accounts page.
type actionButton struct {
	ID                   momo.UserID
	Action, Label, Token string
}

func loadPages() (pages, error) {
	p := pages{}
	for _, name := range pageNames {
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFiles, "templates/layout.html",
			"templates/partials.html", "templates/"+name+".html")
		if err != nil {
			return nil, fmt.Errorf("web: template %s: %w", name, err)
		}
		p[name] = t
	}
	return p, nil
}

// render executes a page into a buffer first, so that a template error
// becomes a clean 500 rather than half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, p page) {
	if v := visitorOf(r); v.user != nil {
		p.User, p.FormToken = v.user, v.formToken
		if !p.zoneKnown {
			p.zone = s.viewerZone(r, v.user.ID)
		}
	}
	p.RegistrationOpen = s.cfg.RegistrationOpen
	var buf bytes.Buffer
	if err := s.pages[name].Execute(&buf, p); err != nil {
		s.log.Error("Template failed", "template", name, "error", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// viewerZone is the timezone the user chose for the times of the pages,
// nil for none. A store that cannot answer leaves the times in UTC
// rather than failing the page.
func (s *Server) viewerZone(r *http.Request, id momo.UserID) *time.Location {
	prefs, err := s.store.Preferences(r.Context(), id)
	if err != nil {
		s.log.Warn("Preferences not read for the page's times", "user_id", int64(id), "error", err)
		return nil
	}
	return userZone(prefs)
}

// staticFiles serves the embedded stylesheet; they change only with the
// binary, so caches may keep them for a day. Files only: a directory is
// 404, not a listing of what the binary holds.
func staticFiles() http.Handler {
	sub, err := fs.Sub(staticFS, "static")
	if err != nil {
		panic(err) // the embed directive guarantees the folder
	}
	files := http.StripPrefix("/static/", http.FileServerFS(sub))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := strings.TrimPrefix(r.URL.Path, "/static/")
		if name == "chart.css" {
			// The chart package's own rules, served as they are.
			w.Header().Set("Cache-Control", "public, max-age=86400")
			w.Header().Set("Content-Type", "text/css; charset=utf-8")
			http.ServeContent(w, r, name, time.Time{}, strings.NewReader(chart.Stylesheet))
			return
		}
		if info, err := fs.Stat(sub, name); err != nil || info.IsDir() || !fs.ValidPath(name) {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Cache-Control", "public, max-age=86400")
		files.ServeHTTP(w, r)
	})
}
