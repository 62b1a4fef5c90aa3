import { StoreError } from "../ports/store.js";
import {
  AbortedError,
  AlreadyExistsError,
  DeadlineExceededError,
  FailedPreconditionError,
  RegistryError,
  SchemaTooNewError,
  UnavailableError,
} from "../core/errors.js";

/** What each unique constraint means to a client. */
const UNIQUE_MEANINGS: Record<string, [string, string]> = {
  registered_models_display_name_key: ["a registered model with this display_name already exists", "MODEL_EXISTS"],
  model_versions_model_id_version_key: ["this version already exists for the registered model", "VERSION_EXISTS"],
  register_requests_pkey: ["request_id was already used", "REQUEST_ID_REUSED"],
  experiments_display_name_key: ["an experiment with this display_name already exists", "EXPERIMENT_EXISTS"],
  webhooks_display_name_key: ["a webhook with this display_name already exists", "WEBHOOK_EXISTS"],
  serving_environments_display_name_key: ["a serving environment with this display_name already exists", "SERVING_ENVIRONMENT_EXISTS"],
  // The Kubeflow gateway checks first in the same transaction; this holds should that ever not hold.
  rest_extras_type_external_id_key: ["this externalId is already used by another resource of its type", "EXTERNAL_ID_EXISTS"],
  inference_services_environment_id_display_name_key: [
    "an inference service with this display_name already exists in the serving environment",
    "INFERENCE_SERVICE_EXISTS",
  ],
};

/**
 * Interprets StoreErrors as domain errors, the only place that does: a classified unique
 * violation is ALREADY_EXISTS, unavailability is retryable, a schema from a newer release is
 * SCHEMA_TOO_NEW. Anything else, an unclassified unique violation included, is left alone: no
 * edge knows store errors, so it becomes INTERNAL there ("internal error", its cause logged).
 */
export function interpretStoreError(error: unknown): unknown {
  if (!(error instanceof StoreError)) return error;
  switch (error.kind) {
    case "unique_violation": {
      // Writers are serialised, so this only fires if that ever stops holding: a lost alias race.
      if (error.constraint === "model_aliases_model_id_alias_key") {
        return new AbortedError("the alias was changed concurrently; read it and retry", "ALIAS_CHANGED");
      }
      const meaning = error.constraint ? UNIQUE_MEANINGS[error.constraint] : undefined;
      return meaning ? new AlreadyExistsError(meaning[0], meaning[1]) : error;
    }
    case "foreign_key_violation":
      return new FailedPreconditionError("a referenced resource no longer exists", "REFERENCE_GONE");
    case "unavailable":
    case "serialization_failure":
      return new UnavailableError("the database is unavailable; retry later", { cause: error });
    case "cancelled":
      // The server's deadline ends a call with a DeadlineExceededError; a client's cancel or
      // deadline has been answered by the protocol layer already, so this answer is only logged.
      return error.cause instanceof RegistryError
        ? error.cause
        : new DeadlineExceededError("the call ended (cancelled, or past its deadline) before the database finished its work");
    case "schema_too_new":
      return new SchemaTooNewError(error.message, { cause: error });
    default:
      return error;
  }
}
