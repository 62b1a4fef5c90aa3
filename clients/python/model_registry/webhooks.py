"""Webhooks (WebhookService): signed HTTP deliveries of the registry's change log.

    hook = client.webhooks.create("ci-trigger", "https://ci.acme.com/hooks/registry", event_types=["CREATED"])
    hook.secret   # whsec_…: shown only here; the receiver verifies deliveries with it
"""

import base64
import hashlib
import hmac
import time
from dataclasses import dataclass, field
from typing import Any, Dict, Iterator, List, Mapping, Optional, Sequence, Union

SERVICE = "modelregistry.v1.WebhookService"
_POLICIES = {"PAUSE": "WEBHOOK_FAILURE_POLICY_PAUSE", "SKIP": "WEBHOOK_FAILURE_POLICY_SKIP"}


@dataclass
class Webhook:
    """A webhook as the server returns it; ``secret`` is set only by create and rotate_secret."""

    name: str
    id: str
    display_name: str
    url: str
    description: str = ""
    event_types: List[str] = field(default_factory=list)
    resource_types: List[str] = field(default_factory=list)
    registered_model: str = ""
    filter: str = ""
    enabled: bool = True
    failure_policy: str = "PAUSE"
    owner: str = ""
    disabled_reason: str = ""
    etag: str = ""
    secret: Optional[str] = None

    @classmethod
    def from_json(cls, j: Dict[str, Any], secret: Optional[str] = None) -> "Webhook":
        policy = j.get("failurePolicy", "WEBHOOK_FAILURE_POLICY_PAUSE").replace("WEBHOOK_FAILURE_POLICY_", "")
        return cls(
            name=j["name"],
            id=j["id"],
            display_name=j.get("displayName", ""),
            url=j.get("url", ""),
            description=j.get("description", ""),
            event_types=list(j.get("eventTypes", [])),
            resource_types=list(j.get("resourceTypes", [])),
            registered_model=j.get("registeredModel", ""),
            filter=j.get("filter", ""),
            enabled=bool(j.get("enabled", False)),
            failure_policy=policy,
            owner=j.get("owner", ""),
            disabled_reason=j.get("disabledReason", ""),
            etag=j.get("etag", ""),
            secret=secret,
        )


@dataclass
class WebhookDelivery:
    """One delivery attempt (``list_deliveries``, ``test``, ``redeliver``)."""

    name: str
    revision: int
    message_id: str
    attempt: int
    outcome: str  # ACKNOWLEDGED, RETRYING or FAILED
    kind: str  # EVENT, PING or REDELIVERY
    status_code: int = 0
    latency_ms: int = 0
    error: str = ""
    next_retry_time: Optional[str] = None
    attempt_time: str = ""

    @classmethod
    def from_json(cls, j: Dict[str, Any]) -> "WebhookDelivery":
        latency = j.get("latency", "0s")
        return cls(
            name=j["name"],
            revision=int(j.get("revision", "0")),
            message_id=j.get("messageId", ""),
            attempt=int(j.get("attempt", 0)),
            outcome=j.get("outcome", "").replace("WEBHOOK_DELIVERY_OUTCOME_", ""),
            kind=j.get("kind", "").replace("WEBHOOK_DELIVERY_KIND_", ""),
            status_code=int(j.get("statusCode", 0)),
            latency_ms=round(float(latency.rstrip("s")) * 1000),
            error=j.get("error", ""),
            next_retry_time=j.get("nextRetryTime"),
            attempt_time=j.get("attemptTime", ""),
        )


class Webhooks:
    """``client.webhooks``: create, read, list, enable/disable, rotate the secret of and delete
    webhooks. Every call needs the permission webhooks.manage (roles admin, integrator)."""

    def __init__(self, transport: Any, model_name) -> None:
        self._t = transport
        self._model_name = model_name

    def _call(self, method: str, request: Dict[str, Any], idempotent: bool = False) -> Dict[str, Any]:
        return self._t.unary(method, request, idempotent=idempotent, service=SERVICE)

    def create(
        self,
        display_name: str,
        url: str,
        *,
        event_types: Optional[Sequence[str]] = None,
        resource_types: Optional[Sequence[str]] = None,
        model: Optional[str] = None,
        filter: Optional[str] = None,
        description: str = "",
        enabled: bool = True,
        failure_policy: str = "PAUSE",
        reason: Optional[str] = None,
    ) -> Webhook:
        """Creates a webhook; the returned ``secret`` is shown only now."""
        hook: Dict[str, Any] = {
            "displayName": display_name,
            "url": url,
            "description": description,
            "eventTypes": [t.upper() for t in event_types or []],
            "resourceTypes": list(resource_types or []),
            "filter": filter or "",
            "enabled": enabled,
            "failurePolicy": _POLICIES[failure_policy.upper()],
        }
        if model:
            hook["registeredModel"] = self._model_name(model)
        res = self._call("CreateWebhook", {"webhook": hook, "reason": reason or ""})
        return Webhook.from_json(res["webhook"], res["secret"])

    def get(self, webhook: str) -> Webhook:
        """A webhook by display name or resource name (``webhooks/7``)."""
        return Webhook.from_json(self._call("GetWebhook", _ref(webhook), idempotent=True)["webhook"])

    def list(self, filter: Optional[str] = None, page_size: int = 100) -> Iterator[Webhook]:
        req: Dict[str, Any] = {"pageSize": page_size, "filter": filter or ""}
        while True:
            res = self._call("ListWebhooks", req, idempotent=True)
            for j in res.get("webhooks") or []:
                yield Webhook.from_json(j)
            if not res.get("nextPageToken"):
                return
            req["pageToken"] = res["nextPageToken"]

    def set_enabled(self, webhook: str, enabled: bool, reason: Optional[str] = None) -> Webhook:
        """Enables or disables a webhook (enabling clears the reason the server disabled it for)."""
        current = self.get(webhook)
        req = {"webhook": {"name": current.name, "enabled": enabled, "etag": current.etag}, "updateMask": "enabled", "reason": reason or ""}
        return Webhook.from_json(self._call("UpdateWebhook", req)["webhook"])

    def rotate_secret(self, webhook: str, grace_period_seconds: int = 0, reason: Optional[str] = None) -> Webhook:
        """A new secret (returned in ``secret``); the previous one signs too for the grace period (default a day)."""
        current = self.get(webhook)
        req = {"name": current.name, "etag": current.etag, "gracePeriodSeconds": grace_period_seconds, "reason": reason or ""}
        res = self._call("RotateWebhookSecret", req)
        return Webhook.from_json(res["webhook"], res["secret"])

    def test(self, webhook: str) -> WebhookDelivery:
        """Sends a signed ping now and returns the attempt (a failing receiver is an outcome, not an error)."""
        return WebhookDelivery.from_json(self._call("TestWebhook", {"name": self.get(webhook).name})["delivery"])

    def list_deliveries(self, webhook: str, filter: Optional[str] = None, order_by: Optional[str] = None, page_size: int = 100) -> Iterator[WebhookDelivery]:
        """A webhook's delivery attempts, oldest first unless ``order_by="attempt_time desc"``;
        ``filter`` such as ``'outcome = "FAILED"'`` or ``"revision = 42"``."""
        req: Dict[str, Any] = {"parent": self.get(webhook).name, "pageSize": page_size, "filter": filter or "", "orderBy": order_by or ""}
        while True:
            res = self._call("ListWebhookDeliveries", req, idempotent=True)
            for j in res.get("deliveries") or []:
                yield WebhookDelivery.from_json(j)
            if not res.get("nextPageToken"):
                return
            req["pageToken"] = res["nextPageToken"]

    def redeliver(self, webhook: str, revision: Optional[int] = None, from_revision: Optional[int] = None) -> Optional[WebhookDelivery]:
        """Replays one event now (``revision``: returns the attempt) or everything from a revision
        (``from_revision``: the webhook's cursor moves there; returns None)."""
        if (revision is None) == (from_revision is None):
            raise ValueError("set exactly one of revision and from_revision")
        req: Dict[str, Any] = {"name": self.get(webhook).name}
        if revision is not None:
            req["revision"] = str(revision)
        else:
            req["fromRevision"] = str(from_revision)
        res = self._call("RedeliverWebhook", req)
        return WebhookDelivery.from_json(res["delivery"]) if res.get("delivery") else None

    def delete(self, webhook: str, reason: Optional[str] = None) -> Webhook:
        current = self.get(webhook)
        res = self._call("DeleteWebhook", {"name": current.name, "etag": current.etag, "reason": reason or ""})
        return Webhook.from_json(res["webhook"])


def _ref(webhook: str) -> Dict[str, str]:
    parts = webhook.split("/")
    return {"name": webhook} if len(parts) == 2 and parts[0] == "webhooks" and parts[1].isdigit() else {"displayName": webhook}


def verify_webhook(secret: str, headers: Mapping[str, str], body: Union[bytes, str], tolerance_seconds: int = 300) -> bool:
    """Whether a delivery is authentic (Standard Webhooks): one ``v1,`` signature in the
    ``webhook-signature`` header is the HMAC-SHA256 of ``{webhook-id}.{webhook-timestamp}.{body}``
    keyed with the secret (``whsec_`` and base64), and the timestamp is within ``tolerance_seconds``.
    ``body`` must be the raw request body; ``headers`` any mapping (names are matched case-insensitively)."""
    h = {k.lower(): v for k, v in headers.items()}
    msg_id, timestamp, signatures = h.get("webhook-id"), h.get("webhook-timestamp"), h.get("webhook-signature")
    if not msg_id or not timestamp or not signatures or not timestamp.isdigit():
        return False
    if abs(time.time() - int(timestamp)) > tolerance_seconds:
        return False
    try:
        key = base64.b64decode(secret[len("whsec_"):] if secret.startswith("whsec_") else secret, validate=True)
    except ValueError:
        return False
    raw = body.encode() if isinstance(body, str) else body
    expected = base64.b64encode(hmac.new(key, f"{msg_id}.{timestamp}.".encode() + raw, hashlib.sha256).digest()).decode()
    for entry in signatures.split(" "):
        version, _, signature = entry.partition(",")
        if version == "v1" and hmac.compare_digest(signature, expected):
            return True
    return False
