// Command benchreport reads `go test -bench` output on stdin and prints the
// per-frame timings as a table in milliseconds (for `make bench` and the README).
package main

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
)

func main() {
	type row struct {
		name string
		ms   float64
	}
	var rows []row
	sc := bufio.NewScanner(os.Stdin)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") || f[3] != "ns/op" {
			continue
		}
		ns, err := strconv.ParseFloat(f[2], 64)
		if err != nil {
			continue
		}
		name := strings.TrimPrefix(f[0], "Benchmark")
		if i := strings.LastIndex(name, "-"); i > 0 {
			name = name[:i]
		}
		rows = append(rows, row{name, ns / 1e6})
	}
	if err := sc.Err(); err != nil {
		fmt.Fprintln(os.Stderr, "benchreport:", err)
		os.Exit(1)
	}
	if len(rows) == 0 {
		fmt.Fprintln(os.Stderr, "benchreport: no benchmark lines on stdin")
		os.Exit(1)
	}
	fmt.Println("| benchmark | ms/op |")
	fmt.Println("|---|---:|")
	for _, r := range rows {
		fmt.Printf("| %s | %.2f |\n", r.name, r.ms)
	}
}
