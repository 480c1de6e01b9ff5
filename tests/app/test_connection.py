"""The "test connection" messages, against real sockets that fail in each way a network can."""

import pytest

from console.connection import BadUrl, check_connection, normalize_url


@pytest.mark.parametrize("typed, expected", [
    ("acme", "https://acme.zendesk.com"),
    ("  Acme.Zendesk.com/ ", "https://acme.zendesk.com"),
    ("https://acme.zendesk.com/agent/tickets/42", "https://acme.zendesk.com"),
    ("https://acme.zendesk.com/api/v2/users/me.json", "https://acme.zendesk.com"),
    ("127.0.0.1:8765", "http://127.0.0.1:8765"),
    ("localhost:8765/api/v2", "http://localhost:8765"),
    ("http://help.example.org/desk/", "http://help.example.org/desk"),
])
def test_normalize_url(typed, expected):
    assert normalize_url(typed) == expected


@pytest.mark.parametrize("typed, says", [
    ("", "Enter the helpdesk address"),
    ("ftp://acme.example", "must start with https"),
    ("https://me:secret@acme.zendesk.com", "Leave the email and token out"),
    ("https://", "no host name"),
    ("http://host:99999", "not a web address"),
])
def test_bad_urls_say_why(typed, says):
    with pytest.raises(BadUrl, match=says):
        normalize_url(typed)
    check = check_connection(typed, "a@b.test", "t")
    assert not check.ok and check.kind == "bad_input" and says in check.message


def test_missing_email_or_token(closed_port):
    assert check_connection(closed_port, "", "t").message.startswith("Enter the email")
    assert check_connection(closed_port, "a@b.test", " ").message.startswith("Enter your API token")


def test_not_a_helpdesk(plain_website):
    check = check_connection(plain_website, "agent@demo.test", "tok")
    assert (check.ok, check.kind) == (False, "not_helpdesk")
    assert "is not a helpdesk API" in check.message and "404" in check.message


def test_refused(closed_port):
    check = check_connection(closed_port, "agent@demo.test", "tok")
    assert (check.ok, check.kind) == (False, "refused")
    assert "connection refused" in check.message


def test_tls_failure(untrusted_tls_site):
    check = check_connection(untrusted_tls_site, "agent@demo.test", "tok")
    assert (check.ok, check.kind) == (False, "tls")
    assert "certificate could not be verified" in check.message


def test_timeout(silent_port):
    check = check_connection(silent_port, "agent@demo.test", "tok", timeout=0.5)
    assert (check.ok, check.kind) == (False, "timeout")
    assert "did not answer in time" in check.message


def test_unknown_host_means_no_network():
    check = check_connection("https://no-such-host.invalid", "agent@demo.test", "tok", timeout=2)
    assert (check.ok, check.kind) == (False, "no_network")
