// Package testenv pins the Kubernetes release whose kube-apiserver and
// kube-controller-manager (and, through its go.mod, etcd) the helm-rs
// test environment builds. gen-gomod.sh reads and updates this constant.
package testenv

const K8sVersion = "v1.37.2"
