import { type Config, ConfigError, type Settings } from "./config.js";
import type { FlagSpecs } from "./flag-spec.js";
import { FLAGS, flagList } from "./flags.js";
import { USAGE } from "./usage.js";

const COMMANDS: readonly Config["command"][] = ["serve", "migrate", "help"];

/** Parses the server's command line: `[serve|migrate|help] [--flag VALUE | --flag=VALUE | --switch]...`. */
export function parseConfig(argv: string[], env: NodeJS.ProcessEnv): Config {
  const args = [...argv];
  let command: Config["command"] = "serve";
  const first = args[0];
  if (first !== undefined && !first.startsWith("-")) {
    args.shift();
    const known = COMMANDS.find((c) => c === first);
    if (known === undefined) throw new ConfigError(`unknown command "${first}"\n\n${USAGE}`);
    command = known;
  }
  const given = new Map<string, string>();
  const byName = new Map(flagList().map((flag) => [flag.name, flag]));
  for (let arg = args.shift(); arg !== undefined; arg = args.shift()) {
    if (arg === "--help" || arg === "-h") return configOf("help", resolve(new Map(), {}));
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    if (!m?.[1]) throw new ConfigError(`unexpected argument "${arg}"\n\n${USAGE}`);
    const flag = byName.get(m[1]);
    const value = m[2] ?? (flag && flag.value === undefined ? "on" : args.shift());
    if (value === undefined) throw new ConfigError(`--${m[1]} needs a value`);
    if (!flag) throw new ConfigError(`unknown flag --${m[1]}\n\n${USAGE}`);
    given.set(flag.name, value);
  }
  const config = configOf(command, resolve(given, env));
  check(config);
  return config;
}

/** Each setting: its flag's value, else its first environment variable that is set, else its default. */
function resolve(given: Map<string, string>, env: NodeJS.ProcessEnv): Settings {
  const settings: Partial<Settings> = {};
  for (const key of Object.keys(FLAGS) as Array<keyof Settings>) setOne(settings, key, given, env);
  return settings as Settings;
}

function setOne<K extends keyof Settings>(settings: Partial<Settings>, key: K, given: Map<string, string>, env: NodeJS.ProcessEnv): void {
  const specs: FlagSpecs = FLAGS;
  const flag = specs[key];
  const fromFlag = given.get(flag.name);
  const fromEnv = flag.env.find((name) => env[name]);
  const raw = fromFlag ?? (fromEnv !== undefined ? env[fromEnv] : flag.default);
  settings[key] =
    raw === undefined ? undefined : flag.parse(raw, fromFlag !== undefined ? `--${flag.name}` : (fromEnv ?? `the default of --${flag.name}`));
}

function configOf(command: Config["command"], s: Settings): Config {
  const { tokensFile, jwksFile, jwksUrl, jwtSecretFile, jwtIssuer, jwtAudience, jwtRolesClaim, jwtSubjectClaim, anonymousRole } = s;
  const { tlsCert, tlsKey, tlsClientCa, ...rest } = s;
  if (s.jwksFile && s.jwksUrl) throw new ConfigError("set one of --jwks-file and --jwks-url");
  if ((tlsCert === undefined) !== (tlsKey === undefined)) throw new ConfigError("--tls-cert and --tls-key go together");
  if (tlsClientCa !== undefined && tlsCert === undefined) throw new ConfigError("--tls-client-ca needs --tls-cert and --tls-key");
  const auth = Object.fromEntries(
    Object.entries({ tokensFile, jwksFile, jwksUrl, jwtSecretFile, jwtIssuer, jwtAudience, jwtRolesClaim, jwtSubjectClaim }).filter(
      ([, v]) => v !== undefined,
    ),
  );
  return {
    ...rest,
    command,
    auth: {
      ...auth,
      ...(anonymousRole !== undefined ? { anonymousGrants: anonymousRole } : {}),
      ...(tlsClientCa !== undefined ? { clientCertificates: true } : {}),
    },
    tls:
      tlsCert !== undefined && tlsKey !== undefined
        ? { cert: tlsCert, key: tlsKey, ...(tlsClientCa !== undefined ? { clientCa: tlsClientCa } : {}) }
        : undefined,
  };
}

/** Rules between flags. */
function check(config: Config): void {
  if (config.eventRetentionMaxCount > 0 && config.eventRetentionMaxCount < config.eventRetentionCount) {
    throw new ConfigError(
      `event-retention-max-count (${config.eventRetentionMaxCount}) is below event-retention-count (${config.eventRetentionCount}): ` +
        "the newest events cannot be both kept and removed; lower event-retention-count too",
    );
  }
  if (config.bodyTimeoutMs > 0 && config.bodyTimeoutMs < config.headersTimeoutMs) {
    throw new ConfigError(
      `--body-timeout (${config.bodyTimeoutMs}) is below --headers-timeout (${config.headersTimeoutMs}): the body timeout counts the headers in`,
    );
  }
  const port = config.metricsPort;
  if (port === undefined) return;
  if (!config.metrics) throw new ConfigError("--metrics-port serves metrics, but metrics are off (--metrics off): drop one of them");
  if (port !== 0 && port === config.port) throw new ConfigError(`--metrics-port ${port} is the main port: leave it unset to serve /metrics there`);
  if (port !== 0 && port === config.grpcPort) throw new ConfigError(`--metrics-port ${port} is also the --grpc-port`);
}
