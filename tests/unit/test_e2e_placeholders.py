"""Placeholders of the E2E table: what is one, what replaces it, and what is left as written."""

from __future__ import annotations

import pytest

from release.config.placeholders import expand, names, service_values, setup_values
from release.core.errors import ConfigError

VALUES = {
    "port": "5432",
    "project": "/src/proxbox-api",
    "version": "1.4.0rc1",
    **service_values({"netbox": 8080, "app": 41000}),
    **setup_values({"netbox-token": "0123abcd"}),
}


@pytest.mark.parametrize(
    ("text", "expanded"),
    [
        ("{port}", "5432"),
        ("-p{port}", "-p5432"),
        ("{services.netbox.url}/api/", "http://127.0.0.1:8080/api/"),
        ("{services.app.port}", "41000"),
        ("Token {setup.netbox-token}", "Token 0123abcd"),
        ("{project}/tests/e2e=={version}", "/src/proxbox-api/tests/e2e==1.4.0rc1"),
        ('{"name": "pve", "port": {port}}', '{"name": "pve", "port": 5432}'),  # JSON stays
        ("${HOME} {} {1} {Port}", "${HOME} {} {1} {Port}"),  # not placeholders
        ("{{port}} is {port}", "{port} is 5432"),  # escaped
        ("", ""),
    ],
)
def test_expand(text: str, expanded: str) -> None:
    assert expand(text, VALUES) == expanded


def test_names_lists_the_placeholders_in_order_without_the_escaped_ones() -> None:
    text = "{services.db.url}/x?t={setup.token}&{{port}}&{port}"
    assert names(text) == ["services.db.url", "setup.token", "port"]


def test_an_unknown_placeholder_is_a_config_error_naming_it() -> None:
    with pytest.raises(ConfigError) as caught:
        expand("{services.netbox.uri}", VALUES)
    assert "{services.netbox.uri}" in caught.value.message
    assert "{services.netbox.url}" in str(caught.value.hint)


def test_service_values_give_port_and_loopback_url() -> None:
    assert service_values({"db": 5432}) == {
        "services.db.port": "5432",
        "services.db.url": "http://127.0.0.1:5432",
    }
