"""The stand-in process: dev IdP, Cashfree sandbox and Resend mail catcher in one Flask app."""

from __future__ import annotations

import logging

from flask import Flask, Response, jsonify

from standins.cashfree import create_cashfree_blueprint
from standins.cashfree_sandbox import CashfreeSandbox
from standins.checkout import create_checkout_blueprint
from standins.config import StandinConfig
from standins.idp import create_idp_blueprint
from standins.idp_users import UserStore
from standins.resend import create_resend_blueprint
from standins.signing_key import KeyRing

logger = logging.getLogger(__name__)


def create_app(config: StandinConfig | None = None) -> Flask:
    """Build the stand-in app; state lives in memory, so run it as one process."""
    config = config or StandinConfig.from_env()
    app = Flask(__name__, static_folder=None)
    keys = KeyRing(config.idp_private_key_file)
    sandbox = CashfreeSandbox(config)
    app.register_blueprint(create_idp_blueprint(config, keys, UserStore()))
    app.register_blueprint(create_cashfree_blueprint(sandbox))
    app.register_blueprint(create_checkout_blueprint(sandbox))
    app.register_blueprint(create_resend_blueprint(config))

    @app.get("/health")
    def health() -> Response:
        return jsonify({"status": "ok"})

    logger.info("stand-ins ready at %s (kid %s)", config.public_url, keys.current.kid)
    return app
