#!/bin/sh
# Generates the Python protobuf and gRPC stubs the plugin imports, into gen/.
#
# It uses the system protoc and grpc_python_plugin (Debian: protobuf-compiler,
# protobuf-compiler-grpc), not pip's grpcio-tools: generated code must match
# the protobuf runtime it runs on, the distribution's python3-protobuf.
#
# Usage: gen.sh [PROTO_DIR]   (PROTO_DIR holds sa/plugin/v1/*.proto; default ./proto)
set -eu

here=$(cd "$(dirname "$0")" && pwd)
proto_dir=${1:-$here/proto}

if [ ! -f "$proto_dir/sa/plugin/v1/plugin.proto" ]; then
	echo "gen.sh: no sa/plugin/v1/plugin.proto under $proto_dir" >&2
	exit 1
fi
for tool in protoc grpc_python_plugin; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "gen.sh: $tool not found (Debian: apt-get install protobuf-compiler protobuf-compiler-grpc)" >&2
		exit 1
	fi
done

# Generate into a scratch directory and swap it in, so an interrupted run
# never leaves a half-written gen/.
tmp=$(mktemp -d "$here/.gen.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

protoc -I "$proto_dir" -I "$here" \
	--python_out="$tmp" \
	--grpc_python_out="$tmp" \
	--plugin=protoc-gen-grpc_python="$(command -v grpc_python_plugin)" \
	sa/plugin/v1/plugin.proto sa/plugin/v1/output.proto sa/plugin/v1/app.proto sa/plugin/v1/parser.proto \
	health.proto grpc_controller.proto grpc_stdio.proto

for pkg in sa sa/plugin sa/plugin/v1; do
	: >"$tmp/$pkg/__init__.py"
done
chmod 755 "$tmp"
rm -rf "$here/gen"
mv "$tmp" "$here/gen"
trap - EXIT
