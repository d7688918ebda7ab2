"""The DynamoDB response parser gives exactly what botocore's own gives, for random items in
every response shape that carries attribute values, errors included."""

from __future__ import annotations

import base64
import json
import random
from typing import Any

import botocore.session
import pytest
from botocore import parsers

from shared.dynamo.parsing import DynamoDBJSONParser, DynamoDBParserFactory

MODEL = botocore.session.get_session().get_service_model("dynamodb")


def random_value(rng: random.Random, depth: int = 0) -> dict[str, Any]:
    kinds = ["S", "N", "B", "SS", "NS", "BS", "BOOL", "NULL"] + (["L", "M"] if depth < 3 else [])
    kind = rng.choice(kinds)

    def blob() -> str:
        return base64.b64encode(rng.randbytes(rng.randint(0, 9))).decode()

    if kind == "S":
        return {"S": "".join(rng.choice('aé€ 1"\\') for _ in range(rng.randint(0, 8)))}
    if kind == "N":
        return {"N": rng.choice(["0", "-1", "3.25", "1E+2", str(rng.randint(-(10**20), 10**20))])}
    if kind == "B":
        return {"B": blob()}
    if kind == "SS":
        return {"SS": [f"s{n}" for n in range(rng.randint(1, 3))]}
    if kind == "NS":
        return {"NS": [str(n) for n in range(rng.randint(1, 3))]}
    if kind == "BS":
        return {"BS": [blob() for _ in range(rng.randint(1, 3))]}
    if kind == "BOOL":
        return {"BOOL": rng.random() < 0.5}
    if kind == "NULL":
        return {"NULL": True}
    if kind == "L":
        return {"L": [random_value(rng, depth + 1) for _ in range(rng.randint(0, 4))]}
    return {"M": random_item(rng, depth + 1)}


def random_item(rng: random.Random, depth: int = 0) -> dict[str, Any]:
    return {f"a{n}": random_value(rng, depth) for n in range(rng.randint(0, 6))}


def responses(rng: random.Random) -> list[tuple[str, dict[str, Any]]]:
    items = [random_item(rng) for _ in range(rng.randint(0, 5))]
    return [
        ("GetItem", {"Item": random_item(rng)}),
        ("GetItem", {}),
        ("Query", {"Items": items, "Count": len(items), "LastEvaluatedKey": random_item(rng)}),
        ("UpdateItem", {"Attributes": random_item(rng)}),
        (
            "BatchGetItem",
            {
                "Responses": {"t1": items, "t2": [random_item(rng)]},
                "UnprocessedKeys": {"t1": {"Keys": [random_item(rng)]}},
            },
        ),
        (
            "BatchWriteItem",
            {"UnprocessedItems": {"t": [{"PutRequest": {"Item": random_item(rng)}}]}},
        ),
        ("TransactGetItems", {"Responses": [{"Item": item} for item in items]}),
    ]


def parse(
    parser: parsers.ResponseParser, operation: str, body: dict[str, Any], status: int = 200
) -> Any:
    response = {
        "status_code": status,
        "headers": {"x-amzn-requestid": "r"},
        "body": json.dumps(body).encode(),
    }
    shape = MODEL.operation_model(operation).output_shape
    assert shape is not None
    return parser.parse(response, shape)


@pytest.mark.parametrize("seed", range(40))
def test_every_response_parses_as_botocore_parses_it(seed: int) -> None:
    rng = random.Random(seed)
    for operation, body in responses(rng):
        assert parse(DynamoDBJSONParser(), operation, body) == parse(
            parsers.JSONParser(), operation, body
        ), operation


def test_a_cancelled_transaction_parses_as_botocore_parses_it() -> None:
    body = {
        "__type": "com.amazonaws.dynamodb.v20120810#TransactionCanceledException",
        "Message": "Transaction cancelled",
        "CancellationReasons": [
            {"Code": "ConditionalCheckFailed", "Item": random_item(random.Random(1))},
            {"Code": "None"},
        ],
    }
    ours = parse(DynamoDBJSONParser(), "TransactWriteItems", body, status=400)
    assert ours == parse(parsers.JSONParser(), "TransactWriteItems", body, status=400)
    assert ours["Error"]["Code"] == "TransactionCanceledException"


def test_the_factory_hands_only_the_json_protocol_to_it() -> None:
    factory = DynamoDBParserFactory()
    assert type(factory.create_parser("json")) is DynamoDBJSONParser
    assert type(factory.create_parser("query")) is parsers.QueryParser
