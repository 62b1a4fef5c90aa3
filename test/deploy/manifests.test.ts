import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { authConfigured } from "../../src/auth/authenticator.js";
import { checkBindPolicy } from "../../src/auth/bind-policy.js";
import { type Config, ConfigError } from "../../src/config/config.js";
import { parseConfig } from "../../src/config/parse-config.js";
import { USAGE } from "../../src/config/usage.js";
import { parseDockerfile } from "../support/dockerfile.js";

/*
 * The manifests under deploy/, read as Kubernetes reads them (YAML 1.1, kustomize's namespace and
 * strategic-merge patches), checked against the server itself: every container's arguments and
 * environment go through parseConfig, so a manifest cannot name a flag or variable that does not
 * exist. When kubectl is installed, `kubectl kustomize` must render the same objects.
 */

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const IMAGE = "ghcr.io/model-registry/model-registry:0.1.0";
const VARIANTS = ["sqlite", "postgres", "postgres-tls"] as const;
const image = parseDockerfile(readFileSync(join(ROOT, "deploy/container/Dockerfile"), "utf8")).final;
const guide = readFileSync(join(ROOT, "docs/deployment.md"), "utf8");

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name: string; key: string }; configMapKeyRef?: { name: string; key: string } };
}
interface Probe {
  grpc?: { port: number; service?: string };
  httpGet?: { path?: string; port: number | string; scheme?: string };
}
interface Container {
  name: string;
  image?: string;
  command?: string[];
  args?: string[];
  env?: EnvVar[];
  ports?: { name?: string; containerPort: number }[];
  startupProbe?: Probe;
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: { allowPrivilegeEscalation?: boolean; readOnlyRootFilesystem?: boolean; capabilities?: { drop?: string[]; add?: string[] } };
  volumeMounts?: { name: string; mountPath: string; subPath?: string }[];
}
interface Volume {
  name: string;
  secret?: { secretName: string };
  persistentVolumeClaim?: { claimName: string };
  emptyDir?: object;
}
interface PodSpec {
  containers: Container[];
  initContainers?: Container[];
  volumes?: Volume[];
  enableServiceLinks?: boolean;
  securityContext?: { runAsNonRoot?: boolean; runAsUser?: number; seccompProfile?: { type: string } };
}
interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  // Each check reads the fields of its kind.
  spec?: any;
}
interface Deployment extends K8sObject {
  spec: {
    replicas: number;
    strategy?: { type: string; rollingUpdate?: { maxUnavailable?: number | string } };
    template: { metadata: { labels: Record<string, string> }; spec: PodSpec };
  };
}

// ---- reading YAML and kustomizations ----

function yamlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return yamlFiles(path);
    return /\.ya?ml$/.test(name) ? [path] : [];
  });
}

/** All documents of a file; Kubernetes reads YAML 1.1 (so 0440 is octal). */
function readYaml(path: string): unknown[] {
  return parseAllDocuments(readFileSync(path, "utf8"), { version: "1.1" }).map((doc) => {
    if (doc.errors.length > 0) throw new Error(`${relative(ROOT, path)}: ${doc.errors[0]!.message}`);
    return doc.toJS() as unknown;
  });
}

interface Kustomization {
  namespace?: string;
  resources?: string[];
  patches?: { path: string }[];
}

/** The objects `kubectl apply -k dir` would send, for the features these kustomizations use. */
function build(dir: string): K8sObject[] {
  const k = readYaml(join(dir, "kustomization.yaml"))[0] as Kustomization;
  let objects = (k.resources ?? []).flatMap((entry) => {
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? build(path) : (readYaml(path) as K8sObject[]);
  });
  for (const { path } of k.patches ?? []) {
    for (const patch of readYaml(join(dir, path)) as K8sObject[]) {
      const target = objects.findIndex((o) => o.kind === patch.kind && o.metadata.name === patch.metadata.name);
      if (target < 0) throw new Error(`${path}: no ${patch.kind} ${patch.metadata.name} to patch`);
      const patched = strategicMerge(objects[target], patch) as K8sObject;
      objects = objects.map((o, i) => (i === target ? patched : o));
    }
  }
  return k.namespace ? objects.map((o) => ({ ...o, metadata: { ...o.metadata, namespace: k.namespace } })) : objects;
}

/** The list fields the patches use, and the key their items merge on. */
const MERGE_KEYS: Record<string, (item: Record<string, unknown>) => unknown> = {
  containers: (i) => i.name,
  initContainers: (i) => i.name,
  env: (i) => i.name,
  volumes: (i) => i.name,
  volumeMounts: (i) => i.mountPath,
  ports: (i) => i.containerPort ?? i.port,
};

/** Kubernetes' strategic merge patch, as far as the patches here need it (`null` deletes). */
function strategicMerge(base: unknown, patch: unknown, field = ""): unknown {
  const isMap = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
  if (isMap(base) && isMap(patch)) {
    const out: Record<string, unknown> = { ...base };
    for (const [key, value] of Object.entries(patch)) {
      if (value === null) delete out[key];
      else out[key] = strategicMerge(base[key], value, key);
    }
    return out;
  }
  const key = MERGE_KEYS[field];
  if (Array.isArray(base) && Array.isArray(patch) && key) {
    const out = [...(base as Record<string, unknown>[])];
    for (const item of patch as Record<string, unknown>[]) {
      const i = out.findIndex((b) => key(b) === key(item));
      if (i >= 0) out[i] = strategicMerge(out[i], item) as Record<string, unknown>;
      else out.push(item);
    }
    return out;
  }
  return patch;
}

const variants = Object.fromEntries(VARIANTS.map((v) => [v, build(join(ROOT, "deploy/kubernetes", v))])) as Record<
  (typeof VARIANTS)[number],
  K8sObject[]
>;
const one = <T extends K8sObject>(objects: K8sObject[], kind: string): T => {
  const found = objects.filter((o) => o.kind === kind);
  if (found.length !== 1) throw new Error(`expected one ${kind}, found ${found.length}`);
  return found[0] as T;
};
const kserve = yamlFiles(join(ROOT, "deploy/kserve")).flatMap((f) => readYaml(f) as K8sObject[]);

// ---- running a container's command line through the server's parser ----

/** What a valueFrom stands for when the manifests are read without a cluster. */
const PLACEHOLDERS: Record<string, string> = { DATABASE_URL: "postgres://registry:secret@postgres.example:5432/registry" };

/** The environment a container starts with: the image's ENV, then the container's own. */
function containerEnv(container: Container): Record<string, string> {
  const env: Record<string, string> = { ...image.env };
  for (const v of container.env ?? []) env[v.name] = v.value ?? PLACEHOLDERS[v.name] ?? `placeholder-${v.name.toLowerCase()}`;
  return env;
}

/**
 * The server's argv in a container: `command` would replace the image's ENTRYPOINT (the server),
 * so it must be absent; `args` replace CMD, with Kubernetes' $(VAR) expansion.
 */
function serverArgv(container: Container): string[] {
  if (container.command) throw new Error(`${container.name}: command replaces the image's ENTRYPOINT (the server); use args`);
  const env = containerEnv(container);
  const args = container.args ?? image.cmd?.argv ?? [];
  return args.map((a) => a.replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (m, name: string) => env[name] ?? m));
}

function serverConfig(container: Container): Config {
  return parseConfig(serverArgv(container), containerEnv(container));
}

/** Variables the server reads: those USAGE names in brackets, plus PORT. */
const KNOWN_ENV = new Set([...USAGE.matchAll(/\b(DATABASE_URL|MODEL_REGISTRY_[A-Z_]+)\b/g)].map((m) => m[1]!).concat("PORT"));

/** Names that look like the server's settings but that it does not read. */
function unknownEnv(container: Container): string[] {
  return (container.env ?? []).map((v) => v.name).filter((n) => /^(MODEL_REGISTRY_|DATABASE_)/.test(n) && !KNOWN_ENV.has(n));
}

/** Files the configuration tells the server to read. */
function configuredFiles(config: Config): string[] {
  const { auth, tls } = config;
  return [auth.tokensFile, auth.jwksFile, auth.jwtSecretFile, tls?.cert, tls?.key, tls?.clientCa].filter((f): f is string => f !== undefined);
}

const podOf = (objects: K8sObject[]) => one<Deployment>(objects, "Deployment").spec.template.spec;
const allContainers = (pod: PodSpec) => [...(pod.initContainers ?? []), ...pod.containers];
const serverOf = (pod: PodSpec) => pod.containers.find((c) => c.name === "server")!;
const mountOf = (container: Container, file: string) =>
  container.volumeMounts?.find((m) => file.startsWith(`${m.mountPath.replace(/\/$/, "")}/`) || file === m.mountPath);

describe("the checks on manifests", () => {
  it("reject a flag the server does not have", () => {
    const invented: Container = { name: "server", args: ["serve", "--tokens=/etc/tokens"] };
    expect(() => serverConfig(invented)).toThrow(ConfigError);
    expect(() => serverConfig({ name: "server", args: ["serve", "--tokens-file=/etc/tokens"] })).not.toThrow();
  });

  it("reject a container that overrides the image's entrypoint", () => {
    expect(() => serverArgv({ name: "server", command: ["model-registry"], args: ["serve"] })).toThrow(/ENTRYPOINT/);
  });

  it("flag a variable that looks like a setting but is not one", () => {
    expect(unknownEnv({ name: "server", env: [{ name: "MODEL_REGISTRY_TOKEN_FILE", value: "/x" }] })).toEqual(["MODEL_REGISTRY_TOKEN_FILE"]);
    expect(unknownEnv({ name: "server", env: [{ name: "MODEL_REGISTRY_TOKENS_FILE", value: "/x" }] })).toEqual([]);
  });

  it("merge a patch the way kustomize does: by name, and null deletes", () => {
    const base = { containers: [{ name: "a", env: [{ name: "X", value: "1" }], readinessProbe: { grpc: { port: 1 } } }] };
    const patch = { containers: [{ name: "a", env: [{ name: "Y", value: "2" }], readinessProbe: { grpc: null, httpGet: { port: 1 } } }] };
    expect(strategicMerge(base, patch)).toEqual({
      containers: [
        {
          name: "a",
          env: [
            { name: "X", value: "1" },
            { name: "Y", value: "2" },
          ],
          readinessProbe: { httpGet: { port: 1 } },
        },
      ],
    });
  });
});

describe("the YAML under deploy/", () => {
  it("parses, and every document is a Kubernetes object with a name", () => {
    for (const file of yamlFiles(join(ROOT, "deploy"))) {
      for (const doc of readYaml(file) as Partial<K8sObject>[]) {
        expect(doc.apiVersion, relative(ROOT, file)).toBeTypeOf("string");
        expect(doc.kind, relative(ROOT, file)).toBeTypeOf("string");
        if (doc.kind !== "Kustomization") expect(doc.metadata?.name, relative(ROOT, file)).toBeTypeOf("string");
      }
    }
  });

  it("under deploy/kubernetes belongs to a kustomization, so apply -k applies all of it", () => {
    const used = new Set<string>();
    for (const file of yamlFiles(join(ROOT, "deploy/kubernetes")).filter((f) => f.endsWith("kustomization.yaml"))) {
      const k = readYaml(file)[0] as Kustomization;
      used.add(file);
      for (const entry of [...(k.resources ?? []), ...(k.patches ?? []).map((p) => p.path)]) used.add(join(dirname(file), entry));
    }
    expect(yamlFiles(join(ROOT, "deploy/kubernetes")).filter((f) => !used.has(f))).toEqual([]);
  });

  it.runIf(hasKubectl())("renders with kubectl kustomize to the objects these tests check", () => {
    for (const variant of VARIANTS) {
      const out = execFileSync("kubectl", ["kustomize", join(ROOT, "deploy/kubernetes", variant)], { encoding: "utf8" });
      const rendered = parseAllDocuments(out, { version: "1.1" }).map((d) => d.toJS() as K8sObject);
      const key = (o: K8sObject) => `${o.kind}/${o.metadata.name}`;
      expect(normalise(Object.fromEntries(rendered.map((o) => [key(o), o]))), variant).toEqual(
        normalise(Object.fromEntries(variants[variant].map((o) => [key(o), o]))),
      );
    }
  });
});

describe.each(VARIANTS)("the %s variant", (variant) => {
  const objects = variants[variant];
  const deployment = one<Deployment>(objects, "Deployment");
  const pod = podOf(objects);
  const server = serverOf(pod);
  /** Parsed inside each test, so that a manifest the server rejects fails tests, not collection. */
  const serverSettings = () => serverConfig(server);

  it("runs every container from the released image", () => {
    for (const c of allContainers(pod)) expect(c.image, c.name).toBe(IMAGE);
  });

  it("starts every container with arguments and environment the server accepts", () => {
    for (const c of allContainers(pod)) {
      expect(() => serverConfig(c), c.name).not.toThrow();
      expect(unknownEnv(c), c.name).toEqual([]);
    }
  });

  it("mounts every file the server is told to read", () => {
    for (const c of allContainers(pod)) {
      for (const file of configuredFiles(serverConfig(c))) expect(mountOf(c, file), `${c.name}: ${file}`).toBeDefined();
    }
  });

  it("authenticates callers, since it listens beyond the pod", () => {
    const config = serverSettings();
    expect(config.insecure).toBe(false);
    expect(() => checkBindPolicy(config.host, authConfigured(config.auth), config.insecure)).not.toThrow();
    const tokens = mountOf(server, config.auth.tokensFile!)!;
    expect(pod.volumes?.find((v) => v.name === tokens.name)?.secret?.secretName).toBe("model-registry-tokens");
  });

  it("disables service links, which would set MODEL_REGISTRY_PORT to a tcp:// URL the server rejects", () => {
    expect(pod.enableServiceLinks).toBe(false);
    expect(() => parseConfig([], { MODEL_REGISTRY_PORT: "tcp://10.0.0.1:8080" })).toThrow(ConfigError);
  });

  it("probes readiness on health and liveness on /readyz/isDirty, on the server's port and scheme", () => {
    const config = serverSettings();
    const scheme = config.tls ? "HTTPS" : "HTTP";
    const ready = server.readinessProbe!;
    if (ready.grpc) {
      expect(config.tls, "kubelet's gRPC probe does not speak TLS").toBeUndefined();
      expect(ready.grpc.port).toBe(config.port);
    } else {
      expect(ready.httpGet).toEqual({ path: "/readyz/health", port: config.port, scheme });
    }
    expect(server.livenessProbe?.httpGet).toEqual({ path: "/readyz/isDirty", port: config.port, ...(config.tls ? { scheme } : {}) });
    if (server.startupProbe) expect(server.startupProbe.httpGet?.scheme ?? "HTTP").toBe(scheme);
  });

  it("sets CPU and memory requests and limits on every container", () => {
    for (const c of allContainers(pod)) {
      for (const kind of ["requests", "limits"] as const)
        expect(Object.keys(c.resources?.[kind] ?? {}).sort(), `${c.name} ${kind}`).toEqual(["cpu", "memory"]);
    }
  });

  it("runs as uid 10001 with a read-only root, no privilege escalation, no capabilities and a seccomp profile", () => {
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 10001, seccompProfile: { type: "RuntimeDefault" } });
    for (const c of allContainers(pod)) {
      expect(c.securityContext, c.name).toEqual({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } });
      const tmp = c.volumeMounts?.find((m) => m.mountPath === "/tmp");
      expect(pod.volumes?.find((v) => v.name === tmp?.name)?.emptyDir, `${c.name}: writable /tmp`).toBeDefined();
    }
  });

  it("exposes the server's port through a Service that selects its pods, h2c unless TLS is on", () => {
    const config = serverSettings();
    const service = one(objects, "Service");
    const labels = deployment.spec.template.metadata.labels;
    for (const [k, v] of Object.entries(service.spec.selector as Record<string, string>)) expect(labels[k], k).toBe(v);
    expect(service.spec.ports).toHaveLength(1);
    const port = service.spec.ports[0] as { port: number; targetPort: string | number; appProtocol: string };
    const target = server.ports?.find((p) => p.name === port.targetPort || p.containerPort === port.targetPort);
    expect(target?.containerPort).toBe(config.port);
    expect(port.appProtocol).toBe(config.tls ? "https" : "kubernetes.io/h2c");
  });

  it("lives in the model-registry namespace", () => {
    for (const o of objects) expect(o.metadata.namespace, `${o.kind}/${o.metadata.name}`).toBe("model-registry");
  });
});

describe("the sqlite variant", () => {
  const objects = variants.sqlite;
  const deployment = one<Deployment>(objects, "Deployment");
  const server = serverOf(podOf(objects));

  it("runs exactly one replica and stops it before starting its replacement", () => {
    expect(deployment.spec.replicas).toBe(1);
    expect(deployment.spec.strategy?.type).toBe("Recreate");
  });

  it("keeps the database on a ReadWriteOnce PersistentVolumeClaim mounted at /data", () => {
    const database = serverConfig(server).database;
    expect(database).toMatch(/^sqlite:\/data\//);
    const mount = mountOf(server, database.slice("sqlite:".length))!;
    expect(mount.mountPath).toBe("/data");
    const claim = podOf(objects).volumes?.find((v) => v.name === mount.name)?.persistentVolumeClaim?.claimName;
    const pvc = one(objects, "PersistentVolumeClaim");
    expect(pvc.metadata.name).toBe(claim);
    expect(pvc.spec.accessModes).toEqual(["ReadWriteOnce"]);
  });
});

describe.each(["postgres", "postgres-tls"] as const)("the %s variant", (variant) => {
  const objects = variants[variant];
  const deployment = one<Deployment>(objects, "Deployment");
  const pod = podOf(objects);

  it("runs several replicas and rolls them out without losing capacity", () => {
    expect(deployment.spec.replicas).toBe(3);
    expect(deployment.spec.strategy?.rollingUpdate?.maxUnavailable).toBe(0);
  });

  it("reads DATABASE_URL from a Secret in every container", () => {
    for (const c of allContainers(pod)) {
      expect(c.env?.find((v) => v.name === "DATABASE_URL")?.valueFrom?.secretKeyRef, c.name).toEqual({ name: "model-registry-database", key: "url" });
      expect(serverConfig(c).database, c.name).toMatch(/^postgres:\/\//);
    }
  });

  it("migrates in one init container, before the server starts", () => {
    const commands = (cs: Container[] | undefined) => (cs ?? []).map((c) => serverConfig(c).command);
    expect(commands(pod.initContainers)).toEqual(["migrate"]);
    expect(commands(pod.containers)).toEqual(["serve"]);
    expect(objects.filter((o) => o.kind === "Job")).toEqual([]);
  });

  it("keeps all but one replica through voluntary disruptions", () => {
    const pdb = one(objects, "PodDisruptionBudget");
    const labels = deployment.spec.template.metadata.labels;
    for (const [k, v] of Object.entries(pdb.spec.selector.matchLabels as Record<string, string>)) expect(labels[k], k).toBe(v);
    expect(pdb.spec.maxUnavailable).toBe(1);
  });
});

describe("the postgres-tls variant", () => {
  const pod = podOf(variants["postgres-tls"]);
  const server = serverOf(pod);

  it("serves TLS with tls.crt and tls.key of the model-registry-tls Secret", () => {
    const { tls } = serverConfig(server);
    expect(tls?.cert).toMatch(/\/tls\.crt$/);
    expect(tls?.key).toMatch(/\/tls\.key$/);
    for (const file of [tls!.cert, tls!.key]) {
      const mount = mountOf(server, file)!;
      expect(pod.volumes?.find((v) => v.name === mount.name)?.secret?.secretName, file).toBe("model-registry-tls");
    }
  });
});

describe("docs/deployment.md", () => {
  /** `kubectl create secret generic|tls NAME` commands in the guide, with the keys they set. */
  const created = new Map<string, { type: string; keys: string[] }>();
  for (const m of guide.replace(/\\\n\s*/g, " ").matchAll(/kubectl create secret (generic|tls) ([a-z0-9-]+)([^\n]*)/g)) {
    const keys = m[1] === "tls" ? ["tls.crt", "tls.key"] : [...m[3]!.matchAll(/--from-(?:file|literal)=([^=\s]+)=/g)].map((k) => k[1]!);
    created.set(m[2]!, { type: m[1]!, keys });
  }

  it("creates every Secret the manifests use, with the keys they read", () => {
    for (const variant of VARIANTS) {
      const pod = podOf(variants[variant]);
      for (const v of pod.volumes ?? []) if (v.secret) expect(created.has(v.secret.secretName), v.secret.secretName).toBe(true);
      for (const c of allContainers(pod)) {
        for (const ref of (c.env ?? []).flatMap((e) => (e.valueFrom?.secretKeyRef ? [e.valueFrom.secretKeyRef] : []))) {
          expect(created.get(ref.name)?.keys, ref.name).toContain(ref.key);
        }
        for (const file of configuredFiles(serverConfig(c))) {
          const secret = pod.volumes?.find((v) => v.name === mountOf(c, file)?.name)?.secret?.secretName;
          if (secret) expect(created.get(secret)?.keys, file).toContain(file.split("/").at(-1));
        }
      }
    }
    expect(created.get("model-registry-tls")?.type).toBe("tls");
  });
});

describe("the KServe example", () => {
  const csc = one(kserve, "ClusterStorageContainer");
  const isvc = one(kserve, "InferenceService");
  const container = csc.spec.container as { name: string; image: string; env: EnvVar[] };
  const env = Object.fromEntries(container.env.map((v) => [v.name, v.value]));

  it("injects Kubeflow's storage initializer for model-registry:// URIs", () => {
    expect(container.name).toBe("storage-initializer");
    expect(container.image).toBe("kubeflow/model-registry-storage-initializer:latest");
    expect(csc.spec.supportedUriFormats).toEqual([{ prefix: "model-registry://" }]);
  });

  it("points the initializer at the registry's Service over plain HTTP, as the h2c variants serve it", () => {
    for (const variant of ["sqlite", "postgres"] as const) {
      const service = one(variants[variant], "Service");
      const port = (service.spec.ports as { port: number }[])[0]!.port;
      expect(env.MODEL_REGISTRY_BASE_URL, variant).toBe(`${service.metadata.name}.${service.metadata.namespace}.svc.cluster.local:${port}`);
    }
    expect(env.MODEL_REGISTRY_SCHEME).toBe("http");
  });

  it("deploys fraud-detector v2 through that initializer", () => {
    const uri = isvc.spec.predictor.model.storageUri as string;
    expect(uri).toBe("model-registry://fraud-detector/v2");
    expect((csc.spec.supportedUriFormats as { prefix: string }[]).some((f) => uri.startsWith(f.prefix))).toBe(true);
    // The initializer may try the first part of a two-part URI as a host: not this service's name.
    expect(isvc.metadata.name).not.toBe("fraud-detector");
  });
});

function hasKubectl(): boolean {
  try {
    execFileSync("kubectl", ["version", "--client"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/** Orders keyed lists by their key, so that two renderings that differ only in order compare equal. */
function normalise(value: unknown): unknown {
  if (Array.isArray(value)) {
    const items = value.map(normalise);
    const key = (v: unknown) => {
      const o = v as Record<string, unknown>;
      return String(o?.name ?? o?.mountPath ?? o?.port ?? o?.containerPort ?? "");
    };
    return items.every((i) => typeof i === "object" && i !== null && key(i) !== "") ? items.sort((a, b) => key(a).localeCompare(key(b))) : items;
  }
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalise(v)]));
  }
  return value;
}
