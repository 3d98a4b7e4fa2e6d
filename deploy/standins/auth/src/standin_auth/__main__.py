"""`python -m standin_auth`: serve the auth stand-in with uvicorn."""

from standin_common.serve import serve

from standin_auth.app import create_app
from standin_auth.settings import AuthSettings


def main() -> None:
    settings = AuthSettings()
    serve(create_app(settings), settings.host, settings.port)


if __name__ == "__main__":
    main()
