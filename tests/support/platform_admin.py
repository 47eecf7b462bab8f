"""A test platform entered into the tool as an administrator would: with `flask platform add`
(``add_args``, ``add_by_cli``), or through the platform service the admin area calls
(``add_to_tool``). ``reg``: a test platform's ``registration()`` (issuer, client_id,
deployment_id, auth_login_url, auth_token_url, key_set_url)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def add_args(reg: Mapping[str, str], **overrides: str) -> list[str]:
    """`flask platform add` with the registration's values (overrides: e.g. client_id)."""
    args = ["platform", "add"]
    for name, value in {**reg, **overrides}.items():
        args += ["--" + name.replace("_", "-"), value]
    return args


def add_by_cli(app: Any, reg: Mapping[str, str], **overrides: str) -> None:
    result = app.test_cli_runner().invoke(args=add_args(reg, **overrides))
    assert result.exit_code == 0, result.output


def add_to_tool(app: Any, reg: Mapping[str, str], **overrides: Any) -> None:
    """Stored by the platform service (overrides: e.g. key_set_url)."""
    from lti_tool.extensions import db
    from lti_tool.services import platforms as platform_service

    data = {
        "issuer": reg["issuer"],
        "client_id": reg["client_id"],
        "deployment_ids": [reg["deployment_id"]],
        "auth_login_url": reg["auth_login_url"],
        "auth_token_url": reg["auth_token_url"],
        "key_set_url": reg["key_set_url"],
        **overrides,
    }
    with app.app_context():
        platform_service.add_platform(data)
        db.session.remove()
