//! Table tests of the template engine against Go's text/template (go1.26, `missingkey=zero`
//! as Helm sets it). Expected outputs and error texts were produced by running each template
//! through Go with the same data (JSON numbers are float64, as Helm's values are).
//! Only Go's builtin functions are used, so this checks the engine alone.

use helm_core::template::{funcs::FuncTable, Engine};
use helm_core::values::{Map, Value};

const DATA: &str = r####"{"a": 1, "f": 1.5, "big": 1000000, "s": "hello", "e": "", "z": 0, "t": true, "n": null, "l": [1, "two", 3.5, null, {"k": "v"}], "m": {"b": 2, "a": 1, "c": [1, 2]}, "el": [], "em": {}, "nested": {"x": {"y": {"z": "deep"}}}, "neg": -3, "small": 1e-06, "pi": 3.14159, "words": ["b", "a", "c"], "num": 123456789, "ints": [3, 1, 2]}"####;

/// (template, Go's output, Go's error)
const CASES: &[(&str, Option<&str>, Option<&str>)] = &[
    (r####"plain text"####, Some(r####"plain text"####), None),
    (r####"a {{- /* c */ -}} b"####, Some(r####"ab"####), None),
    (r####"a  {{- 1 -}}  b"####, Some(r####"a1b"####), None),
    (r####"{{- 3}}"####, Some(r####"3"####), None),
    (r####"{{-3}}"####, Some(r####"-3"####), None),
    (r####"x
  {{- "y" }}
  z"####, Some(r####"xy
  z"####), None),
    (r####"{{/* only */}}"####, Some(r####""####), None),
    (r####"{{ 1 }} {{ 1.0 }} {{ 1e3 }} {{ 0x1F }} {{ 0o17 }} {{ 017 }} {{ 0b101 }} {{ 1_000 }} {{ 'a' }} {{ -7 }} {{ .5 }} {{ 1e100 }}"####, Some(r####"1 1 1000 31 15 15 5 1000 97 -7 0.5 1e+100"####), None),
    (r####"{{ "a\tb\u00e9\x41" }} {{ `raw\n` }} {{ true }} {{ false }}"####, Some(r####"a	béA raw\n true false"####), None),
    (r####"{{ nil }}"####, None, Some(r####"template: t:1:3: executing "t" at <nil>: nil is not a command"####)),
    (r####"{{ 0x1p-2 }}"####, Some(r####"0.25"####), None),
    (r####"{{ 99999999999999999999 }}"####, None, Some(r####"template: t:1: integer overflow: "99999999999999999999""####)),
    (r####"{{ 08 }}"####, None, Some(r####"template: t:1: integer overflow: "08""####)),
    (r####"{{ .a }} {{ .f }} {{ .big }} {{ .s }} {{ .n }} {{ .missing }} {{ .small }} {{ .pi }} {{ .num }} {{ .neg }}"####, Some(r####"1 1.5 1e+06 hello <no value> <no value> 1e-06 3.14159 1.23456789e+08 -3"####), None),
    (r####"{{ .l }}"####, Some(r####"[1 two 3.5 <nil> map[k:v]]"####), None),
    (r####"{{ .m }}"####, Some(r####"map[a:1 b:2 c:[1 2]]"####), None),
    (r####"{{ .el }} {{ .em }}"####, Some(r####"[] map[]"####), None),
    (r####"{{ . }}"####, Some(r####"map[a:1 big:1e+06 e: el:[] em:map[] f:1.5 ints:[3 1 2] l:[1 two 3.5 <nil> map[k:v]] m:map[a:1 b:2 c:[1 2]] n:<nil> neg:-3 nested:map[x:map[y:map[z:deep]]] num:1.23456789e+08 pi:3.14159 s:hello small:1e-06 t:true words:[b a c] z:0]"####), None),
    (r####"{{ .nested.x.y.z }}"####, Some(r####"deep"####), None),
    (r####"{{ .nested.x.q }}"####, Some(r####"<no value>"####), None),
    (r####"{{ .nested.q.r }}"####, None, Some(r####"template: t:1:10: executing "t" at <.nested.q.r>: nil pointer evaluating interface {}.r"####)),
    (r####"{{ .n.x }}"####, None, Some(r####"template: t:1:5: executing "t" at <.n.x>: nil pointer evaluating interface {}.x"####)),
    (r####"{{ .s.x }}"####, None, Some(r####"template: t:1:5: executing "t" at <.s.x>: can't evaluate field x in type interface {}"####)),
    (r####"{{ .a.b }}"####, None, Some(r####"template: t:1:5: executing "t" at <.a.b>: can't evaluate field b in type interface {}"####)),
    (r####"{{ (.m).b }}"####, Some(r####"2"####), None),
    (r####"{{ (.missing).b }}"####, Some(r####"<no value>"####), None),
    (r####"{{ $x := .missing }}{{ $x.b }}"####, Some(r####"<no value>"####), None),
    (r####"{{ $.a }} {{ $.m.b }}"####, Some(r####"1 2"####), None),
    (r####"{{ $x := 1 }}{{ $x }}{{ $x = 2 }}{{ $x }}"####, Some(r####"12"####), None),
    (r####"{{ $x := 1 }}{{ if true }}{{ $x = 3 }}{{ $y := 5 }}{{ end }}{{ $x }}"####, Some(r####"3"####), None),
    (r####"{{ $x := 1 }}{{ if true }}{{ $x := 3 }}{{ $x }}{{ end }}{{ $x }}"####, Some(r####"31"####), None),
    (r####"{{ $y }}"####, None, Some(r####"template: t:1: undefined variable "$y""####)),
    (r####"{{ $x = 1 }}"####, None, Some(r####"template: t:1:8: executing "t" at <1>: undefined variable: $x"####)),
    (r####"{{ with $x := .m }}{{ $x.a }}{{ end }}"####, Some(r####"1"####), None),
    (r####"{{ $x := .l }}{{ index $x 1 }}"####, Some(r####"two"####), None),
    (r####"{{ if .a }}yes{{ end }}"####, Some(r####"yes"####), None),
    (r####"{{ if .z }}yes{{ else }}no{{ end }}"####, Some(r####"no"####), None),
    (r####"{{ if .e }}1{{ else if .s }}2{{ else }}3{{ end }}"####, Some(r####"2"####), None),
    (r####"{{ if .el }}1{{ else if .em }}2{{ else }}3{{ end }}"####, Some(r####"3"####), None),
    (r####"{{ if .n }}1{{ end }}"####, Some(r####""####), None),
    (r####"{{ if }}x{{ end }}"####, None, Some(r####"template: t:1: missing value for if"####)),
    (r####"{{ if .a }}x"####, None, Some(r####"template: t:1: unexpected EOF"####)),
    (r####"{{ else }}"####, None, Some(r####"template: t:1: unexpected {{else}}"####)),
    (r####"{{ end }}"####, None, Some(r####"template: t:1: unexpected {{end}}"####)),
    (r####"{{ if .a }}x{{ else }}y{{ else }}z{{ end }}"####, None, Some(r####"template: t:1: expected end; found {{else}}"####)),
    (r####"{{ with .m }}{{ .a }}{{ end }}"####, Some(r####"1"####), None),
    (r####"{{ with .missing }}x{{ else }}none{{ end }}"####, Some(r####"none"####), None),
    (r####"{{ with .e }}x{{ else with .s }}{{ . }}{{ end }}"####, Some(r####"hello"####), None),
    (r####"{{ range .l }}[{{ . }}]{{ end }}"####, Some(r####"[1][two][3.5][<no value>][map[k:v]]"####), None),
    (r####"{{ range $i, $v := .l }}{{ $i }}={{ $v }};{{ end }}"####, Some(r####"0=1;1=two;2=3.5;3=<no value>;4=map[k:v];"####), None),
    (r####"{{ range $k, $v := .m }}{{ $k }}:{{ $v }},{{ end }}"####, Some(r####"a:1,b:2,c:[1 2],"####), None),
    (r####"{{ range .el }}x{{ else }}empty{{ end }}"####, Some(r####"empty"####), None),
    (r####"{{ range .missing }}x{{ else }}nil{{ end }}"####, Some(r####"nil"####), None),
    (r####"{{ range 3 }}{{ . }}{{ end }}"####, Some(r####"012"####), None),
    (r####"{{ range $i := 3 }}{{ $i }}{{ end }}"####, Some(r####"012"####), None),
    (r####"{{ range $i, $j := 3 }}{{ end }}"####, None, Some(r####"template: t:1:19: executing "t" at <3>: can't use 3 to iterate over more than one variable"####)),
    (r####"{{ range 0 }}x{{ else }}zero{{ end }}"####, Some(r####"zero"####), None),
    (r####"{{ range .s }}{{ . }}{{ end }}"####, None, Some(r####"template: t:1:9: executing "t" at <.s>: range can't iterate over hello"####)),
    (r####"{{ range .a }}{{ . }}{{ end }}"####, None, Some(r####"template: t:1:9: executing "t" at <.a>: range can't iterate over 1"####)),
    (r####"{{ range .f }}{{ . }}{{ end }}"####, None, Some(r####"template: t:1:9: executing "t" at <.f>: range can't iterate over 1.5"####)),
    (r####"{{ range .ints }}{{ if eq . 1 }}{{ continue }}{{ end }}{{ . }}{{ end }}"####, None, Some(r####"template: t:1:23: executing "t" at <eq . 1>: error calling eq: incompatible types for comparison: float64 and int"####)),
    (r####"{{ range .ints }}{{ if eq . 1 }}{{ break }}{{ end }}{{ . }}{{ end }}"####, None, Some(r####"template: t:1:23: executing "t" at <eq . 1>: error calling eq: incompatible types for comparison: float64 and int"####)),
    (r####"{{ break }}"####, None, Some(r####"template: t:1: {{break}} outside {{range}}"####)),
    (r####"{{ range .l }}{{ .k }}{{ end }}"####, None, Some(r####"template: t:1:17: executing "t" at <.k>: can't evaluate field k in type interface {}"####)),
    (r####"{{ range .words }}{{ $x := . }}{{ $x }}{{ end }}"####, Some(r####"bac"####), None),
    (r####"{{ range $i, $e := .words }}{{ $i }}{{ $e }}{{ else }}x{{ end }}"####, Some(r####"0b1a2c"####), None),
    (r####"{{ range $x := .m }}{{ $x }}{{ end }}"####, Some(r####"12[1 2]"####), None),
    (r####"{{ range .ints }}{{ range $.words }}{{ . }}{{ end }}{{ end }}"####, Some(r####"bacbacbac"####), None),
    (r####"{{ define "x" }}X{{ . }}{{ end }}{{ template "x" .a }}"####, Some(r####"X1"####), None),
    (r####"{{ template "nope" }}"####, None, Some(r####"template: t:1:12: executing "t" at <{{template "nope"}}>: template "nope" not defined"####)),
    (r####"{{ block "b" .s }}[{{ . }}]{{ end }}"####, Some(r####"[hello]"####), None),
    (r####"{{ define "x" }}{{ $ }}{{ end }}{{ template "x" .m }}"####, Some(r####"map[a:1 b:2 c:[1 2]]"####), None),
    (r####"{{ define "x" }}{{ .missing.y }}{{ end }}{{ template "x" . }}"####, None, Some(r####"template: t:1:27: executing "x" at <.missing.y>: nil pointer evaluating interface {}.y"####)),
    (r####"{{ define "x" }}a{{ end }}{{ define "x" }}b{{ end }}"####, None, Some(r####"template: t:1: template: multiple definition of template "x""####)),
    (r####"{{ define "x" }}a{{ end }}{{ define "x" }} {{ end }}{{ template "x" }}"####, Some(r####"a"####), None),
    (r####"{{ template "x" }}{{ define "x" }}{{ .a }}{{ end }}"####, Some(r####"<no value>"####), None),
    (r####"{{ and 1 0 2 }} {{ and 1 2 }} {{ or 0 "" }} {{ or 0 .s }} {{ not 0 }} {{ not .s }}"####, Some(r####"0 2  hello true false"####), None),
    (r####"{{ and }}"####, None, Some(r####"template: t:1:3: executing "t" at <and>: wrong number of args for and: want at least 1 got 0"####)),
    (r####"{{ or .missing .n }}"####, Some(r####"<no value>"####), None),
    (r####"{{ and .missing .x.y }}"####, Some(r####"<no value>"####), None),
    (r####"{{ or 1 .x.y }}"####, Some(r####"1"####), None),
    (r####"{{ 0 | and 1 }}"####, Some(r####"0"####), None),
    (r####"{{ .s | or 0 }}"####, Some(r####"hello"####), None),
    (r####"{{ eq 1 1 }} {{ eq .a 1.0 }} {{ eq .s "hello" }} {{ eq 1 2 3 1 }} {{ ne 1 2 }} {{ lt 1 2 }} {{ le 2 2 }} {{ gt .f 1.0 }} {{ ge "b" "a" }}"####, Some(r####"true true true true true true true true true"####), None),
    (r####"{{ eq .a 1 }}"####, None, Some(r####"template: t:1:3: executing "t" at <eq .a 1>: error calling eq: incompatible types for comparison: float64 and int"####)),
    (r####"{{ eq 1 1.0 }}"####, None, Some(r####"template: t:1:3: executing "t" at <eq 1 1.0>: error calling eq: incompatible types for comparison: int and float64"####)),
    (r####"{{ lt 1 1.5 }}"####, None, Some(r####"template: t:1:3: executing "t" at <lt 1 1.5>: error calling lt: incompatible types for comparison: int and float64"####)),
    (r####"{{ eq .n nil }}"####, Some(r####"true"####), None),
    (r####"{{ eq .missing "x" }}"####, Some(r####"false"####), None),
    (r####"{{ eq nil nil }}"####, Some(r####"true"####), None),
    (r####"{{ eq .l .l }}"####, None, Some(r####"template: t:1:3: executing "t" at <eq .l .l>: error calling eq: non-comparable type [%!s(float64=1) two %!s(float64=3.5) <nil> map[k:v]]: []interface {}"####)),
    (r####"{{ eq .m .m }}"####, None, Some(r####"template: t:1:3: executing "t" at <eq .m .m>: error calling eq: non-comparable type map[a:%!s(float64=1) b:%!s(float64=2) c:[%!s(float64=1) %!s(float64=2)]]: map[string]interface {}"####)),
    (r####"{{ lt true false }}"####, None, Some(r####"template: t:1:3: executing "t" at <lt true false>: error calling lt: invalid type for comparison"####)),
    (r####"{{ lt nil 1 }}"####, None, Some(r####"template: t:1:3: executing "t" at <lt nil 1>: error calling lt: invalid type for comparison"####)),
    (r####"{{ eq 1 }}"####, None, Some(r####"template: t:1:3: executing "t" at <eq 1>: error calling eq: missing argument for comparison"####)),
    (r####"{{ eq "a" 1 }}"####, None, Some(r####"template: t:1:3: executing "t" at <eq "a" 1>: error calling eq: incompatible types for comparison: string and int"####)),
    (r####"{{ ne .n 1 }}"####, Some(r####"true"####), None),
    (r####"{{ lt .l 1 }}"####, None, Some(r####"template: t:1:3: executing "t" at <lt .l 1>: error calling lt: invalid type for comparison"####)),
    (r####"{{ eq (len .l) 5 }}"####, Some(r####"true"####), None),
    (r####"{{ index .l 1 }} {{ index .m "a" }} {{ index .m "zz" }} {{ index .nested "x" "y" "z" }}"####, Some(r####"two 1 <no value> deep"####), None),
    (r####"{{ index .l 9 }}"####, None, Some(r####"template: t:1:3: executing "t" at <index .l 9>: error calling index: index out of range: 9"####)),
    (r####"{{ index .l 5 }}"####, None, Some(r####"template: t:1:3: executing "t" at <index .l 5>: error calling index: reflect: slice index out of range"####)),
    (r####"{{ index .l -1 }}"####, None, Some(r####"template: t:1:3: executing "t" at <index .l -1>: error calling index: index out of range: -1"####)),
    (r####"{{ index .m 1 }}"####, None, Some(r####"template: t:1:3: executing "t" at <index .m 1>: error calling index: value has type int; should be string"####)),
    (r####"{{ index nil 1 }}"####, None, Some(r####"template: t:1:3: executing "t" at <index nil 1>: error calling index: index of untyped nil"####)),
    (r####"{{ index .missing 1 }}"####, None, Some(r####"template: t:1:3: executing "t" at <index .missing 1>: error calling index: index of untyped nil"####)),
    (r####"{{ index .s 1 }}"####, Some(r####"101"####), None),
    (r####"{{ index .a 1 }}"####, None, Some(r####"template: t:1:3: executing "t" at <index .a 1>: error calling index: can't index item of type float64"####)),
    (r####"{{ index .l "x" }}"####, None, Some(r####"template: t:1:3: executing "t" at <index .l "x">: error calling index: cannot index slice/array with type string"####)),
    (r####"{{ index .l }}"####, Some(r####"[1 two 3.5 <nil> map[k:v]]"####), None),
    (r####"{{ index .m "zz" "y" }}"####, None, Some(r####"template: t:1:3: executing "t" at <index .m "zz" "y">: error calling index: index of nil pointer"####)),
    (r####"{{ index .l 1.0 }}"####, None, Some(r####"template: t:1:3: executing "t" at <index .l 1.0>: error calling index: cannot index slice/array with type float64"####)),
    (r####"{{ len .l }} {{ len .m }} {{ len .s }} {{ len .el }}"####, Some(r####"5 3 5 0"####), None),
    (r####"{{ len .a }}"####, None, Some(r####"template: t:1:3: executing "t" at <len .a>: error calling len: len of type float64"####)),
    (r####"{{ len .missing }}"####, None, Some(r####"template: t:1:3: executing "t" at <len .missing>: error calling len: len of nil pointer"####)),
    (r####"{{ print 1 2 }} {{ print "a" "b" }} {{ print 1 "a" 2 }} {{ print .n }} {{ print nil }} {{ print .l }} {{ print }}"####, Some(r####"1 2 ab 1a2 <nil> <nil> [1 two 3.5 <nil> map[k:v]] "####), None),
    (r####"{{ println 1 "a" }}"####, Some(r####"1 a
"####), None),
    (r####"{{ printf "%d-%s" 1 "x" }}"####, Some(r####"1-x"####), None),
    (r####"{{ printf "%v %v %v" .f .big .small }}"####, Some(r####"1.5 1e+06 1e-06"####), None),
    (r####"{{ printf "%d" .a }}"####, Some(r####"%!d(float64=1)"####), None),
    (r####"{{ printf "%s" 1 }}"####, Some(r####"%!s(int=1)"####), None),
    (r####"{{ printf "%d %d" 1 }}"####, Some(r####"1 %!d(MISSING)"####), None),
    (r####"{{ printf "%d" 1 2 }}"####, Some(r####"1%!(EXTRA int=2)"####), None),
    (r####"{{ printf "%05.2f|%-5s|%5s|" .pi "ab" "cd" }}"####, Some(r####"03.14|ab   |   cd|"####), None),
    (r####"{{ printf "%x %X %o %b %c %q %U" 255 255 8 5 65 "q" 65 }}"####, Some(r####"ff FF 10 101 A "q" U+0041"####), None),
    (r####"{{ printf "%T %T %T %T %T %T %T" 1 .a .s .l .m .n true }}"####, Some(r####"int float64 string []interface {} map[string]interface {} <nil> bool"####), None),
    (r####"{{ printf "%t %v %s" true .m .words }}"####, Some(r####"true map[a:1 b:2 c:[1 2]] [b a c]"####), None),
    (r####"{{ printf "%e %E %g %G %.3f %.0f %8.3f" .pi .pi .pi .num .pi 2.5 .pi }}"####, Some(r####"3.141590e+00 3.141590E+00 3.14159 1.23456789E+08 3.142 2    3.142"####), None),
    (r####"{{ printf "%*d|%-*d|" 4 7 4 7 }}"####, Some(r####"   7|7   |"####), None),
    (r####"{{ printf "%+d % d %+.1f" 5 5 .pi }}"####, Some(r####"+5  5 +3.1"####), None),
    (r####"{{ printf "%q %+q %#q" "héllo" "héllo" "a`b" }}"####, Some(r####""héllo" "h\u00e9llo" "a`b""####), None),
    (r####"{{ printf "%x % x %#x" "hi" "hi" "hi" }}"####, Some(r####"6869 68 69 0x6869"####), None),
    (r####"{{ printf "%s %d" .n .n }}"####, Some(r####"%!s(<nil>) %!d(<nil>)"####), None),
    (r####"{{ printf "%v|%+v|%#v" .m .m .m }}"####, Some(r####"map[a:1 b:2 c:[1 2]]|map[a:1 b:2 c:[1 2]]|map[string]interface {}{"a":1, "b":2, "c":[]interface {}{1, 2}}"####), None),
    (r####"{{ printf "%#v %#v %#v" .l .s 1.0 }}"####, Some(r####"[]interface {}{1, "two", 3.5, interface {}(nil), map[string]interface {}{"k":"v"}} "hello" 1"####), None),
    (r####"{{ printf "%5.1s|%.2s|" "abc" "xyz" }}"####, Some(r####"    a|xy|"####), None),
    (r####"{{ printf "%!" }}"####, Some(r####"%!!(MISSING)"####), None),
    (r####"{{ printf "%" }}"####, Some(r####"%!(NOVERB)"####), None),
    (r####"{{ printf "%[2]d %[1]d" 1 2 }}"####, Some(r####"2 1"####), None),
    (r####"{{ printf "%[3]d" 1 2 }}"####, Some(r####"%!d(BADINDEX)"####), None),
    (r####"{{ printf "%d %%" 3 }}"####, Some(r####"3 %"####), None),
    (r####"{{ printf "%6.2v|%08.3f|%-8.2e|%+08d" .pi .pi .pi 42 }}"####, Some(r####"   3.1|0003.142|3.14e+00|+0000042"####), None),
    (r####"{{ printf "%05s|%05d|%-05d" "ab" -42 7 }}"####, Some(r####"000ab|-0042|7    "####), None),
    (r####"{{ printf "%.3d|%.0d|%3.0d|" 7 0 0 }}"####, Some(r####"007||   |"####), None),
    (r####"{{ printf "%g %g %g %g %g" 1e21 1e20 1e-5 0.0001 100000.0 }}"####, Some(r####"1e+21 1e+20 1e-05 0.0001 100000"####), None),
    (r####"{{ printf "%v %v" 1e6 123456.0 }}"####, Some(r####"1e+06 123456"####), None),
    (r####"{{ printf "%.2g %.10g %g" 1234.0 .pi 0.0 }}"####, Some(r####"1.2e+03 3.14159 0"####), None),
    (r####"{{ printf "%d" .l }}"####, Some(r####"[%!d(float64=1) %!d(string=two) %!d(float64=3.5) <nil> map[%!d(string=k):%!d(string=v)]]"####), None),
    (r####"{{ printf "%s" .m }}"####, Some(r####"map[a:%!s(float64=1) b:%!s(float64=2) c:[%!s(float64=1) %!s(float64=2)]]"####), None),
    (r####"{{ printf "%s" .l }}"####, Some(r####"[%!s(float64=1) two %!s(float64=3.5) <nil> map[k:v]]"####), None),
    (r####"{{ printf "%x" .words }}"####, Some(r####"[62 61 63]"####), None),
    (r####"{{ printf "%v" .nested }}"####, Some(r####"map[x:map[y:map[z:deep]]]"####), None),
    (r####"{{ printf "%10v|%-10v|" .words .s }}"####, Some(r####"[         b          a          c]|hello     |"####), None),
    (r####"{{ printf 1 }}"####, None, Some(r####"template: t:1:10: executing "t" at <1>: expected string; found 1"####)),
    (r####"{{ printf }}"####, None, Some(r####"template: t:1:3: executing "t" at <printf>: wrong number of args for printf: want at least 1 got 0"####)),
    (r####"{{ printf "%d" 1.5 }}"####, Some(r####"%!d(float64=1.5)"####), None),
    (r####"{{ printf "%c|%q" 'x' 'y' }}"####, Some(r####"x|'y'"####), None),
    (r####"{{ printf "%U %#U" 0x1F600 0x1F600 }}"####, Some(r####"U+1F600 U+1F600 '😀'"####), None),
    (r####"{{ html "<a href='x'>&\"</a>" }}"####, Some(r####"&lt;a href=&#39;x&#39;&gt;&amp;&#34;&lt;/a&gt;"####), None),
    (r####"{{ js "a'b\"c<d>&=e\n" }}"####, Some(r####"a\'b\"c\u003Cd\u003E\u0026\u003De\u000A"####), None),
    (r####"{{ urlquery "a b&c=d/é" }}"####, Some(r####"a+b%26c%3Dd%2F%C3%A9"####), None),
    (r####"{{ html .l }}"####, Some(r####"[1 two 3.5 &lt;nil&gt; map[k:v]]"####), None),
    (r####"{{ html .missing }}"####, Some(r####"&lt;no value&gt;"####), None),
    (r####"{{ urlquery 1 2 }}"####, Some(r####"1+2"####), None),
    (r####"{{ js .missing }}"####, Some(r####"\u003Cno value\u003E"####), None),
    (r####"{{ .s | printf "%s!" }}"####, Some(r####"hello!"####), None),
    (r####"{{ "x" | printf "%s-%s" "y" }}"####, Some(r####"y-x"####), None),
    (r####"{{ 1 | print 2 }}"####, Some(r####"2 1"####), None),
    (r####"{{ .a | not }}"####, Some(r####"false"####), None),
    (r####"{{ .s | len }}"####, Some(r####"5"####), None),
    (r####"{{ "a" | 1 }}"####, None, Some(r####"template: t:1: non executable command in pipeline stage 2"####)),
    (r####"{{ .s | .a }}"####, None, Some(r####"template: t:1:8: executing "t" at <.a>: a is not a method but has arguments"####)),
    (r####"{{ .a 1 }}"####, None, Some(r####"template: t:1:3: executing "t" at <.a>: a is not a method but has arguments"####)),
    (r####"{{ $x := 1 }}{{ $x 1 }}"####, None, Some(r####"template: t:1:16: executing "t" at <$x>: can't give argument to non-function $x"####)),
    (r####"{{ 1 2 }}"####, None, Some(r####"template: t:1:3: executing "t" at <1>: can't give argument to non-function 1"####)),
    (r####"{{ (1) }}"####, Some(r####"1"####), None),
    (r####"{{ (print 1 2) }}"####, Some(r####"1 2"####), None),
    (r####"{{ (print 1).x }}"####, None, Some(r####"template: t:1:10: executing "t" at <1>: can't evaluate field x in type string"####)),
    (r####"{{ ("a").x }}"####, None, Some(r####"template: t:1:4: executing "t" at <"a">: can't evaluate field x in type string"####)),
    (r####"{{ nil.x }}"####, None, Some(r####"template: t:1: unexpected . after term "nil""####)),
    (r####"{{ (nil).x }}"####, None, Some(r####"template: t:1:4: executing "t" at <nil>: nil is not a command"####)),
    (r####"{{ .s | printf "%s" | len }}"####, Some(r####"5"####), None),
    (r####"{{ print (.m).a (len .l) }}"####, Some(r####"1 5"####), None),
    (r####"{{ foo }}"####, None, Some(r####"template: t:1: function "foo" not defined"####)),
    (r####"{{ .a | foo }}"####, None, Some(r####"template: t:1: function "foo" not defined"####)),
    (r####"{{"####, None, Some(r####"template: t:1: unclosed action"####)),
    (r####"{{ .a"####, None, Some(r####"template: t:1: unclosed action"####)),
    (r####"{{ "unterminated }}"####, None, Some(r####"template: t:1: unterminated quoted string"####)),
    (r####"{{ 'ab' }}"####, None, Some(r####"template: t:1: malformed character constant: 'ab'"####)),
    (r####"{{ 3abc }}"####, None, Some(r####"template: t:1: bad number syntax: "3a""####)),
    (r####"{{ .a# }}"####, None, Some(r####"template: t:1: bad character U+0023 '#'"####)),
    (r####"{{ (1 }}"####, None, Some(r####"template: t:1: unclosed left paren"####)),
    (r####"{{ 1) }}"####, None, Some(r####"template: t:1: unexpected right paren"####)),
    (r####"{{ $ }}"####, Some(r####"map[a:1 big:1e+06 e: el:[] em:map[] f:1.5 ints:[3 1 2] l:[1 two 3.5 <nil> map[k:v]] m:map[a:1 b:2 c:[1 2]] n:<nil> neg:-3 nested:map[x:map[y:map[z:deep]]] num:1.23456789e+08 pi:3.14159 s:hello small:1e-06 t:true words:[b a c] z:0]"####), None),
    (r####"{{ $.s }}"####, Some(r####"hello"####), None),
    (r####"{{ @ }}"####, None, Some(r####"template: t:1: unexpected "@" in command"####)),
    (r####"{{ .a.b.c.d.e.f.g.h.i.j.k }}"####, None, Some(r####"template: t:1:5: executing "t" at <.a.b.c.d.e.f.g.h.i.j.k>: can't evaluate field b in type interface {}"####)),
    (r####"{{ .m.b
}}"####, Some(r####"2"####), None),
    (r####"{{ if .a
}}multi{{ end }}"####, Some(r####"multi"####), None),
    (r####"{{/* unclosed"####, None, Some(r####"template: t:1: unclosed comment"####)),
    (r####"{{/* a */ x }}"####, None, Some(r####"template: t:1: comment ends before closing delimiter"####)),
    (r####"{{ 1 }}{{ 2 }
{{ 3 }}"####, None, Some(r####"template: t:1: unexpected "}" in operand"####)),
    (r####"{{ .a := 1 }}"####, None, Some(r####"template: t:1: unexpected ":=" in operand"####)),
    (r####"{{ $x := }}"####, None, Some(r####"template: t:1: missing value for command"####)),
    (r####"{{ range $a, $b, $c := .l }}{{ end }}"####, None, Some(r####"template: t:1: too many declarations in range"####)),
    (r####"{{ with $x, $y := .m }}{{ end }}"####, None, Some(r####"template: t:1: too many declarations in with"####)),
    (r####"{{ $x, $y := 1 }}"####, None, Some(r####"template: t:1: too many declarations in command"####)),
    (r####"{{ template }}"####, None, Some(r####"template: t:1: unexpected "}}" in template clause"####)),
    (r####"{{ template .a }}"####, None, Some(r####"template: t:1: unexpected ".a" in template clause"####)),
    (r####"{{ define }}{{ end }}"####, None, Some(r####"template: t:1: unexpected "}}" in define clause"####)),
    (r####"{{ end }}"####, None, Some(r####"template: t:1: unexpected {{end}}"####)),
    (r####"line1
line2 {{ .x.y.z }}"####, None, Some(r####"template: t:2:11: executing "t" at <.x.y.z>: nil pointer evaluating interface {}.y"####)),
    (r####"a

  {{ nil }}"####, None, Some(r####"template: t:3:5: executing "t" at <nil>: nil is not a command"####)),
    (r####"{{ printf "%d" "x" }}"####, Some(r####"%!d(string=x)"####), None),
    (r####"{{ len 1 2 }}"####, None, Some(r####"template: t:1:3: executing "t" at <len>: wrong number of args for len: want 1 got 2"####)),
    (r####"{{ .nested.x.y.z.w }}"####, None, Some(r####"template: t:1:10: executing "t" at <.nested.x.y.z.w>: can't evaluate field w in type interface {}"####)),
    (r####"{{ index .l 4 | len }}"####, Some(r####"1"####), None),
    (r####"{{ (index .l 4).k }}"####, Some(r####"v"####), None),
    (r####"{{ range .l }}{{ .x }}{{ end }}"####, None, Some(r####"template: t:1:17: executing "t" at <.x>: can't evaluate field x in type interface {}"####)),
    (r####"{{ template "a" }}{{ define "a" }}{{ template "b" }}{{ end }}{{ define "b" }}{{ .x.y }}{{ end }}"####, Some(r####"<no value>"####), None),
    (r####"{{ 1 | 2 }}"####, None, Some(r####"template: t:1: non executable command in pipeline stage 2"####)),
    (r####"{{ print | 1 }}"####, None, Some(r####"template: t:1: non executable command in pipeline stage 2"####)),
    (r####"{{ $x := 1 | print }}{{ $x }}"####, Some(r####"1"####), None),
    (r####"{{ .f | print }}"####, Some(r####"1.5"####), None),
    (r####"{{"a"}}{{"b"-}}  {{-"c"}}"####, None, Some(r####"template: t:1: unexpected "-" in operand"####)),
    (r####"{{- /* x */}}  a"####, Some(r####"  a"####), None),
    (r####"a  {{/* x */ -}}  b"####, Some(r####"a  b"####), None),
    (r####"{{ 1 -}}

{{- 2 }}"####, Some(r####"12"####), None),
    (r####"{{ -1 }}{{ - 1 }}"####, None, Some(r####"template: t:1: illegal number syntax: "-""####)),
    (r####"{{ +1 }}"####, Some(r####"1"####), None),
    (r####"{{ - }}"####, None, Some(r####"template: t:1: illegal number syntax: "-""####)),
    (r####"{{ 0x }}"####, None, Some(r####"template: t:1: illegal number syntax: "0x""####)),
    (r####"{{ 1__0 }}"####, None, Some(r####"template: t:1: illegal number syntax: "1__0""####)),
    (r####"{{ 1. }}"####, Some(r####"1"####), None),
    (r####"{{ 1e }}"####, None, Some(r####"template: t:1: illegal number syntax: "1e""####)),
    (r####"{{ .1e2 }}"####, Some(r####"10"####), None),
    (r####"{{ 0X1F }}"####, Some(r####"31"####), None),
    (r####"{{ 0x1F.1p2 }}"####, Some(r####"124.25"####), None),
    (r####"{{ '\n' }}{{ '\'' }}{{ '\x41' }}"####, Some(r####"103965"####), None),
    (r####"{{ "\z" }}"####, None, Some(r####"template: t:1: invalid syntax"####)),
    (r####"{{ 18446744073709551615 }}"####, None, Some(r####"template: t:1:3: executing "t" at <18446744073709551615>: 18446744073709551615 overflows int"####)),
    (r####"{{ -9223372036854775808 }}"####, Some(r####"-9223372036854775808"####), None),
    (r####"{{ 9223372036854775808 }}"####, None, Some(r####"template: t:1:3: executing "t" at <9223372036854775808>: 9223372036854775808 overflows int"####)),
    (r####"{{ print 18446744073709551615 }}"####, None, Some(r####"template: t:1:9: executing "t" at <18446744073709551615>: 18446744073709551615 overflows int"####)),
    (r####"{{ index .l 18446744073709551615 }}"####, None, Some(r####"template: t:1:12: executing "t" at <18446744073709551615>: 18446744073709551615 overflows int"####)),
    (r####"{{ $x := 1 }}{{ range .ints }}{{ $x = . }}{{ end }}{{ $x }}"####, Some(r####"2"####), None),
    (r####"{{ define "x" }}[{{ . }}|{{ $ }}]{{ end }}{{ template "x" }}"####, Some(r####"[<no value>|<no value>]"####), None),
    (r####"{{ with $x := 0 }}a{{ else }}b{{ end }}"####, Some(r####"b"####), None),
    (r####"{{ range $i, $v := .words }}{{ if $i }},{{ end }}{{ $v }}{{ end }}"####, Some(r####"b,a,c"####), None),
    (r####"{{ $m := .m }}{{ range $k, $v := $m }}{{ $k }}{{ end }}{{ $m.b }}"####, Some(r####"abc2"####), None),
    (r####"{{ if and .a (not .e) (or .z .s) }}ok{{ end }}"####, Some(r####"ok"####), None),
    (r####"{{ if eq .s "x" "hello" }}in{{ end }}"####, Some(r####"in"####), None),
    (r####"{{ .m.c }} {{ index .m.c 1 }} {{ len .m.c }}"####, Some(r####"[1 2] 2 2"####), None),
    (r####"{{ printf "%s=%v" "k" .m.c }}"####, Some(r####"k=[1 2]"####), None),
    (r####"{{- range .words }}
- {{ . }}
{{- end }}"####, Some(r####"
- b
- a
- c"####), None),
    (r####"{{ range $i, $_ := .ints }}{{ $i }}{{ end }}"####, Some(r####"012"####), None),
    (r####"{{ $_ := 1 }}{{ $_ }}"####, Some(r####"1"####), None),
    (r####"{{ (index .l 4).k }} {{ (index .l 4).missing }}"####, Some(r####"v <no value>"####), None),
    (r####"{{ .l.k }}"####, None, Some(r####"template: t:1:5: executing "t" at <.l.k>: can't evaluate field k in type interface {}"####)),
    (r####"{{ $.nested.x.y.z }}"####, Some(r####"deep"####), None),
    (r####"{{ .t | not | not }}"####, Some(r####"true"####), None),
    (r####"{{ if not .missing }}absent{{ end }}"####, Some(r####"absent"####), None),
    (r####"{{ with .nested }}{{ with .x }}{{ .y.z }}{{ end }}{{ end }}"####, Some(r####"deep"####), None),
    (r####"{{ range .words }}{{ $.s }}{{ end }}"####, Some(r####"hellohellohello"####), None),
    (r####"{{ $x := .ints }}{{ range $x }}{{ . }}{{ end }}"####, Some(r####"312"####), None),
    (r####"{{ eq .neg -3.0 }} {{ lt .neg 0.0 }}"####, Some(r####"true true"####), None),
    (r####"{{ printf "%v %s" .t .t }}"####, Some(r####"true %!s(bool=true)"####), None),
    (r####"{{ print .e "|" .z }}"####, Some(r####"|0"####), None),
    (r####"{{ printf "%d" (len .words) }}"####, Some(r####"3"####), None),
    (r####"{{ index . "a" }}"####, Some(r####"1"####), None),
];

fn funcs() -> FuncTable {
    #[allow(unused_mut)]
    let mut t = FuncTable::helm();

    t
}

fn from_json(j: &serde_json::Value) -> Value {
    match j {
        serde_json::Value::Null => Value::Nil,
        serde_json::Value::Bool(b) => Value::Bool(*b),
        serde_json::Value::Number(n) => Value::Float(n.as_f64().unwrap_or(0.0)),
        serde_json::Value::String(s) => Value::str(s),
        serde_json::Value::Array(a) => Value::list(a.iter().map(from_json).collect()),
        serde_json::Value::Object(o) => {
            Value::Map(o.iter().map(|(k, v)| (k.as_str().into(), from_json(v))).collect::<Map>())
        }
    }
}

/// Runs one template the way the Go program did: parse as "t", execute with the data.
fn run(src: &str, data: &Value) -> Result<String, String> {
    let mut e = Engine::new(funcs());
    e.parse("t", src).map_err(|e| e.to_string())?;
    e.execute("t", data).map_err(|e| e.to_string())
}

#[test]
fn engine_matches_go() {
    let data = from_json(&serde_json::from_str(DATA).expect("test data is JSON"));
    let mut failures = Vec::new();
    for (src, out, err) in CASES {
        let got = run(src, &data);
        let ok = match (&got, out, err) {
            (Ok(g), Some(o), None) => g == o,
            (Err(g), _, Some(e)) => g == e,
            _ => false,
        };
        if !ok {
            failures.push(format!("template: {src:?}\n  go:   {:?}\n  ours: {got:?}", err.map_or(out.map(|s| s.to_string()), |e| Some(format!("ERR {e}")))));
        }
    }
    for f in &failures {
        eprintln!("{f}");
    }
    assert!(failures.is_empty(), "{} of {} cases differ from Go", failures.len(), CASES.len());
}
