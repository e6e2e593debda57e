package aws

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/streamalert-go/sa/host/config"
	"github.com/streamalert-go/sa/host/deadletter"
	"github.com/streamalert-go/sa/host/metrics"
	"github.com/streamalert-go/sa/host/pluginhost"
	"github.com/streamalert-go/sa/host/runtime/embedded"
	"github.com/streamalert-go/sa/host/secrets"
	"github.com/streamalert-go/sa/host/secrets/ssm"
	"github.com/streamalert-go/sa/host/threatintel"
	saplugin "github.com/streamalert-go/sa/sdk/plugin"
)

// LambdaAPI is the part of the Lambda client the app function calls;
// *lambda.Client implements it.
type LambdaAPI interface {
	Invoke(ctx context.Context, in *lambda.InvokeInput, opts ...func(*lambda.Options)) (*lambda.InvokeOutput, error)
}

// IOCWriter stores the IOCs threat intel feed apps gather;
// *threatintel.DynamoWriter is one.
type IOCWriter interface {
	Write(ctx context.Context, iocs []threatintel.IOC) (int, error)
}

// AppOptions build an AppHandler. Deployment, Plugins, App, SSM,
// SecretsPrefix, Lambda and Self are required; Classifier for an app
// whose logs are classified, IOC for a threat intel feed app.
type AppOptions struct {
	Deployment *Deployment
	Plugins    *pluginhost.Host
	// App names the sa.yaml apps entry this function polls.
	App string
	// SSM holds the app's credentials, app/<plugin>/<name> under
	// SecretsPrefix, and its state, app/<name> under StatePrefix
	// (StatePrefixFor(SecretsPrefix) when empty), both encrypted with
	// KMSKey (the account's aws/ssm key when empty).
	SSM           ssm.API
	SecretsPrefix string
	StatePrefix   string
	KMSKey        string
	// Lambda invokes Classifier, the cluster's classifier function, with
	// the app's logs, and Self, this function, to continue a backlog.
	Lambda     LambdaAPI
	Classifier string
	Self       string
	IOC        IOCWriter
	// DeadLetter, when set, keeps a log too big for the classifier's
	// event; without one such a log fails the poll.
	DeadLetter DeadLetter
	// Reserve is the time kept before the invocation's deadline for the
	// last batch's state and the self-invocation: by default a tenth of
	// the time the invocation has, at least 10 seconds.
	Reserve time.Duration
	// Metrics, when set, counts polls and the logs gathered.
	Metrics *metrics.Pipeline
	Now     func() time.Time
	Log     *slog.Logger
}

// AppHandler is an app function: one app instance (a sa.yaml apps entry)
// polled on its EventBridge schedule, StreamAlert's app function
// (reference §6.1). Each invocation resumes the plugin's Gather from the
// state saved in SSM and hands each batch on, to the cluster's
// classifier by asynchronous Invoke or to the IOC table, before it saves
// the batch's state: an invocation that dies repeats its last batch and
// never loses one. When the plugin says more remains as time runs out,
// the function invokes itself to go on at once.
//
// Two polls of an instance must not overlap; the function's reserved
// concurrency of one (infra/) sees to it, as StreamAlert's "running"
// state tried to. An invocation Lambda throttles for it is retried by
// Lambda's asynchronous retries.
type AppHandler struct {
	o       AppOptions
	app     embedded.App
	secrets *ssm.Store
	state   *appState
	// head and tail frame a classifier event around a JSON array of logs.
	head, tail []byte
}

// NewApp returns the app function's handler for the app opts.App.
func NewApp(o AppOptions) (*AppHandler, error) {
	if o.Deployment == nil || o.Plugins == nil || o.SSM == nil || o.Lambda == nil || o.Self == "" || o.SecretsPrefix == "" {
		return nil, errors.New("app: Deployment, Plugins, SSM, SecretsPrefix, Lambda and Self are required")
	}
	a, err := o.Deployment.App(o.App)
	if err != nil {
		return nil, err
	}
	if err := checkApp(o, a); err != nil {
		return nil, fmt.Errorf("app %s: %w", a.Name, err)
	}
	store, err := ssm.New(o.SSM, ssm.Options{Prefix: o.SecretsPrefix, KMSKeyID: o.KMSKey})
	if err != nil {
		return nil, fmt.Errorf("app %s: %w", a.Name, err)
	}
	if o.StatePrefix == "" {
		o.StatePrefix = StatePrefixFor(o.SecretsPrefix)
	}
	if err := checkStatePrefix(o.StatePrefix, o.SecretsPrefix); err != nil {
		return nil, fmt.Errorf("app %s: %w", a.Name, err)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	o.Log = o.Log.With("app", a.Name)
	name, _ := json.Marshal(a.Name)
	return &AppHandler{
		o: o, app: a, secrets: store,
		state: &appState{api: o.SSM, param: o.StatePrefix + "/app/" + a.Name, kmsKey: o.KMSKey, app: a.Name},
		head:  append(append([]byte(`{"Records":[{"streamalert_app":`), name...), `,"logs":`...),
		tail:  []byte(`}]}`),
	}, nil
}

// App returns the sa.yaml apps entry named name; the error lists the
// apps there are.
func (d *Deployment) App(name string) (embedded.App, error) {
	var names []string
	for _, a := range d.Config.Apps {
		if a.Name == name {
			return a, nil
		}
		names = append(names, a.Name)
	}
	slices.Sort(names)
	known := strings.Join(names, ", ")
	if known == "" {
		known = "none"
	}
	return embedded.App{}, fmt.Errorf("app %q is not in sa.yaml's apps (apps: %s)", name, known)
}

// checkApp checks what the app's sink needs, and that its plugin is
// packaged.
func checkApp(o AppOptions, a embedded.App) error {
	if _, ok := o.Plugins.Plugin("app." + a.Plugin); !ok {
		return fmt.Errorf("plugin app.%s is not in the deployment package", a.Plugin)
	}
	switch a.Sink {
	case embedded.SinkThreatIntel:
		if o.IOC == nil {
			return errors.New("sink threat_intel: no IOC table to write to")
		}
		return nil
	case "":
	default:
		return fmt.Errorf("sink %q: want %q or none", a.Sink, embedded.SinkThreatIntel)
	}
	if o.Classifier == "" {
		return errors.New("no classifier function to send logs to")
	}
	// The classifier takes the logs of sources a cluster lists only;
	// anything else would end in its dead letter queue.
	c, ok := o.Deployment.Conf.ClusterOf(config.ServiceStreamAlertApp, a.Name)
	switch {
	case !ok:
		file := "conf/clusters/" + a.Cluster + ".json"
		if a.Cluster == "" {
			file = "the data_sources of the app's cluster in conf/clusters"
		}
		return fmt.Errorf("no cluster's data_sources list streamalert_app %q; add it to %s with the log types it carries", a.Name, file)
	case a.Cluster != "" && c.Name != a.Cluster:
		return fmt.Errorf("conf/clusters/%s.json lists streamalert_app %q, but sa.yaml puts the app in cluster %q", c.Name, a.Name, a.Cluster)
	}
	return nil
}

func checkStatePrefix(p, secretsPrefix string) error {
	if !strings.HasPrefix(p, "/") || strings.HasSuffix(p, "/") || strings.Contains(p, "//") {
		return fmt.Errorf("state prefix %q must start with / and not end with one", p)
	}
	if p == secretsPrefix {
		return fmt.Errorf("state prefix %q: keep app state apart from the secrets", p)
	}
	return nil
}

// AppResult is what an invocation did, the function's response.
type AppResult struct {
	App string `json:"app"`
	// Successive is set for an invocation continuing a backlog.
	Successive bool `json:"successive"`
	// Polls counts Gather calls; Batches the batches saved, holding Logs
	// logs, sent in Payloads classifier events (or IOCs written).
	Polls    int `json:"polls"`
	Batches  int `json:"batches"`
	Logs     int `json:"logs"`
	Payloads int `json:"payloads,omitempty"`
	IOCs     int `json:"iocs,omitempty"`
	// DeadLetters counts logs kept in the dead letter queue.
	DeadLetters int `json:"dead_letters,omitempty"`
	// Continued is set when the function invoked itself to go on.
	Continued bool `json:"continued"`
}

// minPoll is the least budget worth another poll in the same invocation;
// with less left, the function continues in a new one.
const minPoll = time.Second

// successive is the event the function invokes itself with.
var successive = []byte(`{"invocation_type":"successive"}`)

// Invoke handles a scheduled event or a successive invocation.
func (h *AppHandler) Invoke(ctx context.Context, event json.RawMessage) (AppResult, error) {
	var ev struct {
		Type string `json:"invocation_type"`
	}
	_ = json.Unmarshal(event, &ev) // a schedule's event is EventBridge's
	res := AppResult{App: h.app.Name, Successive: ev.Type == "successive"}
	err := h.run(ctx, &res)
	if m := h.o.Metrics; m != nil {
		result := metrics.ResultOK
		if err != nil {
			result = metrics.ResultError
		}
		m.AppPolls.WithLabelValues(h.app.Name, result).Inc()
		m.AppRecords.WithLabelValues(h.app.Name).Add(float64(res.Logs))
	}
	if err != nil {
		h.o.Log.Warn("app: poll failed; the next invocation resumes from the last saved state",
			"batches", res.Batches, "logs", res.Logs, "error", err.Error())
		return res, fmt.Errorf("app %s: %w", h.app.Name, err)
	}
	h.o.Log.Info("app: polled", "successive", res.Successive, "polls", res.Polls, "batches", res.Batches,
		"logs", res.Logs, "continued", res.Continued)
	return res, nil
}

func (h *AppHandler) run(ctx context.Context, res *AppResult) error {
	w := h.window(ctx)
	if h.budget(w) <= 0 {
		return fmt.Errorf("no time to poll: the invocation has %v, the reserve is %v", time.Until(w.deadline).Round(time.Millisecond), w.reserve)
	}
	h.configure()
	if _, err := h.state.load(ctx); err != nil {
		return err
	}
	for {
		more, err := h.poll(ctx, w, res)
		if err != nil || !more {
			return err
		}
		if h.budget(w) < minPoll {
			if err := invokeAsync(ctx, h.o.Lambda, h.o.Self, successive); err != nil {
				return fmt.Errorf("continue the backlog: %w", err)
			}
			res.Continued = true
			return nil
		}
	}
}

// window is the time an invocation has: its deadline (zero outside
// Lambda) and the reserve kept before it.
type window struct {
	deadline time.Time
	reserve  time.Duration
}

func (h *AppHandler) window(ctx context.Context) window {
	dl, ok := ctx.Deadline()
	if !ok {
		return window{}
	}
	reserve := h.o.Reserve
	if reserve <= 0 {
		reserve = max(10*time.Second, dl.Sub(h.o.Now())/10)
	}
	return window{deadline: dl, reserve: reserve}
}

// budget is how long the next poll may run: the app's budget (5m), cut
// to what the invocation has left before its reserve.
func (h *AppHandler) budget(w window) time.Duration {
	b := h.app.Budget
	if b <= 0 {
		b = 5 * time.Minute
	}
	if !w.deadline.IsZero() {
		b = min(b, w.deadline.Sub(h.o.Now())-w.reserve)
	}
	return b
}

// configure tells the plugin host how to configure the instance, as the
// embedded runtime's scheduler does. It is called on every invocation so
// that credentials changed in SSM are used from the next poll on.
func (h *AppHandler) configure() {
	a := h.app
	h.o.Plugins.Configure("app."+a.Plugin, a.Name, func(ctx context.Context) (map[string]any, error) {
		cfg := make(map[string]any, len(a.Config))
		for k, v := range a.Config {
			cfg[k] = v
		}
		creds, err := h.secrets.Get(ctx, "app/"+a.Plugin+"/"+a.Name)
		if err != nil && !errors.Is(err, secrets.ErrNotFound) {
			return nil, err
		}
		for k, v := range creds {
			cfg[k] = v.Reveal()
		}
		return cfg, nil
	})
}

// poll runs one Gather from the saved state, handing each batch on and
// saving its state, and reports whether the last batch said more remains.
func (h *AppHandler) poll(ctx context.Context, w window, res *AppResult) (more bool, err error) {
	gctx := ctx
	if !w.deadline.IsZero() {
		// A plugin overrunning its budget is cut off with time left to
		// report it; the batches saved before stand.
		var cancel context.CancelFunc
		gctx, cancel = context.WithDeadline(ctx, w.deadline.Add(-w.reserve/2))
		defer cancel()
	}
	res.Polls++
	err = h.o.Plugins.Gather(gctx, h.app.Plugin, h.app.Name, h.state.cur, h.budget(w), func(b saplugin.Batch) error {
		if gctx.Err() != nil {
			// Batches the plugin sent ahead wait in the stream; those the
			// time left cannot cover are gathered again next time.
			return errOutOfTime
		}
		if err := h.deliver(ctx, b.Logs, res); err != nil {
			return err
		}
		if err := h.state.save(ctx, b.State); err != nil {
			return err
		}
		res.Batches++
		res.Logs += len(b.Logs)
		more = b.More
		return nil
	})
	if errors.Is(err, errOutOfTime) {
		return true, nil
	}
	return more, err
}

// errOutOfTime stops a Gather whose batches come in after the time for
// handling them is up.
var errOutOfTime = errors.New("out of time for more batches")

// deliver hands a batch's logs to the app's sink.
func (h *AppHandler) deliver(ctx context.Context, logs [][]byte, res *AppResult) error {
	if len(logs) == 0 {
		return nil
	}
	if h.app.Sink == embedded.SinkThreatIntel {
		n, err := h.o.IOC.Write(ctx, h.iocs(logs))
		res.IOCs += n
		if err != nil {
			return fmt.Errorf("write IOCs: %w", err)
		}
		return nil
	}
	return h.send(ctx, logs, res)
}

// iocs reads a feed's logs as IOC records, as the embedded runtime's
// threat intel sink does; anything else is skipped with a warning.
func (h *AppHandler) iocs(logs [][]byte) []threatintel.IOC {
	out := make([]threatintel.IOC, 0, len(logs))
	for i, l := range logs {
		var ioc threatintel.IOC
		if err := json.Unmarshal(l, &ioc); err != nil || ioc.Value == "" || !slices.Contains(threatintel.Types, ioc.Type) {
			h.o.Log.Warn("app: feed emitted something that is not an IOC; skipped", "index", i)
			continue
		}
		out = append(out, ioc)
	}
	return out
}

// MaxAppPayload is the largest event the app function sends the
// classifier: Lambda's long-standing 256 KiB limit on an asynchronous
// invocation's payload.
const MaxAppPayload = 256 << 10

// send invokes the classifier with the logs, in as few events of at most
// MaxAppPayload bytes as they fit, in order. A log that fits no event is
// kept in the dead letter queue, or fails the batch when there is none.
func (h *AppHandler) send(ctx context.Context, logs [][]byte, res *AppResult) error {
	items := make([][]byte, len(logs))
	for i, l := range logs {
		items[i] = encodeLog(l)
	}
	bodies, oversize := pack(items, MaxAppPayload-len(h.head)-len(h.tail))
	if len(oversize) > 0 && h.o.DeadLetter == nil {
		i := oversize[0]
		return fmt.Errorf("log %d of the batch is %d bytes as JSON, too big for a %d-byte classifier event, and there is no dead letter queue to keep it",
			i, len(items[i]), MaxAppPayload)
	}
	for n, b := range bodies {
		event := make([]byte, 0, len(h.head)+len(b.data)+len(h.tail))
		event = append(append(append(event, h.head...), b.data...), h.tail...)
		if err := invokeAsync(ctx, h.o.Lambda, h.o.Classifier, event); err != nil {
			return fmt.Errorf("send logs: event %d of %d: %w", n+1, len(bodies), err)
		}
		res.Payloads++
	}
	if len(oversize) == 0 {
		return nil
	}
	entries := make([]deadletter.Entry, len(oversize))
	for j, i := range oversize {
		entries[j] = deadletter.Entry{
			Time: h.o.Now().UTC(), Stage: deadletter.StageDecode, Service: config.ServiceStreamAlertApp, Resource: h.app.Name,
			Cluster: h.app.Cluster, Raw: capRaw(logs[i]), Size: len(logs[i]),
			Reason: fmt.Sprintf("app log is %d bytes as JSON, too big for a %d-byte classifier event", len(items[i]), MaxAppPayload),
		}
	}
	if err := h.o.DeadLetter.Send(ctx, entries); err != nil {
		return fmt.Errorf("keep %d oversized logs: %w", len(entries), err)
	}
	res.DeadLetters += len(entries)
	return nil
}

// encodeLog is a log as an element of the event's "logs": a JSON object
// or array as it is, anything else as a JSON string, which the classifier
// turns back into the text (package payload's app batches). Text that is
// not UTF-8 has its invalid bytes replaced.
func encodeLog(log []byte) []byte {
	t := bytes.TrimSpace(log)
	if len(t) > 0 && (t[0] == '{' || t[0] == '[') && utf8.Valid(t) && json.Valid(t) {
		return t
	}
	b, _ := json.Marshal(string(log)) // a string always encodes
	return b
}

// invokeTimeout bounds one Invoke, the SDK's retries included.
const invokeTimeout = 30 * time.Second

// invokeAsync invokes fn with payload as an asynchronous event.
func invokeAsync(ctx context.Context, api LambdaAPI, fn string, payload []byte) error {
	ctx, cancel := context.WithTimeout(ctx, invokeTimeout)
	defer cancel()
	out, err := api.Invoke(ctx, &lambda.InvokeInput{FunctionName: &fn, InvocationType: lambdatypes.InvocationTypeEvent, Payload: payload})
	if err != nil {
		if code := apiCode(err); code != "" {
			// Lambda's messages can quote the payload.
			return fmt.Errorf("invoke %s: lambda Invoke: %s", fn, code)
		}
		return fmt.Errorf("invoke %s: %w", fn, err)
	}
	if out.StatusCode != 202 {
		return fmt.Errorf("invoke %s: status %d, want 202 (accepted)", fn, out.StatusCode)
	}
	return nil
}

var _ IOCWriter = (*threatintel.DynamoWriter)(nil)
