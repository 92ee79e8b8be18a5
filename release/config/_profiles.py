"""Built-in service profiles: what a well-known backing service needs by default — its readiness
probe, its time budget, its port, and the setup that must follow readiness. A service's own
settings override its profile's.

`netbox`: NetBox runs its migrations before it answers at all, which may take 20 minutes on a
fresh database, and nothing may create tokens or configure endpoints before `/api/status/`
answers. So it is ready when `/api/status/` answers 2xx with a `netbox-version` key (budget 1200
s), and then an API token is created inside its container: `{setup.netbox-token}`, a secret.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

NETBOX = "netbox"
NETBOX_TOKEN_STEP = "netbox-token"
NETBOX_PORT = 8080  # where the netbox-docker image listens (host networking maps nothing)
NETBOX_BUDGET = 1200.0  # seconds: a fresh database's migrations take up to 20 minutes
NETBOX_MANAGE = "/opt/netbox/netbox/manage.py"  # where netbox-docker installs NetBox
# What netbox-docker's entrypoint (super_user.py) does to make the admin and its token, reduced
# to what a test needs: the admin (made when absent, without a usable password) and a fresh
# token, printed as it is sent after the auth scheme. NetBox 4.5 brought v2 tokens (sent as
# "Bearer nbt_KEY.TOKEN", made only when API_TOKEN_PEPPERS is set); older ones know only v1
# tokens (sent as "Token KEY"), and 4.5 without peppers still makes those.
NETBOX_TOKEN_SCRIPT = "\n".join(  # noqa: FLY002 - a script, one line of it per line here
    (
        "from django.conf import settings",
        "from users.models import Token, User",
        "user = User.objects.filter(username='admin').first()",
        "user = user or User.objects.create_superuser('admin', 'admin@example.com', None)",
        "peppered = getattr(settings, 'API_TOKEN_PEPPERS', None) != {}",
        "extra = dict() if peppered else dict(version=1)",
        "token = Token(user=user, description='staged-release e2e', **extra)",
        "token.save()",
        "v2 = getattr(token, 'version', 1) == 2",
        (
            "print('nbt_' + token.key + '.' + token.token if v2 else"
            " getattr(token, 'token', None) or token.key)"
        ),
    )
)
# --verbosity 0: Django 5.2's shell would otherwise print what it imported, on stdout, which is
# where the token is read from.
NETBOX_TOKEN_COMMAND = (NETBOX_MANAGE, "shell", "--verbosity", "0", "-c", NETBOX_TOKEN_SCRIPT)


@dataclass(frozen=True)
class Profile:
    defaults: Mapping[str, Any]  # keys of a service's table
    setup: Callable[[str], list[dict[str, Any]]]  # setup steps' tables, given the service's name


def netbox_setup(service: str) -> list[dict[str, Any]]:
    step = {"name": NETBOX_TOKEN_STEP, "in": service, "secret": True}
    return [{**step, "run": list(NETBOX_TOKEN_COMMAND)}]


NETBOX_DEFAULTS = {
    "port": NETBOX_PORT,
    "budget": NETBOX_BUDGET,
    "ready": {"http": "/api/status/", "json-key": "netbox-version"},
}
PROFILES = {NETBOX: Profile(NETBOX_DEFAULTS, netbox_setup)}


def with_profile(service: Mapping[str, Any]) -> dict[str, Any]:
    """The service's table over its profile's defaults; a `ready` giving `http` or `command`
    replaces the profile's probe, one giving only `status` or `json-key` amends it."""
    if "profile" not in service:
        return dict(service)
    defaults = PROFILES[service["profile"]].defaults
    ready = service.get("ready", {})
    if not ({"http", "command"} & ready.keys()):
        ready = {**defaults.get("ready", {}), **ready}
    return {**defaults, **service, "ready": ready}


def profile_setup(
    services: list[dict[str, Any]], own: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """The profiles' setup steps (a step the table defines under the same name replaces one),
    before the table's own: those may use what the profiles' steps made."""
    defined = {step["name"] for step in own}
    steps = [
        step
        for service in services
        if "profile" in service
        for step in PROFILES[service["profile"]].setup(service["name"])
    ]
    return [step for step in steps if step["name"] not in defined] + own
