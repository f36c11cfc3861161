// Command go-sdk renders charts in one process with Helm's own Go SDK, the way a Go program
// embedding Helm would: load the chart, then a client-only install dry run (what `helm
// template` does), N times, and prints the median and mean milliseconds per render. It is the
// in-process reference for helm-rs's library path (`benches/bindings-bench.py` times the Python
// binding's `template` on the same charts), without process start on either side.
//
// Usage: go run . [-n 21] CHART_DIR...
package main

import (
	"flag"
	"fmt"
	"os"
	"sort"
	"time"

	"helm.sh/helm/v4/pkg/action"
	"helm.sh/helm/v4/pkg/chart/v2/loader"
)

func main() {
	n := flag.Int("n", 21, "renders per chart")
	flag.Parse()
	for _, dir := range flag.Args() {
		times := make([]float64, 0, *n)
		for i := 0; i < *n; i++ {
			start := time.Now()
			chrt, err := loader.Load(dir)
			if err != nil {
				fmt.Fprintf(os.Stderr, "%s: %v\n", dir, err)
				os.Exit(1)
			}
			install := action.NewInstall(&action.Configuration{})
			install.DryRunStrategy = action.DryRunClient
			install.ReleaseName = "rel"
			install.Namespace = "corpus-ns"
			install.Replace = true
			if _, err := install.Run(chrt, map[string]interface{}{}); err != nil {
				fmt.Fprintf(os.Stderr, "%s: %v\n", dir, err)
				os.Exit(1)
			}
			times = append(times, float64(time.Since(start).Microseconds())/1000)
		}
		sort.Float64s(times)
		sum := 0.0
		for _, t := range times {
			sum += t
		}
		fmt.Printf("%s\tmedian %.1f ms\tmean %.1f ms\t(%d renders)\n", dir, times[len(times)/2], sum/float64(len(times)), len(times))
	}
}
