"""`python -m standin_admin`: serve the admin stand-in with uvicorn."""

from standin_common.serve import serve

from standin_admin.app import create_app
from standin_admin.settings import AdminSettings


def main() -> None:
    settings = AdminSettings()
    serve(create_app(settings), settings.host, settings.port)


if __name__ == "__main__":
    main()
