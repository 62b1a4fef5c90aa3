"""Python client of the model registry: the Kubeflow-style API over the Connect protocol.

    from model_registry import ModelRegistryClient
    client = ModelRegistryClient("http://localhost", port=8080, author="me@acme.com")

Standard library only (Python >= 3.9).
"""

from .client import ModelRegistry, ModelRegistryClient
from .errors import (
    Aborted,
    AlreadyExists,
    Canceled,
    DataLoss,
    DeadlineExceeded,
    FailedPrecondition,
    Internal,
    InvalidArgument,
    ModelRegistryError,
    NotFound,
    OutOfRange,
    PermissionDenied,
    ResourceExhausted,
    Unauthenticated,
    Unavailable,
    Unimplemented,
    Unknown,
)
from .types import Alias, Caller, Comparison, ComparisonRow, Event, ModelArtifact, ModelVersion, RegisteredModel, RoleGrant
from .webhooks import Webhook, WebhookDelivery, Webhooks, verify_webhook

__version__ = "0.1.0"

__all__ = [
    "ModelRegistryClient",
    "ModelRegistry",
    "RegisteredModel",
    "ModelVersion",
    "ModelArtifact",
    "Comparison",
    "Alias",
    "Caller",
    "RoleGrant",
    "Event",
    "ComparisonRow",
    "Webhook",
    "WebhookDelivery",
    "Webhooks",
    "verify_webhook",
    "ModelRegistryError",
    "Aborted",
    "AlreadyExists",
    "Canceled",
    "DataLoss",
    "DeadlineExceeded",
    "FailedPrecondition",
    "Internal",
    "InvalidArgument",
    "NotFound",
    "OutOfRange",
    "PermissionDenied",
    "ResourceExhausted",
    "Unauthenticated",
    "Unavailable",
    "Unimplemented",
    "Unknown",
]
