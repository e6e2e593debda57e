"""The server side of hashicorp/go-plugin's gRPC protocol, in Python.

A Go plugin gets all of this from go-plugin's Serve. A plugin in any other
language must do it by hand, exactly as the host expects:

1. refuse to start unless the host's magic cookie is in the environment;
2. pick the highest protocol version in PLUGIN_PROTOCOL_VERSIONS it speaks;
3. AutoMTLS: trust only the host's one-time certificate (PLUGIN_CLIENT_CERT)
   and answer with a fresh self-signed server certificate;
4. listen, then print one handshake line on stdout, and nothing else, ever;
5. serve grpc.health.v1.Health ("plugin" is SERVING), plugin.GRPCController
   (Shutdown) and plugin.GRPCStdio (StreamStdio) beside its own services.

Nothing here knows sa's services: serve() takes a function that registers
them. The generated stubs from gen.sh must already be importable.
"""

import base64
import datetime
import json
import os
import shutil
import signal
import sys
import tempfile
import threading
from concurrent import futures

import grpc
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

import grpc_controller_pb2
import grpc_controller_pb2_grpc
import grpc_stdio_pb2_grpc
import health_pb2
import health_pb2_grpc

# go-plugin's own wire version, the first handshake field. Only 1 exists.
CORE_PROTOCOL_VERSION = 1

# sa's handshake (sdk/plugin/handshake.go). The cookie is a courtesy that
# stops a plugin run by hand from sitting silently on a terminal, not a
# security measure: mTLS and the host's checksums are.
MAGIC_COOKIE_KEY = "SA_PLUGIN_MAGIC_COOKIE"
MAGIC_COOKIE_VALUE = "8c4a27d0f1f94b8eb3c2ad9b51e6f07a"

# The service name go-plugin's Ping checks (GRPCServiceName in go-plugin).
HEALTH_SERVICE = "plugin"

# The sa host allows messages up to 256 MiB each way (sdk/plugin/client.go);
# grpcio's default of 4 MiB would reject what the host may legitimately send.
MAX_MESSAGE_BYTES = 256 << 20

# The host keeps many sends in flight, and StreamStdio and Health.Watch each
# hold a worker for as long as their stream is open.
MAX_WORKERS = 32

# How long in-flight calls may run on after Shutdown. go-plugin's Kill waits
# two seconds for the process to exit before killing it.
SHUTDOWN_GRACE_SECONDS = 1.0

# How often a held-open stream notices that the host went away.
STREAM_POLL_SECONDS = 0.5


class Logger:
    """Writes hclog-style JSON lines to stderr.

    The host reads the plugin's stderr and relays each JSON line into its own
    log under the plugin's name, keeping the level and any extra fields.
    """

    def __init__(self, stream=None):
        self._stream = stream or sys.stderr
        # Lines from concurrent calls must not interleave.
        self._lock = threading.Lock()

    def log(self, level, message, **fields):
        record = {
            "@level": level,
            "@message": message,
            # go-plugin parses exactly this layout: microseconds and an offset.
            "@timestamp": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="microseconds"),
        }
        record.update(fields)
        # default=str keeps an odd value from losing the line; secrets are
        # objects whose str() is a mask, so they cannot leak this way.
        line = json.dumps(record, default=str) + "\n"
        with self._lock:
            self._stream.write(line)
            self._stream.flush()

    def debug(self, message, **fields):
        self.log("debug", message, **fields)

    def info(self, message, **fields):
        self.log("info", message, **fields)

    def warn(self, message, **fields):
        self.log("warn", message, **fields)

    def error(self, message, **fields):
        self.log("error", message, **fields)


class Stop:
    """A one-shot request to stop serving, settable from any thread."""

    def __init__(self):
        self._event = threading.Event()
        self.reason = ""

    def __call__(self, reason):
        if not self._event.is_set():
            self.reason = reason
            self._event.set()

    def is_set(self):
        return self._event.is_set()

    def wait(self, timeout=None):
        return self._event.wait(timeout)


def negotiate(offered, supported):
    """Returns the highest version in both lists, or None.

    offered is the host's comma list. Entries that are not integers are
    skipped, as go-plugin's own server does.
    """
    host = set()
    for part in (offered or "").split(","):
        try:
            host.add(int(part.strip()))
        except ValueError:
            continue
    common = host.intersection(supported)
    return max(common) if common else None


def auto_mtls(client_cert_pem):
    """Returns server credentials and the handshake's certificate field.

    The server certificate is ECDSA P-256, not go-plugin's P-521: gRPC's C
    core, which grpcio wraps, rejected P-521 until late 2023 (go-plugin#281),
    and the sa host uses P-256 for its side for the same reason. The host
    pins this exact certificate as its only root, with server name
    "localhost", so it is self-signed and a CA for itself. Its lifetime
    matches the host's certificate, which this process trusts alone anyway.
    """
    # Parse the host's certificate now: a garbled one would otherwise only
    # surface as an opaque TLS failure on the host's first call.
    try:
        x509.load_pem_x509_certificate(client_cert_pem.encode())
    except ValueError as err:
        raise ValueError("PLUGIN_CLIENT_CERT is not a PEM certificate: %s" % err) from None

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([
        x509.NameAttribute(NameOID.COMMON_NAME, "localhost"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "sa"),
    ])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        # Tolerate a little clock skew between host and plugin.
        .not_valid_before(now - datetime.timedelta(seconds=30))
        .not_valid_after(now + datetime.timedelta(days=365))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True, key_cert_sign=True, content_commitment=False,
                key_encipherment=False, data_encipherment=False, key_agreement=False,
                crl_sign=False, encipher_only=False, decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    creds = grpc.ssl_server_credentials(
        [(key_pem, cert.public_bytes(serialization.Encoding.PEM))],
        root_certificates=client_cert_pem.encode(),
        require_client_auth=True,
    )
    # go-plugin decodes the field with Go's RawStdEncoding: no padding.
    field = base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode("ascii").rstrip("=")
    return creds, field


def _hold(context, stop):
    """Blocks a streaming call until the plugin stops or the host hangs up.

    Polling is_active keeps a worker from staying parked on a stream whose
    host already cancelled it.
    """
    while context.is_active() and not stop.wait(STREAM_POLL_SECONDS):
        pass


class _Health(health_pb2_grpc.HealthServicer):
    """grpc.health.v1.Health for the one service go-plugin asks about."""

    def __init__(self, stop):
        self._stop = stop

    def _status(self, service):
        if service not in ("", HEALTH_SERVICE):
            return health_pb2.HealthCheckResponse.SERVICE_UNKNOWN
        if self._stop.is_set():
            return health_pb2.HealthCheckResponse.NOT_SERVING
        return health_pb2.HealthCheckResponse.SERVING

    def Check(self, request, context):
        status = self._status(request.service)
        if status == health_pb2.HealthCheckResponse.SERVICE_UNKNOWN:
            # What the health-checking protocol prescribes for Check.
            context.abort(grpc.StatusCode.NOT_FOUND, "unknown service")
        return health_pb2.HealthCheckResponse(status=status)

    def Watch(self, request, context):
        yield health_pb2.HealthCheckResponse(status=self._status(request.service))
        _hold(context, self._stop)


class _Controller(grpc_controller_pb2_grpc.GRPCControllerServicer):
    """plugin.GRPCController: the host's Kill asks for a clean exit here."""

    def __init__(self, stop):
        self._stop = stop

    def Shutdown(self, request, context):
        # Answer first and stop from the main thread: stopping the server from
        # inside one of its own calls would cut this reply off.
        self._stop("host requested shutdown")
        return grpc_controller_pb2.Empty()


class _Stdio(grpc_stdio_pb2_grpc.GRPCStdioServicer):
    """plugin.GRPCStdio with nothing to forward.

    Everything this plugin writes goes to stderr, which the host reads
    directly, so the stream stays empty. It is served and held open, as
    go-plugin's own servers do, because a host that finds it missing warns
    that stdio syncing is unavailable.
    """

    def __init__(self, stop):
        self._stop = stop

    def StreamStdio(self, request, context):
        _hold(context, self._stop)
        return
        yield  # Makes this a generator: a stream that ends without data.


def _claim_stdout():
    """Returns a private handle on stdout and points fd 1 at stderr.

    go-plugin takes the first line on stdout as the handshake; a stray print
    from any library, or a C extension writing to fd 1, would break startup
    with "Unrecognized remote plugin message". After this only the handshake
    can reach the host's stdout pipe.
    """
    sys.stdout.flush()
    real = os.fdopen(os.dup(1), "w", encoding="ascii")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    return real


def _install_signals(stop):
    # go-plugin plugins ignore SIGINT: a Ctrl-C on the terminal reaches the
    # whole process group, and it is the host's job to decide what stops.
    signal.signal(signal.SIGINT, signal.SIG_IGN)

    # A handler runs on the main thread between bytecodes, possibly while the
    # main thread holds the stop event's lock; setting it from a fresh thread
    # cannot deadlock on that.
    def on_term(signum, frame):
        threading.Thread(target=stop, args=("terminated by signal",), daemon=True).start()

    signal.signal(signal.SIGTERM, on_term)


def _watch_parent(stop, log, every=1.0):
    """Stops the plugin when the host that started it is gone.

    go-plugin has no such guard (go-plugin#136): a host killed with SIGKILL
    would leave plugins running. The sa host also asks Linux for a
    parent-death signal, but that is not portable.
    """
    parent = os.getppid()
    if parent <= 1:
        return  # Started by init (a container's PID 1): nothing to watch.

    def run():
        while not stop.wait(every):
            if os.getppid() != parent:
                log.warn("host process is gone; exiting", parent_pid=parent)
                stop("orphaned")
                return

    threading.Thread(target=run, name="parent-watch", daemon=True).start()


def serve(register, versions, log):
    """Serves the plugin until the host shuts it down; returns an exit code.

    register(server, version) adds the plugin's own services to the gRPC
    server for the negotiated protocol version. versions lists every
    protocol version the plugin speaks.
    """
    if os.environ.get(MAGIC_COOKIE_KEY) != MAGIC_COOKIE_VALUE:
        sys.stderr.write(
            "This is an sa plugin. It is started by sa and not meant to be run directly.\n"
            "Install it with `sa plugin install`, or test it with `sa plugin test`.\n"
        )
        return 1
    offered = os.environ.get("PLUGIN_PROTOCOL_VERSIONS", "")
    version = negotiate(offered, versions)
    if version is None:
        sys.stderr.write(
            "sa plugin: no common protocol version: host offers [%s], plugin speaks %s\n"
            % (offered, sorted(versions))
        )
        return 1

    handshake_out = _claim_stdout()
    stop = Stop()
    # Before the socket exists, so a SIGTERM at any point still cleans it up.
    _install_signals(stop)
    # mkdtemp makes the directory 0700, so only this user can reach the socket.
    sock_dir = tempfile.mkdtemp(prefix="sa-plugin-", dir=os.environ.get("PLUGIN_UNIX_SOCKET_DIR") or None)
    try:
        server = _new_server(register, version, stop)
        address = os.path.join(sock_dir, "plugin.sock")
        client_cert = os.environ.get("PLUGIN_CLIENT_CERT", "")
        cert_field = ""
        if client_cert:
            creds, cert_field = auto_mtls(client_cert)
            server.add_secure_port("unix:" + address, creds)
        else:
            # Without AutoMTLS the host speaks plaintext; go-plugin then
            # expects no certificate field.
            server.add_insecure_port("unix:" + address)
        server.start()

        _watch_parent(stop, log)
        handshake_out.write("%d|%d|unix|%s|grpc|%s\n" % (CORE_PROTOCOL_VERSION, version, address, cert_field))
        handshake_out.close()
        log.info("plugin serving", protocol_version=version, mtls=bool(client_cert))

        stop.wait()
        log.info("plugin stopping", reason=stop.reason)
        server.stop(SHUTDOWN_GRACE_SECONDS).wait()
    finally:
        shutil.rmtree(sock_dir, ignore_errors=True)
    return 0


def _new_server(register, version, stop):
    server = grpc.server(
        futures.ThreadPoolExecutor(max_workers=MAX_WORKERS, thread_name_prefix="grpc"),
        options=[
            ("grpc.max_receive_message_length", MAX_MESSAGE_BYTES),
            ("grpc.max_send_message_length", MAX_MESSAGE_BYTES),
        ],
    )
    health_pb2_grpc.add_HealthServicer_to_server(_Health(stop), server)
    grpc_controller_pb2_grpc.add_GRPCControllerServicer_to_server(_Controller(stop), server)
    grpc_stdio_pb2_grpc.add_GRPCStdioServicer_to_server(_Stdio(stop), server)
    register(server, version)
    return server
