{{- define "lib.name" -}}libname-{{ .Chart.Name }}{{- end -}}
