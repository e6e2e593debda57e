package config

import (
	"encoding/json"
	"strings"
)

// The source services of StreamAlert's data_sources. sa's own sources
// (HTTP ingest, files) will be added here when they land; until then an
// unknown service is an error, as in StreamAlert.
const (
	ServiceKinesis        = "kinesis"
	ServiceS3             = "s3"
	ServiceSNS            = "sns"
	ServiceStreamAlertApp = "streamalert_app"
)

var services = []string{ServiceKinesis, ServiceS3, ServiceSNS, ServiceStreamAlertApp}

// Cluster is one clusters/<name>.json.
type Cluster struct {
	Name string // the file name without .json; StreamAlert's "id" must match it
	// DataSources maps a service to its resources (stream, bucket, topic or
	// app function name) and each resource to the log families ("cloudtrail")
	// or log types ("cloudtrail:events") it carries, as in the file.
	DataSources map[string]map[string][]string
	// EnableThreatIntel turns threat intel on for the whole deployment when
	// any cluster sets it (StreamAlert never filters by cluster).
	EnableThreatIntel bool
	// ClassifierConfig is the classifier Lambda's settings (memory, timeout,
	// alarms, subscribed SNS inputs): Terraform input for the AWS runtime,
	// kept raw. Unlike StreamAlert it is not required, since the embedded
	// runtime has no classifier Lambda.
	ClassifierConfig json.RawMessage
	// Modules are the per-cluster Terraform modules (kinesis,
	// cloudwatch_monitoring, streamalert_apps, ...). The set is open-ended
	// and each module has its own keys, so they are kept raw, by name.
	Modules map[string]json.RawMessage
}

// sourceRef is one data_sources resource (n nil) or one entry of its log
// list, kept with its position for the checks that need every schema and
// every cluster loaded.
type sourceRef struct {
	f        *file
	off      int
	n        *node
	p        jpath
	service  string
	resource string
}

func (f *file) decodeCluster(name string) (*Cluster, []sourceRef) {
	c := &Cluster{Name: name, DataSources: map[string]map[string][]string{}}
	if f.root == nil {
		return c, nil
	}
	var refs []sourceRef
	f.object(f.root, "", fields{
		"id": func(n *node, p jpath) {
			if f.want(n, p, kindString) && n.text != name {
				f.warnf(n, p, "id %q differs from the file name; sa names the cluster %q after the file", n.text, name)
			}
		},
		"data_sources":        func(n *node, p jpath) { refs = f.dataSources(c, n, p) },
		"enable_threat_intel": f.toBool(&c.EnableThreatIntel),
		"classifier_config":   f.toRaw(&c.ClassifierConfig, kindObject),
		"modules":             func(n *node, p jpath) { c.Modules = f.rawMembers(n, p) },
	})
	f.require(f.root, "", "data_sources")
	return c, refs
}

func (f *file) dataSources(c *Cluster, n *node, p jpath) []sourceRef {
	var refs []sourceRef
	fs := fields{}
	for _, svc := range services {
		fs[svc] = func(n *node, p jpath) {
			if !f.want(n, p, kindObject) {
				return
			}
			c.DataSources[svc] = map[string][]string{}
			for _, m := range n.members {
				mp := p.key(m.key)
				logs := f.strs(m.val, mp)
				if m.val.kind == kindArray && len(m.val.elems) == 0 {
					f.errorf(m.val, mp, "empty list of logs")
				}
				c.DataSources[svc][m.key] = logs
				refs = append(refs, sourceRef{f: f, off: m.keyOff, p: mp, service: svc, resource: m.key})
				for i, e := range m.val.elems {
					if e.kind == kindString {
						refs = append(refs, sourceRef{f: f, off: e.start, n: e, p: mp.index(i), service: svc, resource: m.key})
					}
				}
			}
		}
	}
	f.objectWith(n, p, fs, func(m member, p jpath) {
		f.report(SeverityError, m.keyOff, p, "unknown service (want one of %s)", strings.Join(services, ", "))
	})
	return refs
}
