package web

import (
	"fmt"
	"net/http"
	_ "time/tzdata" // timezones in the binary: a server image may have no zoneinfo

	"github.com/momoanalytics/momo"
)

// prefsView is the preferences form: the stored values and the choices.
type prefsView struct {
	Prefs      momo.Preferences
	Zones      []string
	Currencies []momo.Currency
}

// suggestedZones are the countries whose operators we read, offered
// first; any IANA name is accepted.
var suggestedZones = []string{"Africa/Accra", "Africa/Kigali", "Africa/Kampala", "Africa/Nairobi", "Africa/Dar_es_Salaam", "UTC"}

// offeredCurrencies are the operators' currencies.
var offeredCurrencies = []momo.Currency{"GHS", "RWF", "UGX", "KES", "TZS"}

func (s *Server) settings(w http.ResponseWriter, r *http.Request) error {
	p := page{Title: "Account settings"}
	switch r.URL.Query().Get("changed") {
	case "1":
		p.Notice = "Your password was changed; your other sessions were signed out."
	case "prefs":
		p.Notice = "Your preferences are saved."
	}
	prefs, err := s.store.Preferences(r.Context(), visitorOf(r).user.ID)
	if err != nil {
		return err
	}
	p.Data = prefsView{Prefs: prefs, Zones: suggestedZones, Currencies: offeredCurrencies}
	s.render(w, r, http.StatusOK, "settings", p)
	return nil
}

// savePreferences stores the timezone and currency the dashboard shows
// the user's data in.
func (s *Server) savePreferences(w http.ResponseWriter, r *http.Request) error {
	v := visitorOf(r)
	p, msg := readPreferences(r.PostFormValue("timezone"), r.PostFormValue("currency"))
	if msg != "" {
		s.render(w, r, http.StatusBadRequest, "settings", page{Title: "Account settings", Error: msg,
			Data: prefsView{Prefs: p, Zones: suggestedZones, Currencies: offeredCurrencies}})
		return nil
	}
	a := s.auditOf(r, momo.AuditSettings, v.user, fmt.Sprintf("timezone %q, currency %q", p.Timezone, p.Currency))
	a.TargetID = v.user.ID
	if err := s.store.SetPreferences(r.Context(), v.user.ID, p, a); err != nil {
		return err
	}
	s.logAudit(a)
	http.Redirect(w, r, "/settings?changed=prefs", http.StatusSeeOther)
	return nil
}

// readPreferences checks what the form sent (Preferences.Check), each
// possibly empty, and returns the sentence that says what is wrong.
func readPreferences(zone, cur string) (momo.Preferences, string) {
	p := momo.Preferences{Timezone: zone, Currency: momo.Currency(cur)}
	if err := p.Check(); err != nil {
		return momo.Preferences{}, momo.ErrorMessage(err)
	}
	return p, ""
}
