package store

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"posturewatch/coach/domain"
)

// The README documents every setting with its default and its variable,
// checked here against the code so the table never drifts.
func TestREADMEDocumentsEverySetting(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string][]string{}
	for _, line := range strings.Split(string(readme), "\n") {
		if !strings.HasPrefix(line, "| `") {
			continue
		}
		cells := strings.Split(strings.Trim(line, "|"), " | ")
		for i := range cells {
			cells[i] = strings.Trim(strings.TrimSpace(cells[i]), "`")
		}
		rows[cells[0]] = cells
	}
	check := func(defaults any, keys []string) {
		data, _ := json.Marshal(defaults)
		var def map[string]json.RawMessage
		if err := json.Unmarshal(data, &def); err != nil {
			t.Fatal(err)
		}
		for _, k := range keys {
			row, ok := rows[k]
			if !ok {
				t.Errorf("README: no row for the setting %s", k)
				continue
			}
			if len(row) != 4 || row[1] == "" {
				t.Errorf("README row %s: want | setting | meaning | default | variable |, got %q", k, row)
				continue
			}
			if row[2] != string(def[k]) {
				t.Errorf("README row %s: default %s, the code's is %s", k, row[2], def[k])
			}
			if row[3] != EnvVar(k) {
				t.Errorf("README row %s: variable %s, want %s", k, row[3], EnvVar(k))
			}
		}
	}
	check(domain.DefaultConfig(), domain.ConfigKeys)
	check(domain.RunSettings{}, domain.RunSettingKeys)
}
