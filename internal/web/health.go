package web

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"net/http"
	"strings"
	"time"
)

// healthTimeout bounds the database check: a monitor must get an answer
// even when the database hangs.
const healthTimeout = 2 * time.Second

// health answers in the seed's shape. Anonymous callers get the status
// fields only; admins and monitors holding HEALTH_TOKEN also get the
// counts and the integrations. 503 when the database does not answer.
func (s *Server) health(w http.ResponseWriter, r *http.Request) error {
	ctx, cancel := context.WithTimeout(r.Context(), healthTimeout)
	defer cancel()

	body := map[string]any{"status": "healthy", "database": "healthy"}
	status := http.StatusOK
	if err := s.store.Ping(ctx); err != nil {
		s.log.Error("Health check: database unavailable", "error", err)
		body = map[string]any{"status": "unhealthy", "database": "unavailable"}
		status = http.StatusServiceUnavailable
	}

	if status == http.StatusOK && s.privilegedHealth(r) {
		body["telegram"] = "not configured"
		if s.cfg.Telegram {
			body["telegram"] = "configured"
		}
		c, err := s.store.HealthCounts(ctx)
		if err != nil {
			return err
		}
		body["users"], body["transactions"] = c.Users, c.Transactions
	}

	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	return json.NewEncoder(w).Encode(body)
}

func (s *Server) privilegedHealth(r *http.Request) bool {
	if v := visitorOf(r); v.user != nil && v.user.Admin {
		return true
	}
	return s.monitor(r)
}

// monitor reports whether r carries HEALTH_TOKEN as a bearer token. The
// scheme's name is case-insensitive (RFC 9110, 11.1).
func (s *Server) monitor(r *http.Request) bool {
	scheme, token, ok := strings.Cut(strings.TrimSpace(r.Header.Get("Authorization")), " ")
	return ok && s.cfg.HealthToken != "" && strings.EqualFold(scheme, "Bearer") &&
		subtle.ConstantTimeCompare([]byte(strings.TrimSpace(token)), []byte(s.cfg.HealthToken)) == 1
}
