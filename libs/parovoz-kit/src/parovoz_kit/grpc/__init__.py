"""gRPC plumbing shared by the services."""

from parovoz_kit.grpc.server import GrpcService, create_grpc_server

__all__ = ["GrpcService", "create_grpc_server"]
