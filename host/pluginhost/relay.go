package pluginhost

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"sync"
)

// tailLines is how many stderr lines are kept per plugin, to explain a
// failed start or a crash.
const tailLines = 20

// maxLine bounds one relayed line; longer lines are cut.
const maxLine = 64 << 10

// relay is the io.Writer a plugin's standard error goes to. It splits the
// stream into lines, masks secrets, and logs each line on the host's logger
// under the plugin's name: JSON lines (slog's or hclog's keys) keep their
// level, message and attributes; "[LEVEL]" prefixes set the level; a panic
// or fatal error raises the rest of the output to Error.
type relay struct {
	log    *slog.Logger
	redact *Redactor

	mu      sync.Mutex
	partial []byte
	tail    []string
	panicky bool
}

func newRelay(log *slog.Logger, r *Redactor) *relay {
	return &relay{log: log, redact: r}
}

func (w *relay) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.partial = append(w.partial, p...)
	for {
		i := bytes.IndexByte(w.partial, '\n')
		if i < 0 {
			if len(w.partial) > maxLine {
				w.line(string(w.partial[:maxLine]))
				w.partial = w.partial[:0]
			}
			return len(p), nil
		}
		line := string(w.partial[:min(i, maxLine)])
		w.partial = w.partial[i+1:]
		w.line(line)
	}
}

// Tail returns the last lines the plugin wrote, masked.
func (w *relay) Tail() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]string(nil), w.tail...)
}

func (w *relay) line(s string) {
	s = strings.TrimRight(w.redact.Redact(s), "\r")
	if strings.TrimSpace(s) == "" {
		return
	}
	w.tail = append(w.tail, s)
	if len(w.tail) > tailLines {
		w.tail = w.tail[len(w.tail)-tailLines:]
	}
	if strings.HasPrefix(s, "panic: ") || strings.HasPrefix(s, "fatal error: ") || strings.HasPrefix(s, "Traceback (most recent call last)") {
		w.panicky = true
	}
	level, msg, attrs := parseLine(s)
	if w.panicky {
		level = slog.LevelError
	}
	w.log.LogAttrs(context.Background(), level, msg, attrs...)
}

// parseLine reads a JSON log line (slog: level/msg; hclog: @level/@message)
// or a plain line with an optional [LEVEL] prefix.
func parseLine(s string) (slog.Level, string, []slog.Attr) {
	if strings.HasPrefix(s, "{") {
		var m map[string]any
		if json.Unmarshal([]byte(s), &m) == nil {
			return fromJSON(m)
		}
	}
	for _, p := range []struct {
		prefix string
		level  slog.Level
	}{{"[TRACE]", slog.LevelDebug}, {"[DEBUG]", slog.LevelDebug}, {"[INFO]", slog.LevelInfo}, {"[WARN]", slog.LevelWarn}, {"[ERROR]", slog.LevelError}} {
		if strings.HasPrefix(s, p.prefix) {
			return p.level, strings.TrimSpace(strings.TrimPrefix(s, p.prefix)), nil
		}
	}
	return slog.LevelInfo, s, nil
}

func fromJSON(m map[string]any) (slog.Level, string, []slog.Attr) {
	level := slog.LevelInfo
	var msg string
	var attrs []slog.Attr
	for k, v := range m {
		switch k {
		case "level", "@level":
			level = parseLevel(v)
		case "msg", "@message":
			msg, _ = v.(string)
		case "time", "@timestamp", "@module", "@caller":
		default:
			attrs = append(attrs, slog.Any(strings.TrimPrefix(k, "@"), v))
		}
	}
	return level, msg, attrs
}

func parseLevel(v any) slog.Level {
	s, _ := v.(string)
	switch strings.ToLower(s) {
	case "trace", "debug":
		return slog.LevelDebug
	case "warn", "warning":
		return slog.LevelWarn
	case "error", "fatal", "critical":
		return slog.LevelError
	}
	return slog.LevelInfo
}
