import { StoreError } from "../store/store.js";
import { AlreadyExistsError, FailedPreconditionError, UnavailableError } from "./errors.js";

/** What each unique constraint means to a client. */
const UNIQUE_MEANINGS: Record<string, [string, string]> = {
  registered_models_display_name_key: ["a registered model with this display_name already exists", "MODEL_EXISTS"],
  model_versions_model_id_version_key: ["this version already exists for the registered model", "VERSION_EXISTS"],
  register_requests_pkey: ["request_id was already used", "REQUEST_ID_REUSED"],
};

/**
 * Interprets StoreErrors as domain errors: a classified unique violation is ALREADY_EXISTS,
 * unavailability is retryable. Anything else is left alone (and becomes INTERNAL at the edge).
 */
export function interpretStoreError(error: unknown): unknown {
  if (!(error instanceof StoreError)) return error;
  switch (error.kind) {
    case "unique_violation": {
      const meaning = error.constraint ? UNIQUE_MEANINGS[error.constraint] : undefined;
      return meaning ? new AlreadyExistsError(meaning[0], meaning[1]) : error;
    }
    case "foreign_key_violation":
      return new FailedPreconditionError("a referenced resource no longer exists", "REFERENCE_GONE");
    case "unavailable":
    case "serialization_failure":
      return new UnavailableError("the database is unavailable; retry later", { cause: error });
    default:
      return error;
  }
}
