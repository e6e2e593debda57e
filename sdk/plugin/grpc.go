package plugin

import (
	"context"
	"fmt"

	goplugin "github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"

	pluginv1 "github.com/streamalert-go/sa/sdk/gen/sa/plugin/v1"
)

// GRPCPlugin binds one kind of sa plugin to go-plugin. On the plugin side
// Impl is set and GRPCServer registers the services; on the host side Impl
// is nil and GRPCClient returns a *Conn.
type GRPCPlugin struct {
	goplugin.NetRPCUnsupportedPlugin
	Kind Kind
	Impl Plugin
}

// GRPCServer registers PluginService and the kind's service.
func (p *GRPCPlugin) GRPCServer(_ *goplugin.GRPCBroker, s *grpc.Server) error {
	base := newBaseServer(p.Kind, p.Impl)
	pluginv1.RegisterPluginServiceServer(s, base)
	switch p.Kind {
	case KindParser:
		impl, ok := p.Impl.(Parser)
		if !ok {
			return fmt.Errorf("%T does not implement Parser", p.Impl)
		}
		pluginv1.RegisterParserServiceServer(s, &parserServer{impl: impl})
	case KindOutput:
		impl, ok := p.Impl.(Output)
		if !ok {
			return fmt.Errorf("%T does not implement Output", p.Impl)
		}
		pluginv1.RegisterOutputServiceServer(s, &outputServer{impl: impl, insts: base.insts})
	case KindApp:
		impl, ok := p.Impl.(App)
		if !ok {
			return fmt.Errorf("%T does not implement App", p.Impl)
		}
		pluginv1.RegisterAppServiceServer(s, &appServer{impl: impl, insts: base.insts})
	default:
		return fmt.Errorf("unknown plugin kind %q", p.Kind)
	}
	return nil
}

// GRPCClient returns a *Conn over the plugin's connection.
func (p *GRPCPlugin) GRPCClient(_ context.Context, _ *goplugin.GRPCBroker, c *grpc.ClientConn) (any, error) {
	return &Conn{
		Kind:   p.Kind,
		Base:   pluginv1.NewPluginServiceClient(c),
		Parser: pluginv1.NewParserServiceClient(c),
		Output: pluginv1.NewOutputServiceClient(c),
		App:    pluginv1.NewAppServiceClient(c),
		Raw:    c,
	}, nil
}

// Conn is the host's view of a started plugin: raw protocol clients for the
// base service and the kind's service. Only the client of the plugin's kind
// is served; calling another returns Unimplemented.
type Conn struct {
	Kind   Kind
	Base   pluginv1.PluginServiceClient
	Parser pluginv1.ParserServiceClient
	Output pluginv1.OutputServiceClient
	App    pluginv1.AppServiceClient
	Raw    *grpc.ClientConn
}

// ClientSets returns the go-plugin plugin sets a host dispenses from, keyed
// by protocol version: every version this package speaks, each offering one
// plugin per kind under the kind's name.
func ClientSets() map[int]goplugin.PluginSet {
	sets := map[int]goplugin.PluginSet{}
	for _, v := range ProtocolVersions {
		set := goplugin.PluginSet{}
		for _, k := range Kinds {
			set[string(k)] = &GRPCPlugin{Kind: k}
		}
		sets[v] = set
	}
	return sets
}
