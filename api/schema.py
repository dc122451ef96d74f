"""The schema's common answers: every operation may be refused for the same reasons
(a bad request, no token, a right lacking, not found, too many requests)."""

from typing import Any

ERROR = {"application/json": {"schema": {"type": "object", "additionalProperties": True}}}
COMMON = {
    "400": "The request is not valid: the body says why.",
    "401": "No token, or a token that is not valid (revoked, expired, unknown).",
    "403": "The token's scope or its owner's rights do not allow this.",
    "404": "Not found, or not yours to read.",
    "429": "Too many requests: wait as long as Retry-After says.",
}


def common_responses(result: dict[str, Any], generator, request, public) -> dict[str, Any]:
    for path in result.get("paths", {}).values():
        for operation in path.values():
            responses = operation.setdefault("responses", {})
            for code, description in COMMON.items():
                responses.setdefault(code, {"description": description, "content": ERROR})
    return result
