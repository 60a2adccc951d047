package webui

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

// /metrics sits behind the same Host check and access token as the API,
// and exists only when asked for.
func TestMetricsEndpointChecks(t *testing.T) {
	get := func(ts *testServer, opts ...reqOpt) (int, string) {
		t.Helper()
		req, err := http.NewRequest("GET", ts.base+"/metrics", nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range opts {
			o(req)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	metrics := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		io.WriteString(w, "posturewatch_test_up 1\n")
	})

	off := newTS(t)
	if code, _ := get(off); code != http.StatusNotFound {
		t.Errorf("/metrics without Options.Metrics: %d, want 404", code)
	}

	open := startTestServer(t, func(o *Options) { o.Metrics = metrics })
	if code, body := get(open); code != 200 || !strings.Contains(body, "posturewatch_test_up 1") {
		t.Errorf("/metrics on loopback: %d %q", code, body)
	}
	if code, body := get(open, withHost("evil.example:8484")); code != http.StatusForbidden || strings.Contains(body, "posturewatch_test_up") {
		t.Errorf("/metrics with a foreign Host: %d %q, want 403", code, body)
	}

	tok := NewAccessToken()
	locked := startTestServer(t, func(o *Options) { o.Metrics = metrics; o.AccessToken = tok })
	if code, body := get(locked); code != http.StatusUnauthorized || strings.Contains(body, "posturewatch_test_up") {
		t.Errorf("/metrics without the token: %d %q, want 401", code, body)
	}
	if code, _ := get(locked, withHeader("Authorization", "Bearer wrong-token-wrong-token")); code != http.StatusUnauthorized {
		t.Errorf("/metrics with a wrong token: %d, want 401", code)
	}
	if code, body := get(locked, withHeader("Authorization", "Bearer "+tok)); code != 200 || !strings.Contains(body, "posturewatch_test_up 1") {
		t.Errorf("/metrics with the bearer token: %d %q", code, body)
	}
	if code, _ := get(locked, withHeader("Authorization", "Bearer "+tok), withHost("evil.example")); code != http.StatusForbidden {
		t.Errorf("/metrics with the token but a foreign Host: %d, want 403", code)
	}
}
