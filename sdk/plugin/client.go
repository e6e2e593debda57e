package plugin

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"time"

	"github.com/hashicorp/go-hclog"
	goplugin "github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"
	"google.golang.org/grpc/health/grpc_health_v1"

	pluginv1 "github.com/streamalert-go/sa/sdk/gen/sa/plugin/v1"
)

// ClientOptions says how to start a plugin process.
type ClientOptions struct {
	// Cmd is the command to run. Its Env is the whole environment the plugin
	// gets: the host's own environment is never inherited.
	Cmd *exec.Cmd
	// SHA256 is the expected checksum of Cmd.Path, checked right before the
	// process starts. Nil skips the check (development overrides only).
	SHA256 []byte
	// Versions are the protocol versions the host accepts; nil means all
	// this package speaks.
	Versions []int
	// Stderr receives the plugin's standard error, raw.
	Stderr io.Writer
	// StartTimeout bounds the handshake; zero means 30 seconds.
	StartTimeout time.Duration
	// Test, when set, attaches to a plugin served in this process by
	// goplugin.Serve with a ServeTestConfig, instead of starting Cmd.
	Reattach *goplugin.ReattachConfig
}

// Client is a started plugin process.
type Client struct {
	*goplugin.Client
	Conn *Conn
	// Version is the negotiated protocol version.
	Version int
}

// Start starts the plugin, completes the handshake over mutual TLS and
// returns a connection. The kind is not known before Describe, so the
// returned Conn has every kind's client; Conn.Kind is set by the caller.
func Start(ctx context.Context, opts ClientOptions) (*Client, error) {
	cfg, err := clientConfig(opts)
	if err != nil {
		return nil, err
	}
	c := goplugin.NewClient(cfg)
	rpc, err := c.Client()
	if err != nil {
		c.Kill()
		return nil, err
	}
	raw, err := rpc.Dispense(string(KindParser))
	if err != nil {
		c.Kill()
		return nil, fmt.Errorf("open plugin connection: %w", err)
	}
	return &Client{Client: c, Conn: raw.(*Conn), Version: c.NegotiatedVersion()}, nil
}

func clientConfig(opts ClientOptions) (*goplugin.ClientConfig, error) {
	sets := ClientSets()
	if opts.Versions != nil {
		all := sets
		sets = map[int]goplugin.PluginSet{}
		for _, v := range opts.Versions {
			if s, ok := all[v]; ok {
				sets[v] = s
			}
		}
		if len(sets) == 0 {
			return nil, fmt.Errorf("no protocol version in %v is spoken by this host", opts.Versions)
		}
	}
	timeout := opts.StartTimeout
	if timeout == 0 {
		timeout = 30 * time.Second
	}
	cfg := &goplugin.ClientConfig{
		HandshakeConfig:  Handshake,
		VersionedPlugins: sets,
		AllowedProtocols: []goplugin.Protocol{goplugin.ProtocolGRPC},
		// Off, not a null logger: go-plugin parses plugin stderr only for a
		// logger that is on, and its parser panics on malformed JSON lines.
		// Stderr goes raw to opts.Stderr, which parses it safely.
		Logger:          hclog.New(&hclog.LoggerOptions{Output: io.Discard, Level: hclog.Off}),
		StartTimeout:    timeout,
		Stderr:          opts.Stderr,
		SyncStderr:      opts.Stderr,
		SyncStdout:      opts.Stderr,
		SkipHostEnv:     true,
		GRPCDialOptions: dialOptions(),
	}
	if opts.Stderr == nil {
		cfg.Stderr, cfg.SyncStderr, cfg.SyncStdout = io.Discard, io.Discard, io.Discard
	}
	if opts.Reattach != nil {
		// go-plugin does not negotiate on reattach: pick the plugin set of
		// the version the served plugin reports.
		cfg.Reattach = opts.Reattach
		cfg.Plugins = sets[opts.Reattach.ProtocolVersion]
		if cfg.Plugins == nil {
			return nil, fmt.Errorf("reattach: protocol version %d is not spoken by this host", opts.Reattach.ProtocolVersion)
		}
		return cfg, nil
	}
	if opts.Cmd == nil {
		return nil, errors.New("no command to start")
	}
	tlsCfg, certPEM, err := clientTLS()
	if err != nil {
		return nil, err
	}
	cmd := opts.Cmd
	cmd.Env = append(cmd.Env, "PLUGIN_CLIENT_CERT="+string(certPEM))
	prepareCmd(cmd)
	cfg.Cmd = cmd
	cfg.TLSConfig = tlsCfg
	if opts.SHA256 != nil {
		cfg.SecureConfig = &goplugin.SecureConfig{Checksum: opts.SHA256, Hash: sha256.New()}
	}
	return cfg, nil
}

// Parse batches run to megabytes a call. gRPC's default 64 KiB flow-control
// windows and 32 KiB buffers turn each into dozens of round trips over the
// local socket; windows and buffers sized for batches keep one call close to
// one write each way.
const (
	streamWindow = 16 << 20
	connWindow   = 32 << 20
	ioBuffer     = 1 << 20
	maxMessage   = 256 << 20
)

func dialOptions() []grpc.DialOption {
	return []grpc.DialOption{
		grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(maxMessage), grpc.MaxCallSendMsgSize(maxMessage)),
		grpc.WithInitialWindowSize(streamWindow),
		grpc.WithInitialConnWindowSize(connWindow),
		grpc.WithWriteBufferSize(ioBuffer),
		grpc.WithReadBufferSize(ioBuffer),
	}
}

func serverOptions() []grpc.ServerOption {
	return []grpc.ServerOption{
		grpc.MaxRecvMsgSize(maxMessage),
		grpc.MaxSendMsgSize(maxMessage),
		grpc.InitialWindowSize(streamWindow),
		grpc.InitialConnWindowSize(connWindow),
		grpc.WriteBufferSize(ioBuffer),
		grpc.ReadBufferSize(ioBuffer),
	}
}

// Ping checks the plugin's gRPC health service, as go-plugin defines it.
func (c *Conn) Ping(ctx context.Context) error {
	resp, err := grpc_health_v1.NewHealthClient(c.Raw).Check(ctx, &grpc_health_v1.HealthCheckRequest{Service: goplugin.GRPCServiceName})
	if err != nil {
		return err
	}
	if resp.GetStatus() != grpc_health_v1.HealthCheckResponse_SERVING {
		return fmt.Errorf("health status %s", resp.GetStatus())
	}
	return nil
}

// Describe calls PluginService.Describe.
func (c *Conn) Describe(ctx context.Context, version int) (*pluginv1.DescribeResponse, error) {
	return c.Base.Describe(ctx, &pluginv1.DescribeRequest{ProtocolVersion: int32(version)})
}
