// A postrenderer/v1 plugin for the extism/v1 runtime: it adds the label
// `wasm-post-rendered: "true"` under every `metadata:` of the manifests it is given and
// returns them. Its first extra argument (--post-renderer-args) chooses another answer, to see
// how the host reads each shape of output message (when the input's manifests are not a
// string, it fails with the input message as its error):
//
//	object   {"manifests": {}}
//	missing  {}
//	echo     {"manifests": "<the input message, as received>"}
package main

import (
	"encoding/json"
	"strings"

	"github.com/extism/go-pdk"
)

type input struct {
	Manifests json.RawMessage `json:"manifests"`
	ExtraArgs []string        `json:"extraArgs"`
}

func output(v any) int32 {
	if err := pdk.OutputJSON(v); err != nil {
		pdk.SetError(err)
		return 1
	}
	return 0
}

//go:wasmexport helm_plugin_main
func helmPluginMain() int32 {
	raw := pdk.Input()
	var in input
	if err := json.Unmarshal(raw, &in); err != nil {
		pdk.SetError(err)
		return 1
	}
	mode := ""
	if len(in.ExtraArgs) > 0 {
		mode = in.ExtraArgs[0]
	}
	switch mode {
	case "object":
		return output(map[string]any{"manifests": map[string]any{}})
	case "missing":
		return output(map[string]any{})
	case "echo":
		return output(map[string]any{"manifests": string(raw)})
	}
	var manifests string
	if err := json.Unmarshal(in.Manifests, &manifests); err != nil {
		pdk.SetErrorString("manifests are not a string in " + string(raw))
		return 1
	}
	labelled := strings.ReplaceAll(manifests, "\nmetadata:\n", "\nmetadata:\n  labels:\n    wasm-post-rendered: \"true\"\n")
	return output(map[string]any{"manifests": labelled})
}

func main() {}
