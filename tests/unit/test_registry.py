"""The Registry v2 client's pure parts: challenges, addresses, manifest choice, the token flow."""

from __future__ import annotations

import base64
from pathlib import Path

import httpx
import pytest
import yaml

from release.containers.registry import (
    Challenge,
    Credentials,
    Registry,
    base_url,
    parse_challenge,
    pick_manifest,
    registry_config,
)
from release.core.errors import RegistryUnavailable


def test_a_bearer_challenge_keeps_commas_inside_quoted_values() -> None:
    header = (
        'Bearer realm="https://auth.example.org/token",service="registry.example.org",'
        'scope="repository:team/app:pull,push"'
    )
    assert parse_challenge(header) == Challenge(
        "bearer",
        {
            "realm": "https://auth.example.org/token",
            "service": "registry.example.org",
            "scope": "repository:team/app:pull,push",
        },
    )


def test_basic_and_unquoted_challenges_parse_and_an_empty_header_is_none() -> None:
    assert parse_challenge('Basic realm="Registry Realm"') == Challenge(
        "basic", {"realm": "Registry Realm"}
    )
    assert parse_challenge("Bearer realm=https://a/token, service=b") == Challenge(
        "bearer", {"realm": "https://a/token", "service": "b"}
    )
    assert parse_challenge("") is None


@pytest.mark.parametrize(
    ("address", "url"),
    [
        ("127.0.0.1:5000", "http://127.0.0.1:5000"),
        ("localhost:5000", "http://localhost:5000"),
        ("127.0.0.2", "http://127.0.0.2"),
        ("ghcr.io", "https://ghcr.io"),
        ("registry.example.org:443", "https://registry.example.org:443"),
        ("http://10.0.0.5:5000/", "http://10.0.0.5:5000"),
    ],
)
def test_loopback_registries_speak_plain_http_others_https(address: str, url: str) -> None:
    assert base_url(address) == url


def test_the_local_registry_stores_under_the_state_and_binds_its_address() -> None:
    config = yaml.safe_load(yaml.safe_dump(registry_config(Path("/s/registry"), "127.0.0.1:5001")))
    assert config["version"] == 0.1
    assert config["storage"]["filesystem"]["rootdirectory"] == "/s/registry"
    assert config["http"]["addr"] == "127.0.0.1:5001"


INDEX = {
    "manifests": [
        {"digest": "sha256:arm", "platform": {"os": "linux", "architecture": "arm64"}},
        {"digest": "sha256:amd", "platform": {"os": "linux", "architecture": "amd64"}},
    ]
}


def test_the_platforms_manifest_is_picked_from_an_index() -> None:
    assert pick_manifest(INDEX, "linux/amd64", "r/app") == "sha256:amd"
    with pytest.raises(RegistryUnavailable, match="r/app has no image for linux/s390x"):
        pick_manifest(INDEX, "linux/s390x", "r/app")


SECRET = "s3cr3t-token-value"


def token_flow(request: httpx.Request) -> httpx.Response:
    """A registry that wants a Bearer token from its realm, which wants Basic credentials."""
    if request.url.host == "auth.example.org":
        expected = "Basic " + base64.b64encode(f"bot:{SECRET}".encode()).decode()
        if request.headers.get("Authorization") != expected:
            return httpx.Response(401)
        assert request.url.params["scope"] == "repository:team/app:pull"
        return httpx.Response(200, json={"token": "tok"})
    if request.headers.get("Authorization") != "Bearer tok":
        challenge = (
            'Bearer realm="https://auth.example.org/token",service="reg",'
            'scope="repository:team/app:pull"'
        )
        return httpx.Response(401, headers={"WWW-Authenticate": challenge})
    return httpx.Response(200, headers={"Docker-Content-Digest": "sha256:abc"})


def test_credentials_buy_a_bearer_token_and_the_request_is_repeated_with_it() -> None:
    with httpx.Client(transport=httpx.MockTransport(token_flow)) as http:
        registry = Registry("reg.example.org", http=http, credentials=Credentials("bot", SECRET))
        assert registry.manifest_digest("team/app", "1.4.0") == "sha256:abc"


def test_without_credentials_a_refusal_is_an_error_that_shows_no_secret() -> None:
    with httpx.Client(transport=httpx.MockTransport(token_flow)) as http:
        registry = Registry("reg.example.org", http=http)
        with pytest.raises(RegistryUnavailable, match=r"refused HEAD /v2/team/app/manifests/1.4.0"):
            registry.manifest_digest("team/app", "1.4.0")
    assert SECRET not in repr(Credentials("bot", SECRET))


def test_credentials_are_never_sent_to_a_plain_http_realm_elsewhere() -> None:
    sent: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        if request.url.host == "auth.example.org":
            return httpx.Response(200, json={"token": "anonymous"})
        if request.headers.get("Authorization") == "Bearer anonymous":
            return httpx.Response(404)
        challenge = 'Bearer realm="http://auth.example.org/token",service="reg"'
        return httpx.Response(401, headers={"WWW-Authenticate": challenge})

    with httpx.Client(transport=httpx.MockTransport(answer)) as http:
        registry = Registry("reg.example.org", http=http, credentials=Credentials("bot", SECRET))
        assert registry.manifest_digest("team/app", "9.9.9") is None
    token_requests = [r for r in sent if r.url.host == "auth.example.org"]
    assert len(token_requests) == 1
    assert "Authorization" not in token_requests[0].headers


def test_tags_follow_the_link_header_page_by_page() -> None:
    """GHCR and Docker Hub page a long tag list: every page is read, in order."""
    second = "/v2/app/tags/list?last=1.4.0-nginx&n=2"
    pages = {
        "/v2/app/tags/list": (["1.4.0", "1.4.0-nginx"], f'<{second}>; rel="next"'),
        second: (["latest"], None),
    }

    def answer(request: httpx.Request) -> httpx.Response:
        key = request.url.raw_path.decode()
        if key not in pages:
            return httpx.Response(404)
        tags, link = pages[key]
        headers = {"Link": link} if link else {}
        return httpx.Response(200, json={"name": "app", "tags": tags}, headers=headers)

    with httpx.Client(transport=httpx.MockTransport(answer)) as http:
        registry = Registry("registry.example.org", http=http)
        assert registry.tags("app") == ["1.4.0", "1.4.0-nginx", "latest"]
        assert registry.tags("unknown") == []
