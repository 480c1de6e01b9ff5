"""The demo workspace's sign-in accounts: printed by ``serve --demo`` and listed in the README.

Tokens are demo-only secrets for a loopback server; ``--admin-token`` overrides the admin's.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DemoAccount:
    role_label: str   # what the person is in the support team
    name: str
    email: str
    role: str         # the API role: agent | admin
    token: str


DEMO_ACCOUNTS = (
    DemoAccount("admin", "Ada Admin", "admin@demo.support-console.test", "admin", "demo-admin-token"),
    DemoAccount("supervisor", "Sam Supervisor", "supervisor@demo.support-console.test", "admin",
                "demo-supervisor-token"),
    DemoAccount("agent", "Alex Agent", "agent@demo.support-console.test", "agent", "demo-agent-token"),
)


def demo_account(role_label: str) -> DemoAccount:
    return next(a for a in DEMO_ACCOUNTS if a.role_label == role_label)
