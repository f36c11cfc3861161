// Package testenv pins the Kubernetes release whose kube-apiserver and
// kube-controller-manager (and, through its go.mod, etcd) the helm-rs
// test environment builds. gen-gomod.sh reads and updates this constant.
package testenv

const K8sVersion = "v1.37.2"

// K8sReleaseDate is when that version was published (the module proxy's
// timestamp); it becomes the binaries' buildDate so builds are reproducible.
const K8sReleaseDate = "2026-10-27T12:01:04Z"
