"""HTTP client sessions with a keep-alive pool sized for threaded servers."""

from __future__ import annotations

import requests
from requests.adapters import HTTPAdapter


def new_session(pool_size: int = 32) -> requests.Session:
    """Service-to-service calls: no proxy or .netrc lookups from the environment per request."""
    session = requests.Session()
    session.trust_env = False
    adapter = HTTPAdapter(pool_connections=8, pool_maxsize=pool_size, max_retries=0)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session
