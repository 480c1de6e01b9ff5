"""Who may do what (item 8): only admins manage department memberships; a personal macro is its
owner's (admins see every macro, as on Zendesk); nothing is stored by a refused request."""

from __future__ import annotations

import orjson
import requests


def _as(server, email, token):
    return {"auth": (f"{email}/token", token), "timeout": 10}


def test_agents_cannot_join_departments_and_cannot_see_others_personal_macros(helpdesk):
    ann = helpdesk.add_user("Ann Agent", "ann@x.example", "agent", token="ann-token")
    helpdesk.add_user("Ben Agent", "ben@x.example", "agent", token="ben-token")
    ann_auth, ben_auth = _as(helpdesk, "ann@x.example", "ann-token"), _as(helpdesk, "ben@x.example", "ben-token")
    with helpdesk.db_connection() as conn:
        conn.execute("INSERT INTO groups (id, name, created_at, updated_at) VALUES (77, 'Billing', 'x', 'x')")
        for title, restriction in (("Shared", None), ("Ann's own", {"type": "User", "id": ann}),
                                   ("Billing only", {"type": "Group", "id": 77})):
            conn.execute("INSERT INTO macros (title, actions, restriction, created_at, updated_at) "
                         "VALUES (?, ?, ?, 'x', 'x')",
                         (title, '[{"field": "comment_value", "value": "Hello"}]',
                          orjson.dumps(restriction).decode() if restriction else None))
    macros = {m["title"]: m["id"] for m in helpdesk.get("macros.json").json()["macros"]}
    assert set(macros) == {"Shared", "Ann's own", "Billing only"}  # an admin sees every macro

    def titles(auth, path="macros.json"):
        return {m["title"] for m in requests.get(helpdesk.api(path), **auth).json()["macros"]}

    assert titles(ann_auth) == {"Shared", "Ann's own"} and titles(ben_auth) == {"Shared"}
    assert titles(ben_auth, "macros/active.json") == {"Shared"}
    own = macros["Ann's own"]
    ticket = helpdesk.create_ticket(subject="Macro target")
    for path in (f"macros/{own}.json", f"macros/{own}/apply.json", f"tickets/{ticket['id']}/macros/{own}/apply.json"):
        assert requests.get(helpdesk.api(path), **ben_auth).status_code == 404
        assert requests.get(helpdesk.api(path), **ann_auth).status_code == 200

    join = {"group_membership": {"user_id": ann, "group_id": 77}}
    refused = requests.post(helpdesk.api("group_memberships.json"), json=join, **ann_auth)
    assert refused.status_code == 403 and refused.json()["error"] == "Forbidden"
    assert helpdesk.db_connection().execute("SELECT count(*) FROM group_memberships").fetchone()[0] == 0
    assert titles(ann_auth) == {"Shared", "Ann's own"}  # so the group's macros stay out of reach
    done = helpdesk.post("group_memberships.json", json=join)
    assert done.status_code == 201
    assert titles(ann_auth) == {"Shared", "Ann's own", "Billing only"}
