package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"posturewatch/coach/about"
	"posturewatch/coach/desktop"
	"posturewatch/coach/domain"
	"posturewatch/coach/exercise"
	"posturewatch/coach/history"
	"posturewatch/coach/live"
	"posturewatch/coach/metrics"
	"posturewatch/coach/store"
	"posturewatch/coach/webhook"
	"posturewatch/models"
	"posturewatch/vision"
	"posturewatch/vision/v4l"
	"posturewatch/webui"
)

func init() {
	register("run", "live monitoring: the camera, the coach and the browser dashboard", runRun)
}

// runOptions are the settings of `posturewatch run`.
type runOptions struct {
	camera      string
	cameraSet   bool   // --camera was given: it overrides the camera setting
	cameraPath  string // the device node --camera names (set by validate)
	source      string
	loop        bool
	speed       float64
	listen      string
	allowRemote bool
	token       string
	open        bool
	profile     string
	catalogue   string
	model       string
	threads     int
	dataDir     string
	configDir   string
	metrics     *bool   // --metrics, when given (over the file and the environment)
	webhook     *string // --webhook, when given
	environ     []string
	log         *slog.Logger

	// test hooks
	noDesktop bool // do not watch the desktop bus (tests run beside a real session)
	onEvent   func(e domain.Event, decided time.Time)
	started   func(r running) // called once the dashboard listens
}

// testingFlag marks flags left out of the help text.
const testingFlag = "(testing) "

func runRun(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("run", stderr)
	var o runOptions
	fs.StringVar(&o.camera, "camera", "0", "camera index or device (0, /dev/video2)")
	fs.StringVar(&o.source, "source", "", "play this video file instead of a camera (for demos)")
	fs.BoolVar(&o.loop, "loop", false, "with --source: play the video again and again")
	fs.Float64Var(&o.speed, "speed", 1, testingFlag+"with --source: play the video this many times faster than real time (the coach sees video time)")
	fs.StringVar(&o.listen, "listen", webui.DefaultListen, "dashboard address host:port (port 0 picks a free one)")
	fs.BoolVar(&o.allowRemote, "allow-remote", false, "allow a --listen address beyond this computer (needs --token)")
	fs.StringVar(&o.token, "token", "", fmt.Sprintf("access token for --allow-remote (at least %d characters; \"random\" makes one)", webui.MinAccessTokenLen))
	fs.BoolVar(&o.open, "open", false, "open the dashboard in the browser (xdg-open)")
	fs.StringVar(&o.profile, "profile", "", "use this calibration profile (default: the last one used)")
	fs.StringVar(&o.catalogue, "catalogue", "", "stretch catalogue file replacing the built-in one (default: catalogue.json in the config directory, if there is one)")
	fs.StringVar(&o.model, "model", "", "pose model file (default: models/movenet-lightning.onnx, sha256-checked)")
	fs.IntVar(&o.threads, "threads", 1, "threads for each model (1 costs the least CPU and memory: on 2 or more, each model is held twice, once on half the threads for runs beside another)")
	fs.StringVar(&o.dataDir, "data-dir", "", "where the history database lives (default: $XDG_DATA_HOME/posturewatch)")
	fs.StringVar(&o.configDir, "config-dir", "", "where settings and profiles live (default: the user config dir's posturewatch)")
	metricsFlag := fs.Bool("metrics", false, "serve Prometheus metrics at /metrics on the dashboard's address (behind its Host check and token)")
	webhookFlag := fs.String("webhook", "", "POST nudges and state changes as JSON to this http(s) URL")
	logLevel := fs.String("log-level", "info", "debug, info, warn or error")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: posturewatch run [--camera 0|/dev/videoN] [--source FILE [--loop]] [--listen 127.0.0.1:8484] [--open] [--profile NAME]")
		fmt.Fprintln(stderr, "Watches your posture through the camera and serves the dashboard; stop it with Ctrl-C.")
		fs.VisitAll(func(f *flag.Flag) {
			if strings.HasPrefix(f.Usage, testingFlag) {
				return
			}
			name, usage := flag.UnquoteUsage(f)
			fmt.Fprintf(stderr, "  --%s", f.Name)
			if name != "" {
				fmt.Fprintf(stderr, " %s", name)
			}
			fmt.Fprintf(stderr, "\n    \t%s", usage)
			switch {
			case f.DefValue == "" || f.DefValue == "false":
			case name == "string":
				fmt.Fprintf(stderr, " (default %q)", f.DefValue)
			default:
				fmt.Fprintf(stderr, " (default %s)", f.DefValue)
			}
			fmt.Fprintln(stderr)
		})
	}
	if code, done := parseFlags(fs, args); done {
		return code
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "posturewatch run: unexpected argument %q (did you mean --source %s?)\n", fs.Arg(0), fs.Arg(0))
		return 2
	}
	fs.Visit(func(f *flag.Flag) {
		switch f.Name {
		case "camera":
			o.cameraSet = true
		case "metrics":
			o.metrics = metricsFlag
		case "webhook":
			o.webhook = webhookFlag
		}
	})
	o.environ = os.Environ()
	if o.cameraSet && o.source != "" {
		fmt.Fprintln(stderr, "posturewatch run: --camera and --source both given: choose one")
		return 2
	}
	log, err := newLogger(stderr, *logLevel)
	if err != nil {
		fmt.Fprintf(stderr, "posturewatch run: --log-level: %v\n", err)
		return 2
	}
	o.log = log
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		stop() // a second Ctrl-C kills at once
	}()
	return runService(ctx, o, stdout, stderr)
}

// validate checks the options before anything starts.
func (o *runOptions) validate() error {
	if math.IsNaN(o.speed) || o.speed < 0.1 || o.speed > 100 {
		return fmt.Errorf("--speed %v: want 0.1 to 100", o.speed)
	}
	if o.speed != 1 && o.source == "" {
		return errors.New("--speed works only with --source")
	}
	if o.loop && o.source == "" {
		return errors.New("--loop works only with --source")
	}
	if o.threads < 1 || o.threads > 64 {
		return fmt.Errorf("--threads %d: want 1 to 64", o.threads)
	}
	if o.source != "" {
		st, err := os.Stat(o.source)
		if err != nil {
			return fmt.Errorf("--source %s: %w", o.source, errors.Unwrap(err))
		}
		if st.IsDir() || !vision.IsVideoPath(o.source) {
			return fmt.Errorf("--source %s: not a video file (.mp4, .avi …)", o.source)
		}
		// A file that cannot be played now will not play later either:
		// say so and stop, rather than retrying it for ever.
		src, err := vision.OpenPath(o.source, vision.SourceOptions{})
		if err != nil {
			return fmt.Errorf("--source: %w", err)
		}
		src.Close()
	}
	if o.source == "" {
		// A value that can never be a camera (a name no camera has,
		// /dev/null, a metadata node) is refused now rather than retried
		// for ever; a camera that is merely unplugged is waited for.
		choice, err := v4l.Resolve(o.camera, "")
		if err != nil {
			return fmt.Errorf("--camera: %w", err)
		}
		o.cameraPath = choice.Path
	}
	if o.token == "random" {
		o.token = webui.NewAccessToken()
	}
	if o.profile != "" {
		if err := domain.ValidateProfileName(o.profile); err != nil {
			return fmt.Errorf("--profile: %w", err)
		}
	}
	if o.webhook != nil && *o.webhook != "" {
		if _, err := domain.ParseWebhookURL(*o.webhook); err != nil {
			return fmt.Errorf("--webhook: %w", err)
		}
	}
	return nil
}

// programEnv reports whether name is one of the program's own variables
// that are not settings (where the model files are).
func programEnv(name string) bool {
	if name == models.DirEnv {
		return true
	}
	for _, m := range models.All() {
		if name == m.EnvVar {
			return true
		}
	}
	return false
}

// runSettings are the file's run section, under the environment's
// overrides, under the command line's flags.
func (o *runOptions) runSettings(file domain.RunSettings, env store.Env) (domain.RunSettings, error) {
	_, run, err := env.Apply(domain.DefaultConfig(), file)
	if err != nil {
		return run, err
	}
	if o.metrics != nil {
		run.Metrics = *o.metrics
	}
	if o.webhook != nil {
		run.Webhook = *o.webhook
	}
	return run, nil
}

// dirs resolves the data and config directories.
func (o *runOptions) dirs() (dataDir, configDir string, err error) {
	dataDir, configDir = o.dataDir, o.configDir
	if dataDir == "" {
		p, err := history.DefaultPath()
		if err != nil {
			return "", "", err
		}
		dataDir = filepath.Dir(p)
	}
	if configDir == "" {
		d, err := os.UserConfigDir()
		if err != nil {
			return "", "", fmt.Errorf("no config directory: set XDG_CONFIG_HOME or HOME, or give --config-dir: %w", err)
		}
		configDir = filepath.Join(d, "posturewatch")
	}
	for _, d := range []string{dataDir, configDir} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return "", "", fmt.Errorf("create %s: %w", d, err)
		}
	}
	return dataDir, configDir, nil
}

// running is what a started service hands to tests (runOptions.started).
type running struct {
	svc *live.Service
	web *webui.Server
	eye *vision.Eye
}

// runService starts everything, serves until ctx is done, then shuts down
// gracefully: stops the service (which saves the current minute), closes
// the camera and the server. It returns the exit code.
func runService(ctx context.Context, o runOptions, stdout, stderr io.Writer) int {
	fail := func(code int, format string, a ...any) int {
		fmt.Fprintf(stderr, "posturewatch run: "+format+"\n", a...)
		return code
	}
	if o.log == nil {
		o.log = slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	}
	if o.listen == "" {
		o.listen = webui.DefaultListen
	}
	if o.speed == 0 {
		o.speed = 1
	}
	if o.threads == 0 {
		o.threads = 1
	}
	if err := o.validate(); err != nil {
		return fail(2, "%v", err)
	}
	log := o.log
	// The environment's settings are checked before anything starts: a
	// bad value stops the run, never a silent default.
	env, err := store.ParseEnv(o.environ)
	if err != nil {
		return fail(2, "%v", err)
	}
	for _, name := range env.Unknown {
		if !programEnv(name) {
			log.Warn("this environment variable names no setting; ignored", "var", name)
		}
	}
	dataDir, configDir, err := o.dirs()
	if err != nil {
		return fail(1, "%v", err)
	}
	// Monitoring starts whatever state the history is in: a damaged
	// database is moved aside and a fresh one started; one that cannot be
	// opened at all means a run without history, said on the dashboard.
	var notices []string
	var hist live.History
	db, histNotice, err := history.OpenChecked(filepath.Join(dataDir, history.FileName), time.Now())
	switch {
	case err != nil:
		log.Error("history is not kept in this run", "err", err)
		notices = append(notices, fmt.Sprintf("History is not kept in this run (%v): posture is watched, but today's totals and charts start afresh.", err))
	default:
		hist = db
		defer func() {
			if err := db.Close(); err != nil {
				log.Error("closing history", "err", err)
			}
		}()
		if histNotice != "" {
			log.Warn(histNotice)
			notices = append(notices, histNotice)
		}
	}
	profiles, err := store.NewProfileStore(filepath.Join(configDir, "profiles"))
	if err != nil {
		return fail(1, "%v", err)
	}
	profile, baseline, profNotice, err := startProfile(profiles, o.profile, log)
	if err != nil {
		return fail(1, "%v (calibrate one in the dashboard, or see 'posturewatch calibrate')", err)
	}
	if profNotice != "" {
		notices = append(notices, profNotice)
	}
	settings := store.NewConfigFile(configDir)
	fileRun, err := settings.LoadRun()
	if err != nil {
		return fail(2, "%v", err)
	}
	run, err := o.runSettings(fileRun, env)
	if err != nil {
		return fail(2, "%v", err)
	}
	cfg, notice, err := settings.Load()
	if err != nil {
		log.Error("settings unreadable; using the defaults", "err", err)
		notices = append(notices, "Your settings could not be read ("+err.Error()+"): the default settings are in use.")
	} else if notice != "" {
		log.Warn(notice)
		notices = append(notices, notice)
	}
	if db != nil {
		adoptNotifySetting(db, settings, &cfg, log)
	}
	if cfg, _, err = env.Apply(cfg, fileRun); err != nil {
		return fail(2, "%v", err)
	}
	for _, ov := range env.Overrides {
		log.Info("a setting comes from the environment for this run (not saved in the settings file)", "var", ov.Var)
	}
	settings.Env = &env // the dashboard's saves keep the file's own values of these
	if o.source == "" && !o.cameraSet && cfg.Camera != "" {
		// The camera chosen in the dashboard, unless --camera says
		// otherwise. One that cannot be used now is kept as the choice,
		// and the first camera is watched meanwhile.
		if choice, err := v4l.Resolve(cfg.Camera, ""); err != nil {
			log.Warn("the chosen camera cannot be used; watching the first camera", "camera", cfg.Camera, "err", err)
			notices = append(notices, fmt.Sprintf("The camera chosen in the settings (%q) cannot be used now (%v): %s is watched instead.", cfg.Camera, err, o.cameraPath))
		} else {
			o.cameraPath = choice.Path
		}
	}
	cat, err := loadCatalogue(o.catalogue, configDir, log)
	if err != nil {
		return fail(1, "%v", err)
	}

	an, err := vision.NewAnalyzer(vision.AnalyzerOptions{ModelPath: o.model, Threads: o.threads, Baseline: baseline, Learn: true})
	if err != nil {
		return fail(1, "%v", err)
	}
	defer func() {
		if err := an.Close(); err != nil {
			log.Warn("closing the models", "err", err)
		}
	}()
	sopt := vision.SupervisorOptions{Camera: o.cameraPath, File: o.source, Loop: o.loop, Speed: o.speed, Logger: log}
	if o.source != "" {
		sopt.Camera = ""
	} else {
		sopt.RestFrom = live.RestFrom // the camera's light is off between frames 3 s or more apart
	}
	eye, err := vision.NewEye(sopt, an)
	if err != nil {
		return fail(2, "%v", err)
	}
	holds := make(chan domain.Hold)
	svcCtx, stopSvc := context.WithCancel(context.Background())
	defer stopSvc()
	var holders sync.WaitGroup
	cam := &switchingEye{Eye: eye, ctx: svcCtx, holds: holds, log: log, wg: &holders}
	svc, err := live.New(live.Options{Camera: cam, Profiles: profiles, Settings: settings, History: hist, Holds: holds,
		Notifier:  desktop.NewDesktopNotifier(false, log),
		Catalogue: cat, Config: &cfg, Baseline: baseline, Profile: profile, Notice: strings.Join(notices, " "),
		Logger: log, OnEvent: o.onEvent, CPU: processCPU(log)})
	if err != nil {
		return fail(1, "%v", err)
	}
	wopt := webui.Options{Listen: o.listen, AllowRemote: o.allowRemote, AccessToken: o.token,
		Backend: svc, Logger: log, Version: dashboardVersion()}
	wopt.About = about.New(about.Options{Version: dashboardVersion(), DataDir: dataDir, ConfigDir: configDir,
		History: db, Env: env, Run: run, ConfigFile: settings.Path,
		Checks: func() []domain.Check { return runningChecks(dataDir, configDir) }})
	var mc *metrics.Collector
	if run.Metrics {
		mc = metrics.New()
		wopt.Metrics = mc.Handler()
	}
	web, err := webui.New(wopt)
	if err != nil {
		return fail(2, "%v", err)
	}
	// The dashboard first: a nudge reaches the browser before anything else.
	pubs := live.Fanout{web}
	if mc != nil {
		pubs = append(pubs, mc)
	}
	var hook *webhook.Sender
	if run.Webhook != "" {
		hook, err = webhook.New(webhook.Options{URL: run.Webhook, Logger: log, UserAgent: "posturewatch/" + dashboardVersion()})
		if err != nil {
			return fail(2, "%v", err)
		}
		pubs = append(pubs, hook)
		if mc != nil {
			mc.WatchWebhook(hook.Counts)
		}
	}
	svc.Attach(pubs)

	// The service and the camera stop before the server, so the last
	// events still reach the dashboards; the service saves the current
	// minute as it stops.
	svcDone := make(chan struct{})
	go func() { svc.Run(svcCtx); close(svcDone) }()
	eyeDone := make(chan struct{})
	go func() { eye.Run(svcCtx); close(eyeDone) }()
	// The webhook delivers until the service has stopped; shutdown then
	// ends an attempt or a retry at once (a slow receiver must not hold
	// up the exit), and what is still queued is dropped.
	hookCtx, stopHook := context.WithCancel(context.Background())
	defer stopHook()
	hookDone := make(chan struct{})
	if hook != nil {
		go func() { hook.Run(hookCtx); close(hookDone) }()
		log.Info("webhook: nudges and state changes are sent", "to", hook.Target())
	} else {
		close(hookDone)
	}
	// The camera is let go while the screen is locked, across suspend, and
	// while another program (a video call) uses the device.
	if !o.noDesktop {
		holders.Go(func() { desktop.New(desktop.Options{Logger: log}).ForwardHolds(svcCtx, holds) })
	}
	if o.cameraPath != "" {
		cam.watch(o.cameraPath, false)
	}

	if _, err := web.Start(); err != nil {
		stopSvc()
		<-svcDone
		<-eyeDone
		holders.Wait()
		stopHook()
		<-hookDone
		return fail(1, "%v", err)
	}
	fmt.Fprintf(stdout, "posturewatch dashboard: %s\n", web.URL())
	if mc != nil {
		base, _, _ := strings.Cut(web.URL(), "?") // never the access token in a log
		log.Info("Prometheus metrics served", "url", base+"metrics")
	}
	fmt.Fprintf(stdout, "watching %s; stop with Ctrl-C\n", eye.Supervisor().Name())
	if f, ok := stdout.(interface{ Sync() error }); ok {
		_ = f.Sync()
	}
	if o.open {
		openBrowser(web.URL(), log)
	}
	if o.started != nil {
		o.started(running{svc: svc, web: web, eye: eye})
	}

	<-ctx.Done()
	log.Info("shutting down")
	stopSvc()
	<-svcDone
	<-eyeDone
	holders.Wait()
	stopHook()
	<-hookDone
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := web.Shutdown(sctx); err != nil {
		log.Warn("dashboard shutdown", "err", err)
	}
	log.Info("stopped")
	return 0
}

// switchingEye is the camera side as the service sees it, with the watch
// for other programs holding the device (a video call) following a switch
// to another camera.
type switchingEye struct {
	*vision.Eye
	ctx   context.Context
	holds chan<- domain.Hold
	log   *slog.Logger
	wg    *sync.WaitGroup

	mu        sync.Mutex
	stopWatch context.CancelFunc
}

// watch starts watching path for other programs, ending the watch of the
// camera before; release ends a hold that camera may have had (it is no
// longer ours to wait for).
func (e *switchingEye) watch(path string, release bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.stopWatch != nil {
		e.stopWatch()
	}
	ctx, cancel := context.WithCancel(e.ctx)
	e.stopWatch = cancel
	e.wg.Go(func() {
		if release { // sent from here: UseCamera runs on the service's goroutine, which reads holds
			select {
			case e.holds <- domain.Hold{Source: domain.HoldCamera}:
			case <-ctx.Done():
				return
			}
		}
		v4l.WatchHolds(ctx, v4l.WatchOptions{Path: path}, e.holds, e.log)
	})
}

// UseCamera switches cameras, and the watch with them.
func (e *switchingEye) UseCamera(spec string) (string, error) {
	dev, err := e.Eye.UseCamera(spec)
	if err == nil {
		e.watch(dev, true)
	}
	return dev, err
}

// adoptNotifySetting carries the desktop-notification toggle that older
// versions kept in the history database over to the settings file, once.
func adoptNotifySetting(hist *history.DB, settings store.ConfigFile, cfg *domain.Config, log *slog.Logger) {
	v, ok, err := hist.Setting(history.LegacyNotifySetting)
	if err != nil || !ok {
		return
	}
	if v == "true" && !cfg.DesktopNotifications {
		c := *cfg
		c.DesktopNotifications = true
		if err := settings.SaveConfig(c); err != nil {
			log.Warn("the desktop-notification setting could not be carried over; it stays in the history database", "err", err)
			return
		}
		*cfg = c
	}
	if err := hist.DeleteSetting(history.LegacyNotifySetting); err != nil {
		log.Warn("history: old setting not removed", "err", err)
	}
}

// startProfile picks the profile to start with: the one asked for (an
// error if it cannot be loaded, and it becomes the default), else the last
// one used. When that one cannot be used the defaults are, and notice says
// why in plain words (rather than "no profile", which would be false).
func startProfile(profiles *store.ProfileStore, asked string, log *slog.Logger) (name string, b *domain.Baseline, notice string, err error) {
	if asked != "" {
		b, err := profiles.Load(asked)
		if err != nil {
			return "", nil, "", err
		}
		if err := profiles.SetActive(asked); err != nil {
			log.Warn("cannot remember the profile", "err", err)
		}
		return asked, b, "", nil
	}
	name, err = profiles.Active()
	if err != nil {
		log.Warn("ignoring the active profile", "err", err)
		return "", nil, fmt.Sprintf("Which profile was in use could not be read (%v): using the default thresholds; pick your profile under Profiles.", err), nil
	}
	if name == "" {
		return "", nil, "", nil
	}
	b, err = profiles.Load(name)
	if err != nil {
		log.Warn("the last profile cannot be loaded; using the default thresholds", "profile", name, "err", err)
		return "", nil, fmt.Sprintf("Your profile %q cannot be used (%v): using the default thresholds until you calibrate again or pick another.", name, err), nil
	}
	return name, b, "", nil
}

// openBrowser opens url with xdg-open when there is one; it never fails the run.
func openBrowser(url string, log *slog.Logger) {
	p, err := exec.LookPath("xdg-open")
	if err != nil {
		log.Info("no xdg-open here: open the dashboard URL printed above yourself")
		return
	}
	cmd := exec.Command(p, url)
	if err := cmd.Start(); err != nil {
		log.Warn("could not open the browser", "err", err)
		return
	}
	go func() { _ = cmd.Wait() }()
}

// dashboardVersion is the program version shown in the dashboard's About.
func dashboardVersion() string { return currentBuild().short() }

// loadCatalogue reads the stretch catalogue: the file given, else
// catalogue.json in the config directory when there is one, else the
// built-in one. A file given by the user that is not a valid catalogue is an
// error naming each bad entry; a damaged one in the config directory is
// reported and the built-in one used, so monitoring still starts.
func loadCatalogue(path, configDir string, log *slog.Logger) (*exercise.Catalogue, error) {
	if path != "" {
		return exercise.Load(path)
	}
	own := filepath.Join(configDir, "catalogue.json")
	if _, err := os.Stat(own); err != nil {
		return exercise.Default(), nil
	}
	c, err := exercise.Load(own)
	if err != nil {
		log.Error("your stretch catalogue cannot be used; using the built-in one", "file", own, "err", err)
		return exercise.Default(), nil
	}
	log.Info("using your stretch catalogue", "file", own, "exercises", len(c.Exercises))
	return c, nil
}

// processCPU returns a clock of this process's user and system CPU time,
// for the service's CPU budget. getrusage cannot fail for this process; if
// it ever did, the clock would stand still (the budget then sees no cost
// and the sampler's own pace stands), and the log says so once.
func processCPU(log *slog.Logger) func() time.Duration {
	var once sync.Once
	var last time.Duration
	return func() time.Duration {
		d, err := processCPUTime()
		if err != nil {
			once.Do(func() { log.Warn("cannot read the process's CPU time: the CPU budget is not kept", "err", err) })
			return last
		}
		last = d
		return last
	}
}

// processCPUTime is this process's user and system CPU time so far.
func processCPUTime() (time.Duration, error) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, fmt.Errorf("getrusage: %w", err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), nil
}
