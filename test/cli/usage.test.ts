import { describe, expect, it } from "vitest";
import { defaultActor, GLOBAL_OPTIONS } from "../../src/cli/cli-context.js";
import { CLIENT_COMMANDS } from "../../src/cli/run-client-command.js";
import { runClientInProcess } from "../support/cli.js";

/** Never called: usage mistakes and --help end before any call. */
const NOWHERE = ["--server", "http://127.0.0.1:1"];

/** The subcommands a usage text names (`model-registry versions list …`); [undefined] for a command without any. */
function subcommandsOf(name: string, usage: string): (string | undefined)[] {
  const subs = [...usage.matchAll(new RegExp(`^ {2}model-registry ${name} ([a-z]+)`, "gm"))].map((m) => m[1]!);
  return subs.length > 0 ? [...new Set(subs)] : [undefined];
}

describe("model-registry <command> --help", () => {
  for (const [name, command] of Object.entries(CLIENT_COMMANDS)) {
    for (const sub of subcommandsOf(name, command.usage)) {
      const argv = [name, ...(sub ? [sub] : []), "--help"];
      it(`${argv.join(" ")} exits 0 and shows every flag of the command`, async () => {
        const res = await runClientInProcess([...argv, ...NOWHERE]);
        expect(res.code).toBe(0);
        expect(res.stderr).toBe("");
        if (sub) expect(res.stdout).toContain(`model-registry ${name} ${sub}`);
        for (const flag of Object.keys({ ...command.options, ...GLOBAL_OPTIONS })) expect(res.stdout).toContain(`--${flag}`);
      });
    }
  }

  it("wins over other mistakes on the line", async () => {
    expect((await runClientInProcess(["models", "list", "--nope", "--help"])).code).toBe(0);
    expect((await runClientInProcess(["versions", "frobnicate", "-h"])).code).toBe(0);
  });
});

describe("usage mistakes", () => {
  const usageError = async (...argv: string[]) => {
    const res = await runClientInProcess([...argv, ...NOWHERE]);
    expect(res.code, argv.join(" ")).toBe(2);
    expect(res.stdout).toBe("");
    return res.stderr;
  };

  it("a misspelled subcommand gets one line naming the closest", async () => {
    expect(await usageError("versions", "lsit", "m")).toBe(
      'model-registry versions: unknown subcommand "versions lsit"; did you mean "versions list"?\n',
    );
    expect(await usageError("models", "archiv", "m")).toBe(
      'model-registry models: unknown subcommand "models archiv"; did you mean "models archive"?\n',
    );
    expect(await usageError("alias", "st", "m", "a", "v1")).toBe('model-registry alias: unknown subcommand "alias st"; did you mean "alias set"?\n');
  });

  it("a misspelled flag gets one line naming the closest, not the argument parser's text", async () => {
    expect(await usageError("register", "m", "--fromat", "onnx")).toBe("model-registry register: unknown flag --fromat; did you mean --format?\n");
    expect(await usageError("watch", "--form", "3")).toBe("model-registry watch: unknown flag --form; did you mean --from?\n");
    expect(await usageError("models", "list", "--filter=x", "--jsno")).toBe("model-registry models: unknown flag --jsno; did you mean --json?\n");
  });

  it("an unknown flag with nothing close, or one used wrongly, gets our own line and the usage", async () => {
    const cases: [string[], string][] = [
      [["models", "list", "--nope"], "unknown flag --nope"],
      [["watch", "--filter"], "--filter needs a value"],
      [["models", "list", "--json=yes"], "--json takes no value"],
      [["models", "list", "--filter", "-x"], '--filter needs a value, got the flag-like "-x" (write --filter=-x if that is the value)'],
      [["events", "-x"], "unknown flag -x"],
    ];
    for (const [argv, line] of cases) {
      const stderr = await usageError(...argv);
      expect(stderr.split("\n")[0]).toBe(`model-registry ${argv[0]}: ${line}`);
      expect(stderr).toContain("\n\nusage:\n");
      // node:util's parseArgs says "Unknown option '--nope'. To specify a positional argument starting with a '-', …".
      expect(stderr).not.toMatch(/Option '|option '/);
    }
  });

  it("takes a value that starts with a dash after =, and - as a positional", async () => {
    const res = await runClientInProcess(["versions", "list", "-", "--filter=-x", ...NOWHERE]);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/^model-registry: cannot reach /);
  });
});

describe("defaultActor", () => {
  const osUser = () => "svc-runner";
  const noPasswdEntry = () => {
    throw new Error("ENOENT: no such file or directory, uv_os_get_passwd");
  };

  it("prefers MODEL_REGISTRY_ACTOR", () => {
    expect(defaultActor({ MODEL_REGISTRY_ACTOR: "ci@acme.com", USER: "root" }, osUser)).toBe("ci@acme.com");
  });

  it("falls back to the OS user name, even when $USER is empty or set", () => {
    expect(defaultActor({ USER: "" }, osUser)).toBe("svc-runner");
    expect(defaultActor({ USER: "root" }, osUser)).toBe("svc-runner");
  });

  it("falls back to $USER when the OS has no name for this user, and to nothing after that", () => {
    expect(defaultActor({ USER: "alice" }, noPasswdEntry)).toBe("alice");
    expect(defaultActor({}, noPasswdEntry)).toBe("");
  });
});
