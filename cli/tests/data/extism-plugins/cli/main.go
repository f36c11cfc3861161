// A cli/v1 plugin for the extism/v1 runtime. It prints what Helm gives it (its arguments from
// the input message, some environment variables, a runtimeConfig config value, standard input
// when asked) and then does what its first argument says, so one binary covers the runtime's
// success and failure paths:
//
//	exit N      return N from helm_plugin_main (a plugin's exit code)
//	wasi-exit N  end the module through WASI proc_exit(N)
//	error MSG   set the Extism error MSG and return 1
//	panic       a Go panic (the Go runtime prints it and exits 2)
//	trap        an out-of-bounds Extism memory load (a Wasm trap)
//	alloc MB    allocate MB mebibytes (memory.maxPages)
//	spin        loop forever (runtimeConfig timeout)
//	no-output   return 0 without setting an output message
//	stdin       copy standard input to standard output
//	tmp         write and read back a file under /tmp (fileSystem.createTempDir)
package main

import (
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"

	"github.com/extism/go-pdk"
)

type input struct {
	ExtraArgs []string `json:"extraArgs"`
}

//go:wasmimport extism:host/env load_u64
func extismLoadU64(offset uint64) uint64

var sink [][]byte

//go:wasmexport helm_plugin_main
func helmPluginMain() int32 {
	var in input
	if err := pdk.InputJSON(&in); err != nil {
		pdk.SetError(err)
		return 1
	}
	fmt.Printf("args: %q\n", in.ExtraArgs)
	var names []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "HELM_") || strings.HasPrefix(k, "EXTISM_TEST_") {
			names = append(names, kv)
		}
	}
	sort.Strings(names)
	for _, kv := range names {
		if strings.HasPrefix(kv, "HELM_NAMESPACE=") || strings.HasPrefix(kv, "HELM_PLUGIN") ||
			strings.HasPrefix(kv, "HELM_DEBUG=") || strings.HasPrefix(kv, "EXTISM_TEST_") {
			fmt.Println("env:", kv)
		}
	}
	if v, ok := pdk.GetConfig("greeting"); ok {
		fmt.Println("config greeting:", v)
	}
	fmt.Fprintln(os.Stderr, "to stderr")
	arg := func(i int) string {
		if i < len(in.ExtraArgs) {
			return in.ExtraArgs[i]
		}
		return ""
	}
	n, _ := strconv.Atoi(arg(1))
	switch arg(0) {
	case "exit":
		pdk.OutputString("{}")
		return int32(n)
	case "wasi-exit":
		os.Exit(n)
	case "error":
		pdk.SetErrorString(arg(1))
		return 1
	case "panic":
		panic("the plugin panics")
	case "trap":
		fmt.Println(extismLoadU64(1 << 40))
	case "alloc":
		for i := 0; i < n; i++ {
			b := make([]byte, 1<<20)
			b[len(b)-1] = 1
			sink = append(sink, b)
		}
		fmt.Println("allocated", n, "MiB")
	case "spin":
		for i := 0; ; i++ {
			if i < 0 {
				break
			}
		}
	case "no-output":
		return 0
	case "stdin":
		data, _ := io.ReadAll(os.Stdin)
		fmt.Printf("stdin: %q\n", data)
	case "tmp":
		if err := os.WriteFile("/tmp/x.txt", []byte("hello tmp"), 0o644); err != nil {
			fmt.Println("write:", err)
		} else {
			data, _ := os.ReadFile("/tmp/x.txt")
			fmt.Printf("read back: %q\n", data)
		}
	}
	pdk.OutputString("{}")
	return 0
}

func main() {}
