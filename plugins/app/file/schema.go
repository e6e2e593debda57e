package main

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/streamalert-go/sa/sdk/schema"
)

// Property names of an instance configuration.
const (
	propPath         = "path"
	propPattern      = "pattern"
	propBatchSize    = "batch_size"
	propMaxLineBytes = "max_line_bytes"
)

// Bounds of the numeric settings.
const (
	maxBatchSize    = 10000
	maxMaxLineBytes = 64 << 20
)

// configSchema is what the host prompts for and validates.
var configSchema = schema.Schema{Properties: []schema.Property{
	{
		Name:        propPath,
		Description: "Absolute path of a log file, or of a directory whose files matching pattern are read.",
		Required:    true,
		Example:     "/var/log/sa/events.log",
	},
	{
		Name:        propPattern,
		Description: "Glob matched against file names when path is a directory (for example *.log or *.json.gz).",
		Default:     "*",
	},
	{
		Name:        propBatchSize,
		Type:        schema.Integer,
		Description: fmt.Sprintf("Most logs per batch handed to the host (1-%d).", maxBatchSize),
		Default:     "500",
	},
	{
		Name:        propMaxLineBytes,
		Type:        schema.Integer,
		Description: "Longest line accepted, in bytes; longer lines are skipped with a warning naming file and line.",
		Default:     "1048576",
	},
}}

// settings is an instance configuration in working form.
type settings struct {
	path      string
	pattern   string
	batchSize int
	maxLine   int
}

// parseSettings converts and checks cfg.
func parseSettings(cfg schema.Config) (settings, []schema.Problem) {
	var problems []schema.Problem
	add := func(field, msg string) { problems = append(problems, schema.Problem{Field: field, Message: msg}) }
	s := settings{
		path:      filepath.Clean(cfg.String(propPath)),
		pattern:   cfg.String(propPattern),
		batchSize: int(cfg.Int(propBatchSize)),
		maxLine:   int(cfg.Int(propMaxLineBytes)),
	}
	if !filepath.IsAbs(s.path) {
		add(propPath, "must be an absolute path")
	}
	if _, err := filepath.Match(s.pattern, ""); err != nil || strings.ContainsRune(s.pattern, filepath.Separator) {
		add(propPattern, "must be a glob over file names, without a path separator")
	}
	if s.batchSize < 1 || s.batchSize > maxBatchSize {
		add(propBatchSize, fmt.Sprintf("must be between 1 and %d", maxBatchSize))
	}
	if s.maxLine < 1 || s.maxLine > maxMaxLineBytes {
		add(propMaxLineBytes, fmt.Sprintf("must be between 1 and %d", maxMaxLineBytes))
	}
	return s, problems
}
