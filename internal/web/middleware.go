package web

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/momoanalytics/momo"
	"github.com/momoanalytics/momo/internal/ratelimit"
)

// contentSecurityPolicy allows scripts, styles and images only as files
// from this origin (no inline script or style: the charts are SVG with
// classes), requests by script only to it (the upload's progress), forms
// only to it, and no framing.
const contentSecurityPolicy = "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'; " +
	"img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// withHeaders sets the security headers before anything else can answer,
// so that errors, redirects and 429s carry them too.
func (s *Server) withHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		if s.cfg.Production {
			h.Set("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
		}
		if !strings.HasPrefix(r.URL.Path, "/static/") {
			// Signed-in pages must not stay in shared or back-button caches.
			h.Set("Cache-Control", "no-store")
		}
		next.ServeHTTP(w, r)
	})
}

// client is who sent a request, as far as we can trust it.
type client struct {
	IP        string
	Scheme    string // "http" or "https", as the client used it
	UserAgent string
}

type clientKey struct{}

func clientOf(r *http.Request) client {
	c, _ := r.Context().Value(clientKey{}).(client)
	return c
}

// withClient works out the client's address and scheme: the peer's own,
// unless the peer is a trusted proxy, whose header (Config.ProxyHeader)
// then names the client. Only that one header is read: a client can send
// the other one itself.
func (s *Server) withClient(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c := s.clientFor(r)
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), clientKey{}, c)))
	})
}

func (s *Server) clientFor(r *http.Request) client {
	c := client{Scheme: "http", UserAgent: r.UserAgent()}
	if r.TLS != nil {
		c.Scheme = "https"
	}
	peer := peerAddr(r.RemoteAddr)
	c.IP = peer.String()
	if !peer.IsValid() || !s.trusted(peer) {
		return c
	}

	if proto := lastValue(r.Header.Values("X-Forwarded-Proto")); proto == "http" || proto == "https" {
		c.Scheme = proto
	}
	if s.cfg.ProxyHeader == HeaderRealIP {
		if a, ok := parseHop(r.Header.Get(HeaderRealIP)); ok && len(r.Header.Values(HeaderRealIP)) == 1 {
			c.IP = a.String()
		}
		return c
	}
	// X-Forwarded-For: each proxy appends the address it saw, so the
	// rightmost entry that is not one of our proxies is the client; what
	// lies left of it the client may have written itself.
	hops := forwardedFor(r.Header)
	for i := len(hops) - 1; i >= 0; i-- {
		a, ok := parseHop(hops[i])
		if !ok {
			break
		}
		c.IP = a.String()
		if !s.trusted(a) {
			break
		}
	}
	return c
}

// The headers a trusted proxy may name the client in.
const (
	HeaderForwardedFor = "X-Forwarded-For"
	HeaderRealIP       = "X-Real-IP"
)

// forwardedFor lists X-Forwarded-For's hops, left to right.
func forwardedFor(h http.Header) []string {
	var hops []string
	for _, v := range h.Values(HeaderForwardedFor) {
		for p := range strings.SplitSeq(v, ",") {
			hops = append(hops, strings.TrimSpace(p))
		}
	}
	return hops
}

// parseHop reads one address as proxies write them: bare, with a port
// ("203.0.113.12:5555", "[2001:db8::1]:443") or in brackets
// ("[2001:db8::1]"). Zones are refused: they mean nothing off the host.
func parseHop(v string) (netip.Addr, bool) {
	v = strings.TrimSpace(v)
	if ap, err := netip.ParseAddrPort(v); err == nil {
		v = ap.Addr().String()
	} else if inner, ok := strings.CutPrefix(v, "["); ok {
		v, ok = strings.CutSuffix(inner, "]")
		if !ok {
			return netip.Addr{}, false
		}
	}
	a, err := netip.ParseAddr(v)
	if err != nil || a.Zone() != "" {
		return netip.Addr{}, false
	}
	return a.Unmap(), true
}

func lastValue(vs []string) string {
	if len(vs) == 0 {
		return ""
	}
	parts := strings.Split(vs[len(vs)-1], ",")
	return strings.ToLower(strings.TrimSpace(parts[len(parts)-1]))
}

func peerAddr(remote string) netip.Addr {
	host, _, err := net.SplitHostPort(remote)
	if err != nil {
		host = remote
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return netip.Addr{}
	}
	return a.Unmap()
}

func (s *Server) trusted(a netip.Addr) bool {
	for _, p := range s.cfg.TrustedProxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// withHTTPS sends a browser that came over plain HTTP, by the trusted
// proxy's word, to the same path over HTTPS on PUBLIC_URL's host
// (production only). The request's Host is never used: anyone can write
// it, and the redirect would then send the browser elsewhere. Without
// PUBLIC_URL plain HTTP is refused.
func (s *Server) withHTTPS(next http.Handler) http.Handler {
	host := publicHost(s.cfg.PublicURL)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !s.cfg.Production || clientOf(r).Scheme == "https" || !s.trusted(peerAddr(r.RemoteAddr)) {
			next.ServeHTTP(w, r)
			return
		}
		if host == "" {
			s.render(w, r, http.StatusBadRequest, "error", page{Title: "HTTPS only",
				Message: "This site answers over HTTPS only."})
			return
		}
		// 308 keeps the method; a POST is refused rather than turned
		// into a GET.
		http.Redirect(w, r, "https://"+host+r.URL.RequestURI(), http.StatusPermanentRedirect)
	})
}

// publicHost is PUBLIC_URL's host (and port), or "" when it has none.
func publicHost(public string) string {
	u, err := url.Parse(public)
	if err != nil || u.Host == "" {
		return ""
	}
	return u.Host
}

// withLimits counts each request against the limits that apply to it.
// Sign-in and registration count their POSTs, the attempts; the overall
// limits are shared by every page of the site, as one budget per client.
func (s *Server) withLimits(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.cfg.Limits.Off {
			next.ServeHTTP(w, r)
			return
		}
		key := limitKey(clientOf(r).IP)
		for _, l := range s.limitsFor(r) {
			res, err := s.limiter.Allow(r.Context(), key, l)
			if err != nil {
				s.fail(w, r, momo.E(momo.CodeUnavailable, "Please try again in a moment.", err))
				return
			}
			if !res.Allowed {
				s.tooMany(w, r, l, res.RetryAfter)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

func (s *Server) limitsFor(r *http.Request) []ratelimit.Limit {
	L := s.cfg.Limits
	switch {
	case strings.HasPrefix(r.URL.Path, "/static/"):
		return nil
	case r.URL.Path == "/health" && s.monitor(r):
		return nil // the monitor's token: it polls as often as it was set up to
	case r.URL.Path == "/health":
		return []ratelimit.Limit{L.Health}
	case r.Method == http.MethodPost && r.URL.Path == "/login":
		return []ratelimit.Limit{L.Login, L.Hour, L.Day}
	case r.Method == http.MethodPost && r.URL.Path == "/register":
		return []ratelimit.Limit{L.Register, L.Hour, L.Day}
	}
	return []ratelimit.Limit{L.Hour, L.Day}
}

// limitKey is the address a client is counted by: an IPv6 client by its
// /64, which one subscriber usually gets whole and can walk through.
func limitKey(ip string) string {
	a, err := netip.ParseAddr(ip)
	if err != nil || !a.Is6() {
		return ip
	}
	return netip.PrefixFrom(a, 64).Masked().String()
}

func (s *Server) tooMany(w http.ResponseWriter, r *http.Request, l ratelimit.Limit, after time.Duration) {
	secs := int((after + time.Second - 1) / time.Second)
	if secs < 1 {
		secs = 1
	}
	w.Header().Set("Retry-After", strconv.Itoa(secs))
	s.log.Warn("Rate limit hit", "event", "ratelimit.hit", "limit", l.Name, "client_ip", clientOf(r).IP, "path", logText(r.URL.Path))
	s.render(w, r, http.StatusTooManyRequests, "error", page{Title: "Too many requests",
		Message: "Too many requests from your address. Please wait " + strconv.Itoa(secs) + " seconds and try again."})
}

func (s *Server) crossOrigin(w http.ResponseWriter, r *http.Request) {
	s.log.Warn("Cross-origin request refused", "event", "csrf.refused", "client_ip", clientOf(r).IP,
		"path", logText(r.URL.Path), "origin", logText(r.Header.Get("Origin")))
	s.render(w, r, http.StatusForbidden, "error", page{Title: "Refused",
		Message: "This form was sent from another site, so it was refused."})
}

// handlerFunc is a page handler that returns its error instead of
// answering it; handle turns the error into the one right answer.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

func (s *Server) handle(h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			s.fail(w, r, err)
		}
	})
}

// statuses gives each error code its HTTP status.
var statuses = map[momo.Code]int{
	momo.CodeInvalid:      http.StatusBadRequest,
	momo.CodeNotFound:     http.StatusNotFound,
	momo.CodeConflict:     http.StatusConflict,
	momo.CodeUnavailable:  http.StatusServiceUnavailable,
	momo.CodeConfig:       http.StatusInternalServerError,
	momo.CodeUnauthorized: http.StatusForbidden,
	momo.CodeInternal:     http.StatusInternalServerError,
}

// fail answers an error: its safe message, never its cause, which goes to
// the log for server errors.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	code := momo.ErrorCode(err)
	if errors.Is(err, context.Canceled) {
		return
	}
	status := statuses[code]
	var se *statusError
	if errors.As(err, &se) {
		status = se.status
	}
	msg := momo.ErrorMessage(err)
	if status >= 500 {
		s.log.Error("Request failed", "path", logText(r.URL.Path), "client_ip", clientOf(r).IP, "error", err)
		if code == momo.CodeInternal || code == momo.CodeConfig {
			msg = "Something went wrong on our side. Please try again later."
		}
	}
	s.render(w, r, status, "error", page{Title: http.StatusText(status), Message: msg})
}
