import type { Settings } from "./config.js";
import type { Parse } from "./values.js";

/** One flag: its name, where else its value may come from, its default, its help, its parser. */
export interface FlagSpec<T> {
  /** The flag without its dashes. */
  name: string;
  /** Environment variables read when the flag is not given; the first one set wins. */
  env: readonly string[];
  /** The value's placeholder in --help; absent for a switch, which takes no value (`--insecure`). */
  value?: string;
  /** The raw default, parsed like a given value; absent: unset. */
  default?: string;
  /** The default as --help and the docs show it, where the raw default does not say it. */
  shown?: string;
  /** The --help section. */
  group: "server" | "security";
  help: string;
  parse: Parse<T>;
}

/** A setting that cannot be undefined needs a default. */
type Defaulted<T> = undefined extends T ? unknown : { default: string };

/** A flag per setting, its parser returning that setting's type. */
export type FlagSpecs = { [K in keyof Settings]: FlagSpec<Exclude<Settings[K], undefined>> };

/** The table of flags: one entry per setting, with a default where the setting cannot be unset (the compiler checks both). */
export type FlagTable = FlagSpecs & { [K in keyof Settings]: Defaulted<Settings[K]> };

export const env = (name: string) => [`MODEL_REGISTRY_${name.toUpperCase().replaceAll("-", "_")}`];
