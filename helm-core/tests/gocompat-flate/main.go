// Command gogzip gzips its standard input with Go's compress/gzip, for the differential tests
// in helm-core/tests/gocompat_flate.rs (built by scripts/test.d/setup-gocompat-flate.sh).
//
// Usage: gogzip [-level N] [-chunk N] [-helm]
//
// The whole input is read first, then written to the gzip.Writer in one Write, or in pieces
// of -chunk bytes (Go's output depends on how writes are split). -helm sets the header fields
// Helm's chartutil.Save sets: Extra and Comment.
package main

import (
	"bufio"
	"compress/gzip"
	"flag"
	"fmt"
	"io"
	"os"
)

func main() {
	level := flag.Int("level", gzip.DefaultCompression, "compression level, -2 to 9")
	chunk := flag.Int("chunk", 0, "write the input in pieces of this many bytes (0: one write)")
	helm := flag.Bool("helm", false, "set Helm's Extra and Comment header fields")
	flag.Parse()
	if err := run(*level, *chunk, *helm); err != nil {
		fmt.Fprintln(os.Stderr, "gogzip:", err)
		os.Exit(1)
	}
}

func run(level, chunk int, helm bool) error {
	data, err := io.ReadAll(os.Stdin)
	if err != nil {
		return err
	}
	out := bufio.NewWriter(os.Stdout)
	z, err := gzip.NewWriterLevel(out, level)
	if err != nil {
		return err
	}
	if helm {
		z.Extra = []byte("+aHR0cHM6Ly95b3V0dS5iZS96OVV6MWljandyTQo=")
		z.Comment = "Helm"
	}
	if chunk <= 0 {
		chunk = len(data) + 1
	}
	for len(data) > 0 {
		n := min(chunk, len(data))
		if _, err := z.Write(data[:n]); err != nil {
			return err
		}
		data = data[n:]
	}
	if err := z.Close(); err != nil {
		return err
	}
	return out.Flush()
}
