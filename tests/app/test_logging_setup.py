"""The log file: rotating, private, and never holding tokens or message bodies."""

import logging
import stat

import pytest

from console import logging_setup


@pytest.fixture
def log_file(tmp_path):
    path = logging_setup.setup_logging(verbose=True, folder=tmp_path, stderr=False)
    yield path
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_support_console", False):
            root.removeHandler(handler)
            handler.close()


def _text(path):
    for handler in logging.getLogger().handlers:
        handler.flush()
    return path.read_text(encoding="utf-8")


@pytest.mark.parametrize("line", [
    "headers={'Authorization': 'Basic YWdlbnRAZGVtby50ZXN0L3Rva2VuOnMzY3JldC10b2s='}",
    "Authorization: Bearer s3cret-tok",
    "signing in as agent@demo.test/token:s3cret-tok",
    "url=https://x.test/api?api_token=s3cret-tok&page=2",
    'payload {"token": "s3cret-tok"}',
])
def test_token_shapes_are_redacted(log_file, line):
    logging.getLogger("console.test").warning(line)
    text = _text(log_file)
    assert "s3cret-tok" not in text and "YWdlbnRAZGVtby50ZXN0L3Rva2VuOnMzY3JldC10b2s=" not in text
    assert logging_setup.REDACTED in text


def test_registered_secret_is_redacted_anywhere(log_file):
    logging_setup.register_secret("plain-secret-9f8e")
    logging.getLogger("console.test").error("odd place %s for it", "xxplain-secret-9f8exx")
    try:
        raise ValueError("failed with plain-secret-9f8e")
    except ValueError:
        logging.getLogger("console.test").exception("boom")
    text = _text(log_file)
    assert "plain-secret-9f8e" not in text
    assert "ValueError" in text, "tracebacks stay, only the secret goes"


def test_message_bodies_are_not_logged(log_file):
    fmt = logging.Formatter("%(message)s %(body)s")
    for handler in logging.getLogger().handlers:
        if getattr(handler, "_support_console", False):
            handler.setFormatter(fmt)
    logging.getLogger("console.sync").info("sent reply", extra={"body": "Dear customer, your card 4242"})
    logging.getLogger("urllib3.connectionpool").debug("send: b'Dear customer, your card 4242'")
    text = _text(log_file)
    assert "4242" not in text and "sent reply" in text


def test_log_file_is_private_and_verbose_means_debug(log_file):
    logging.getLogger("console.test").debug("debug line shows")
    assert "debug line shows" in _text(log_file)
    assert stat.S_IMODE(log_file.stat().st_mode) == 0o600
    assert isinstance(next(h for h in logging.getLogger().handlers if getattr(h, "_support_console", False)),
                      logging.handlers.RotatingFileHandler)


def test_quiet_mode_drops_debug(tmp_path):
    path = logging_setup.setup_logging(verbose=False, folder=tmp_path)
    try:
        logging.getLogger("console.test").debug("hidden debug")
        logging.getLogger("console.test").info("shown info")
        text = _text(path)
        assert "hidden debug" not in text and "shown info" in text
    finally:
        logging_setup.setup_logging(verbose=False, folder=tmp_path)  # idempotent: replaces, not adds
        ours = [h for h in logging.getLogger().handlers if getattr(h, "_support_console", False)]
        assert len(ours) == 1
        for h in ours:
            logging.getLogger().removeHandler(h)
            h.close()
