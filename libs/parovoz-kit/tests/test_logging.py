"""The JSON log line of an exception logged by anyone (our code, uvicorn, a library) names
the error's type and origin, never its message or stack trace."""

from __future__ import annotations

import io
import json
import logging

from parovoz_kit.logging import configure_logging


def test_an_exception_logged_anywhere_loses_its_message_and_stack_trace() -> None:
    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level
    try:
        configure_logging("test-service")
        stream = io.StringIO()
        root.handlers[0].stream = stream  # type: ignore[attr-defined]
        try:
            raise RuntimeError("password=hunter2 for card 4111111111111111")
        except RuntimeError:
            logging.getLogger("uvicorn.error").exception("Exception in ASGI application\n")
        line = json.loads(stream.getvalue().strip().splitlines()[-1])
    finally:
        root.handlers[:], root.level = saved_handlers, saved_level
    assert line["message"].startswith("Exception in ASGI application")
    assert line["service"] == "test-service"
    assert line["error_type"] == "RuntimeError"
    assert line["error_origin"].endswith("test_logging:21")
    text = json.dumps(line)
    assert "hunter2" not in text and "4111" not in text and "Traceback" not in text
    assert "exc_info" not in line
