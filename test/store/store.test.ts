import { DIALECTS } from "../support/dialects.js";
import { describeStoreContract } from "./contract.js";

/** The store contract on every engine: SQLite in memory and in a file, and Postgres when configured. */
for (const dialect of DIALECTS) describeStoreContract(dialect);
