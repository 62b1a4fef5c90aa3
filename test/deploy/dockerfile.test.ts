import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/parse-config.js";
import { imageCommand, isIgnored, parseDockerfile, parseDockerignore } from "../support/dockerfile.js";

const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), "utf8");
const dockerfile = parseDockerfile(read("deploy/container/Dockerfile"));
const image = dockerfile.final;
const finalStage = dockerfile.stages.at(-1)!;
const ignore = parseDockerignore(read("deploy/container/Dockerfile.dockerignore"));
const pkg = JSON.parse(read("package.json")) as { name: string; version: string; bin?: string | Record<string, string> };

/** The server's argv: what follows `node SCRIPT` in the image's command. */
function serverArgs(): string[] {
  const argv = imageCommand(image);
  expect(argv[0]).toBe("node");
  return argv.slice(2);
}

describe("the container image (deploy/container/Dockerfile)", () => {
  it("starts the server in exec form, so SIGTERM reaches node rather than a shell", () => {
    expect(image.entrypoint).toEqual({ argv: ["node", "/app/node_modules/model-registry/dist/src/main.js"], execForm: true });
    expect(image.cmd).toEqual({ argv: ["serve"], execForm: true });
  });

  it("checks health in exec form against the readiness endpoint", () => {
    const check = image.healthcheck;
    if (check === undefined || check === "none") throw new Error("the image has no HEALTHCHECK");
    expect(check.execForm).toBe(true);
    expect(check.argv[0]).toBe("node");
    expect(check.argv.join(" ")).toContain("/readyz/health");
  });

  it("runs as a numeric user that is not root", () => {
    expect(image.user).toMatch(/^\d+(:\d+)?$/);
    expect(Number(image.user!.split(":")[0])).toBeGreaterThan(0);
  });

  it("builds in one stage and runs in a fresh one", () => {
    expect(dockerfile.stages.length).toBeGreaterThanOrEqual(2);
    const earlier = dockerfile.stages.slice(0, -1).map((s) => s.name);
    expect(earlier).not.toContain(finalStage.from.toLowerCase());
    expect(finalStage.from).toMatch(/^node:20-bookworm-slim$/);
  });

  it("installs no compiler toolchain in the final stage and copies only the installed package into it", () => {
    const runs = finalStage.instructions.filter((i) => i.keyword === "RUN").map((i) => i.args);
    for (const run of runs) expect(run).not.toMatch(/\b(apt-get|apk|g\+\+|gcc|make|python3|build-essential|npm)\b/);
    const copies = finalStage.instructions.filter((i) => i.keyword === "COPY" || i.keyword === "ADD").map((i) => i.args);
    expect(copies).toEqual(["--from=build /app /app"]);
  });

  it("passes its command line and environment through the server's configuration parser", () => {
    const config = parseConfig(serverArgs(), image.env);
    expect(config).toMatchObject({ command: "serve", host: "0.0.0.0", port: 8080, database: "sqlite:/data/registry.db" });
    expect(image.env.NODE_ENV).toBe("production");
  });

  it("keeps the database on a volume that the runtime user owns", () => {
    expect(image.volumes).toEqual(["/data"]);
    expect(image.env.DATABASE_URL).toMatch(/^sqlite:\/data\//);
    const uid = image.user!.split(":")[0];
    expect(finalStage.instructions.some((i) => i.keyword === "RUN" && i.args.includes(`chown ${uid}:`) && i.args.includes("/data"))).toBe(true);
  });

  it("exposes the one port the server listens on", () => {
    expect(image.exposes).toEqual([image.env.MODEL_REGISTRY_PORT]);
  });

  it("runs the file that package.json's bin names, inside the packed package", () => {
    const bin = typeof pkg.bin === "string" ? pkg.bin : pkg.bin?.[pkg.name];
    expect(bin, "package.json has a bin for the package name").toBeDefined();
    expect(image.entrypoint!.argv[1]).toBe(`/app/node_modules/${pkg.name}/${bin!.replace(/^\.\//, "")}`);
  });

  it("builds from the repository root with node_modules, dist, data and .git left out of the context", () => {
    for (const path of [
      "node_modules",
      "node_modules/kysely/package.json",
      "clients/web/node_modules/x",
      "dist/src/main.js",
      "data/registry.db",
      ".git/HEAD",
    ]) {
      expect(isIgnored(ignore, path), path).toBe(true);
    }
    for (const path of ["package.json", "package-lock.json", "src/main.ts", "gen/modelregistry/v1/resources_pb.ts", "tsconfig.build.json"]) {
      expect(isIgnored(ignore, path), path).toBe(false);
    }
  });
});

describe("parseDockerfile", () => {
  it("joins continued lines and reads several ENV pairs with quotes", () => {
    const { final } = parseDockerfile('FROM scratch\n# comment\nENV A=1 \\\n  # inside\n  B="two words" \\\n  C=3\nENV D 4 5\n');
    expect(final.env).toEqual({ A: "1", B: "two words", C: "3", D: "4 5" });
  });

  it("tells exec form from shell form, as the builder does", () => {
    const { final } = parseDockerfile("FROM scratch\nENTRYPOINT node main.js\nCMD ['serve']\nHEALTHCHECK --interval=5s CMD curl -f http://x/\n");
    expect(final.entrypoint).toEqual({ argv: ["/bin/sh", "-c", "node main.js"], execForm: false });
    // Single quotes are not JSON: Docker runs this through a shell too.
    expect(final.cmd?.execForm).toBe(false);
    expect(final.healthcheck).toMatchObject({ execForm: false, options: { interval: "5s" } });
    expect(imageCommand(final)).toEqual(["/bin/sh", "-c", "node main.js"]);
  });

  it("inherits the configuration of the stage a stage is built from, and resets CMD with a new ENTRYPOINT", () => {
    const { stages, final } = parseDockerfile(
      'FROM node AS base\nUSER 1\nENV A=1\nWORKDIR /w\nCMD ["x"]\nFROM base\nWORKDIR sub\nENTRYPOINT ["node"]\n',
    );
    expect(stages.map((s) => [s.from, s.name])).toEqual([
      ["node", "base"],
      ["base", undefined],
    ]);
    expect(final).toMatchObject({ user: "1", env: { A: "1" }, workdir: "/w/sub", cmd: undefined });
  });

  it("applies .dockerignore exceptions and directory matches", () => {
    const patterns = parseDockerignore("# c\n**/*.md\n!README.md\ndocs\n");
    expect(isIgnored(patterns, "a/b/notes.md")).toBe(true);
    expect(isIgnored(patterns, "README.md")).toBe(false);
    expect(isIgnored(patterns, "docs/deployment.txt")).toBe(true);
    expect(isIgnored(patterns, "src/docs.ts")).toBe(false);
  });
});
