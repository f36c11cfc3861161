/** helm-rs: Helm's chart rendering, natively in Node (no helm binary, no Go). */

/** A loaded chart (directory or .tgz), with its subcharts. */
export declare class Chart {
  private constructor();
  readonly name: string;
  readonly version: string;
  /** Chart.yaml `appVersion` ('' when absent). */
  readonly appVersion: string;
  /** values.yaml. */
  readonly values: Record<string, unknown>;
  /** Chart.yaml `dependencies`. */
  readonly dependencies: Array<Record<string, unknown>>;
  /** Chart.yaml with its JSON keys (apiVersion, appVersion, …). */
  readonly metadata: Record<string, unknown>;
  /** Names of the subcharts loaded from charts/. */
  readonly subcharts: string[];
}

export interface TemplateOptions {
  /** Default 'release-name'. */
  releaseName?: string;
  /** Default 'default'. */
  namespace?: string;
  /** Merged after valueFiles and before set, like one more values file. */
  values?: Record<string, unknown>;
  /** `-f` files. */
  valueFiles?: string[];
  /** `--set` expressions. */
  set?: string[];
  /** `--set-string` expressions. */
  setString?: string[];
  /** `--kube-version` (default v1.35.0). */
  kubeVersion?: string;
  /** `--api-versions`. */
  apiVersions?: string[];
  /** `--include-crds`. */
  includeCrds?: boolean;
  isUpgrade?: boolean;
  noHooks?: boolean;
  skipTests?: boolean;
  skipSchemaValidation?: boolean;
  /**
   * Helm's post-render step: a program and its arguments (`['kustomize', 'build', 'overlay']`)
   * that reads the rendered documents (hooks included, each annotated with
   * `postrenderer.helm.sh/postrender-filename`) on standard input and prints the documents to
   * use. A failure rejects with a RenderError.
   */
  postRenderer?: string[];
}

export interface RenderedManifest {
  name: string;
  kind: string;
  /** The template it came from, e.g. 'mychart/templates/service.yaml'. */
  path: string;
  content: string;
}

export interface RenderedHook extends RenderedManifest {
  events: string[];
  weight: number;
  deletePolicies: string[];
}

export interface TemplateResult {
  /** Exactly what `helm template` prints. */
  manifest: string;
  manifests: RenderedManifest[];
  hooks: RenderedHook[];
  /** The rendered NOTES.txt. */
  notes: string;
  /** Warnings Helm would log on standard error. */
  log: string[];
}

/** What kind of failure (as the release server names it). */
export type ErrorKind =
  | 'invalid_input' | 'not_found' | 'name_in_use' | 'pending' | 'conflict' | 'unauthorized' | 'forbidden'
  | 'render' | 'timeout' | 'failed' | 'cluster' | 'unavailable' | 'internal';

/**
 * Errors thrown (or rejected) by helm-rs. `code` follows from `kind` alone, so Client and
 * RemoteClient give the same code for the same failure; decide on `kind` for the finer cases:
 *
 * | kind                                        | code            |
 * |---------------------------------------------|-----------------|
 * | invalid_input                               | ChartError (ValuesError: the values given here are wrong; HelmError: other bad arguments) |
 * | render                                      | RenderError (`template`, `line`, `column`) |
 * | not_found                                   | ReleaseNotFound |
 * | name_in_use, pending, conflict, unauthorized, forbidden, timeout, failed, cluster, unavailable, internal | KubeError |
 */
export interface HelmError extends Error {
  code: 'HelmError' | 'ChartError' | 'ValuesError' | 'RenderError' | 'KubeError' | 'ReleaseNotFound';
  kind: ErrorKind | null;
  /** RenderError only: the template file, 1-based line and Go's 0-based column (null when unknown, and from a release server). */
  template?: string | null;
  line?: number | null;
  column?: number | null;
  /** RemoteClient: the release server's HTTP status (400, 401, 403, 404, 409, 422, 5xx). */
  status?: number;
  /** RemoteClient, kind 'pending': the release's pending state, e.g. `{ status: 'pending-upgrade', … }`. */
  pending?: Record<string, unknown>;
}

export declare function loadChart(path: string): Chart;
/** Renders on the calling thread. */
export declare function template(chart: Chart | string, options?: TemplateOptions): TemplateResult;
/** Renders on libuv's thread pool. */
export declare function templateAsync(chart: Chart | string, options?: TemplateOptions): Promise<TemplateResult>;

// ---- releases on a cluster

export interface ClientOptions {
  /** Default: $KUBECONFIG, then ~/.kube/config, then in-cluster. */
  kubeconfig?: string;
  context?: string;
  /** Default: the context's namespace. */
  namespace?: string;
  /** Release storage: 'secret' (default), 'configmap' or 'memory'. */
  driver?: 'secret' | 'configmap' | 'memory';
  /**
   * Called with each progress event of an action, as it happens: `type` ('release_recorded',
   * 'hook_started', 'resource_applied', 'waiting', 'ready', …) and the event's fields; a
   * 'waiting' event's `not_ready` entries carry kstatus' `reason` and `details` (pods' problems,
   * Warning events).
   */
  progress?: (event: ProgressEvent) => void;
}

/** A progress event of a release action (`helm_kube::ProgressEvent` as JSON). */
export interface ProgressEvent {
  type: string;
  [field: string]: unknown;
}

/** Where a chart given as a reference (not a Chart or a local path) comes from. */
export interface ChartOptions {
  /** Version (constraint) of an `oci://` or repository chart. */
  version?: string;
  /** Repository URL (`helm install --repo URL NAME`): the chart argument is then the name. */
  repo?: string;
  /** OCI registry over plain HTTP. */
  plainHttp?: boolean;
}

export interface InstallOptions extends ChartOptions {
  values?: Record<string, unknown>;
  valueFiles?: string[];
  set?: string[];
  setString?: string[];
  namespace?: string;
  createNamespace?: boolean;
  wait?: boolean;
  /** Seconds. */
  timeout?: number;
  atomic?: boolean;
  noHooks?: boolean;
  skipCrds?: boolean;
  description?: string;
  dryRun?: boolean;
  /** How `wait` judges readiness: kstatus (`watcher`, Helm 4's default) or Helm 3's checks (`legacy`). */
  waitStrategy?: 'watcher' | 'legacy';
  /** As `TemplateOptions.postRenderer`; not with a release server. */
  postRenderer?: string[];
}

export interface UpgradeOptions extends InstallOptions {
  /** `upgrade --install`: install when the release does not exist (`createNamespace`, `skipCrds` apply then). */
  install?: boolean;
  reuseValues?: boolean;
  resetValues?: boolean;
  maxHistory?: number;
  /** Also apply the chart's `crds/` (create missing CRDs, update changed ones); refuses a CRD that drops a version still in `status.storedVersions` (helm-rs only). */
  updateCrds?: boolean;
}

/** Options of `plan`: those of `upgrade` that change what would be applied. */
export interface PlanOptions extends Omit<UpgradeOptions, 'wait' | 'waitStrategy' | 'timeout' | 'atomic' | 'description' | 'dryRun' | 'maxHistory' | 'updateCrds' | 'postRenderer'> {
  /** Plan as an upgrade that takes over fields other field managers own (`--force-conflicts`). */
  forceConflicts?: boolean;
}

/** One changed object of a plan (helm-diff's rules; Secrets masked). */
export interface ObjectChange {
  /** helm-diff's key: `namespace, name, Kind (group)`. */
  key: string;
  kind: string;
  action: 'add' | 'remove' | 'modify' | 'unchanged';
  change: 'ADD' | 'REMOVE' | 'MODIFY' | 'MODIFY_SUPPRESSED';
  old: string | null;
  new: string | null;
  lines: { delta: 'common' | 'removed' | 'added'; text: string }[];
}

/** What an upgrade would change, against the live objects. */
export interface Plan {
  changes: ObjectChange[];
  /** Keys of the objects the upgrade would leave as they are. */
  unchanged: string[];
  suppressedKinds: string[];
  /** Besides the changes: applies that would conflict with another field manager. */
  notes: string[];
}

export interface Release {
  name: string;
  namespace: string;
  revision: number;
  /** 'deployed', 'superseded', 'failed', 'uninstalled', 'pending-install', … */
  status: string;
  chart: string;
  chartVersion: string;
  appVersion: string;
  manifest: string;
  /** The user-supplied values. */
  values: Record<string, unknown>;
  notes: string;
  description: string;
  firstDeployed: string | null;
  lastDeployed: string | null;
  /** uninstall only: objects kept by helm.sh/resource-policy: keep. */
  kept?: string[];
  /** The whole stored record, as Helm's JSON. */
  record: Record<string, unknown>;
}

/**
 * Helm's release actions. `chart` is a Chart, a chart directory or .tgz, an `oci://` or
 * `http(s)://` reference, or a chart name with `{ repo }`.
 */
export declare class Client {
  constructor(options?: ClientOptions);
  readonly namespace: string;
  install(name: string, chart: Chart | string, options?: InstallOptions): Promise<Release>;
  upgrade(name: string, chart: Chart | string, options?: UpgradeOptions): Promise<Release>;
  /** `upgrade --plan`: what `upgrade` with these options would change; nothing is applied or stored. */
  plan(name: string, chart: Chart | string, options?: PlanOptions): Promise<Plan>;
  rollback(name: string, options?: { revision?: number; namespace?: string; wait?: boolean; waitStrategy?: 'watcher' | 'legacy'; timeout?: number; noHooks?: boolean; maxHistory?: number; dryRun?: boolean }): Promise<Release>;
  uninstall(name: string, options?: { namespace?: string; keepHistory?: boolean; wait?: boolean; timeout?: number; noHooks?: boolean; description?: string; dryRun?: boolean }): Promise<Release>;
  status(name: string, options?: { revision?: number; namespace?: string }): Promise<Release>;
  history(name: string, options?: { namespace?: string }): Promise<Release[]>;
  list(options?: { namespace?: string; allNamespaces?: boolean; all?: boolean; filter?: string }): Promise<Release[]>;
  getValues(name: string, options?: { revision?: number; namespace?: string; all?: boolean }): Promise<Record<string, unknown>>;
  /** `helm test`: runs the release's test hooks (timeout in seconds). */
  test(name: string, options?: { namespace?: string; timeout?: number }): Promise<Release>;
  /**
   * `helm-rs recover`: a release left pending by a killed operation gets that revision marked
   * failed; refused (code `pending`) while it is younger than `staleAfter` seconds (300)
   * unless `force`.
   */
  recover(name: string, options?: { namespace?: string; force?: boolean; staleAfter?: number }): Promise<Release>;
}

// ---- releases through a release server (`helm-rs serve`)

export interface RemoteClientOptions {
  /** `http(s)://host:port` of the release server. */
  url: string;
  /** The caller's Kubernetes bearer token: the server acts with it, so RBAC decides. */
  token: string;
  /** Default: 'default'. */
  namespace?: string;
}

/**
 * Client's methods, arguments, results and errors through a release server (errors also carry
 * the server's `status` and, for kind 'pending', `pending`). A Chart or a chart directory is
 * packaged here and uploaded; references are downloaded by the server.
 */
export declare class RemoteClient extends Client {
  constructor(options: RemoteClientOptions);
}

/** @deprecated Use ChartOptions (the same options, for both clients). */
export type RemoteChartOptions = ChartOptions;
