"""gRPC of submissions: `GreenlightService.GetSubmission` translated to one use case."""

from __future__ import annotations

from parovoz.greenlight.v1 import greenlight_service_pb2 as pb
from parovoz_kit.infrastructure import Infrastructure


async def get_submission(
    infrastructure: Infrastructure, request: pb.GetSubmissionRequest
) -> pb.GetSubmissionResponse:
    raise NotImplementedError
