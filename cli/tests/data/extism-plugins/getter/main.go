// A getter/v1 plugin for the extism/v1 runtime, for the scheme `wasmtest`: it serves a small
// chart archive it builds itself, named and versioned after the URL's last path element
// (`wasmtest://host/NAME-VERSION.tgz`). A URL whose path has `missing` fails with an Extism
// error, one with `echo` fails with the input message it was given as the error; the answer
// is the archive's bytes in the output message's `data` field.
package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"path"
	"strings"

	"github.com/extism/go-pdk"
)

type input struct {
	Href     string          `json:"href"`
	Protocol string          `json:"protocol"`
	Options  json.RawMessage `json:"options"`
}

func chart(name, version, note string) ([]byte, error) {
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	files := []struct{ name, body string }{
		{name + "/Chart.yaml", fmt.Sprintf("apiVersion: v2\nname: %s\nversion: %s\n", name, version)},
		{name + "/values.yaml", "greeting: hello\n"},
		{name + "/templates/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-cm\ndata:\n  greeting: {{ .Values.greeting }}\n  fetchedBy: " + note + "\n"},
	}
	for _, f := range files {
		hdr := &tar.Header{Name: f.name, Mode: 0o644, Size: int64(len(f.body)), Typeflag: tar.TypeReg}
		if err := tw.WriteHeader(hdr); err != nil {
			return nil, err
		}
		if _, err := tw.Write([]byte(f.body)); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	if err := gz.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

//go:wasmexport helm_plugin_main
func helmPluginMain() int32 {
	raw := pdk.Input()
	var in input
	if err := json.Unmarshal(raw, &in); err != nil {
		pdk.SetError(err)
		return 1
	}
	if strings.Contains(in.Href, "echo") {
		pdk.SetErrorString(string(raw))
		return 1
	}
	if strings.Contains(in.Href, "missing") {
		pdk.SetErrorString("no chart at " + in.Href)
		return 1
	}
	base := strings.TrimSuffix(path.Base(in.Href), ".tgz")
	i := strings.LastIndex(base, "-")
	if i < 0 {
		pdk.SetErrorString("cannot read NAME-VERSION from " + in.Href)
		return 1
	}
	note := in.Protocol
	if v, ok := pdk.GetConfig("note"); ok {
		note = v
	}
	data, err := chart(base[:i], base[i+1:], note)
	if err != nil {
		pdk.SetError(err)
		return 1
	}
	if err := pdk.OutputJSON(map[string]any{"data": data}); err != nil {
		pdk.SetError(err)
		return 1
	}
	return 0
}

func main() {}
