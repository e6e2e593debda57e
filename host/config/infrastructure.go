package config

import "encoding/json"

// Infrastructure is global.json "infrastructure". In StreamAlert it is
// mostly Terraform input whose keys grew release by release, so the whole
// object is kept in Raw and only the settings that change what the
// pipeline does are typed. Unknown sections are kept silently; unknown keys
// inside a typed section are warnings, since they are most likely typos of
// a key sa reads.
type Infrastructure struct {
	Firehose          Firehose
	RuleStaging       RuleStaging
	ClassifierSQS     ClassifierSQS
	ArtifactExtractor ArtifactExtractor
	// Raw holds every key of the object verbatim, typed ones included.
	Raw map[string]json.RawMessage
}

// Firehose is "infrastructure.firehose": the optional copy of every
// classified record of the enabled logs into long-term storage.
type Firehose struct {
	Enabled        bool
	UsePrefix      bool   // use_prefix, default true: prefix the stream names
	BufferSize     int    // buffer_size in MB, default 128
	BufferInterval int    // buffer_interval in seconds, default 900
	BucketName     string // bucket_name, default "<prefix>-streamalert-data"
	// EnabledLogs maps a log family ("osquery": all its types) or a log
	// type to its per-log alarm settings, which are kept raw.
	EnabledLogs map[string]json.RawMessage
}

// RuleStaging is "infrastructure.rule_staging": new rules first alert only
// to the staging output.
type RuleStaging struct {
	Enabled             bool
	CacheRefreshMinutes int // cache_refresh_minutes, default 10
}

// ClassifierSQS is "infrastructure.classifier_sqs".
type ClassifierSQS struct {
	UsePrefix bool // use_prefix, default true
}

// ArtifactExtractor is "infrastructure.artifact_extractor": normalized
// values copied out as artifacts (needs Firehose enabled to run).
type ArtifactExtractor struct {
	Enabled                bool
	FirehoseBufferSize     int // firehose_buffer_size in MB, default 128
	FirehoseBufferInterval int // firehose_buffer_interval in seconds, default 900
}

func (f *file) decodeInfrastructure(in *Infrastructure) func(*node, jpath) {
	// Defaults first: a typed section absent from the file keeps them.
	in.Firehose = Firehose{UsePrefix: true, BufferSize: 128, BufferInterval: 900}
	in.RuleStaging.CacheRefreshMinutes = 10
	in.ClassifierSQS.UsePrefix = true
	in.ArtifactExtractor = ArtifactExtractor{FirehoseBufferSize: 128, FirehoseBufferInterval: 900}
	return func(n *node, p jpath) {
		in.Raw = f.rawMembers(n, p)
		fh, rs, ae := &in.Firehose, &in.RuleStaging, &in.ArtifactExtractor
		f.objectWith(n, p, fields{
			"firehose": func(n *node, p jpath) {
				f.lenient(n, p, fields{
					"enabled":         f.toBool(&fh.Enabled),
					"use_prefix":      f.toBool(&fh.UsePrefix),
					"buffer_size":     f.toInt(&fh.BufferSize),
					"buffer_interval": f.toInt(&fh.BufferInterval),
					"bucket_name":     f.toStr(&fh.BucketName),
					"enabled_logs":    func(n *node, p jpath) { fh.EnabledLogs = f.rawMembers(n, p) },
				})
			},
			"rule_staging": func(n *node, p jpath) {
				f.lenient(n, p, fields{
					"enabled":               f.toBool(&rs.Enabled),
					"cache_refresh_minutes": f.toInt(&rs.CacheRefreshMinutes),
					"table":                 func(n *node, p jpath) { f.want(n, p, kindObject) }, // capacities: Terraform only
				})
			},
			"classifier_sqs": func(n *node, p jpath) {
				f.lenient(n, p, fields{"use_prefix": f.toBool(&in.ClassifierSQS.UsePrefix)})
			},
			"artifact_extractor": func(n *node, p jpath) {
				f.lenient(n, p, fields{
					"enabled":                  f.toBool(&ae.Enabled),
					"firehose_buffer_size":     f.toInt(&ae.FirehoseBufferSize),
					"firehose_buffer_interval": f.toInt(&ae.FirehoseBufferInterval),
				})
			},
		}, nil)
	}
}

func (in *Infrastructure) applyDefaults(prefix string) {
	if in.Firehose.BucketName == "" && prefix != "" {
		in.Firehose.BucketName = prefix + "-streamalert-data"
	}
}
