package webui

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"

	"github.com/gin-gonic/gin"
)

// CSRFHeader is the request header that must carry the CSRF token on every
// POST, PATCH and DELETE.
const CSRFHeader = "X-CSRF-Token"

// tokenCookie carries the access token for non-loopback use after the first
// visit with ?token=….
const tokenCookie = "posturewatch_token"

// DefaultListen is the default listen address: loopback only.
const DefaultListen = "127.0.0.1:8484"

// DefaultMaxBodyBytes limits request bodies.
const DefaultMaxBodyBytes = 64 << 10

// MinAccessTokenLen is the shortest access token accepted for remote use.
const MinAccessTokenLen = 16

func randomToken() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		// crypto/rand never fails on supported platforms.
		panic(fmt.Sprintf("webui: crypto/rand: %v", err))
	}
	return hex.EncodeToString(b)
}

// NewAccessToken returns a fresh random access token for --allow-remote use.
func NewAccessToken() string { return randomToken() }

func constantTimeEqual(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

// isLoopbackHost reports whether host (no port) names the loopback interface.
func isLoopbackHost(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}

// checkListen validates the listen address against the remote-access rules.
func checkListen(listen string, allowRemote bool, token string) error {
	host, port, err := net.SplitHostPort(listen)
	if err != nil {
		return fmt.Errorf("listen address %q: want host:port such as %s: %w", listen, DefaultListen, err)
	}
	if port == "" {
		return fmt.Errorf("listen address %q: missing port", listen)
	}
	if isLoopbackHost(host) {
		return nil
	}
	if !allowRemote {
		return fmt.Errorf("listen address %q is not loopback: the dashboard controls your camera, so listening beyond this machine needs the explicit allow-remote option and an access token", listen)
	}
	if len(token) < MinAccessTokenLen {
		return fmt.Errorf("listen address %q is not loopback: an access token of at least %d characters is required", listen, MinAccessTokenLen)
	}
	return nil
}

// hostPolicy is the Host header allow-list, filled once the port is known.
type hostPolicy struct {
	mu      sync.RWMutex
	allowed map[string]bool // lower-case host:port
	anyHost bool            // remote listen on an unspecified address: rely on the token
}

func (p *hostPolicy) set(ln net.Addr, listenHost string, remote bool, extra []string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.allowed = map[string]bool{}
	port := ""
	if ta, ok := ln.(*net.TCPAddr); ok {
		port = fmt.Sprint(ta.Port)
	} else if _, pt, err := net.SplitHostPort(ln.String()); err == nil {
		port = pt
	}
	for _, h := range []string{"127.0.0.1", "localhost", "[::1]"} {
		p.allowed[h+":"+port] = true
		if port == "80" {
			p.allowed[h] = true // browsers omit the default port
		}
	}
	if ip := net.ParseIP(listenHost); ip != nil && ip.IsLoopback() {
		// another loopback address (127.0.0.2, say) is still this computer:
		// the browser sends it as the Host
		p.allowed[strings.ToLower(net.JoinHostPort(listenHost, port))] = true
	}
	if remote {
		if ip := net.ParseIP(listenHost); listenHost == "" || (ip != nil && ip.IsUnspecified()) {
			p.anyHost = true
		} else {
			p.allowed[strings.ToLower(net.JoinHostPort(listenHost, port))] = true
		}
	}
	for _, h := range extra {
		p.allowed[strings.ToLower(h)] = true
	}
}

func (p *hostPolicy) ok(host string) bool {
	p.mu.RLock()
	defer p.mu.RUnlock()
	if p.anyHost {
		return host != ""
	}
	return p.allowed[strings.ToLower(host)]
}

// abortJSON stops the chain with a JSON error.
func abortJSON(c *gin.Context, status int, msg string) {
	c.AbortWithStatusJSON(status, gin.H{"error": msg})
}

// securityHeaders sets CSP, nosniff, frame and referrer headers on every response.
func securityHeaders() gin.HandlerFunc {
	return func(c *gin.Context) {
		h := c.Writer.Header()
		ws := "ws://" + c.Request.Host
		h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; "+
			"connect-src 'self' "+ws+"; img-src 'self' data: blob:; object-src 'none'; base-uri 'none'; "+
			"form-action 'self'; frame-ancestors 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Cross-Origin-Resource-Policy", "same-origin")
		c.Next()
	}
}

// hostCheck refuses requests whose Host header is not allowed (DNS rebinding).
func (s *Server) hostCheck() gin.HandlerFunc {
	return func(c *gin.Context) {
		if !s.hosts.ok(c.Request.Host) {
			abortJSON(c, http.StatusForbidden, fmt.Sprintf("host %q is not allowed: open the dashboard at %s", c.Request.Host, s.URL()))
			return
		}
		c.Next()
	}
}

// accessCheck requires the access token on every request when the server
// listens beyond loopback. The token is accepted as "Authorization: Bearer",
// as the posturewatch_token cookie, or as ?token= (which then sets the cookie).
func (s *Server) accessCheck() gin.HandlerFunc {
	return func(c *gin.Context) {
		if s.accessToken == "" {
			c.Next()
			return
		}
		got := ""
		if a := c.GetHeader("Authorization"); strings.HasPrefix(a, "Bearer ") {
			got = strings.TrimPrefix(a, "Bearer ")
		} else if q := c.Query("token"); q != "" {
			got = q
			if constantTimeEqual(got, s.accessToken) {
				http.SetCookie(c.Writer, &http.Cookie{Name: tokenCookie, Value: got, Path: "/",
					HttpOnly: true, SameSite: http.SameSiteStrictMode})
			}
		} else if ck, err := c.Cookie(tokenCookie); err == nil {
			got = ck
		}
		if got == "" {
			abortJSON(c, http.StatusUnauthorized, "access token required: open the URL printed by posturewatch run (it ends in ?token=…)")
			return
		}
		if !constantTimeEqual(got, s.accessToken) {
			abortJSON(c, http.StatusUnauthorized, "wrong access token")
			return
		}
		c.Next()
	}
}

// originAllowed reports whether an Origin header value is this dashboard.
// An absent Origin (non-browser clients) is allowed; "null" is not.
func (s *Server) originAllowed(r *http.Request) (bool, string) {
	o := r.Header.Get("Origin")
	if o == "" {
		return true, ""
	}
	u, err := url.Parse(o)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return false, fmt.Sprintf("origin %q is not allowed", o)
	}
	if !strings.EqualFold(u.Host, r.Host) || !s.hosts.ok(u.Host) {
		return false, fmt.Sprintf("origin %q is not allowed: only pages served by this dashboard may call it", o)
	}
	return true, ""
}

// csrfCheck requires a same-origin request and the CSRF token header on
// every state-changing method.
func (s *Server) csrfCheck() gin.HandlerFunc {
	return func(c *gin.Context) {
		switch c.Request.Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
			c.Next()
			return
		}
		if ok, msg := s.originAllowed(c.Request); !ok {
			abortJSON(c, http.StatusForbidden, msg)
			return
		}
		tok := c.GetHeader(CSRFHeader)
		if tok == "" {
			abortJSON(c, http.StatusForbidden, "missing CSRF token: send the "+CSRFHeader+" header (GET /api/csrf gives it)")
			return
		}
		if !constantTimeEqual(tok, s.csrf) {
			abortJSON(c, http.StatusForbidden, "wrong CSRF token: reload the dashboard")
			return
		}
		c.Next()
	}
}

// bodyLimit caps request bodies; a declared oversize body is refused at once,
// an undeclared one fails while reading (413 from decodeJSON).
func (s *Server) bodyLimit() gin.HandlerFunc {
	return func(c *gin.Context) {
		if c.Request.ContentLength > s.maxBody {
			abortJSON(c, http.StatusRequestEntityTooLarge, fmt.Sprintf("request body too large: %d bytes, the limit is %d", c.Request.ContentLength, s.maxBody))
			return
		}
		if c.Request.Body != nil {
			c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, s.maxBody)
		}
		c.Next()
	}
}
