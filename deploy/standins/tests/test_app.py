"""The stand-in app as a whole: health, configuration from the environment, a persistent key."""

from __future__ import annotations

from pathlib import Path

import requests

from standins.app import create_app
from standins.config import StandinConfig
from standins.signing_key import load_or_create_signing_key


def test_health(base_url: str) -> None:
    response = requests.get(f"{base_url}/health", timeout=5)
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_config_defaults_and_environment() -> None:
    defaults = StandinConfig.from_env({})
    assert defaults == StandinConfig()
    assert defaults.idp_issuer == "http://127.0.0.1:8090/idp"
    assert defaults.default_azp == "http://localhost:3000"
    assert defaults.cashfree_retry_seconds == (2.0, 10.0, 30.0)
    custom = StandinConfig.from_env(
        {
            "STANDINS_PUBLIC_URL": "http://standins.test:9000/",
            "CLIENT_URL": "https://a.test, https://b.test",
            "CASHFREE_SIM_RETRY_SECONDS": "0.5,1",
            "IDP_PRIVATE_KEY_FILE": "/tmp/key.pem",
        }
    )
    assert custom.idp_issuer == "http://standins.test:9000/idp"
    assert custom.client_urls == ("https://a.test", "https://b.test")
    assert custom.cashfree_retry_seconds == (0.5, 1.0)
    assert custom.idp_private_key_file == "/tmp/key.pem"


def test_signing_key_file_survives_restarts(key_file: Path, base_url: str) -> None:
    assert key_file.exists()
    served = requests.get(f"{base_url}/idp/.well-known/jwks.json", timeout=5).json()["keys"][0]
    reloaded = load_or_create_signing_key(str(key_file))
    assert reloaded.public_jwk() == served


def test_a_rotated_key_replaces_the_old_one_in_the_jwks_and_the_key_file(tmp_path: Path) -> None:
    key_file = tmp_path / "signing-key.pem"
    client = create_app(StandinConfig(idp_private_key_file=str(key_file))).test_client()
    jwks = "/idp/.well-known/jwks.json"
    (before,) = client.get(jwks).get_json()["keys"]
    rotated = client.post("/idp/dev/rotate-key").get_json()
    (after,) = client.get(jwks, headers={"Authorization": "Bearer x"}).get_json()["keys"]
    assert rotated == {"kid": after["kid"], "retiredKid": before["kid"]}
    assert after["kid"] != before["kid"]
    assert load_or_create_signing_key(str(key_file)).public_jwk() == after
    assert client.get("/idp/dev/jwks-fetches").get_json() == {"count": 2, "withAuthorization": 1}
