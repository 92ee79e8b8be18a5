"""[tool.staged-release.e2e]: schema errors with "did you mean", the netbox profile and its
overrides, and the placeholder and ordering mistakes found before anything starts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from release.config._profiles import NETBOX_TOKEN_COMMAND, PROFILES
from release.config.e2e import (
    CommandProbe,
    HttpProbe,
    HttpRequest,
    SetupStep,
    Start,
    VerifyStep,
)
from release.config.project import load_config
from release.config.settings import parse_settings, schema
from release.core.errors import ConfigError

PYPROJECT = """\
[project]
name = "proxbox-api"
version = "1.4.0rc1"

[tool.staged-release.e2e]
budget = 1500

[[tool.staged-release.e2e.services]]
name = "postgres"
build = "e2e/postgres"
env = { PGPORT = "{port}" }
[tool.staged-release.e2e.services.ready]
command = ["pg_isready", "-h", "127.0.0.1", "-p", "{port}"]

[[tool.staged-release.e2e.services]]
name = "netbox"
image = "netboxcommunity/netbox:v4.2"
profile = "netbox"
env = { DB_PORT = "{services.postgres.port}" }

[[tool.staged-release.e2e.services]]
name = "app"
candidate = "raw"
start = "after-setup"
env = { NETBOX_URL = "{services.netbox.url}", NETBOX_TOKEN = "{setup.netbox-token}" }
[tool.staged-release.e2e.services.ready]
http = "/health"
status = [200]

[[tool.staged-release.e2e.setup]]
name = "endpoint"
http = { method = "POST", url = "{services.app.url}/netbox/endpoint", body = '{"a": 1}', \
headers = { Authorization = "Token {setup.netbox-token}" } }

[[tool.staged-release.e2e.verify]]
name = "api"
run = ["pytest", "-q", "{project}/tests/e2e"]
"""


def e2e(table: dict[str, Any]) -> Any:
    return parse_settings({"e2e": table}).e2e


def service(name: str, **keys: Any) -> dict[str, Any]:
    return {"name": name, "image": "img", **keys}


def test_no_table_means_no_stack() -> None:
    assert parse_settings({}).e2e is None


def test_a_full_table_from_pyproject(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(PYPROJECT)
    stack = load_config(tmp_path).settings.e2e
    assert stack is not None
    assert stack.budget == 1500
    postgres, netbox, app = stack.services
    assert (postgres.build, postgres.port, postgres.budget) == ("e2e/postgres", None, 300)
    assert postgres.ready == CommandProbe(("pg_isready", "-h", "127.0.0.1", "-p", "{port}"))
    assert (netbox.image, netbox.port, netbox.budget) == ("netboxcommunity/netbox:v4.2", 8080, 1200)
    assert netbox.ready == HttpProbe("/api/status/", (), "netbox-version")
    assert (app.candidate, app.start, app.ready) == (
        "raw",
        Start.AFTER_SETUP,
        HttpProbe("/health", (200,)),
    )
    assert stack.setup == (
        SetupStep("netbox-token", "netbox", NETBOX_TOKEN_COMMAND, None, secret=True),
        SetupStep("endpoint", http=HttpRequest(
            "{services.app.url}/netbox/endpoint", "POST", '{"a": 1}',
            {"Authorization": "Token {setup.netbox-token}"},
        )),
    )  # fmt: skip
    assert stack.verify == (VerifyStep("api", ("pytest", "-q", "{project}/tests/e2e")),)


def test_the_netbox_token_is_made_by_manage_py_shell_in_the_netbox_container() -> None:
    argv = NETBOX_TOKEN_COMMAND
    assert argv[:2] == ("/opt/netbox/netbox/manage.py", "shell")
    assert argv[-2] == "-c"
    compile(argv[-1], "token-script", "exec")  # valid Python, whatever NetBox version runs it


def test_explicit_settings_override_the_profile() -> None:
    stack = e2e({
        "services": [service("nb", profile="netbox", port=9000, budget=60,
                             ready={"status": [200]})],
        "setup": [{"name": "netbox-token", "in": "nb", "run": ["make-token"]}],
    })  # fmt: skip
    (nb,) = stack.services
    assert (nb.port, nb.budget) == (9000, 60)
    assert nb.ready == HttpProbe("/api/status/", (200,), "netbox-version")  # amended, not replaced
    assert stack.setup == (SetupStep("netbox-token", "nb", ("make-token",)),)  # not secret now


def test_a_ready_command_replaces_the_profiles_http_probe() -> None:
    stack = e2e({"services": [service("nb", profile="netbox", ready={"command": ["true"]})]})
    assert stack.services[0].ready == CommandProbe(("true",))


def test_the_schema_knows_every_profile() -> None:
    services = schema()["properties"]["e2e"]["properties"]["services"]["items"]
    assert services["properties"]["profile"]["enum"] == list(PROFILES)


UNKNOWN_KEYS = [
    ({"budegt": 1, "services": [service("a")]}, "[tool.staged-release.e2e]", "budegt", "budget"),
    ({"services": [service("a", comand=["x"])]}, "[tool.staged-release.e2e.services.0]",
     "comand", "command"),
    ({"services": [service("a", ready={"json_key": "k", "http": "/"})]},
     "[tool.staged-release.e2e.services.0.ready]", "json_key", "json-key"),
    ({"services": [service("a")], "setup": [{"name": "t", "inn": "a", "run": ["x"]}]},
     "[tool.staged-release.e2e.setup.0]", "inn", "in"),
    ({"services": [service("a")], "verify": [{"name": "v", "run": ["x"], "secrets": True}]},
     "[tool.staged-release.e2e.verify.0]", "secrets", None),
]  # fmt: skip


@pytest.mark.parametrize(("table", "where", "key", "close"), UNKNOWN_KEYS)
def test_unknown_keys_get_a_did_you_mean(
    table: dict[str, Any], where: str, key: str, close: str | None
) -> None:
    with pytest.raises(ConfigError) as caught:
        e2e(table)
    assert caught.value.message == f"{where}: unknown key {key!r}"
    assert caught.value.hint == (f"did you mean {close!r}?" if close else "known keys: name, run")


SERVICE = "[tool.staged-release.e2e.services.0"
WRONG_VALUES = [
    ({"services": []}, "[tool.staged-release.e2e.services]"),
    ({"services": [service("a", candidate="uvicorn")]}, f"{SERVICE}.candidate]"),
    ({"services": [service("a", start="later")]}, f"{SERVICE}.start]"),
    ({"services": [service("Web")]}, f"{SERVICE}.name]"),
    ({"services": [service("a", budget=0)]}, f"{SERVICE}.budget]"),
    ({"services": [service("a", profile="gitlab")]}, f"{SERVICE}.profile]"),
    ({"services": [service("a", port=70000)]}, f"{SERVICE}.port]"),
    ({"services": [service("a", env={"A": 1})]}, f"{SERVICE}.env.A]"),
    ({"services": [service("a", ready={"http": "/", "status": [99]})]},
     f"{SERVICE}.ready.status.0]"),
    ({"services": [service("a")], "verify": [{"name": "v"}]}, "[tool.staged-release.e2e.verify.0]"),
    ({"services": [service("a")],
      "setup": [{"name": "t", "http": {"method": "post", "url": "{services.a.url}/x"}}]},
     "[tool.staged-release.e2e.setup.0.http.method]"),
    ({"services": [service("a")], "setup": [{"name": "t", "http": {"url": "example.com/x"}}]},
     "[tool.staged-release.e2e.setup.0.http.url]"),
    ({"services": [service("a", ready={"http": "health"})]}, f"{SERVICE}.ready.http]"),
]  # fmt: skip


@pytest.mark.parametrize(("table", "where"), WRONG_VALUES)
def test_wrong_values_name_the_key_path(table: dict[str, Any], where: str) -> None:
    with pytest.raises(ConfigError) as caught:
        e2e(table)
    assert caught.value.message.startswith(where)


MISTAKES = [
    ({"services": [{"name": "a"}]}, "service 'a' names no image"),
    ({"services": [service("a", build="d")]}, "service 'a' names build and image"),
    ({"services": [service("a", ready={})]}, "its ready table needs one of http or command"),
    ({"services": [service("a", ready={"command": ["x"], "status": [200]})]},
     "status and json-key judge an http probe"),
    ({"services": [service("a"), service("a")]}, "two of the service 'a'"),
    ({"services": [service("a", port=5432), service("b", port=5432)]}, "two of the port '5432'"),
    ({"services": [service("a")], "setup": [{"name": "t", "run": ["x"]}]},
     "setup step 't' must either run a command in a service or send an http request"),
    ({"services": [service("a")], "setup": [{"name": "t", "in": "a"}]}, "setup step 't' must"),
    ({"services": [service("a")], "setup": [{"name": "t", "in": "b", "run": ["x"]}]},
     "setup step 't' runs in 'b', which is no service"),
    ({"services": [service("a", start="after-setup")],
      "setup": [{"name": "t", "in": "a", "run": ["x"]}]},
     "setup step 't' runs in 'a', which starts after setup"),
    ({"services": [service("a", profile="netbox"), service("b", profile="netbox")]},
     "two of the setup step 'netbox-token'"),
]  # fmt: skip


@pytest.mark.parametrize(("table", "said"), MISTAKES)
def test_mistakes_a_schema_cannot_see(table: dict[str, Any], said: str) -> None:
    with pytest.raises(ConfigError) as caught:
        e2e(table)
    assert caught.value.message.startswith("[tool.staged-release.e2e]")
    assert said in caught.value.message


def step(name: str, *run: str) -> dict[str, Any]:
    return {"name": name, "in": "a", "run": list(run)}


PLACEHOLDER_MISTAKES = [
    ({"services": [service("a", env={"X": "{prot}"})]}, "service 'a' uses {prot}", "known:"),
    ({"services": [service("a", command=["{services.b.url}"])]},
     "service 'a' uses {services.b.url}", "known:"),
    ({"services": [service("a", env={"T": "{setup.t}"})], "setup": [step("t", "x")]},
     "service 'a' uses {setup.t}, which is not made yet", 'start = "after-setup"'),
    ({"services": [service("a")], "setup": [step("t", "{setup.u}"), step("u", "x")]},
     "setup step 't' uses {setup.u}, which is not made yet", "only the steps before it"),
    ({"services": [service("a")], "setup": [step("t", "{setup.t}")]},
     "setup step 't' uses {setup.t}", "only the steps before it"),
    ({"services": [service("a")], "verify": [{"name": "v", "run": ["{port}"]}]},
     "verify step 'v' uses {port}", "known:"),
    ({"services": [service("a")], "setup": [{"name": "t", "http": {"url": "{port}/x"}}]},
     "setup step 't' uses {port}", "known:"),
    ({"services": [service("a", ready={"http": "{services.a.urll}/health"})]},
     "service 'a' uses {services.a.urll}", "known:"),
]  # fmt: skip


@pytest.mark.parametrize(("table", "said", "hint"), PLACEHOLDER_MISTAKES)
def test_placeholders_must_be_known_where_they_are_used(
    table: dict[str, Any], said: str, hint: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        e2e(table)
    assert said in caught.value.message
    assert hint in str(caught.value.hint)


def test_placeholders_known_where_they_are_used_pass() -> None:
    stack = e2e({
        "services": [
            service("a", env={"P": "{port}", "B": "{services.b.url}", "V": "{version}"},
                    ready={"command": ["probe", "{port}", "{{literal}}", '{"json": 1}']}),
            service("b", start="after-setup", env={"T": "{setup.t}", "U": "{setup.u}"}),
        ],
        "setup": [step("t", "{port}", "{project}"),
                  {"name": "u", "http": {"url": "{services.a.url}/x", "body": "{setup.t}"}}],
        "verify": [{"name": "v", "run": ["{setup.u}", "{services.b.port}", "${HOME}"]}],
    })  # fmt: skip
    assert [s.name for s in stack.services] == ["a", "b"]
