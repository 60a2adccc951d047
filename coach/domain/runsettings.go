package domain

import (
	"encoding/json"
	"fmt"
	"net/url"
	"reflect"
	"slices"
	"strings"
)

// RunSettings are the settings of a run that decide what leaves the
// program: the Prometheus endpoint and the webhook. They live in the "run"
// section of the same settings file as Config, but apart from it on
// purpose: the dashboard edits Config through PATCH /api/config, and a page
// (or anything that got hold of its CSRF token) must never be able to
// point the webhook somewhere else and so send the user's posture events
// off the machine without the user editing the file, the environment or
// the command line themselves.
type RunSettings struct {
	// Metrics serves Prometheus metrics at /metrics on the dashboard's
	// address (behind its Host checks and access token).
	Metrics bool `json:"metrics"`
	// Webhook is an http or https URL that receives nudges and state
	// changes as JSON; empty means none.
	Webhook string `json:"webhook"`
}

// RunSettingKeys are the JSON names of RunSettings, in declaration order.
var RunSettingKeys = jsonKeys(reflect.TypeFor[RunSettings]())

func jsonKeys(t reflect.Type) []string {
	keys := make([]string, 0, t.NumField())
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		keys = append(keys, name)
	}
	return keys
}

type runFields RunSettings

// UnmarshalJSON reads the "run" section strictly, like Config: unknown
// fields and wrong types are EINVALID errors; absent fields keep their values.
func (r *RunSettings) UnmarshalJSON(b []byte) error {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(b, &fields); err != nil || fields == nil {
		return Errorf(EINVALID, "run settings: want a JSON object")
	}
	for k := range fields {
		if !slices.Contains(RunSettingKeys, k) {
			return Errorf(EINVALID, "run settings: unknown field %q (known: %s)", k, strings.Join(RunSettingKeys, ", "))
		}
	}
	w := runFields(*r)
	if err := json.Unmarshal(b, &w); err != nil {
		return &Error{Code: EINVALID, Message: "run settings: " + err.Error(), Err: err}
	}
	*r = RunSettings(w)
	return nil
}

// Validate checks the webhook URL.
func (r RunSettings) Validate() error {
	if r.Webhook == "" {
		return nil
	}
	if _, err := ParseWebhookURL(r.Webhook); err != nil {
		return Errorf(EINVALID, "webhook: %s", ErrorMessage(err))
	}
	return nil
}

// ParseWebhookURL accepts only absolute http and https URLs with a host.
// Its errors never repeat the URL: it may carry a token.
func ParseWebhookURL(s string) (*url.URL, error) {
	u, err := url.Parse(s)
	if err != nil {
		return nil, Errorf(EINVALID, "not a URL (want http://host/path or https://host/path)")
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, Errorf(EINVALID, "scheme %q: only http and https URLs are accepted", u.Scheme)
	}
	if u.Host == "" || u.Hostname() == "" {
		return nil, Errorf(EINVALID, "no host in the URL (want %s://host/path)", u.Scheme)
	}
	if u.Fragment != "" || u.Opaque != "" {
		return nil, Errorf(EINVALID, "a webhook URL has no #fragment or opaque part")
	}
	return u, nil
}

// RedactURL is what a log or a page may show of a URL that can carry a
// secret in its path, query or user part: its scheme and host only.
func RedactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return "(not a URL)"
	}
	return fmt.Sprintf("%s://%s", u.Scheme, u.Host)
}
