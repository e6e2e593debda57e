#!/usr/bin/env python3
"""python-example: an sa output plugin written in Python.

It appends every alert it is sent to a file, one JSON line each, and shows
that sa's plugin protocol is plain gRPC any language can serve. go-plugin's
part of the protocol (handshake, mTLS, health, shutdown) is in goplugin.py;
this file is the sa part: PluginService (Describe, ValidateConfig,
Configure) and OutputService (Send).

It runs on Debian's python3 with python3-grpcio, python3-protobuf and
python3-cryptography, after gen.sh has generated the stubs into gen/.
"""

import hashlib
import hmac
import json
import os
import re
import sys
import threading

_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(_HERE, "gen"))

try:
    import grpc
    from google.protobuf import json_format

    import goplugin
    from sa.plugin.v1 import output_pb2, output_pb2_grpc, plugin_pb2, plugin_pb2_grpc
except ImportError as err:
    # Either a Debian package is missing or the stubs were never generated.
    sys.stderr.write(
        "python-example: cannot import %s. It needs python3-grpcio, python3-protobuf and\n"
        "python3-cryptography, and the stubs gen.sh generates in %s.\n" % (err.name, _HERE)
    )
    sys.exit(1)

PROTOCOL_VERSIONS = [1]

INFO = plugin_pb2.Info(
    name="python-example",
    kind=plugin_pb2.KIND_OUTPUT,
    version="0.1.0",
    protocol_versions=PROTOCOL_VERSIONS,
    description="Appends each alert to a file as a JSON line (example plugin written in Python)",
    capabilities=plugin_pb2.Capabilities(instances=True, validate_config=False),
)

SCHEMA = plugin_pb2.Schema(properties=[
    plugin_pb2.Property(
        name="path",
        type=plugin_pb2.PROPERTY_TYPE_STRING,
        description="File the alerts are appended to, one JSON line each",
        required=True,
        example="/tmp/sa-python-example.jsonl",
        forbidden_chars="\n\x00",
    ),
    plugin_pb2.Property(
        name="api_token",
        type=plugin_pb2.PROPERTY_TYPE_STRING,
        description="Token written as a keyed hash beside each alert, to show credentials reach plugins",
        secret=True,
        credential=True,
        pattern="[A-Za-z0-9_-]{8,64}",
        example="example_token_123",
    ),
])


class Secret:
    """A credential value that shows as <secret> wherever it is printed.

    Like sdk/schema.Secret: a secret passed to a log line or an error message
    by mistake reveals nothing, and json.dumps refuses it outright.
    """

    __slots__ = ("_value",)

    def __init__(self, value):
        self._value = value

    def reveal(self):
        return self._value

    def __repr__(self):
        return "<secret>"

    __str__ = __repr__


def go_quote(s):
    """Quotes s the way Go's %q does, so problems read the same as the SDK's."""
    escapes = {'"': '\\"', "\\": "\\\\", "\a": "\\a", "\b": "\\b", "\f": "\\f",
               "\n": "\\n", "\r": "\\r", "\t": "\\t", "\v": "\\v"}
    out = []
    for ch in s:
        code = ord(ch)
        if ch in escapes:
            out.append(escapes[ch])
        elif ch.isprintable():
            out.append(ch)
        elif code < 0x80:
            out.append("\\x%02x" % code)
        elif code < 0x10000:
            out.append("\\u%04x" % code)
        else:
            out.append("\\U%08x" % code)
    return '"' + "".join(out) + '"'


def check_schema(schema):
    """Fails fast on a schema this file cannot enforce or that contradicts itself.

    Only string properties are implemented, which is all this plugin needs;
    adding another type means extending apply() too.
    """
    for p in schema.properties:
        if p.type not in (plugin_pb2.PROPERTY_TYPE_UNSPECIFIED, plugin_pb2.PROPERTY_TYPE_STRING):
            raise ValueError("property %r: only string properties are supported" % p.name)
        if p.pattern:
            re.compile(p.pattern)
        for what, value in (("default", p.default_value), ("example", p.example)):
            if value and _check_string(p, value):
                raise ValueError("property %r: %s fails its own property" % (p.name, what))


def _check_string(prop, value):
    """Returns why value does not fit prop, or "" when it does.

    The messages never quote the value: it may be a credential typed into the
    wrong field. Patterns match in full, as RE2 does with sa's ^(?:...)$;
    re.ASCII keeps classes like \\d and \\w to ASCII as in RE2.
    """
    if prop.forbidden_chars and any(c in prop.forbidden_chars for c in value):
        return "may not contain any of %s" % go_quote(prop.forbidden_chars)
    if prop.pattern and not re.fullmatch(prop.pattern, value, re.ASCII):
        return "does not match pattern %s" % prop.pattern
    return ""


def apply(schema, raw):
    """Checks raw against the schema; returns (config, problems).

    The same rules as sdk/schema's Apply: absent, null and empty values take
    the default or count as missing, values are type-checked, and every
    property the schema does not declare is a problem.
    """
    config, problems = {}, []
    for p in schema.properties:
        value = raw.get(p.name)
        if value is None or value == "":
            if not p.default_value:
                if p.required:
                    problems.append(plugin_pb2.Problem(field=p.name, message="required"))
                continue
            value = p.default_value
        if not isinstance(value, str):
            problems.append(plugin_pb2.Problem(field=p.name, message="must be a string"))
            continue
        msg = _check_string(p, value)
        if msg:
            problems.append(plugin_pb2.Problem(field=p.name, message=msg))
            continue
        config[p.name] = Secret(value) if p.secret or p.credential else value
    known = {p.name for p in schema.properties}
    for name in sorted(set(raw) - known):
        problems.append(plugin_pb2.Problem(field=name, message="unknown property"))
    return config, problems


class Instances:
    """The configured instances, by name; shared by both services."""

    def __init__(self):
        self._lock = threading.Lock()
        self._configs = {}

    def get(self, name):
        with self._lock:
            return self._configs.get(name)

    def set(self, name, config):
        with self._lock:
            self._configs[name] = config


class PluginService(plugin_pb2_grpc.PluginServiceServicer):
    """sa.plugin.v1.PluginService: who this plugin is and its configuration."""

    def __init__(self, instances, log):
        self._instances = instances
        self._log = log

    def Describe(self, request, context):
        return plugin_pb2.DescribeResponse(info=INFO, schema=SCHEMA)

    def ValidateConfig(self, request, context):
        _, problems = apply(SCHEMA, json_format.MessageToDict(request.config))
        return plugin_pb2.ValidateConfigResponse(problems=problems)

    def Configure(self, request, context):
        if not request.instance:
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, "instance name is empty")
        config, problems = apply(SCHEMA, json_format.MessageToDict(request.config))
        if problems:
            return plugin_pb2.ConfigureResponse(problems=problems)
        self._instances.set(request.instance, config)
        self._log.info("instance configured", instance=request.instance)
        return plugin_pb2.ConfigureResponse()


def _reject_constant(name):
    raise ValueError("%s is not JSON" % name)


def decode_json(data):
    """Parses one JSON text, UTF-8 only.

    Python's json also accepts NaN and Infinity, which are not JSON and which
    no reader of the output file (Go's included) would take back.
    Raises ValueError: UnicodeDecodeError and JSONDecodeError are both one.
    """
    return json.loads(data.decode("utf-8"), parse_constant=_reject_constant)


class OutputService(output_pb2_grpc.OutputServiceServicer):
    """sa.plugin.v1.OutputService: appends each alert to the instance's file."""

    def __init__(self, instances, log):
        self._instances = instances
        self._log = log
        # O_APPEND puts every write at the end of the file, but one write()
        # need not take a whole line, so concurrent sends could interleave.
        self._write_lock = threading.Lock()

    def Send(self, request, context):
        config = self._instances.get(request.instance)
        if config is None:
            context.abort(grpc.StatusCode.FAILED_PRECONDITION,
                          "instance %s is not configured" % go_quote(request.instance))
        try:
            alert = decode_json(request.alert_json)
        except ValueError:
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, "alert is not valid JSON")
        publication = None
        if request.publication_json:
            try:
                publication = decode_json(request.publication_json)
            except ValueError:
                context.abort(grpc.StatusCode.INVALID_ARGUMENT, "publication is not valid JSON")

        token = config.get("api_token")
        record = {
            "instance": request.instance,
            "alert": alert,
            "publication": publication,
            # Keyed over the bytes as sent, so a reader with the token can
            # check the line without re-encoding the alert identically.
            "token_hmac": hmac.new(token.reveal().encode(), request.alert_json, hashlib.sha256).hexdigest()
            if token else None,
        }
        # Compact and ASCII-only: always exactly one line, whatever the alert holds.
        line = (json.dumps(record, separators=(",", ":")) + "\n").encode("ascii")
        path = config["path"]
        try:
            self._append(path, line)
        except OSError as err:
            reason = err.strerror or type(err).__name__
            self._log.warn("append failed", instance=request.instance, path=path, error=reason)
            return output_pb2.SendResponse(
                status=output_pb2.SEND_STATUS_RETRYABLE,
                message="append alert to %s: %s" % (path, reason),
            )
        self._log.debug("alert delivered", instance=request.instance)
        return output_pb2.SendResponse(status=output_pb2.SEND_STATUS_DELIVERED)

    def _append(self, path, line):
        # fsync before answering DELIVERED: the host forgets an alert once an
        # output has it. 0600 because alerts are often sensitive.
        with self._write_lock:
            fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o600)
            with os.fdopen(fd, "ab") as f:
                f.write(line)
                f.flush()
                os.fsync(f.fileno())


def main():
    log = goplugin.Logger()
    check_schema(SCHEMA)
    instances = Instances()

    def register(server, version):
        # Version 1 is the only one; a v2 would register other servicers here.
        plugin_pb2_grpc.add_PluginServiceServicer_to_server(PluginService(instances, log), server)
        output_pb2_grpc.add_OutputServiceServicer_to_server(OutputService(instances, log), server)

    return goplugin.serve(register, PROTOCOL_VERSIONS, log)


if __name__ == "__main__":
    sys.exit(main())
