// Command etcd is etcd's own server entry point, built from the
// go.etcd.io/etcd/server/v3 version that k8s.io/kubernetes pins, so the
// test environment's etcd always matches what that kube-apiserver expects.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }
