package aws

import (
	"log/slog"

	"github.com/streamalert-go/sa/host/dispatch"
	"github.com/streamalert-go/sa/host/pluginhost"
	"github.com/streamalert-go/sa/host/store"
)

// ProcessorFor builds the processor of a deployment: the output instances
// sa.yaml configures, on the package's plugins, with credentials from
// secrets (nil when none are needed); obs, when set, observes every
// delivery attempt.
func ProcessorFor(dep *Deployment, q store.Queue, plugins *pluginhost.Host, secrets dispatch.SecretGetter, obs dispatch.Observer, log *slog.Logger) (*ProcessorHandler, error) {
	instances := dispatch.NewInstances(dispatch.InstancesOptions{
		Host: plugins, Secrets: secrets,
		Settings: func(output string) (map[string]any, bool) {
			v, ok := dep.Config.Outputs[output]
			return v, ok
		},
	})
	return NewProcessor(ProcessorOptions{
		Queue: q, Sender: plugins, Instances: instances, Composer: dep.Config.Composer(log), Observer: obs, Log: log,
	})
}
