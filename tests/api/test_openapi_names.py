"""OpenAPI names each schema component after its class: two apps' classes with one name would make
one operation silently document (and validate against) the other's body."""
from __future__ import annotations

import importlib
import inspect

from pydantic import BaseModel

def api_modules() -> list[str]:
    """The shared API module and every module's router module (from the registry)."""
    from jiceng.core.modules import registry

    return ["jiceng.core.api", *sorted({m.router.split(":")[0] for mod in registry.modules() for m in mod.api})]


def test_schema_class_names_are_unique_across_apps():
    seen: dict[str, str] = {}
    clashes = []
    for name in api_modules():
        module = importlib.import_module(name)
        for cls_name, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, BaseModel) and cls.__module__ == name:
                if cls_name in seen and seen[cls_name] != name:
                    clashes.append((cls_name, seen[cls_name], name))
                seen[cls_name] = name
    assert not clashes
