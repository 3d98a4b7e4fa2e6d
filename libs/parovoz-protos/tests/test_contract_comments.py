"""Every element of the contracts has a comment: they are the documentation between teams."""

from __future__ import annotations

import importlib.resources
from collections.abc import Iterator
from pathlib import Path

from google.protobuf import descriptor_pb2
from grpc_tools import protoc

PROTO_ROOT = Path(__file__).resolve().parents[3] / "protos"

# Field numbers inside descriptor.proto, used to build SourceCodeInfo location paths.
FILE_MESSAGE, FILE_ENUM, FILE_SERVICE = 4, 5, 6
MESSAGE_FIELD, MESSAGE_NESTED, MESSAGE_ENUM, MESSAGE_ONEOF = 2, 3, 4, 8
ENUM_VALUE, SERVICE_METHOD = 2, 2


def compiled_protos(out_dir: Path) -> descriptor_pb2.FileDescriptorSet:
    files = sorted(p.relative_to(PROTO_ROOT).as_posix() for p in PROTO_ROOT.rglob("*.proto"))
    descriptor_set = out_dir / "contracts.binpb"
    status = protoc.main(
        [
            "grpc_tools.protoc",
            f"--proto_path={PROTO_ROOT}",
            f"--proto_path={importlib.resources.files('grpc_tools') / '_proto'}",
            "--include_source_info",
            f"--descriptor_set_out={descriptor_set}",
            *files,
        ]
    )
    assert status == 0
    return descriptor_pb2.FileDescriptorSet.FromString(descriptor_set.read_bytes())


def elements(
    file: descriptor_pb2.FileDescriptorProto,
) -> Iterator[tuple[str, tuple[int, ...]]]:
    """(name, location path) of every message, field, oneof, enum, value, service, method."""

    def enum_elements(enum, name, path):
        yield name, path
        for index, value in enumerate(enum.value):
            yield f"{name}.{value.name}", (*path, ENUM_VALUE, index)

    def message_elements(message, name, path):
        if message.options.map_entry:
            return
        yield name, path
        for index, field in enumerate(message.field):
            yield f"{name}.{field.name}", (*path, MESSAGE_FIELD, index)
        for index, oneof in enumerate(message.oneof_decl):
            if not oneof.name.startswith("_"):  # synthetic oneof of a proto3 `optional`
                yield f"{name}.{oneof.name}", (*path, MESSAGE_ONEOF, index)
        for index, nested in enumerate(message.nested_type):
            yield from message_elements(
                nested, f"{name}.{nested.name}", (*path, MESSAGE_NESTED, index)
            )
        for index, enum in enumerate(message.enum_type):
            yield from enum_elements(enum, f"{name}.{enum.name}", (*path, MESSAGE_ENUM, index))

    prefix = file.package
    for index, message in enumerate(file.message_type):
        yield from message_elements(message, f"{prefix}.{message.name}", (FILE_MESSAGE, index))
    for index, enum in enumerate(file.enum_type):
        yield from enum_elements(enum, f"{prefix}.{enum.name}", (FILE_ENUM, index))
    for index, service in enumerate(file.service):
        yield f"{prefix}.{service.name}", (FILE_SERVICE, index)
        for method_index, method in enumerate(service.method):
            name = f"{prefix}.{service.name}.{method.name}"
            yield name, (FILE_SERVICE, index, SERVICE_METHOD, method_index)


def test_every_contract_element_has_a_leading_comment(tmp_path: Path) -> None:
    descriptor_set = compiled_protos(tmp_path)
    ours = [file for file in descriptor_set.file if file.name.startswith("parovoz/")]
    undocumented = []
    for file in ours:
        commented = {
            tuple(location.path)
            for location in file.source_code_info.location
            if location.leading_comments.strip()
        }
        undocumented += [name for name, path in elements(file) if path not in commented]

    assert len(ours) >= 6
    assert undocumented == []
