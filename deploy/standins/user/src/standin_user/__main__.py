"""`python -m standin_user`: serve the user stand-in with uvicorn."""

from standin_common.serve import serve

from standin_user.app import create_app
from standin_user.settings import UserSettings


def main() -> None:
    settings = UserSettings()
    serve(create_app(settings), settings.host, settings.port)


if __name__ == "__main__":
    main()
