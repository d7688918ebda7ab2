"""The vocabulary of the public API's specs: JSON Schema builders and the per-operation spec."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any, Self, TypeVar

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel
from pydantic.json_schema import GenerateJsonSchema, models_json_schema

Schema = dict[str, Any]
"""A JSON Schema (2020-12, as OpenAPI 3.1 reads it)."""

JSON = "application/json"


def ref(name: str) -> Schema:
    """A reference to a named component schema."""
    return {"$ref": f"#/components/schemas/{name}"}


def string(description: str = "", **keywords: Any) -> Schema:
    return _described({"type": "string", **keywords}, description)


def integer(description: str = "", **keywords: Any) -> Schema:
    return _described({"type": "integer", **keywords}, description)


def one_of_values(*values: str, description: str = "") -> Schema:
    """A string that is one of `values`."""
    return _described({"type": "string", "enum": list(values)}, description)


def array(items: Schema, description: str = "", **keywords: Any) -> Schema:
    return _described({"type": "array", "items": items, **keywords}, description)


def obj(
    required: Mapping[str, Schema],
    optional: Mapping[str, Schema] | None = None,
    *,
    closed: bool = False,
    description: str = "",
) -> Schema:
    """An object with these properties; `closed` refuses any other (request bodies the service
    checks field by field), while responses stay open to fields added later."""
    schema: Schema = {
        "type": "object",
        "properties": {**required, **(optional or {})},
        "required": list(required),
    }
    if closed:
        schema["additionalProperties"] = False
    return _described(schema, description)


def envelope(data: Schema) -> Schema:
    """The success envelope `{message, data}`."""
    return obj({"message": string("A human sentence."), "data": data})


def timestamp(description: str = "") -> Schema:
    """An ISO-8601 UTC instant with `Z` (`2026-11-25T10:00:00.000Z`)."""
    return string(description, format="date-time")


def _described(schema: Schema, description: str) -> Schema:
    return {**schema, "description": description} if description else schema


@dataclass(frozen=True)
class Param:
    """A query, path or header parameter."""

    name: str
    schema: Schema
    description: str = ""
    location: str = "query"
    required: bool = False


@dataclass(frozen=True)
class Body:
    """A request body: JSON, and for some operations a multipart/form-data alternative."""

    schema: Schema
    description: str = ""
    multipart: Schema | None = None
    required: bool = True
    components: Mapping[str, Schema] = field(default_factory=dict)
    """The named schemas `schema` refers to (a model's nested models)."""

    @classmethod
    def of(cls, model: type[BaseModel], description: str = "") -> Body:
        """The body a request model parses, as its wire names spell it."""
        schema, components = model_schema(model)
        return cls(schema, description, components=components)


class _WireSchema(GenerateJsonSchema):
    """Pydantic's JSON Schema without a title on every field (the name already says it)."""

    def field_title_should_be_set(self, schema: Any) -> bool:
        return False


class ResponseModel(BaseModel):
    """A response body's shape: built by a view from snake_case names, answered in camelCase;
    the OpenAPI document's component of the same name is generated from it."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        frozen=True,
        validate_by_name=True,
        validate_by_alias=False,
        use_attribute_docstrings=True,
    )

    def wire(self) -> dict[str, Any]:
        """The JSON object the client gets."""
        return self.model_dump(mode="json", by_alias=True)

    @classmethod
    def from_wire(cls, data: Any) -> Self:
        """The model back from its JSON object (camelCase names only), as another service or
        the table holds it; a ValidationError when it does not fit."""
        return cls.model_validate(data, by_alias=True, by_name=False)


Timestamp = Annotated[str, Field(json_schema_extra={"format": "date-time"})]
"""A response field holding an ISO-8601 UTC instant (`2026-11-25T10:00:00.000Z`)."""

Url = Annotated[str, Field(json_schema_extra={"format": "uri"})]
"""A response field holding an absolute URL."""

T = TypeVar("T")


def _is_none(value: object) -> bool:
    return value is None


def without_null(schema: Schema) -> None:
    """The schema of an optional field that is left out, never sent as null."""
    options = schema.pop("anyOf")
    schema.update(next(option for option in options if option != {"type": "null"}))
    schema.pop("default", None)


Omittable = Annotated[T | None, Field(exclude_if=_is_none, json_schema_extra=without_null)]
"""A response field left out of the JSON (absent, never null) when it is None; give it `= None`."""


def component_schemas(*models: type[BaseModel]) -> dict[str, Schema]:
    """The response models' JSON Schemas (as they serialize), by class name, with every model
    they nest, referring to each other as OpenAPI components."""
    _, top = models_json_schema(
        [(model, "serialization") for model in models],
        by_alias=True,
        ref_template="#/components/schemas/{model}",
        schema_generator=_WireSchema,
    )
    schemas: dict[str, Schema] = top.get("$defs", {})
    for schema in schemas.values():
        schema.pop("title", None)
    return schemas


def model_schema(model: type[BaseModel]) -> tuple[Schema, dict[str, Schema]]:
    """A model's JSON Schema by alias, and the component schemas of the models it nests."""
    schema = model.model_json_schema(
        by_alias=True,
        ref_template="#/components/schemas/{model}",
        schema_generator=_WireSchema,
        mode="validation",
    )
    components = schema.pop("$defs", {})
    schema.pop("title", None)
    return schema, components


@dataclass(frozen=True)
class Answer:
    """One documented response: its JSON schema (or other media types) and headers."""

    description: str
    schema: Schema | None = None
    media_types: Mapping[str, Schema] = field(default_factory=dict)
    """Bodies that are not JSON, by media type (text/calendar, text/csv, text/html)."""
    headers: Mapping[str, str] = field(default_factory=dict)
    """Response headers, by name, with what they mean (all strings)."""

    def content(self) -> dict[str, Schema]:
        bodies = {JSON: self.schema} if self.schema is not None else {}
        return {**bodies, **self.media_types}


@dataclass(frozen=True)
class OperationSpec:
    """What an operation takes and answers, beside what the gateway's route table says (who may
    call it, its limits); `answers` are the service's own, by status."""

    tag: str
    answers: Mapping[int, Answer]
    description: str = ""
    params: tuple[Param, ...] = ()
    body: Body | None = None
    path_params: Mapping[str, Schema] = field(default_factory=dict)
    """Schemas of path parameters that are more than an opaque id."""


Operations = dict[str, OperationSpec]
"""Operation specs keyed `METHOD /path/{param}`, as the OpenAPI document names them."""
