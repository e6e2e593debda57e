"""sasdk: the sa side of an sa plugin written in Python.

goplugin.py speaks hashicorp/go-plugin's part of the protocol (handshake,
mTLS, health, shutdown). This module speaks sa's common part: it checks
every configuration against the plugin's schema exactly as sa's Go SDK
does, keeps the configured instances, and serves PluginService (Describe,
ValidateConfig, Configure). plugin.py adds the service of its kind.

Supported property types: string, integer and boolean.
"""

import re
import threading

import grpc
from google.protobuf import json_format

import goplugin
from sa.plugin.v1 import plugin_pb2, plugin_pb2_grpc

STRING_TYPES = (plugin_pb2.PROPERTY_TYPE_UNSPECIFIED, plugin_pb2.PROPERTY_TYPE_STRING)
SUPPORTED_TYPES = STRING_TYPES + (plugin_pb2.PROPERTY_TYPE_INTEGER, plugin_pb2.PROPERTY_TYPE_BOOLEAN)


class Secret:
    """A credential that shows as <secret> wherever it is printed or logged."""

    __slots__ = ("_value",)

    def __init__(self, value):
        self._value = value

    def reveal(self):
        return self._value

    def __repr__(self):
        return "<secret>"

    __str__ = __repr__


def go_quote(s):
    """Quotes s as Go's %q does, so problems read as the Go SDK's do."""
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
    """Fails fast on a schema this module cannot enforce or that contradicts itself."""
    for p in schema.properties:
        if p.type not in SUPPORTED_TYPES:
            raise ValueError("property %r: only string, integer and boolean properties are supported" % p.name)
        if p.pattern:
            re.compile(p.pattern)
        for what, value in (("default", p.default_value), ("example", p.example)):
            if value:
                _, msg = _convert(p, value)
                if msg:
                    raise ValueError("property %r: %s fails its own property: %s" % (p.name, what, msg))


def _check_string(prop, value):
    """Why value does not fit prop, or "". Never quotes the value: it may be
    a credential typed into the wrong field. Patterns match in full, as RE2
    does with sa's ^(?:...)$."""
    if prop.forbidden_chars and any(c in prop.forbidden_chars for c in value):
        return "may not contain any of %s" % go_quote(prop.forbidden_chars)
    if prop.pattern and not re.fullmatch(prop.pattern, value, re.ASCII):
        return "does not match pattern %s" % prop.pattern
    return ""


def _convert(prop, value):
    """Returns (typed value, problem message)."""
    if prop.type == plugin_pb2.PROPERTY_TYPE_INTEGER:
        if isinstance(value, bool):
            return None, "must be an integer"
        if isinstance(value, float) and value.is_integer():
            return int(value), ""
        if isinstance(value, int):
            return value, ""
        if isinstance(value, str) and re.fullmatch(r"[+-]?[0-9]{1,18}", value.strip()):
            return int(value), ""
        return None, "must be an integer"
    if prop.type == plugin_pb2.PROPERTY_TYPE_BOOLEAN:
        if isinstance(value, bool):
            return value, ""
        if isinstance(value, str) and value.strip().lower() in ("true", "false"):
            return value.strip().lower() == "true", ""
        return None, "must be true or false"
    if not isinstance(value, str):
        return None, "must be a string"
    return value, _check_string(prop, value)


def apply(schema, raw):
    """Checks raw against the schema; returns (config, problems).

    The rules of the Go SDK's schema.Apply: absent, null and empty values
    take the default or count as missing, values are type-checked, and every
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
        value, msg = _convert(p, value)
        if msg:
            problems.append(plugin_pb2.Problem(field=p.name, message=msg))
            continue
        config[p.name] = Secret(value) if p.secret or p.credential else value
    known = {p.name for p in schema.properties}
    for name in sorted(set(raw) - known):
        problems.append(plugin_pb2.Problem(field=name, message="unknown property"))
    return config, problems


class Instances:
    """The configured instances, by name, shared by every service."""

    def __init__(self):
        self._lock = threading.Lock()
        self._configs = {}

    def get(self, name):
        with self._lock:
            return self._configs.get(name)

    def set(self, name, config):
        with self._lock:
            self._configs[name] = config

    def require(self, name, context):
        """Returns the instance's config, or ends the call as sa expects for
        an instance it has not configured yet (it configures, then retries)."""
        config = self.get(name)
        if config is None:
            context.abort(grpc.StatusCode.FAILED_PRECONDITION, "instance %s is not configured" % go_quote(name))
        return config


class PluginService(plugin_pb2_grpc.PluginServiceServicer):
    """sa.plugin.v1.PluginService: who the plugin is and its configuration."""

    def __init__(self, info, schema, instances, log):
        self._info, self._schema = info, schema
        self._instances, self._log = instances, log

    def Describe(self, request, context):
        return plugin_pb2.DescribeResponse(info=self._info, schema=self._schema)

    def ValidateConfig(self, request, context):
        _, problems = apply(self._schema, json_format.MessageToDict(request.config))
        return plugin_pb2.ValidateConfigResponse(problems=problems)

    def Configure(self, request, context):
        if not request.instance:
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, "instance name is empty")
        config, problems = apply(self._schema, json_format.MessageToDict(request.config))
        if problems:
            return plugin_pb2.ConfigureResponse(problems=problems)
        self._instances.set(request.instance, config)
        self._log.info("instance configured", instance=request.instance)
        return plugin_pb2.ConfigureResponse()


def serve(info, schema, add_service):
    """Serves the plugin until sa stops it; returns the exit code.

    add_service(server, instances, log) registers the plugin's kind service.
    """
    log = goplugin.Logger()
    check_schema(schema)
    instances = Instances()

    def register(server, version):
        plugin_pb2_grpc.add_PluginServiceServicer_to_server(PluginService(info, schema, instances, log), server)
        add_service(server, instances, log)

    return goplugin.serve(register, list(info.protocol_versions), log)
