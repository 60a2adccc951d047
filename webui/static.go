package webui

import "path"

// staticTypes fixes the Content-Type of the dashboard's assets instead of
// leaving it to the system's MIME table (/etc/mime.types, the Windows
// registry), which may name JavaScript otherwise: with nosniff set, a
// module script served under another type does not run.
var staticTypes = map[string]string{
	".js":   "text/javascript; charset=utf-8",
	".css":  "text/css; charset=utf-8",
	".html": "text/html; charset=utf-8",
	".svg":  "image/svg+xml",
}

// staticContentType is the Content-Type of an embedded asset ("" lets the
// file server decide).
func staticContentType(name string) string { return staticTypes[path.Ext(name)] }
