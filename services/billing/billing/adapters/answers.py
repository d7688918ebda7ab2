"""Another service's answer on an internal endpoint, read by its model or refused as unavailable."""

from __future__ import annotations

from typing import TypeVar

import requests
from pydantic import ValidationError

from billing.errors import DependencyUnavailable
from shared.api.spec import ResponseModel

AnswerModel = TypeVar("AnswerModel", bound=ResponseModel)


def read_answer(
    response: requests.Response, model: type[AnswerModel], failure: str, code: str
) -> AnswerModel:
    """The data of a 200 as `model` reads it; any other status, or data that is not what the
    service answers, is the dependency unavailable (`code`, saying `failure`), never a 500."""
    if response.status_code != 200:
        raise DependencyUnavailable(failure, code)
    try:
        return model.from_wire(response.json()["data"])
    except (ValidationError, ValueError, KeyError, TypeError) as exc:
        raise DependencyUnavailable(failure, code) from exc
