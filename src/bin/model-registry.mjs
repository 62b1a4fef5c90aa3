#!/usr/bin/env node
// The `model-registry` executable (npm link / npm install -g): runs src/main.ts through tsx.
import { register } from "tsx/esm/api";

register();
await import("../main.ts");
