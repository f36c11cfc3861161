// Test plugins for helm-rs's extism/v1 (WebAssembly) plugin runtime, built with the standard
// Go toolchain by scripts/test.d/setup-extism-plugins.sh (GOOS=wasip1 GOARCH=wasm, c-shared).
module helm-rs.test/extism-plugins

go 1.24

require github.com/extism/go-pdk v1.1.3
