#!/usr/bin/env python3
"""Writes the seed inputs of the fuzz targets into fuzz/corpus/<target>/seed-*.

Seeds come from the connection examples of tests/fixtures (the connections themselves, and the
URIs, topics, addresses, filters and placeholders in them) plus a few hand-written inputs per
target for what the fixtures lack. Run it again after changing the fixtures; inputs that the
fuzzer found and `scripts/fuzz TARGET --merge` added (named by their SHA-1) are left alone.

    python3 fuzz/seeds.py
"""
import json
import pathlib
import struct
import urllib.parse

ROOT = pathlib.Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "connection-examples"
CORPUS = ROOT / "fuzz" / "corpus"


def compact(value):
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def fixtures():
    """(name, connection object) of every fixture, in file order."""
    for path in sorted(FIXTURES.glob("*.json")):
        yield path.stem, json.loads(path.read_text(encoding="utf-8"))


def strings_in(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from strings_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings_in(item)


def write(target, seeds):
    """seeds: {name: bytes or str}. Replaces the seed-* files of `target`."""
    folder = CORPUS / target
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("seed-*"):
        old.unlink()
    for name, data in seeds.items():
        if isinstance(data, str):
            data = data.encode("utf-8")
        (folder / f"seed-{name}").write_bytes(data)


# --- piggyback -------------------------------------------------------------------------------

SHARD = "/system/sharding/connection"
IDS = "/user/connectivityRoot/connectionIdsRetrieval"


def envelope(command, headers=None, selection=SHARD, **extra):
    body = {"targetActorSelection": selection, "headers": headers or {"aggregate": False},
            "piggybackCommand": command}
    body.update(extra)
    return compact(body)


def piggyback_seeds():
    seeds = {}
    for name, connection in fixtures():
        with_id = dict(connection, id=name[:40])
        seeds[f"create-{name}"] = envelope(
            {"type": "connectivity.commands:createConnection", "connection": with_id})
    seeds["modify"] = envelope({"type": "connectivity.commands:modifyConnection", "connection": {
        "id": "c1", "connectionType": "mqtt", "connectionStatus": "closed",
        "uri": "tcp://127.0.0.1:1883", "sources": [], "targets": []}},
        headers={"aggregate": False, "if-match": "\"rev:1\"", "ditto-sudo": True})
    seeds["test"] = envelope({"type": "connectivity.commands:testConnection", "connection": {
        "id": "t1", "connectionType": "amqp-091", "connectionStatus": "open",
        "uri": "amqp://u:p@127.0.0.1:5672", "sources": [], "targets": []}})
    seeds["retrieve-selected"] = envelope(
        {"type": "connectivity.commands:retrieveConnection", "connectionId": "c1",
         "selectedFields": "id,_revision,_created,_modified,sources(addresses,qos)"})
    seeds["retrieve-at-revision"] = envelope(
        {"type": "connectivity.commands:retrieveConnection", "connectionId": "c1"},
        headers={"aggregate": False, "at-historical-revision": "2"})
    seeds["retrieve-at-time"] = envelope(
        {"type": "connectivity.commands:retrieveConnection", "connectionId": "c1"},
        headers={"at-historical-timestamp": "2026-01-02T03:04:05.678Z", "timeout": "30s"})
    for command in ("deleteConnection", "openConnection", "closeConnection",
                    "retrieveConnectionStatus", "retrieveConnectionMetrics",
                    "resetConnectionMetrics", "enableConnectionLogs", "retrieveConnectionLogs",
                    "resetConnectionLogs"):
        seeds[command] = envelope({"type": f"connectivity.commands:{command}",
                                   "connectionId": "c1"},
                                  headers={"aggregate": True, "correlation-id": "x",
                                           "response-required": False, "timeout": 5000})
    seeds["resolved-hono"] = envelope(
        {"type": "connectivity.commands:retrieveResolvedHonoConnection", "connectionId": "h1",
         "selectedFields": "uri,specificConfig,sources"})
    seeds["tags"] = envelope({"type": "connectivity.sudo.commands:sudoRetrieveConnectionTags",
                              "connectionId": "c1"}, selection=SHARD + "/singleton")
    seeds["ids-by-tag"] = envelope(
        {"type": "connectivity.sudo.commands:sudoRetrieveConnectionIdsByTag", "tag": "t"},
        selection=IDS)
    seeds["all-ids"] = envelope({"type": "connectivity.commands:retrieveAllConnectionIds"},
                                selection=IDS, serviceName="connectivity", instance="0")
    seeds["wrong-selection"] = envelope(
        {"type": "connectivity.commands:retrieveAllConnectionIds"}, selection=SHARD)
    seeds["unknown-type"] = envelope({"type": "things.commands:retrieveThing"})
    # A first line "?<query string>": the query parameters the gateway turns into headers.
    retrieve = envelope({"type": "connectivity.commands:retrieveConnection", "connectionId": "c1"})
    seeds["query-bad-timestamp"] = "?at-historical-timestamp=2026-13-01T00:00:00Z\n" + retrieve
    seeds["query-historical"] = "?at-historical-revision=3&aggregate=false\n" + retrieve
    seeds["query-timeout"] = "?timeout=5s&correlation-id=x%20y&Response-Required=false\n" + retrieve
    seeds["not-an-object"] = "[1,2,3]"
    seeds["deep"] = "[" * 70 + "]" * 70
    return seeds


# --- connection ------------------------------------------------------------------------------

def connection_seeds():
    seeds = {name: compact(connection) for name, connection in fixtures()}
    seeds["legacy-fields"] = compact({
        "id": "legacy", "connectionType": "amqp-10", "connectionStatus": "closed",
        "uri": "amqps://u:p@127.0.0.1:5671", "authorizationContext": ["ditto:legacy"],
        "mappingContext": {"mappingEngine": "JavaScript", "options": {"incomingScript": "x"}},
        "sources": [{"addresses": ["a"], "filters": ["{{ thing:id }}"]}, 7],
        "targets": [{"address": "t", "topics": ["_/_/things/twin/events?filter=eq(a,1)"],
                     "headerMapping": {"x": "{{ topic:action|subject }}"}}]})
    seeds["credentials-ssh"] = compact({
        "id": "ssh", "connectionType": "mqtt-5", "connectionStatus": "open",
        "uri": "ssl://127.0.0.1:8883", "validateCertificates": False, "ca": "-----BEGIN x",
        "credentials": {"type": "client-cert", "cert": "c", "key": "k"},
        "sshTunnel": {"enabled": True, "uri": "ssh://127.0.0.1:22", "validateHost": True,
                      "knownHosts": ["MD5:11:22"],
                      "credentials": {"type": "public-key", "username": "u",
                                      "publicKey": "p", "privateKey": "q"}},
        "specificConfig": {"clientId": "c", "lastWillTopic": "w", "lastWillQos": "1"},
        "tags": ["a", "b", "a"], "clientCount": 2, "processorPoolSize": 3,
        "sources": [{"addresses": ["a/+/b"], "qos": 2, "authorizationContext": ["x:y"],
                     "acknowledgementRequests": {"includes": ["a:b"], "filter": "fn:delete()"},
                     "declaredAcks": ["ssh:ack"], "replyTarget": {"address": "r",
                     "expectedResponseTypes": ["nack", "bogus"], "headerMapping": {}}}],
        "targets": []})
    seeds["hono"] = compact({
        "id": "hono-1", "connectionType": "hono", "connectionStatus": "closed",
        "sources": [{"addresses": ["telemetry", "event"], "qos": 1,
                     "authorizationContext": ["nginx:ditto"],
                     "replyTarget": {"address": "command", "headerMapping": {},
                                     "expectedResponseTypes": ["response"], "enabled": True}},
                    {"addresses": ["command_response"], "qos": 0,
                     "authorizationContext": ["nginx:ditto"]}],
        "targets": [{"address": "command", "topics": ["_/_/things/live/messages"],
                     "authorizationContext": ["nginx:ditto"]}],
        "specificConfig": {"honoTenantId": "tenant-1", "groupId": "g"}})
    seeds["hmac"] = compact({
        "id": "h", "connectionType": "http-push", "connectionStatus": "closed",
        "uri": "https://127.0.0.1:443/p", "credentials": {"type": "hmac",
        "algorithm": "aws4-hmac-sha256", "parameters": {"region": "r", "service": "s"}},
        "targets": [{"address": "POST:/api/{{ thing:id }}", "topics": [
            "_/_/things/live/messages?namespaces=a,b&extraFields=attributes/x"],
            "authorizationContext": ["x:y"], "issuedAcknowledgementLabel": "{{connection:id}}:a"}],
        "mappingDefinitions": {"m": {"mappingEngine": "Normalized", "options": {},
                                     "incomingConditions": {"a": "fn:filter(header:x,'eq','y')"}}}})
    return seeds


# --- strings from the fixtures ---------------------------------------------------------------

def fixture_strings():
    out = []
    for _, connection in fixtures():
        for text in strings_in(connection):
            if text not in out:
                out.append(text)
    return out


def rql_seeds():
    filters = []
    for text in fixture_strings():
        if "?" in text and "filter=" in text:
            query = urllib.parse.parse_qs(text.split("?", 1)[1])
            filters += query.get("filter", [])
    filters += [
        "eq(attributes/counter,42)", "ne(thingId,\"a\\\"b\")", "gt(_revision,-1.5e3)",
        "like(attributes/name,'*x?')", "ilike(features/f/properties/p,\"A*\")",
        "in(_namespace,\"a\",\"b\",3,true,false,null)", "and(exists(attributes/a),not(empty(definition)))",
        "or(eq(topic:action,'created'),eq(thing:id,time:now))",
        "lt(_modified,\"2026-01-01T00:00:00Z\")", "le(_metadata/a/b,9223372036854775807)",
        "eq(attributes/a\\,b,1)", "and(" * 64 + "exists(a)" + ")" * 64,
    ]
    return {f"{i:02d}": text for i, text in enumerate(dict.fromkeys(filters))}


def placeholder_seeds():
    texts = [t for t in fixture_strings() if "{{" in t or "${" in t]
    texts += [
        "{{ header:x | fn:default('y') | fn:upper() }}",
        "{{ thing:id | fn:substring-before(':') | fn:substring-after('a') | fn:lower() }}",
        "{{ fn:default(header:a) | fn:trim() | fn:url-encode() | fn:base64-encode() }}",
        "{{ header:a | fn:split(',') | fn:replace('a','b') | fn:join('-') }}",
        "{{ header:a | fn:filter('like','x*') | fn:delete() }}",
        "{{ time:now_epoch_millis[-1h/d] }} {{ time:now[+5m] }}",
        "{{ connection:id }}:ack", "${thing:id}/{{ feature:id }}", "{{ policy:name }}",
        "{{ source:address }}", "{{ header:mqtt.topic }}", "{{ }}", "{{ a | }}", "{{ x:y | fn:nope() }}",
        "{{ fn:default(fn:default(fn:default(header:a))) }}",
    ]
    return {f"{i:02d}": text for i, text in enumerate(dict.fromkeys(texts))}


def topic_seeds():
    texts = [t for t in fixture_strings() if t.startswith("_/_/") or "/" in t and " " not in t
             and not t.startswith(("tcp:", "ssl:", "amqp", "http", "ws", "ssh"))]
    texts += [
        "_/_/things/twin/events?namespaces=a,b&filter=eq(attributes%2Fx,1)&extraFields=attributes",
        "_/_/things/live/commands?filter=%26%25%2B", "_/_/policies/announcements",
        "_/_/connections/announcements?extraFields=x", "_/_/things/live/events?namespaces",
        "$share/group/a/+/#", "a/#/b", "+/+", "#", "a\u0000b", "caf\u00e9/+",
    ]
    return {f"{i:02d}": text for i, text in enumerate(dict.fromkeys(texts))}


def uri_seeds():
    texts = [t for t in fixture_strings() if "://" in t]
    texts += [
        "amqp://user:s3cr3t@127.0.0.1:5672/vhost", "amqps://u%40x:p%3Aw@[::1]:5671",
        "tcp://h:1883", "ssh://127.0.0.1:22", "https://token.example/oauth?x=1",
        "mqtt://us\u00e9r:p\u00e4ss@h\u00f6st:1", "amqp://h:5672?x", "amqp://h", " ", "",
        "amqp:opaque", "http://[fe80::1%25eth0]:80/", "ws://u@h:0/", "kafka://h:99999999999",
    ]
    return {f"{i:02d}": text for i, text in enumerate(dict.fromkeys(texts))}


# --- binary formats --------------------------------------------------------------------------

CANONICAL = compact({
    "id": "c1", "name": None, "connectionType": "mqtt", "connectionStatus": "closed",
    "uri": "tcp://127.0.0.1:1883", "sources": [], "targets": [], "clientCount": 1,
    "failoverEnabled": True, "validateCertificates": True, "processorPoolSize": 1,
    "tags": ["a", "b"]})


def snapshot_blob(stream="c1", revision=3, connection_revision=1, deleted=0, json_text=CANONICAL):
    """projector/snapshot_codec.h: little-endian fixed fields, then id and json."""
    blob = struct.pack("<BQQBqq", 1, revision, connection_revision, deleted,
                       1_700_000_000_000_000, 1_700_000_000_500_000)
    for total, last in ((1, 1_700_000_000_000_000), (0, 0), (1, 5), (1, 6), (0, 0)):
        blob += struct.pack("<Qq", total, last)
    for part in (stream.encode(), json_text.encode()):
        blob += struct.pack("<I", len(part)) + part
    return blob


def journal_input(kind, key, value):
    """fuzz/journal_codec_fuzzer.cc: mode key_length key value, checksum repaired (0x08)."""
    return bytes([kind | 0x08, len(key)]) + key + value + b"\0\0\0\0"


def journal_seeds():
    stream_key = lambda stream, revision: stream + b"\0" + struct.pack(">Q", revision)
    record = lambda kind, payload: struct.pack(">BBqQI", 1, kind, 1_700_000_000_000_000, 7,
                                               len(payload)) + payload
    seeds = {
        "created": journal_input(0, stream_key(b"c1", 1), record(1, CANONICAL.encode())),
        "modified": journal_input(0, stream_key(b"c1", 2), record(2, CANONICAL.encode())),
        "opened": journal_input(0, stream_key(b"c1", 3), record(3, b"")),
        "closed": journal_input(0, stream_key(b"c1", 4), record(4, b"")),
        "deleted": journal_input(0, stream_key(b"c1", 5), record(5, b"")),
        "order": journal_input(1, struct.pack(">Q", 7),
                               struct.pack(">BBqQH", 1, 1, 1_700_000_000_000_000, 1, 2) + b"c1"),
        "state": journal_input(2, b"c1", b"\x01" + struct.pack(">I", len(snapshot_blob()))
                               + snapshot_blob()),
        "history": journal_input(3, stream_key(b"c1", 3), b"\x01" +
                                 struct.pack(">I", len(snapshot_blob())) + snapshot_blob()),
        "meta": journal_input(4, b"snapshot_watermark", b"\x01" + struct.pack(">Q", 42)),
        "bad-checksum": bytes([0, 11]) + stream_key(b"c1", 1) + record(1, b"{}") + b"abcd",
        "keys": bytes([5, 13]) + stream_key(b"a'\\\x7f", 1),
    }
    return seeds


def snapshot_seeds():
    return {
        "active": snapshot_blob(),
        "deleted": snapshot_blob(deleted=1, revision=4),
        "not-canonical": snapshot_blob(json_text='{"id":"c1"}'),
        "escaped-tags": snapshot_blob(json_text=CANONICAL.replace('["a","b"]', '["\\"]","\\u0041"]')),
    }


def http_request(method, path, headers="", body=b"", version="HTTP/1.1"):
    head = f"{method} {path} {version}\r\nHost: 127.0.0.1\r\n{headers}\r\n"
    return head.encode("latin-1") + body


def http_framing_seeds():
    """The first byte chooses how the rest is cut into reads (fuzz/http_framing_fuzzer.cc)."""
    body = compact({"targetActorSelection": SHARD, "headers": {},
                    "piggybackCommand": {"type": "connectivity.commands:retrieveAllConnectionIds"}})
    post = lambda headers, data: http_request("POST", "/devops/piggyback", headers, data)
    length = lambda data: f"Content-Length: {len(data)}\r\n"
    chunk = lambda data: f"{len(data):x}\r\n".encode() + data + b"\r\n"
    seeds = {
        "get": http_request("GET", "/health"),
        "get-close": http_request("GET", "/health", "Connection: close\r\n"),
        "get-http10": http_request("GET", "/health", "Connection: keep-alive\r\n", version="HTTP/1.0"),
        "post": post(length(body.encode()) + "Content-Type: application/json\r\n", body.encode()),
        "expect": post("Expect: 100-continue\r\n" + length(b"{}"), b"{}"),
        "chunked": post("Transfer-Encoding: chunked\r\n", chunk(b"{\"a\"") + chunk(b":1}") + b"0\r\nT: v\r\n\r\n"),
        "pipelined": http_request("GET", "/health") * 2,
        "leading-crlf": b"\r\n\r\n" + http_request("GET", "/status"),
        "negative-length": post("Content-Length: -5\r\n", b""),
        "huge-length": post("Content-Length: 99999999999999999999\r\n", b""),
        "two-lengths": post("Content-Length: 1\r\nContent-Length: 2\r\n", b"ab"),
        "length-and-chunked": post("Content-Length: 5\r\nTransfer-Encoding: chunked\r\n", b"0\r\n\r\n"),
        "bad-chunk": post("Transfer-Encoding: chunked\r\n", b"zz\r\nab\r\n0\r\n\r\n"),
        "long-header": http_request("GET", "/health", "X-Long: " + "h" * 500 + "\r\n"),
        "long-line": http_request("GET", "/" + "p" * 300),
        "no-version": b"GET /health\r\n\r\n",
        "lf-only": b"GET /health HTTP/1.1\nHost: 127.0.0.1\n\n",
        "bare-cr": b"GET /health HTTP/1.1\rHost: 127.0.0.1\r\n\r\n",
        "no-host": b"GET /health HTTP/1.1\r\n\r\n",
        "http2-preface": b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
        "expect-other": post("Expect: something\r\n" + length(b"{}"), b"{}"),
        "typed-headers": http_request("GET", "/health", "Content-Type: ;;\r\nDate: yesterday\r\n"),
        "host-port": b"GET /health HTTP/1.1\r\nHost: 127.0.0.1:99999999\r\n\r\n",
    }
    return {name: bytes([index % 17]) + data for index, (name, data) in enumerate(seeds.items())}


def main():
    write("piggyback", piggyback_seeds())
    write("connection", connection_seeds())
    write("rql", rql_seeds())
    write("placeholders", placeholder_seeds())
    write("topics", topic_seeds())
    write("uri", uri_seeds())
    write("journal_codec", journal_seeds())
    write("snapshot", snapshot_seeds())
    write("http_framing", http_framing_seeds())
    for folder in sorted(CORPUS.iterdir()):
        print(f"{folder.name}: {len(list(folder.iterdir()))} inputs")


if __name__ == "__main__":
    main()
