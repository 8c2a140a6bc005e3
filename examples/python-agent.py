#!/usr/bin/env python3
"""An agentmsg agent in Python, with nothing but the standard library.

It talks to its own local node (`agentmsg start`) over the HTTP API:
sends a message, reads the inbox, follows events by long-polling
/v1/events with a cursor, answers message requests, and checks webhook
signatures.

    agentmsg init --data-dir ./alice && agentmsg start --data-dir ./alice --inbox-policy contacts &
    python3 examples/python-agent.py --data-dir ./alice send <peer-id> "hello"
    python3 examples/python-agent.py --data-dir ./alice inbox
    python3 examples/python-agent.py --data-dir ./alice follow
    python3 examples/python-agent.py --data-dir ./alice requests
    python3 examples/python-agent.py --data-dir ./alice accept <peer-id>     # or: decline <peer-id>
    python3 examples/python-agent.py webhook-server --port 8787 --secret <secret>
"""
import argparse
import hashlib
import hmac
import json
import os
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, HTTPServer


class Agent:
    """The local node's API: its URL from <data-dir>/api.json, its key from <data-dir>/api-key."""

    def __init__(self, data_dir, api_url=None, api_key=None):
        if api_url is None:
            with open(os.path.join(data_dir, "api.json")) as f:
                api_url = json.load(f)["url"]
        if api_key is None:
            with open(os.path.join(data_dir, "api-key")) as f:
                api_key = f.read().strip()
        self.url = api_url.rstrip("/")
        self.key = api_key

    def request(self, method, path, body=None, timeout=30):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.url + path, data=data, method=method)
        req.add_header("Authorization", "Bearer " + self.key)
        if data is not None:
            req.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(req, timeout=timeout) as res:
                text = res.read()
                return json.loads(text) if text else None
        except urllib.error.HTTPError as err:
            # every error is {"error": code, "detail": what was wrong}
            problem = json.loads(err.read() or b"{}")
            raise RuntimeError(f"{err.code} {problem.get('error')}: {problem.get('detail')}") from None

    def send(self, to, content, type_="text"):
        return self.request("POST", "/v1/messages", {"to": to, "type": type_, "content": content})

    def inbox(self, unread=False, limit=20):
        return self.request("GET", f"/v1/inbox?limit={limit}&unread={'true' if unread else 'false'}")

    def mark_read(self, message_id):
        return self.request("POST", f"/v1/inbox/{message_id}/read")

    def requests(self):
        """Message requests: strangers' first messages, held out of the inbox (inbox policy verified or contacts)."""
        return self.request("GET", "/v1/requests")["requests"]

    def accept(self, peer):
        """The held messages go to the inbox and the peer becomes a contact."""
        return self.request("POST", f"/v1/requests/{peer}/accept")

    def decline(self, peer):
        """The held messages are dropped unread; the peer's later messages are refused."""
        return self.request("POST", f"/v1/requests/{peer}/decline")

    def events(self, after=None, timeout=25):
        """Yields events forever; keep the last cursor to resume without missing one."""
        while True:
            query = f"timeout={timeout}" + ("" if after is None else f"&after={after}")
            page = self.request("GET", "/v1/events?" + query, timeout=timeout + 10)
            for event in page["events"]:
                yield event
            after = page["cursor"]


def verify_signature(secret, raw_body, header):
    """X-Agentmsg-Signature: sha256=<hex HMAC-SHA256 of the raw body>, compared in constant time."""
    expected = "sha256=" + hmac.new(secret.encode(), raw_body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, header or "")


def webhook_server(port, secret):
    seen = set()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            if not verify_signature(secret, body, self.headers.get("X-Agentmsg-Signature")):
                self.send_response(401)
                self.end_headers()
                return
            event = json.loads(body)
            # a delivery can repeat (a retry after a lost answer): the cursor identifies the event
            if event["cursor"] not in seen:
                seen.add(event["cursor"])
                print(event["type"], json.dumps(event["data"]))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    HTTPServer(("127.0.0.1", port), Handler).serve_forever()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", default=os.environ.get("AGENTMSG_DATA_DIR", os.path.expanduser("~/.agentmsg")))
    parser.add_argument("--api-url", default=os.environ.get("AGENTMSG_API_URL"))
    sub = parser.add_subparsers(dest="command", required=True)
    send = sub.add_parser("send")
    send.add_argument("to")
    send.add_argument("content")
    sub.add_parser("inbox")
    follow = sub.add_parser("follow")
    follow.add_argument("--after", type=int, help="replay events after this cursor (default: only new ones)")
    sub.add_parser("requests")
    for answer in ("accept", "decline"):
        sub.add_parser(answer).add_argument("peer")
    hook = sub.add_parser("webhook-server")
    hook.add_argument("--port", type=int, default=8787)
    hook.add_argument("--secret", required=True)
    args = parser.parse_args()

    if args.command == "webhook-server":
        webhook_server(args.port, args.secret)
        return
    agent = Agent(args.data_dir, args.api_url)
    if args.command == "send":
        print(json.dumps(agent.send(args.to, args.content)))
    elif args.command == "inbox":
        for m in agent.inbox(unread=True)["messages"]:
            print(m["from"], m["type"], m.get("content", m.get("payload")))
            agent.mark_read(m["messageId"])
    elif args.command == "follow":
        for event in agent.events(after=args.after):
            if event["type"] == "connection.request":
                # a stranger wrote: its messages wait until we accept or decline (once per request)
                request = event["data"]
                first = request.get("message") or {}
                print(event["cursor"], "request from", request["peer"], "since", request["firstAt"] + ":",
                      first.get("content", json.dumps(first.get("payload"))))
                print("  answer with: accept", request["peer"], " or: decline", request["peer"])
            else:
                print(event["cursor"], event["type"], json.dumps(event["data"]))
    elif args.command == "requests":
        for request in agent.requests():
            print(request["peer"], len(request["messages"]), "messages since", request["firstAt"])
            for m in request["messages"]:
                print("  ", m["type"], m.get("content", m.get("payload")))
    elif args.command == "accept":
        print(len(agent.accept(args.peer)["messages"]), "messages moved to the inbox")
    elif args.command == "decline":
        print(len(agent.decline(args.peer)["dropped"]), "messages dropped")


if __name__ == "__main__":
    try:
        main()
    except RuntimeError as err:
        # the API's {"error", "detail"}, e.g. 404 request_not_found
        raise SystemExit(f"error: {err}")
