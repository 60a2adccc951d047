package domain

// About is what the dashboard's About panel shows: the version, where the
// data lives and how much room it takes, which settings the environment
// holds, what leaves the machine, and the checks of `posturewatch doctor`
// that make sense inside a running program.
type About struct {
	Version string  `json:"version"`
	Places  []Place `json:"places"`
	// Environment lists the settings an environment variable sets in this
	// run: the dashboard shows them, and cannot change them.
	Environment []EnvSetting `json:"environment"`
	Metrics     bool         `json:"metrics"`           // /metrics is served
	Webhook     string       `json:"webhook,omitempty"` // scheme://host of the webhook, never its path
	HistoryKept bool         `json:"history_kept"`
	Checks      []Check      `json:"checks"`
}

// Place is one place on disk that holds the user's data.
type Place struct {
	What   string `json:"what"` // "history database", "settings file" …
	Path   string `json:"path"`
	Bytes  int64  `json:"bytes"` // with everything under it, for a directory
	Exists bool   `json:"exists"`
}

// EnvSetting is a setting an environment variable holds.
type EnvSetting struct {
	Var     string `json:"var"`
	Setting string `json:"setting"`
}

// Check is one finding of the self-diagnosis.
type Check struct {
	Level string `json:"level"` // ok, warn (works, with less), fail (needs fixing)
	What  string `json:"what"`
	Fix   string `json:"fix,omitempty"`
}
