package webui

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"posturewatch/coach/domain"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gin-gonic/gin"
)

//go:embed static
var staticFS embed.FS

// Options configure a Server. Only Backend is required.
type Options struct {
	// Listen is host:port; default DefaultListen (127.0.0.1:8484). Port 0 picks a free port.
	Listen string
	// AllowRemote permits a non-loopback Listen address; it then requires AccessToken.
	AllowRemote bool
	// AccessToken is required on every request when set (constant-time compare).
	// It is mandatory (≥ MinAccessTokenLen chars) for a non-loopback Listen.
	AccessToken string
	// AllowedHosts adds Host header values (host:port) to the allow-list
	// (127.0.0.1:port, localhost:port and [::1]:port are always allowed).
	AllowedHosts []string
	// Backend is the running service.
	Backend Backend
	// Logger receives request logs and hub diagnostics; default slog.Default().
	Logger *slog.Logger
	// Version is shown in the hello message and the About panel.
	Version string
	// MaxBodyBytes caps request bodies; default DefaultMaxBodyBytes (64 KiB).
	MaxBodyBytes int64
	// Hub tunes the WebSocket hub; zero values take the defaults.
	Hub HubOptions
	// Metrics, when set, is served at GET /metrics behind the same Host
	// check and access token as the API (Prometheus sends the token as
	// "Authorization: Bearer"). Nil: there is no /metrics.
	Metrics http.Handler
	// About answers the About panel's data, export and deletion; nil:
	// those routes answer 503.
	About AboutService
}

// Server is the dashboard HTTP server: REST API, WebSocket hub and the
// embedded dashboard. Create it with New, run it with Start or Serve, feed it
// with the Publish methods, stop it with Shutdown.
type Server struct {
	opts        Options
	log         *slog.Logger
	backend     Backend
	csrf        string
	accessToken string
	maxBody     int64
	hosts       hostPolicy
	engine      *gin.Engine
	hub         *Hub
	index       []byte // index.html with the CSRF token filled in
	configMu    sync.Mutex
	lastSample  atomic.Pointer[domain.Sample]

	mu     sync.Mutex
	srv    *http.Server
	addr   string
	ln     net.Listener
	closed bool
}

// New checks the options and builds the server; nothing listens yet.
func New(opts Options) (*Server, error) {
	if opts.Backend == nil {
		return nil, errors.New("webui: Options.Backend is required")
	}
	if opts.Listen == "" {
		opts.Listen = DefaultListen
	}
	if err := checkListen(opts.Listen, opts.AllowRemote, opts.AccessToken); err != nil {
		return nil, fmt.Errorf("webui: %w", err)
	}
	if opts.AccessToken != "" && len(opts.AccessToken) < MinAccessTokenLen {
		return nil, fmt.Errorf("webui: access token too short: want at least %d characters", MinAccessTokenLen)
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.MaxBodyBytes <= 0 {
		opts.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if opts.Version == "" {
		opts.Version = "dev"
	}
	s := &Server{
		opts:        opts,
		log:         opts.Logger,
		backend:     opts.Backend,
		csrf:        randomToken(),
		accessToken: opts.AccessToken,
		maxBody:     opts.MaxBodyBytes,
	}
	idx, err := staticFS.ReadFile("static/index.html")
	if err != nil {
		return nil, fmt.Errorf("webui: embedded index.html: %w", err)
	}
	s.index = bytes.Replace(idx, []byte("{{CSRF_TOKEN}}"), []byte(s.csrf), 1)
	s.index = bytes.Replace(s.index, []byte("{{VERSION}}"), []byte(htmlEscape(opts.Version)), -1)
	s.hub = newHub(opts.Hub, opts.Logger, s.helloFor)
	s.hub.onPreviewWanted = opts.Backend.SetPreview
	s.engine = s.routes()
	return s, nil
}

func htmlEscape(s string) string {
	r := strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "'", "&#39;")
	return r.Replace(s)
}

// CSRFToken returns this server's CSRF token (random per start).
func (s *Server) CSRFToken() string { return s.csrf }

// Handler returns the HTTP handler (for tests with httptest; the Host
// allow-list is only filled by Serve/Start, so prefer those).
func (s *Server) Handler() http.Handler { return s.engine }

// Hub returns the WebSocket hub.
func (s *Server) Hub() *Hub { return s.hub }

// Addr returns the address being served ("" before Start/Serve).
func (s *Server) Addr() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addr
}

// URL returns the dashboard URL to print: http://127.0.0.1:port/ for a
// loopback listener (with ?token=… when an access token is set).
func (s *Server) URL() string {
	addr := s.Addr()
	if addr == "" {
		addr = s.opts.Listen
	}
	host, port, err := net.SplitHostPort(addr)
	if err == nil {
		if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
			host = "127.0.0.1"
		}
		addr = net.JoinHostPort(host, port)
	}
	u := "http://" + addr + "/"
	if s.accessToken != "" {
		u += "?token=" + s.accessToken
	}
	return u
}

// logURL is URL without the access token, for logs.
func (s *Server) logURL() string {
	u, _, _ := strings.Cut(s.URL(), "?token=")
	return u
}

// Start listens on Options.Listen and serves in the background. It returns
// the actual address (useful with port 0). Shutdown stops it: that is the
// one way, so there is one owner of the server's end.
func (s *Server) Start() (string, error) {
	ln, err := net.Listen("tcp", s.opts.Listen)
	if err != nil {
		return "", fmt.Errorf("webui: listen on %s: %w", s.opts.Listen, err)
	}
	ready := make(chan struct{})
	go func() {
		if err := s.serve(ln, ready); err != nil {
			s.log.Error("dashboard server stopped", "err", err)
		}
	}()
	<-ready
	return s.Addr(), nil
}

// Serve serves on ln until Shutdown; it returns nil after a clean shutdown.
func (s *Server) Serve(ln net.Listener) error {
	return s.serve(ln, nil)
}

func (s *Server) serve(ln net.Listener, ready chan struct{}) error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		ln.Close()
		if ready != nil {
			close(ready)
		}
		return errors.New("webui: server already shut down")
	}
	if s.srv != nil {
		s.mu.Unlock()
		if ready != nil {
			close(ready)
		}
		return errors.New("webui: server already serving")
	}
	host, _, _ := net.SplitHostPort(s.opts.Listen)
	s.hosts.set(ln.Addr(), host, s.opts.AllowRemote, s.opts.AllowedHosts)
	s.addr = ln.Addr().String()
	s.ln = ln
	s.srv = &http.Server{
		Handler:           s.engine,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       15 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    32 << 10,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	srv := s.srv
	s.mu.Unlock()
	s.hub.start()                                        // the hub runs while the server serves: New starts nothing
	s.log.Info("dashboard listening", "url", s.logURL()) // never the access token: logs are shared
	if ready != nil {
		close(ready)
	}
	err := srv.Serve(ln)
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return fmt.Errorf("webui: serve: %w", err)
}

// Shutdown stops accepting connections, closes every WebSocket client and
// waits for requests in flight (bounded by ctx).
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	srv := s.srv
	s.mu.Unlock()
	s.hub.stop()
	if srv == nil {
		return nil
	}
	if err := srv.Shutdown(ctx); err != nil {
		return fmt.Errorf("webui: shutdown: %w", err)
	}
	return nil
}

// requestLog logs each request with slog (debug for the noisy ones).
func (s *Server) requestLog() gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		status := c.Writer.Status()
		lvl := slog.LevelDebug
		if status >= 500 {
			lvl = slog.LevelError
		} else if status >= 400 {
			lvl = slog.LevelWarn
		}
		s.log.Log(c.Request.Context(), lvl, "http request",
			"method", c.Request.Method, "path", c.Request.URL.Path, "status", status,
			"dur", time.Since(start).Round(time.Microsecond), "remote", c.ClientIP())
	}
}

func (s *Server) recovery() gin.HandlerFunc {
	return gin.CustomRecoveryWithWriter(nil, func(c *gin.Context, err any) {
		s.log.Error("panic in handler", "path", c.Request.URL.Path, "err", err)
		abortJSON(c, http.StatusInternalServerError, "internal error")
	})
}

func (s *Server) routes() *gin.Engine {
	gin.SetMode(gin.ReleaseMode)
	e := gin.New()
	_ = e.SetTrustedProxies(nil)
	e.HandleMethodNotAllowed = true
	e.RedirectTrailingSlash = false
	e.RedirectFixedPath = false
	e.Use(s.recovery(), s.requestLog(), securityHeaders(), s.hostCheck(), s.accessCheck(), s.bodyLimit(), s.csrfCheck())
	e.NoRoute(func(c *gin.Context) {
		abortJSON(c, http.StatusNotFound, fmt.Sprintf("no such page or API route: %s %s", c.Request.Method, c.Request.URL.Path))
	})
	e.NoMethod(func(c *gin.Context) {
		abortJSON(c, http.StatusMethodNotAllowed, fmt.Sprintf("method %s not allowed on %s", c.Request.Method, c.Request.URL.Path))
	})

	e.GET("/", s.serveIndex)
	e.GET("/index.html", s.serveIndex)
	sub, err := fs.Sub(staticFS, "static")
	if err != nil {
		panic(err) // the embed directive guarantees the directory
	}
	files := http.FileServer(http.FS(sub))
	e.GET("/static/*path", func(c *gin.Context) {
		p := c.Param("path")
		if p == "/" || strings.HasSuffix(p, "/") {
			abortJSON(c, http.StatusNotFound, "no such file")
			return
		}
		if _, err := fs.Stat(sub, strings.TrimPrefix(p, "/")); err != nil {
			abortJSON(c, http.StatusNotFound, "no such file: "+p)
			return
		}
		c.Header("Cache-Control", "no-cache")
		if ct := staticContentType(p); ct != "" {
			c.Header("Content-Type", ct)
		}
		r := c.Request.Clone(c.Request.Context())
		r.URL.Path = p
		files.ServeHTTP(c.Writer, r)
	})
	e.GET("/ws", s.serveWS)
	if s.opts.Metrics != nil {
		e.GET("/metrics", gin.WrapH(s.opts.Metrics))
	}

	api := e.Group("/api")
	api.GET("/csrf", func(c *gin.Context) { c.JSON(http.StatusOK, gin.H{"token": s.csrf, "header": CSRFHeader}) })
	api.GET("/status", s.apiStatus)
	api.GET("/vocabulary", s.apiVocabulary)
	api.POST("/pause", s.apiPause)
	api.POST("/resume", s.apiResume)
	api.GET("/config", s.apiGetConfig)
	api.PATCH("/config", s.apiPatchConfig)
	api.POST("/calibration/start", s.apiCalibrationStart)
	api.POST("/calibration/finish", s.apiCalibrationFinish)
	api.POST("/calibration/cancel", s.apiCalibrationCancel)
	api.POST("/recalibrate/dismiss", s.apiRecalibrateDismiss)
	api.POST("/profiles/check", s.apiProfileCheck)
	api.GET("/profiles", s.apiProfiles)
	api.POST("/profiles/:name/activate", s.apiProfileActivate)
	api.DELETE("/profiles/:name", s.apiProfileDelete)
	api.GET("/catalogue", s.apiCatalogue)
	api.POST("/routine/start", s.apiRoutineStart)
	api.POST("/routine/exercise-done", s.apiExerciseDone)
	api.POST("/routine/stop", s.apiRoutineStop)
	api.POST("/nudge/test", s.apiTestNudge)
	api.GET("/history", s.apiHistory)
	api.GET("/history/export", s.apiHistoryExport)
	api.DELETE("/history", s.apiHistoryDelete)
	api.GET("/about", s.apiAbout)
	api.GET("/stats", s.apiStats)
	api.GET("/notifications", s.apiGetNotifications)
	api.GET("/cameras", s.apiCameras)
	api.POST("/notifications", s.apiSetNotifications)
	return e
}

func (s *Server) serveIndex(c *gin.Context) {
	c.Header("Cache-Control", "no-store")
	c.Data(http.StatusOK, "text/html; charset=utf-8", s.index)
}
