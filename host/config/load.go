package config

import (
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// Config is a loaded conf directory. It is not changed after Load returns
// it, so any number of goroutines may read it.
type Config struct {
	Dir      string
	Global   Global
	Clusters []*Cluster // sorted by name
	// Schemas holds every log type in classification order: StreamAlert's
	// priority order (see SchemasForSource).
	Schemas []*Schema
	// LegacyLogsJSON is true when the schemas came from the single-file
	// logs.json rather than schemas/.
	LegacyLogsJSON   bool
	NormalizedTypes  NormalizedTypes // nil without normalized_types.json
	Outputs          Outputs
	LookupTables     LookupTables
	ThreatIntel      ThreatIntel
	Lambda           json.RawMessage // lambda.json verbatim: per-function AWS settings
	ScheduledQueries json.RawMessage // scheduled_queries.json verbatim
	// Warnings are the problems that did not stop the load.
	Warnings Problems

	byName  map[LogType]*Schema
	sources map[source]sourceEntry
}

// knownFiles are the top-level files of a StreamAlert conf directory.
var knownFiles = map[string]bool{
	"global.json": true, "logs.json": true, "normalized_types.json": true, "outputs.json": true,
	"lookup_tables.json": true, "threat_intel.json": true, "lambda.json": true, "scheduled_queries.json": true,
}

// loader holds one load's state: what was decoded so far, the positions
// the cross-file checks need, and every problem found.
type loader struct {
	dir        string
	cfg        *Config
	probs      Problems
	global     *file
	sourceRefs []sourceRef
	iocRefs    []threatIntelRef
	tiFile     *file
}

// Load reads the StreamAlert conf directory dir. global.json, clusters/
// and the schemas (schemas/*.json, or logs.json) are required; the other
// files are optional. On failure the error is a Problems holding every
// problem found, warnings included, and the Config is nil.
func Load(dir string) (*Config, error) {
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		msg := "not a directory"
		if err != nil {
			msg = errMessage(err)
		}
		return nil, Problems{{File: dir, Message: "conf directory: " + msg}}
	}
	l := &loader{dir: dir, cfg: &Config{Dir: dir}}
	if g := l.read("global.json", true); g != nil {
		l.global = g
		g.decodeGlobal(&l.cfg.Global)
	}
	l.loadClusters()
	l.loadSchemas()
	l.loadOptional()
	l.checkTopLevel()
	l.crossCheck()
	l.probs.sort()
	if l.probs.HasErrors() {
		return nil, l.probs
	}
	l.cfg.index()
	l.cfg.Warnings = l.probs
	return l.cfg, nil
}

// read reads and parses the file name (slash-separated, relative to the
// conf directory). It returns nil if the file is missing or unreadable.
func (l *loader) read(name string, required bool) *file {
	data, err := os.ReadFile(filepath.Join(l.dir, filepath.FromSlash(name)))
	if errors.Is(err, fs.ErrNotExist) && !required {
		return nil
	}
	if err != nil {
		l.fileProblem(name, SeverityError, "cannot read: "+errMessage(err))
		return nil
	}
	return parseFile(name, data, &l.probs)
}

// fileProblem reports a problem with a whole file or directory.
func (l *loader) fileProblem(name string, sev Severity, msg string) {
	l.probs = append(l.probs, Problem{File: name, Message: msg, Severity: sev})
}

// errMessage drops the path from file system errors; the problem already
// names the file.
func errMessage(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// jsonFiles lists the *.json files of the conf subdirectory sub, sorted by
// name. StreamAlert used os.listdir order, which the file system decides;
// sorting makes schema order, and so classification, reproducible.
func (l *loader) jsonFiles(sub string, required bool) []string {
	entries, err := os.ReadDir(filepath.Join(l.dir, sub))
	if errors.Is(err, fs.ErrNotExist) && !required {
		return nil
	}
	if err != nil {
		l.fileProblem(sub+"/", SeverityError, "cannot read directory: "+errMessage(err))
		return nil
	}
	var names []string
	for _, e := range entries {
		if !e.IsDir() && strings.HasSuffix(e.Name(), ".json") {
			names = append(names, path.Join(sub, e.Name()))
		}
	}
	return names
}

func (l *loader) loadClusters() {
	names := l.jsonFiles("clusters", true)
	for _, name := range names {
		f := l.read(name, true)
		if f == nil {
			continue
		}
		c, refs := f.decodeCluster(strings.TrimSuffix(path.Base(name), ".json"))
		l.cfg.Clusters = append(l.cfg.Clusters, c)
		l.sourceRefs = append(l.sourceRefs, refs...)
	}
}

func (l *loader) loadOptional() {
	if f := l.read("normalized_types.json", false); f != nil {
		l.cfg.NormalizedTypes = f.decodeNormalizedTypes()
	}
	if f := l.read("outputs.json", false); f != nil {
		l.cfg.Outputs = f.decodeOutputs()
	}
	if f := l.read("lookup_tables.json", false); f != nil {
		l.cfg.LookupTables = f.decodeLookupTables()
	}
	if f := l.read("threat_intel.json", false); f != nil {
		l.tiFile = f
		l.cfg.ThreatIntel, l.iocRefs = f.decodeThreatIntel()
	}
	// lambda.json and scheduled_queries.json configure AWS functions and
	// Athena query packs, neither of which sa runs yet: kept verbatim,
	// checked only to be JSON objects.
	for name, dst := range map[string]*json.RawMessage{"lambda.json": &l.cfg.Lambda, "scheduled_queries.json": &l.cfg.ScheduledQueries} {
		if f := l.read(name, false); f != nil && f.root != nil {
			f.toRaw(dst, kindObject)(f.root, "")
		}
	}
}

// checkTopLevel warns about files StreamAlert would load under their own
// name but nothing reads.
func (l *loader) checkTopLevel() {
	entries, _ := os.ReadDir(l.dir)
	for _, e := range entries {
		if !e.IsDir() && strings.HasSuffix(e.Name(), ".json") && !knownFiles[e.Name()] {
			l.fileProblem(e.Name(), SeverityWarning, "not a StreamAlert config file; ignored")
		}
	}
}
