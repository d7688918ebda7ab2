"""The baseline: a bare Flask "hello", served exactly as the services are."""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello() -> str:
    return "hello"
