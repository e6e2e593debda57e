#!/bin/sh
# Generates the Python protobuf and gRPC stubs the plugin imports into gen/.
#
# It uses the system protoc and grpc_python_plugin (Debian: protobuf-compiler,
# protobuf-compiler-grpc) on purpose, not grpcio-tools from pip: generated
# code must match the protobuf runtime it runs on, and the runtime here is
# the distribution's python3-protobuf.
#
# Usage: gen.sh [PROTO_DIR]
#   PROTO_DIR is the directory holding sa/plugin/v1/*.proto; it defaults to
#   SA_PROTO_DIR, then to the repository's proto/ three levels up.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
proto_dir=${1:-${SA_PROTO_DIR:-$here/../../../proto}}

if [ ! -f "$proto_dir/sa/plugin/v1/plugin.proto" ]; then
	echo "gen.sh: no sa/plugin/v1/plugin.proto under $proto_dir; pass the proto directory" >&2
	exit 1
fi
for tool in protoc grpc_python_plugin; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "gen.sh: $tool not found (Debian: apt-get install protobuf-compiler protobuf-compiler-grpc)" >&2
		exit 1
	fi
done

# Generate into a scratch directory and swap it in, so an interrupted run
# never leaves a half-written gen/ that imports but misbehaves.
tmp=$(mktemp -d "$here/.gen.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# The go-plugin protos sit at the top of the plugin directory, so their stubs
# are top-level modules (health_pb2, not grpc.health.v1.health_pb2, which the
# installed grpc package would shadow). Their proto packages, and so the
# service names on the wire, are unchanged.
echo "protoc: sa/plugin/v1 and go-plugin services -> $here/gen" >&2
protoc -I "$proto_dir" -I "$here" \
	--python_out="$tmp" \
	--grpc_python_out="$tmp" \
	--plugin=protoc-gen-grpc_python="$(command -v grpc_python_plugin)" \
	sa/plugin/v1/plugin.proto \
	sa/plugin/v1/output.proto \
	health.proto \
	grpc_controller.proto \
	grpc_stdio.proto

# Regular packages, not namespace ones: an unrelated "sa" package installed
# later on sys.path would otherwise win the import.
for pkg in sa sa/plugin sa/plugin/v1; do
	: >"$tmp/$pkg/__init__.py"
done

# mktemp made the directory private; the plugin may run as another user.
chmod 755 "$tmp"
rm -rf "$here/gen"
mv "$tmp" "$here/gen"
trap - EXIT
