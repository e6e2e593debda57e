package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	saplugin "github.com/streamalert-go/sa/sdk/plugin"
	"github.com/streamalert-go/sa/sdk/schema"
)

const version = "0.1.0"

// File appends alerts to files, one JSON line per alert. Writes to one file
// are serialized, so concurrent sends never interleave lines.
type File struct {
	mu    sync.Mutex
	locks map[string]*sync.Mutex
}

// New returns the plugin.
func New() *File { return &File{locks: map[string]*sync.Mutex{}} }

// Info implements saplugin.Plugin.
func (*File) Info() saplugin.Info {
	return saplugin.Info{Name: "file", Version: version, Description: "Append alerts as JSON lines to a local file"}
}

// Schema implements saplugin.Plugin.
func (*File) Schema() schema.Schema {
	return schema.Schema{Properties: []schema.Property{
		{Name: "descriptor", Required: true, Descriptor: true, Pattern: `[A-Za-z0-9_.-]{1,64}`, Example: "audit",
			Description: "Name of this destination, used in rule outputs (file:<descriptor>)."},
		{Name: "path", Required: true, ForbiddenChars: "\x00\n", Example: "/var/log/sa/alerts.jsonl",
			Description: "Absolute path of the file alerts are appended to; created 0600 if missing."},
		{Name: "fsync", Type: schema.Boolean, Default: "true",
			Description: "Sync each alert to disk before reporting it delivered."},
	}}
}

// ValidateConfig implements saplugin.Validator.
func (*File) ValidateConfig(cfg schema.Config) []schema.Problem {
	if !filepath.IsAbs(cfg.String("path")) {
		return []schema.Problem{{Field: "path", Message: "must be an absolute path"}}
	}
	return nil
}

// line is what each alert becomes in the file.
type line struct {
	Alert       json.RawMessage `json:"alert"`
	Publication json.RawMessage `json:"publication,omitempty"`
}

// Send implements saplugin.Output.
func (f *File) Send(ctx context.Context, req saplugin.SendRequest) saplugin.SendResult {
	l := line{Alert: req.Alert}
	if len(bytes.TrimSpace(req.Publication)) > 0 && string(req.Publication) != "null" {
		if !json.Valid(req.Publication) {
			return saplugin.SendResult{Status: saplugin.Permanent, Message: "publication is not valid JSON"}
		}
		l.Publication = req.Publication
	}
	data, err := json.Marshal(l)
	if err != nil {
		return saplugin.SendResult{Status: saplugin.Permanent, Message: fmt.Sprintf("encode alert: %v", err)}
	}
	path := req.Config.String("path")
	if err := f.appendLine(path, append(data, '\n'), req.Config.Bool("fsync")); err != nil {
		// A full disk or a permission fixed later makes this pass.
		return saplugin.SendResult{Status: saplugin.Retryable, Message: err.Error()}
	}
	return saplugin.SendResult{Status: saplugin.Delivered}
}

func (f *File) appendLine(path string, data []byte, durable bool) error {
	f.mu.Lock()
	l, ok := f.locks[path]
	if !ok {
		l = &sync.Mutex{}
		f.locks[path] = l
	}
	f.mu.Unlock()
	l.Lock()
	defer l.Unlock()
	fh, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		return fmt.Errorf("open %s: %w", path, err)
	}
	if _, err := fh.Write(data); err != nil {
		fh.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if durable {
		if err := fh.Sync(); err != nil {
			fh.Close()
			return fmt.Errorf("sync %s: %w", path, err)
		}
	}
	return fh.Close()
}

var (
	_ saplugin.Output    = (*File)(nil)
	_ saplugin.Validator = (*File)(nil)
)
