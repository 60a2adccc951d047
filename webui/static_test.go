package webui

import (
	"io"
	"io/fs"
	"net/http"
	"path"
	"regexp"
	"strings"
	"testing"

	"posturewatch/coach/domain"
)

// The dashboard is ES modules: index.html loads js/main.js as a module,
// every relative import names an embedded file, each module is served as
// text/javascript, and none keeps its own copy of the fault vocabulary.
func TestDashboardModules(t *testing.T) {
	ts := newTS(t)
	idx, err := staticFS.ReadFile("static/index.html")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(idx), `<script type="module" src="/static/js/main.js"></script>`) {
		t.Error("index.html does not load /static/js/main.js as a module")
	}
	if strings.Contains(string(idx), "app.js") {
		t.Error("index.html still loads app.js")
	}

	mods, err := fs.Glob(staticFS, "static/js/*.js")
	if err != nil || len(mods) < 5 {
		t.Fatalf("modules: %v %v", mods, err)
	}
	importRE := regexp.MustCompile(`(?m)^\s*import\s+(?:[^'"]*\s+from\s+)?['"]([^'"]+)['"]`)
	imported := map[string]bool{"main.js": true}
	// a panel may load its own module from its section of the page (About does)
	for _, m := range regexp.MustCompile(`<script type="module" src="/static/js/([^"]+)"></script>`).FindAllStringSubmatch(string(idx), -1) {
		imported[m[1]] = true
	}
	for _, m := range mods {
		src, err := staticFS.ReadFile(m)
		if err != nil {
			t.Fatal(err)
		}
		for _, im := range importRE.FindAllStringSubmatch(string(src), -1) {
			spec := im[1]
			if !strings.HasPrefix(spec, "./") {
				t.Errorf("%s imports %q: only ./relative modules of this directory", m, spec)
				continue
			}
			if _, err := fs.Stat(staticFS, path.Join("static/js", spec)); err != nil {
				t.Errorf("%s imports %q, which is not embedded", m, spec)
			}
			imported[path.Base(spec)] = true
		}
		// The fault names come from GET /api/vocabulary, never from the page.
		for _, f := range domain.AllFaults {
			if regexp.MustCompile("['\"`]" + string(f) + "['\"`]").Match(src) {
				t.Errorf("%s names the fault %q: take it from the vocabulary", m, f)
			}
		}
		if strings.Contains(string(src), "http://") || strings.Contains(string(src), "https://") {
			t.Errorf("%s references an external URL", m)
		}

		resp, err := http.Get(ts.base + "/" + m)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || len(body) != len(src) {
			t.Errorf("GET /%s = %d, %d bytes (want %d)", m, resp.StatusCode, len(body), len(src))
		}
		if ct := resp.Header.Get("Content-Type"); ct != "text/javascript; charset=utf-8" {
			t.Errorf("GET /%s: Content-Type %q, want text/javascript", m, ct)
		}
		if resp.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("GET /%s: no nosniff", m)
		}
		if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") {
			t.Errorf("GET /%s: CSP %q", m, csp)
		}
	}
	for _, m := range mods {
		if !imported[path.Base(m)] {
			t.Errorf("%s is embedded but no module imports it", m)
		}
	}
}
