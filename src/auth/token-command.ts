import { randomBytes } from "node:crypto";
import { parseGrant } from "./identity.js";
import { hashToken } from "./token-file.js";

const USAGE = `usage:
  model-registry token hash [SECRET]     print sha256:<hex> of SECRET (read from stdin when absent),
                                         for the CREDENTIAL column of the tokens file
  model-registry token new SUBJECT ROLES print a new random secret, and the tokens-file line for it
                                         (ROLES: comma-separated role or role:model-glob; roles are
                                         viewer, editor, approver, admin, monitor)

flags:
  -h, --help                             print this text
`;

/**
 * `model-registry token ...`: helpers for the tokens file. Only hashes are stored at rest; the
 * secret is shown once and given to the caller, who sends it as `authorization: Bearer <secret>`.
 */
export async function runTokenCommand(argv: string[]): Promise<number> {
  const end = argv.indexOf("--");
  const flags = end === -1 ? argv : argv.slice(0, end);
  if (flags.includes("--help") || flags.includes("-h") || argv[0] === "help") {
    process.stdout.write(USAGE);
    return 0;
  }
  const unknownFlag = flags.find((a) => a.startsWith("--"));
  if (unknownFlag !== undefined) {
    process.stderr.write(`model-registry token: unknown flag ${unknownFlag}\n\n${USAGE}`);
    return 2;
  }
  const args = end === -1 ? argv : [...argv.slice(0, end), ...argv.slice(end + 1)];
  const [sub, ...rest] = args;
  if (sub !== undefined && sub !== "hash" && sub !== "new") {
    const { suggestName } = await import("../did-you-mean.js");
    const guess = suggestName(sub, ["hash", "new"]);
    process.stderr.write(
      guess
        ? `model-registry token: unknown subcommand "token ${sub}"; did you mean "token ${guess}"?\n`
        : `model-registry token: unknown subcommand "token ${sub}"\n\n${USAGE}`,
    );
    return 2;
  }
  if (sub === "hash" && rest.length <= 1) {
    const secret = rest[0] ?? (await readStdin()).replace(/\r?\n$/, "");
    if (secret === "") {
      process.stderr.write("token hash: empty secret\n");
      return 2;
    }
    process.stdout.write(`${hashToken(secret)}\n`);
    return 0;
  }
  if (sub === "new" && rest.length === 2) {
    const [subject, roles] = rest as [string, string];
    try {
      for (const role of roles.split(",")) parseGrant(role);
    } catch (error) {
      process.stderr.write(`token new: ${(error as Error).message}\n`);
      return 2;
    }
    if (!/^[^\s\u0000-\u001f\u007f]{1,255}$/u.test(subject)) {
      process.stderr.write("token new: SUBJECT must be 1-255 printable characters without spaces\n");
      return 2;
    }
    const secret = `mr_${randomBytes(32).toString("base64url")}`;
    process.stdout.write(`secret (give it to ${subject}; it is not stored): ${secret}\n`);
    process.stdout.write(`tokens-file line: ${subject} ${hashToken(secret)} ${roles}\n`);
    return 0;
  }
  process.stderr.write(USAGE);
  return 2;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}
