"""`python -m standin_provider_sandbox`: serve the provider sandbox stand-in with uvicorn."""

from standin_common.serve import serve

from standin_provider_sandbox.app import create_app
from standin_provider_sandbox.settings import SandboxSettings


def main() -> None:
    settings = SandboxSettings()
    serve(create_app(settings), settings.host, settings.port)


if __name__ == "__main__":
    main()
