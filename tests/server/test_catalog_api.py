"""Macros, views, search and uploads over real HTTP (demo workspace + a fresh helpdesk)."""

from __future__ import annotations

import orjson
import requests


def test_macros_list_show_and_apply_renders_placeholders(demo_helpdesk):
    hd = demo_helpdesk
    macros = hd.get("macros.json?page[size]=100").json()["macros"]
    assert macros and all("actions" in m for m in macros)
    assert hd.get("macros.json?active=true").json()["count"] <= len(macros)
    agent = ("agent@demo.support-console.test/token", "demo-agent-token")
    assert "macros" in hd.get("macros/active.json", auth=agent).json()
    macro = next(m for m in macros if any("comment_value" in a["field"] for a in m["actions"])
                 and any("{{" in str(a["value"]) for a in m["actions"]))
    assert hd.get(f"macros/{macro['id']}.json").json()["macro"]["title"] == macro["title"]
    bare = hd.get(f"macros/{macro['id']}/apply.json").json()["result"]["ticket"]
    assert "comment" in bare

    ticket = hd.get("tickets.json?per_page=1").json()["tickets"][0]
    result = hd.get(f"tickets/{ticket['id']}/macros/{macro['id']}/apply.json").json()["result"]["ticket"]
    assert result["id"] == ticket["id"] and result["requester_id"] == ticket["requester_id"]
    assert result["subject"] == ticket["subject"]  # the FULL ticket, not just the changes
    assert "{{" not in result["comment"]["body"]
    after = hd.get(f"tickets/{ticket['id']}.json").json()["ticket"]
    assert after["updated_at"] == ticket["updated_at"]  # applying changes nothing


def test_placeholders_render_on_agent_comments(helpdesk):
    jane = helpdesk.add_user("Jane Roe", "jane@example.org", "end-user", token="jane-token")
    tid = helpdesk.create_ticket(requester_id=jane)["id"]
    r = helpdesk.put(f"tickets/{tid}", json={"ticket": {"comment": {"body": "Hi {{ticket.requester.first_name}}!"}}})
    assert r.status_code == 200
    by_customer = requests.post(helpdesk.api("tickets"), auth=("jane@example.org/token", "jane-token"),
                                json={"ticket": {"comment": {"body": "{{ticket.id}}"}}}, timeout=10)
    assert by_customer.status_code == 403  # end users are refused on agent endpoints
    bodies = [c["body"] for c in helpdesk.get(f"tickets/{tid}/comments").json()["comments"]]
    assert bodies[-1] == "Hi Jane!"


def test_views_tickets_and_counts(demo_helpdesk):
    hd = demo_helpdesk
    views = hd.get("views.json").json()["views"]
    assert views and hd.get("views/active.json").json()["views"]
    view = views[0]
    assert hd.get(f"views/{view['id']}.json").json()["view"]["id"] == view["id"]
    with_suffix = hd.get(f"views/{view['id']}/tickets.json").json()
    without = requests.get(f"{hd.url}/api/v2/views/{view['id']}/tickets?include=None&page[size]=100",
                           auth=hd.admin_auth, timeout=10).json()
    count = hd.get(f"views/{view['id']}/count.json").json()["view_count"]
    assert count["value"] == with_suffix["count"] == len(without["tickets"])
    ids = ",".join(str(v["id"]) for v in views[:3])
    by_ids = hd.get(f"views/count_many.json?ids={ids}").json()["view_counts"]
    by_zenpy = hd.get(f"views/count_many.json?count_many={ids}").json()["view_counts"]
    assert by_ids == by_zenpy and len(by_ids) == min(3, len(views))


def test_search_results_limits_and_count(demo_helpdesk):
    hd = demo_helpdesk
    found = hd.get("search.json?query=type:ticket status<solved&per_page=5").json()
    assert found["results"] and all(r["result_type"] == "ticket" for r in found["results"])
    total = hd.get("search/count.json?query=type:ticket status<solved").json()["count"]
    assert total == found["count"]
    users = hd.get("search.json?query=type:user admin@demo.support-console.test").json()["results"]
    assert users and users[0]["result_type"] == "user"
    capped = hd.get("search.json?query=status:open&page=11&per_page=100")
    assert capped.status_code == 422 and capped.json()["error"] == "invalid"
    cursor = hd.get("search.json?query=status:open&page[size]=10")
    assert cursor.status_code == 400 and cursor.json()["error"]["title"] == "Invalid attribute"
    bad = hd.get("search.json?query=status:")
    assert bad.status_code in (400, 200) and "Traceback" not in bad.text


def test_uploads_attachments_and_content(helpdesk):
    post = requests.post(helpdesk.api("uploads.json?filename=shot.png"), data=b"\x89PNG-one",
                         headers={"Content-Type": "image/png"}, auth=helpdesk.admin_auth, timeout=10)
    assert post.status_code == 201
    token = post.json()["upload"]["token"]
    second = requests.post(helpdesk.api(f"uploads?filename=log.txt&token={token}"), data=b"log",
                           auth=helpdesk.admin_auth, timeout=10).json()["upload"]
    assert second["token"] == token and len(second["attachments"]) == 2
    tid = helpdesk.create_ticket(comment={"body": "files", "uploads": [token]})["id"]
    files = helpdesk.get(f"tickets/{tid}/comments").json()["comments"][0]["attachments"]
    assert [f["file_name"] for f in files] == ["shot.png", "log.txt"]
    content = requests.get(files[0]["content_url"], timeout=10)  # no credentials needed
    assert content.content == b"\x89PNG-one" and content.headers["content-type"] == "image/png"
    assert helpdesk.get(f"attachments/{files[1]['id']}.json").json()["attachment"]["size"] == 3
    assert helpdesk.delete(f"uploads/{token}.json").status_code == 404  # already used
    spare = requests.post(helpdesk.api("uploads?filename=x.bin"), data=b"x", auth=helpdesk.admin_auth,
                          timeout=10).json()["upload"]["token"]
    assert helpdesk.delete(f"uploads/{spare}").status_code == 204
    reuse = helpdesk.put(f"tickets/{tid}", json={"ticket": {"comment": {"body": "x", "uploads": [spare]}}})
    assert reuse.status_code == 422
    assert requests.get(f"{helpdesk.url}/attachments/token/guess/?name=a", timeout=10).status_code == 404
    assert orjson.loads(helpdesk.post("uploads").content)["error"] == "InvalidValue"
