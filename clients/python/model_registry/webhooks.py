"""Webhooks (WebhookService): signed HTTP deliveries of the registry's change log.

    hook = client.webhooks.create("ci-trigger", "https://ci.acme.com/hooks/registry", event_types=["CREATED"])
    hook.secret   # whsec_…: shown only here; the receiver verifies deliveries with it
"""

from dataclasses import dataclass, field
from typing import Any, Dict, Iterator, List, Optional, Sequence

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

    def delete(self, webhook: str, reason: Optional[str] = None) -> Webhook:
        current = self.get(webhook)
        res = self._call("DeleteWebhook", {"name": current.name, "etag": current.etag, "reason": reason or ""})
        return Webhook.from_json(res["webhook"])


def _ref(webhook: str) -> Dict[str, str]:
    parts = webhook.split("/")
    return {"name": webhook} if len(parts) == 2 and parts[0] == "webhooks" and parts[1].isdigit() else {"displayName": webhook}
