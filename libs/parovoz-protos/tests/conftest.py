"""Shared fixtures: every generated protobuf module and the descriptors they define."""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType

import parovoz
import pytest
from google.protobuf.descriptor import FileDescriptor


def generated_pb2_modules() -> list[ModuleType]:
    """Import every *_pb2 module of the generated package (not the *_grpc ones)."""
    names = [
        info.name
        for info in pkgutil.walk_packages(parovoz.__path__, prefix="parovoz.")
        if info.name.endswith("_pb2")
    ]
    return [importlib.import_module(name) for name in sorted(names)]


@pytest.fixture(scope="session")
def file_descriptors() -> list[FileDescriptor]:
    return [module.DESCRIPTOR for module in generated_pb2_modules()]
