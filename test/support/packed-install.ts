import { execFile } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/** The package as users get it: `npm pack`, then a production install of the tarball elsewhere. */
export interface PackedInstall {
  /** The tarball `npm pack` made. */
  tarball: string;
  /** The folder the tarball was installed into (`<root>/node_modules/model-registry`). */
  root: string;
  /** The installed package. */
  packageDir: string;
  /** `node_modules/.bin/model-registry` of the install. */
  bin: string;
  /** Files in the tarball, without the leading `package/`. */
  files: string[];
  cleanup(): void;
}

/**
 * Packs this checkout (npm runs `prepare`, the build) and installs the tarball with
 * `--omit=dev` into an empty folder, as a production image or `npm install -g` would; the native
 * module compiles again there (about a minute). The folders are readable by every user, so a test
 * can run the install as an unprivileged one.
 */
export async function packAndInstall(): Promise<PackedInstall> {
  const base = mkdtempSync(join(tmpdir(), "model-registry-pack-"));
  chmodSync(base, 0o755);
  const env = { ...process.env, npm_config_audit: "false", npm_config_fund: "false", npm_config_update_notifier: "false" };
  const { stdout } = await run("npm", ["pack", "--json", "--pack-destination", base], { env, maxBuffer: 64 * 1024 * 1024, timeout: 120_000 });
  const packed = JSON.parse(stdout.slice(stdout.indexOf("["))) as Array<{ filename: string; files: Array<{ path: string }> }>;
  const tarball = join(base, packed[0]!.filename);
  const root = join(base, "install");
  mkdirSync(root, { mode: 0o755 });
  writeFileSync(join(root, "package.json"), `${JSON.stringify({ name: "packed-install", private: true })}\n`);
  await run("npm", ["install", "--omit=dev", "--no-package-lock", tarball], { cwd: root, env, timeout: 300_000 });
  return {
    tarball,
    root,
    packageDir: join(root, "node_modules", "model-registry"),
    bin: join(root, "node_modules", ".bin", "model-registry"),
    files: packed[0]!.files.map((f) => f.path),
    cleanup: () => rmSync(base, { recursive: true, force: true }),
  };
}
