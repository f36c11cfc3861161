// patch-oracle prints what Helm 4.1.4's client-side apply computes, for helm-rs's differential
// tests (helm-core/tests/patch_oracle.rs): k8s.io/apimachinery's three-way strategic merge patch
// with the patch metadata of the Go API types (Helm's NewPatchMetaFromStruct), evanphx's JSON
// merge patch, the Go types' patch metadata itself, and the group-versions Helm treats as typed.
//
// Input on stdin, one JSON object:
//
//	{"mode": "patch", "cases": [{"apiVersion", "kind", "op": "smp3"|"merge2", "original", "modified", "current"}]}
//	{"mode": "schema", "kinds": [{"apiVersion", "kind"}]}
//	{"mode": "typed"}
//
// Output on stdout: JSON ([{"patch": …} | {"error": "…"}], a type table, or a sorted list).
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"sort"
	"strings"

	jsonpatch "github.com/evanphx/json-patch/v5"
	apiextv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apiextv1beta1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1beta1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	kjson "k8s.io/apimachinery/pkg/util/json"
	"k8s.io/apimachinery/pkg/util/strategicpatch"
	"k8s.io/client-go/kubernetes/scheme"
)

type gvk struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
}

type patchCase struct {
	gvk
	Op       string          `json:"op"`
	Original json.RawMessage `json:"original"`
	Modified json.RawMessage `json:"modified"`
	Current  json.RawMessage `json:"current"`
}

type input struct {
	Mode  string      `json:"mode"`
	Cases []patchCase `json:"cases"`
	Kinds []gvk       `json:"kinds"`
}

// nativeScheme is Helm's kubernetesNativeScheme (pkg/kube/converter.go).
func nativeScheme() *runtime.Scheme {
	s := runtime.NewScheme()
	_ = scheme.AddToScheme(s)
	_ = apiextv1beta1.AddToScheme(s)
	_ = apiextv1.AddToScheme(s)
	return s
}

func newTyped(s *runtime.Scheme, k gvk) (runtime.Object, error) {
	gv, err := schema.ParseGroupVersion(k.APIVersion)
	if err != nil {
		return nil, err
	}
	return s.New(gv.WithKind(k.Kind))
}

func main() {
	var in input
	if err := json.NewDecoder(os.Stdin).Decode(&in); err != nil {
		fmt.Fprintln(os.Stderr, "bad input:", err)
		os.Exit(2)
	}
	s := nativeScheme()
	var out interface{}
	switch in.Mode {
	case "patch":
		res := make([]map[string]interface{}, 0, len(in.Cases))
		for _, c := range in.Cases {
			res = append(res, runCase(s, c))
		}
		out = res
	case "schema":
		t := &typeTable{Types: map[string]typeDesc{}, Roots: map[string]string{}}
		for _, k := range in.Kinds {
			obj, err := newTyped(s, k)
			if err != nil {
				fmt.Fprintln(os.Stderr, "unknown kind:", err)
				os.Exit(2)
			}
			t.Roots[k.APIVersion+"/"+k.Kind] = t.add(reflect.TypeOf(obj).Elem())
		}
		out = t
	case "typed":
		seen := map[string]bool{}
		for gvk := range s.AllKnownTypes() {
			if gvk.Version == runtime.APIVersionInternal {
				continue
			}
			seen[gvk.GroupVersion().String()] = true
		}
		list := []string{}
		for k := range seen {
			list = append(list, k)
		}
		sort.Strings(list)
		out = list
	default:
		fmt.Fprintln(os.Stderr, "unknown mode", in.Mode)
		os.Exit(2)
	}
	if err := json.NewEncoder(os.Stdout).Encode(out); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// asHelmSends is a document as Helm hands it to the patch functions: decoded into an
// unstructured object (integers int64, other numbers float64) and marshaled again, so that
// `1.0` reads `1` as in Helm's `json.Marshal(obj)`.
func asHelmSends(doc json.RawMessage) json.RawMessage {
	var v interface{}
	if err := kjson.Unmarshal(doc, &v); err != nil {
		return doc
	}
	out, err := json.Marshal(v)
	if err != nil {
		return doc
	}
	return out
}

func runCase(s *runtime.Scheme, c patchCase) map[string]interface{} {
	var patch []byte
	var err error
	c.Original, c.Modified, c.Current = asHelmSends(c.Original), asHelmSends(c.Modified), asHelmSends(c.Current)
	switch c.Op {
	case "smp3":
		var obj runtime.Object
		obj, err = newTyped(s, c.gvk)
		if err == nil {
			var meta strategicpatch.PatchMetaFromStruct
			meta, err = strategicpatch.NewPatchMetaFromStruct(obj)
			if err == nil {
				patch, err = strategicpatch.CreateThreeWayMergePatch(c.Original, c.Modified, c.Current, meta, true)
			}
		}
	case "merge2":
		patch, err = jsonpatch.CreateMergePatch(c.Original, c.Modified)
	default:
		err = fmt.Errorf("unknown op %q", c.Op)
	}
	if err != nil {
		return map[string]interface{}{"error": err.Error()}
	}
	return map[string]interface{}{"patch": json.RawMessage(patch)}
}

// typeTable describes Go types as the struct-tag patch metadata sees them: a struct's JSON
// fields (name as encoding/json matches it, the field's type, patchStrategy, patchMergeKey),
// a slice's or map's element, or a primitive kind.
type typeTable struct {
	Types map[string]typeDesc `json:"types"`
	Roots map[string]string   `json:"roots"`
}

type typeDesc struct {
	Kind   string           `json:"kind"`
	Name   string           `json:"name,omitempty"`
	Elem   string           `json:"elem,omitempty"`
	Fields map[string]field `json:"fields,omitempty"`
}

type field struct {
	Type     string `json:"type"`
	Strategy string `json:"strategy,omitempty"`
	MergeKey string `json:"mergeKey,omitempty"`
}

func (t *typeTable) add(ty reflect.Type) string {
	for ty.Kind() == reflect.Pointer {
		ty = ty.Elem()
	}
	id := ty.String()
	if ty.PkgPath() != "" {
		id = ty.PkgPath() + "." + ty.Name()
	}
	if _, ok := t.Types[id]; ok {
		return id
	}
	d := typeDesc{Kind: ty.Kind().String(), Name: ty.Name()}
	t.Types[id] = d
	switch ty.Kind() {
	case reflect.Slice, reflect.Array, reflect.Map:
		d.Elem = t.add(ty.Elem())
	case reflect.Struct:
		d.Fields = map[string]field{}
		t.addFields(ty, d.Fields)
	}
	t.Types[id] = d
	return id
}

// addFields follows encoding/json: exported fields, `json:"-"` skipped, anonymous structs
// without a name inlined (as k8s' TypeMeta/ObjectMeta `json:",inline"`).
func (t *typeTable) addFields(ty reflect.Type, into map[string]field) {
	for i := 0; i < ty.NumField(); i++ {
		f := ty.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name := strings.Split(tag, ",")[0]
		if f.Anonymous && name == "" {
			ft := f.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				t.addFields(ft, into)
				continue
			}
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		into[name] = field{
			Type:     t.add(f.Type),
			Strategy: f.Tag.Get("patchStrategy"),
			MergeKey: f.Tag.Get("patchMergeKey"),
		}
	}
}
