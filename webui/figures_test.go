package webui

import (
	"bytes"
	"encoding/xml"
	"io"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"testing"

	"posturewatch/coach/exercise"
)

// Every exercise of the catalogue has its figure (start and end position),
// each parses as SVG with a title, no figure is left without an exercise,
// and the server hands them out as SVG.
func TestEveryExerciseHasAFigure(t *testing.T) {
	cat := exercise.Default()
	want := map[string]bool{}
	for _, e := range cat.Exercises {
		want[e.ID] = true
		data, err := staticFS.ReadFile("static/figures/" + e.ID + ".svg")
		if err != nil {
			t.Errorf("%s: no figure: %v", e.ID, err)
			continue
		}
		checkSVG(t, e.ID, data)
	}
	files, err := fs.Glob(staticFS, "static/figures/*")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		id := strings.TrimSuffix(path.Base(f), ".svg")
		if !want[id] || !strings.HasSuffix(f, ".svg") {
			t.Errorf("%s is the figure of no exercise in the catalogue", f)
		}
	}

	ts := newTS(t)
	req, _ := http.NewRequest(http.MethodGet, "http://"+ts.host+"/static/figures/chin_tuck.svg", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/svg+xml" {
		t.Errorf("GET a figure: %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	checkSVG(t, "served chin_tuck", body)
}

// checkSVG parses data as XML and checks it is one SVG drawing with a
// start and an end group, a title and something drawn in each group.
func checkSVG(t *testing.T, name string, data []byte) {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(data))
	var root string
	groups := map[string]int{}
	var inGroup string
	title := ""
	inTitle := false
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Errorf("%s: not well-formed XML: %v", name, err)
			return
		}
		switch el := tok.(type) {
		case xml.StartElement:
			if root == "" {
				root = el.Name.Local
				if el.Name.Space != "http://www.w3.org/2000/svg" {
					t.Errorf("%s: root namespace %q", name, el.Name.Space)
				}
			}
			switch el.Name.Local {
			case "g":
				for _, a := range el.Attr {
					if a.Name.Local == "id" {
						inGroup = a.Value
					}
				}
			case "title":
				inTitle = true
			case "polyline", "circle", "path", "rect":
				if inGroup != "" {
					groups[inGroup]++
				}
			case "script", "foreignObject", "image":
				t.Errorf("%s: a figure holds no %s", name, el.Name.Local)
			}
		case xml.EndElement:
			if el.Name.Local == "g" {
				inGroup = ""
			}
			if el.Name.Local == "title" {
				inTitle = false
			}
		case xml.CharData:
			if inTitle {
				title += string(el)
			}
		}
	}
	if root != "svg" {
		t.Errorf("%s: root element %q, want svg", name, root)
	}
	if strings.TrimSpace(title) == "" {
		t.Errorf("%s: no title", name)
	}
	if groups["start"] < 3 || groups["end"] < 3 {
		t.Errorf("%s: start and end positions not both drawn: %v", name, groups)
	}
}
