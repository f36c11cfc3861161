// Command stage writes the releases of Helm's CLI test cases into a real cluster, so that
// scripts/helm-suite/run.py can replay the cases that need releases (their `rels`) against
// both Helm and helm-rs as processes.
//
// Helm's tests put releases into an in-memory store; here the same releases, built by the
// same Go expressions (copied from Helm's test source by stage.py into zz_*.go, which register
// them in `table` by case key), are written with Helm's own storage (pkg/storage with the
// Secrets driver), so each record is exactly what Helm itself would have stored.
//
// Helm's tests run each command with the store's namespace set to the command's namespace
// (settings.Namespace(), "default" unless the command names one), and the mocks live in
// "default" unless they say otherwise. The replay runs each tool with a namespace of its
// own, so a release in "default" (or with no namespace) is written into that namespace, with
// its Namespace field set to it, as if the tool's namespace were Helm's "default". A release
// in another namespace ("milano", "gascony") keeps its namespace, so a command that names
// it (`list -n milano`) finds it; such a namespace is shared by both tools, so it is emptied
// of Helm's records before the releases are written, and run.py cleans it again after the
// tool has run.
//
// A case whose command names a file the test makes at run time (a chart written into
// t.TempDir()) runs the test's statements with a stand-in for t; the values of the named
// variables are reported, and the files stay until the case is done.
//
// The program serves requests on stdin, one per line, answering one line on stdout (so
// one process and one kube client serve a whole run):
//
//	stage KEY NAMESPACE   write the releases of case KEY; answers
//	                      `ok {"namespaces": [OTHER-NAMESPACE…], "vars": {NAME: VALUE…}}`
//	done                  the tool has run: empty the other namespaces of the last stage and
//	                      remove its temporary files; "ok"
//	clean NAMESPACE…      delete Helm's release records (Secrets owned by helm) there; "ok"
//	keys                  the known keys, space-separated
//
// Any failure answers "error MESSAGE". Flags: -kubeconfig FILE (required unless -keys),
// -keys prints the known keys, one a line, and exits.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"

	release "helm.sh/helm/v4/pkg/release/v1"
	"helm.sh/helm/v4/pkg/storage"
	"helm.sh/helm/v4/pkg/storage/driver"
)

// table maps a case key (`file::function::index` of the case literal in Helm's tests) to the
// function that builds its releases; filled by the generated zz_*.go files.
var table = map[string]func(t *stageT) ([]*release.Release, map[string]string){}

// staged is what the last stage request left behind, undone by `done`.
type staged struct {
	t      *stageT
	others []string
}

// stageT stands in for the *testing.T of a Helm test whose releases are built with it (a
// chart written into t.TempDir() and loaded back): a failure panics with stageFailure, which
// stage turns into an error, and the temporary directories go when the builder returns.
type stageT struct {
	dirs []string
}

type stageFailure string

func (t *stageT) Helper() {}

func (t *stageT) TempDir() string {
	dir, err := os.MkdirTemp("", "helm-suite-stage-")
	if err != nil {
		panic(stageFailure(err.Error()))
	}
	t.dirs = append(t.dirs, dir)
	return dir
}

func (t *stageT) Fatal(args ...any) { panic(stageFailure(fmt.Sprint(args...))) }
func (t *stageT) Fatalf(format string, args ...any) {
	panic(stageFailure(fmt.Sprintf(format, args...)))
}
func (t *stageT) Error(args ...any)                 { t.Fatal(args...) }
func (t *stageT) Errorf(format string, args ...any) { t.Fatalf(format, args...) }
func (t *stageT) Log(args ...any)                   {}
func (t *stageT) Logf(format string, args ...any)   {}

func (t *stageT) cleanup() {
	for _, dir := range t.dirs {
		os.RemoveAll(dir)
	}
}

// build runs the builder of a case's releases, turning a stand-in test failure into an error.
func build(key string, builder func(*stageT) ([]*release.Release, map[string]string), t *stageT) (rels []*release.Release, vars map[string]string, err error) {
	defer func() {
		if r := recover(); r != nil {
			if msg, ok := r.(stageFailure); ok {
				err = fmt.Errorf("building the releases of %s: %s", key, string(msg))
				return
			}
			panic(r)
		}
	}()
	rels, vars = builder(t)
	return rels, vars, nil
}

// stager writes releases through one kube client.
type stager struct {
	client kubernetes.Interface
	ctx    context.Context
	known  map[string]bool // namespaces known to exist
	last   staged
}

func (s *stager) ensureNamespace(ns string) error {
	if s.known[ns] {
		return nil
	}
	_, err := s.client.CoreV1().Namespaces().Create(s.ctx, &corev1.Namespace{
		ObjectMeta: metav1.ObjectMeta{Name: ns},
	}, metav1.CreateOptions{})
	if err != nil && !apierrors.IsAlreadyExists(err) {
		return fmt.Errorf("creating namespace %s: %w", ns, err)
	}
	s.known[ns] = true
	return nil
}

func (s *stager) clean(ns string) error {
	err := s.client.CoreV1().Secrets(ns).DeleteCollection(s.ctx, metav1.DeleteOptions{},
		metav1.ListOptions{LabelSelector: "owner=helm"})
	if err != nil && !apierrors.IsNotFound(err) {
		return fmt.Errorf("cleaning namespace %s: %w", ns, err)
	}
	return nil
}

// stage writes the releases of one case; it returns the namespaces other than target that
// it wrote into, and the values of the test's variables made at run time.
func (s *stager) stage(key, target string) ([]string, map[string]string, error) {
	builder, ok := table[key]
	if !ok {
		return nil, nil, fmt.Errorf("no releases known for case %q", key)
	}
	if err := s.done(); err != nil {
		return nil, nil, err
	}
	s.last.t = &stageT{}
	rels, vars, err := build(key, builder, s.last.t)
	if err != nil {
		return nil, nil, err
	}
	others := map[string]bool{}
	for _, rel := range rels {
		if rel.Namespace == "" || rel.Namespace == "default" {
			rel.Namespace = target
		} else {
			others[rel.Namespace] = true
		}
	}
	var otherList []string
	for ns := range others {
		otherList = append(otherList, ns)
	}
	sort.Strings(otherList)
	s.last.others = otherList
	for _, ns := range otherList {
		if err := s.ensureNamespace(ns); err != nil {
			return nil, nil, err
		}
		if err := s.clean(ns); err != nil {
			return nil, nil, err
		}
	}
	stores := map[string]*storage.Storage{}
	for _, rel := range rels {
		store, ok := stores[rel.Namespace]
		if !ok {
			if err := s.ensureNamespace(rel.Namespace); err != nil {
				return nil, nil, err
			}
			store = storage.Init(driver.NewSecrets(s.client.CoreV1().Secrets(rel.Namespace)))
			stores[rel.Namespace] = store
		}
		if err := store.Create(rel); err != nil {
			return nil, nil, fmt.Errorf("writing release %s version %d into %s: %w", rel.Name, rel.Version, rel.Namespace, err)
		}
	}
	return otherList, vars, nil
}

// done undoes what the last stage left behind: Helm's records in the namespaces shared by
// both tools, and the test's temporary files.
func (s *stager) done() error {
	last := s.last
	s.last = staged{}
	if last.t != nil {
		last.t.cleanup()
	}
	for _, ns := range last.others {
		if err := s.clean(ns); err != nil {
			return err
		}
	}
	return nil
}

func (s *stager) serve(in io.Reader, out io.Writer) error {
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	w := bufio.NewWriter(out)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) == 0 {
			continue
		}
		var reply string
		switch {
		case fields[0] == "stage" && len(fields) == 3:
			others, vars, err := s.stage(fields[1], fields[2])
			if err == nil {
				var b []byte
				b, err = json.Marshal(map[string]any{"namespaces": others, "vars": vars})
				reply = "ok " + string(b)
			}
			if err != nil {
				reply = "error " + oneLine(err)
			}
		case fields[0] == "done" && len(fields) == 1:
			reply = "ok"
			if err := s.done(); err != nil {
				reply = "error " + oneLine(err)
			}
		case fields[0] == "clean":
			reply = "ok"
			for _, ns := range fields[1:] {
				if err := s.clean(ns); err != nil {
					reply = "error " + oneLine(err)
					break
				}
			}
		case fields[0] == "keys":
			reply = strings.Join(keys(), " ")
		default:
			reply = "error unknown request: " + oneLine(fmt.Errorf("%s", sc.Text()))
		}
		fmt.Fprintln(w, reply)
		if err := w.Flush(); err != nil {
			return err
		}
	}
	return sc.Err()
}

func oneLine(err error) string {
	return strings.ReplaceAll(err.Error(), "\n", " ")
}

func keys() []string {
	out := make([]string, 0, len(table))
	for k := range table {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func main() {
	kubeconfig := flag.String("kubeconfig", "", "kubeconfig of the cluster to write into")
	listKeys := flag.Bool("keys", false, "print the known case keys and exit")
	flag.Parse()
	// Helm's storage logs each write at debug level; keep stderr for real failures.
	slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	if *listKeys {
		for _, k := range keys() {
			fmt.Println(k)
		}
		return
	}
	if *kubeconfig == "" {
		fmt.Fprintln(os.Stderr, "stage: -kubeconfig is required")
		os.Exit(2)
	}
	cfg, err := clientcmd.BuildConfigFromFlags("", *kubeconfig)
	if err != nil {
		fmt.Fprintln(os.Stderr, "stage:", err)
		os.Exit(1)
	}
	cfg.QPS, cfg.Burst = 200, 400
	client, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, "stage:", err)
		os.Exit(1)
	}
	s := &stager{client: client, ctx: context.Background(), known: map[string]bool{}}
	err = s.serve(os.Stdin, os.Stdout)
	if derr := s.done(); err == nil {
		err = derr
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "stage:", err)
		os.Exit(1)
	}
}
