// Package webui is posturewatch's local dashboard: a Gin HTTP server with a
// REST API, a WebSocket hub that pushes live posture to the browser, the
// embedded dashboard (static/: index.html, style.css and the ES modules of
// static/js/, entry main.js — vanilla JS, no CDN, no build step, charts
// drawn by hand on canvas). The page keeps no copy of the server's rules:
// it takes the faults, their labels and the profile-name rule from GET
// /api/vocabulary, has names checked by POST /api/profiles/check, and shows
// the state that the server pushes (hello, status and sample messages);
// events only make toasts and refetches.
//
// The server is thin: everything it does to the running service goes through
// the Backend interface, which coach/live.Service implements; the service
// in turn publishes to the server (it is the service's live.Publisher).
//
// # Wiring (cmd/posturewatch run)
//
//	svc, err := live.New(live.Options{Camera: eye, Profiles: profiles, Settings: settings, History: hist})
//	srv, err := webui.New(webui.Options{
//		Listen:   "127.0.0.1:8484",             // --listen; non-loopback needs AllowRemote + AccessToken
//		Backend:  svc,                          // implements webui.Backend
//		Logger:   log,
//		Version:  version,
//	})
//	svc.Attach(srv)                             // PublishSample, PublishEvent, PublishStatus, …
//	go svc.Run(ctx)
//	addr, err := srv.Start()                    // serves in the background
//	…
//	srv.Shutdown(ctx)                           // the one way to stop: closes clients, waits for requests
//
// Samples go out at most 5/s per client, newest wins; events, status, stats
// and rep counts are never dropped (events also notify the desktop);
// preview frames go only to clients that asked, newest wins.
//
// Backend.SetPreview(true/false) tells the service when at least one
// dashboard shows the camera preview (the hub is the one that knows); JPEG
// frames are encoded only then, and never stored. Backend errors carry a kind (domain.Error): EINVALID,
// ENOTFOUND, ECONFLICT and EUNAVAILABLE become 400, 404, 409 and 503 with
// their message shown to the user; any other error is a 500 with a generic
// message, its details only in the log (error.go is the one place for this).
//
// # Security
//
//   - Listens on 127.0.0.1 by default. A non-loopback Listen needs
//     Options.AllowRemote and an AccessToken (≥16 chars, NewAccessToken makes
//     one); the token is then required on every request (Authorization:
//     Bearer, or ?token= which sets an HttpOnly SameSite=Strict cookie) and
//     compared in constant time. URL() includes it.
//   - Host header allow-list against DNS rebinding: 127.0.0.1:port,
//     localhost:port, [::1]:port (plus the listen host when remote, plus
//     Options.AllowedHosts).
//   - State-changing requests (POST, PATCH, DELETE) need the X-CSRF-Token
//     header (random per server start; in the page's <meta name="csrf-token">
//     and at GET /api/csrf) and, when the browser sends an Origin, a same-host Origin.
//   - The WebSocket upgrade refuses a foreign Origin.
//   - Every response: Content-Security-Policy (default-src 'self'; connect-src
//     'self' ws://host; img-src 'self' data: blob:; frame-ancestors 'none'…),
//     X-Content-Type-Options: nosniff, X-Frame-Options: DENY, Referrer-Policy: no-referrer.
//   - Bodies are limited to Options.MaxBodyBytes (64 KiB): 413. JSON is
//     decoded strictly (one object, unknown fields rejected): 400.
//   - Every error is JSON: {"error": "clear message"} (400, 401, 403, 404,
//     405, 409, 413, 415, 500, 503).
//
// # REST API
//
//	GET    /                           the dashboard (with the CSRF token)
//	GET    /static/{style.css,js/*.js} assets (.js as text/javascript)
//	GET    /ws                         WebSocket (?preview=1 to get preview frames at once)
//	GET    /api/csrf                   {"token": "…", "header": "X-CSRF-Token"}
//	GET    /api/status                 Status
//	GET    /api/vocabulary             Vocabulary: faults (name, label, nudge, fix), states, postures, profile_name rule, framing rule
//	GET    /api/stats                  domain.StatsSnapshot (in-memory days and hours)
//	POST   /api/pause                  {"minutes": N} (0 < N ≤ 2880) or {"until": "RFC 3339"} (future, ≤ 48 h) → Status
//	POST   /api/resume                 → Status (409 when not paused)
//	GET    /api/config                 domain.Config as JSON (durations in seconds: onset_delay_s, cooldown_s…)
//	PATCH  /api/config                 partial domain.Config JSON; merged, then Config.Validate → the new config
//	POST   /api/calibration/start      → Status
//	POST   /api/calibration/finish     {"profile": "desk"} → {"baseline": domain.Baseline, "setup": domain.Setup (the camera's place in words), "status": Status}
//	POST   /api/calibration/cancel     {} → Status (409 when none is running; the server also cancels one left 2 min)
//	POST   /api/recalibrate/dismiss    {} → Status: baseline-based nudges resume
//	POST   /api/profiles/check         {"name": "desk monitor"} → {"ok": true} or 400 with the reason
//	GET    /api/profiles               {"profiles": [domain.ProfileInfo]}
//	POST   /api/profiles/{name}/activate  → Status
//	DELETE /api/profiles/{name}        {"deleted": name}
//	GET    /api/catalogue              exercise.Catalogue
//	POST   /api/routine/start          {"id": "suggested routine id"} or {"faults": [...]} or {} → {"routine": domain.Routine}
//	POST   /api/routine/exercise-done  {"routine_id", "exercise_id" ("" = whole routine done), "skipped"} → {"ok": true}
//	POST   /api/routine/stop           {} → {"ok": true} (the player was closed; rep counting stops)
//	POST   /api/nudge/test             {} → {"ok": true}: a nudge event with "test": true reaches every dashboard and the desktop notifier; not counted
//	GET    /api/history                ?by=minute|hour|day&from=&to= (RFC 3339 or YYYY-MM-DD)&tz=IANA
//	                                   → {"by","from","to","tz","buckets": [domain.Bucket]} (default: today by minute or hour, 14 days by day; by=minute at most 2 days)
//	GET    /api/notifications          {"desktop": bool, "available": bool}
//	POST   /api/notifications          {"desktop": bool}
//
// # WebSocket protocol
//
// Every message from the server is one JSON text frame {"type": T, T: payload}:
//
//	{"type":"hello",   "hello":   Hello}               first message: version, status, stats, last sample, sample_ms
//	{"type":"sample",  "sample":  Sample}              live posture; at most one per 200 ms per client, newest wins
//	{"type":"event",   "event":   domain.Event}         state, nudge, suggestion, break, sitting, recalibrate,
//	                                                   calibration, paused, resumed, stretch, routine; never dropped
//	{"type":"status",  "status":  Status}              never dropped
//	{"type":"stats",   "stats":   domain.StatsSnapshot} never dropped
//	{"type":"reps",    "reps":    Reps}                live repetitions of a camera-checked exercise; never dropped
//	{"type":"preview", "preview": Preview}             JPEG (base64) + keypoints; only to clients that asked, newest wins
//
// The browser sends {"type":"preview","on":true|false}. Never-dropped
// messages queue per client (HubOptions.QueueSize, 256); a client whose queue
// is full, or that does not take a write within HubOptions.WriteTimeout (5 s),
// or that does not answer pings within HubOptions.PongWait (45 s), is
// disconnected so it cannot hold up the others. The dashboard shows a lost
// connection at once (a banner with "Retry now", a Now card that stops
// counting), reconnects by itself at once and then every 250 ms … 2 s
// (and when the browser goes online or the tab becomes visible), and
// refetches the CSRF token. static/sw.js is a service worker that only
// shows notifications with actions (snooze, fixed it, stretch now).
//
// # History
//
// GET /api/history asks the service (Backend.History), which reads the
// SQLite history in coach/history; the server holds no store of its own.
//
// # Tests
//
// go test -race ./webui/... runs the API, security, hub and the headless
// Chromium tests (skipped when Chromium is absent). Browser helpers for other packages' tests are in
// webui/webuitest.
package webui
