"""Judge of our edit schemas: load each JSON file with the official extend-ai SDK's
EditRootJson model and fail on anything the SDK does not know (extra keys anywhere, unknown
field types). Usage: python sdk_schema_check.py schema.json [...]"""
import json
import sys

import pydantic
from extend_ai.types import EditRootJson


def walk(model, path, problems):
    if isinstance(model, pydantic.BaseModel):
        extra = getattr(model, "model_extra", None) or {}
        for key in extra:
            problems.append(f"{path}: key {key!r} is not in the SDK model {type(model).__name__}")
        for name, value in model:
            if hasattr(value, "value") and str(getattr(value, "value", "")).startswith("__"):
                problems.append(f"{path}.{name}: unknown enum value")
            walk(value, f"{path}.{name}", problems)
    elif isinstance(model, dict):
        for key, value in model.items():
            walk(value, f"{path}[{key!r}]", problems)
    elif isinstance(model, list):
        for i, value in enumerate(model):
            walk(value, f"{path}[{i}]", problems)


def main():
    failed = 0
    for name in sys.argv[1:]:
        with open(name, encoding="utf-8") as f:
            raw = json.load(f)
        problems = []
        try:
            model = EditRootJson.model_validate(raw)
        except pydantic.ValidationError as e:
            problems.append(str(e))
        else:
            walk(model, "schema", problems)
            for key, prop in model.properties.items():
                ft = prop.extend_edit_field_type
                if ft is not None and str(ft.value).startswith("__"):
                    problems.append(f"{key}: field_type {ft.value!r} unknown to the SDK")
        if problems:
            failed += 1
            print(f"FAIL {name}")
            for p in problems[:20]:
                print(f"  {p}")
        else:
            print(f"ok {name}: {len(raw.get('properties', {}))} properties")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
