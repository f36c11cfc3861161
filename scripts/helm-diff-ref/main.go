// helm-diff-ref prints helm-diff's report for two manifest files, without a cluster.
//
// It is the reference the Rust diff engine (helm-core's release::plan) is checked against:
// it runs helm-diff's own manifest.Parse and diff.Manifests, the two calls `helm diff
// upgrade` makes once it has the release's manifest and the rendered chart, so every format
// and option is exercised exactly as the plugin does it.
//
// Usage: helm-diff-ref [flags] OLD NEW   (a path of "-" or "" stands for an absent manifest)
package main

import (
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/mgutz/ansi"

	"github.com/databus23/helm-diff/v3/diff"
	"github.com/databus23/helm-diff/v3/manifest"
)

type multi []string

func (m *multi) String() string     { return strings.Join(*m, ",") }
func (m *multi) Set(v string) error { *m = append(*m, v); return nil }

func main() {
	var opts diff.Options
	var suppress, suppressLines multi
	var findRenames float64
	namespace := flag.String("namespace", "default", "namespace of objects that name none")
	flag.StringVar(&opts.OutputFormat, "output", "diff", "diff, simple, template, json, structured, dyff")
	flag.IntVar(&opts.OutputContext, "context", -1, "lines of context (-1: all)")
	flag.BoolVar(&opts.StripTrailingCR, "strip-trailing-cr", false, "")
	flag.BoolVar(&opts.ShowSecrets, "show-secrets", false, "")
	flag.BoolVar(&opts.ShowSecretsDecoded, "show-secrets-decoded", false, "")
	flag.Float64Var(&findRenames, "find-renames", 0, "")
	flag.Var(&suppress, "suppress", "kind to suppress (repeatable)")
	flag.Var(&suppressLines, "suppress-output-line-regex", "regex (repeatable)")
	suppressSecrets := flag.Bool("suppress-secrets", false, "")
	normalize := flag.Bool("normalize-manifests", false, "")
	includeTests := flag.Bool("include-tests", false, "keep test hooks")
	color := flag.Bool("color", false, "colour the output")
	flag.Parse()
	if flag.NArg() != 2 {
		fmt.Fprintln(os.Stderr, "usage: helm-diff-ref [flags] OLD NEW")
		os.Exit(64)
	}
	ansi.DisableColors(!*color)
	opts.FindRenames = float32(findRenames)
	opts.SuppressedKinds = append([]string{}, suppress...)
	if *suppressSecrets {
		opts.SuppressedKinds = append(opts.SuppressedKinds, "Secret")
	}
	opts.SuppressedOutputLineRegex = suppressLines

	parse := func(path string) map[string]*manifest.MappingResult {
		if path == "" || path == "-" {
			return map[string]*manifest.MappingResult{}
		}
		data, err := os.ReadFile(path)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		if *includeTests {
			return manifest.Parse(data, *namespace, *normalize)
		}
		return manifest.Parse(data, *namespace, *normalize, manifest.Helm3TestHook, manifest.Helm2TestSuccessHook)
	}
	oldIndex := parse(flag.Arg(0))
	newIndex := parse(flag.Arg(1))
	if diff.Manifests(oldIndex, newIndex, &opts, os.Stdout) {
		os.Exit(2)
	}
}
