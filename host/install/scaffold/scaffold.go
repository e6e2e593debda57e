// Package scaffold writes new plugin projects: `sa plugin init --kind
// output|app|parser --lang go|python NAME`. Each scaffold builds and passes
// `sa plugin test` unchanged, so an author starts from something that
// works and keeps it working.
//
// Go scaffolds build against the sa SDK module, which is not published on
// a module proxy: go.mod replaces it with a local copy, and lists the SDK's
// own requirements and checksums so the build needs no network when the
// module cache has them. Python scaffolds carry everything they need: the
// go-plugin part of the protocol (goplugin.py and go-plugin's .proto
// files, kept only here: the Python example in plugins/examples takes
// them from here too), sa's common part (sasdk.py), and copies of sa's
// .proto files, which gen.sh compiles with the system protoc.
package scaffold

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"text/template"
)

//go:embed all:templates
var templates embed.FS

// Options describe the plugin to scaffold.
type Options struct {
	// Kind is output, app or parser; Lang is go or python.
	Kind, Lang string
	// Name is the plugin's name ("acme-tickets").
	Name string
	// Dir is where the project is written; it must not exist or be empty.
	Dir string
	// SDK is the local sa SDK module directory (Go only).
	SDK string
	// Module is the Go module path (example.com/sa-<kind>-<name>).
	Module string
}

var nameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,62}$`)

// Kinds and Langs are what Init can write.
var (
	Kinds = []string{"output", "app", "parser"}
	Langs = []string{"go", "python"}
)

// data is what the templates see.
type data struct {
	Name, Kind, KindTitle, Module, Description string
	SDK, GoVersion, Requires                   string
}

// Init writes the project and returns the paths it wrote, relative to Dir.
func Init(o Options) ([]string, error) {
	if err := o.check(); err != nil {
		return nil, err
	}
	d := data{
		Name: o.Name, Kind: o.Kind, KindTitle: strings.ToUpper(o.Kind[:1]) + o.Kind[1:], Module: o.Module,
		Description: description(o.Kind, o.Name),
	}
	if d.Module == "" {
		d.Module = "example.com/sa-" + o.Kind + "-" + o.Name
	}
	var extra map[string][]byte
	if o.Lang == "go" {
		sdk, err := filepath.Abs(o.SDK)
		if err != nil {
			return nil, err
		}
		if d.GoVersion, d.Requires, extra, err = sdkModule(sdk); err != nil {
			return nil, err
		}
		d.SDK = sdk
	}
	files, err := render(o, d)
	if err != nil {
		return nil, err
	}
	for name, content := range extra {
		files[name] = file{data: content, mode: 0o644}
	}
	return write(o.Dir, files)
}

func (o Options) check() error {
	var errs []error
	if !nameRE.MatchString(o.Name) {
		errs = append(errs, fmt.Errorf("%q is not a plugin name (lower-case letters, digits, '-' and '_')", o.Name))
	}
	if !contains(Kinds, o.Kind) {
		errs = append(errs, fmt.Errorf("--kind %q: want one of %s", o.Kind, strings.Join(Kinds, ", ")))
	}
	if !contains(Langs, o.Lang) {
		errs = append(errs, fmt.Errorf("--lang %q: want one of %s", o.Lang, strings.Join(Langs, ", ")))
	}
	if o.Lang == "go" && o.SDK == "" {
		errs = append(errs, errors.New("--sdk: the sa SDK's directory is not known; give the sdk/ directory of an sa source checkout"))
	}
	if entries, err := os.ReadDir(o.Dir); err == nil && len(entries) > 0 {
		errs = append(errs, fmt.Errorf("%s exists and is not empty", o.Dir))
	}
	return errors.Join(errs...)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func description(kind, name string) string {
	switch kind {
	case "output":
		return "Post alerts to " + name
	case "app":
		return "Gather logs from " + name
	}
	return "Parse key=value records (" + name + ")"
}

// file is one file to write.
type file struct {
	data []byte
	mode fs.FileMode
}

// render executes the language's common templates and its kind's.
// Files named *.tmpl are templates, written without the suffix
// (gitignore.tmpl becomes .gitignore); others are copied as they are.
func render(o Options, d data) (map[string]file, error) {
	out := map[string]file{}
	for _, sub := range []string{"common", o.Kind} {
		root := path.Join("templates", o.Lang, sub)
		err := fs.WalkDir(templates, root, func(p string, e fs.DirEntry, err error) error {
			if err != nil || e.IsDir() {
				return err
			}
			content, err := templates.ReadFile(p)
			if err != nil {
				return err
			}
			rel := strings.TrimPrefix(p, root+"/")
			mode := fs.FileMode(0o644)
			if strings.HasSuffix(rel, ".sh") || rel == "plugin.py.tmpl" {
				mode = 0o755
			}
			if name, ok := strings.CutSuffix(rel, ".tmpl"); ok {
				if content, err = execute(p, content, d); err != nil {
					return err
				}
				rel = name
			}
			if rel == "gitignore" {
				rel = ".gitignore"
			}
			out[rel] = file{data: content, mode: mode}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

func execute(name string, text []byte, d data) ([]byte, error) {
	// [[ ]] rather than {{ }}, which Go composite literals are full of.
	t, err := template.New(name).Delims("[[", "]]").Option("missingkey=error").Parse(string(text))
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, d); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// write creates dir and the files, refusing to overwrite anything.
func write(dir string, files map[string]file) ([]string, error) {
	var written []string
	for rel, f := range files {
		dst := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return nil, err
		}
		fh, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, f.mode)
		if err != nil {
			return nil, err
		}
		if _, err := fh.Write(f.data); err != nil {
			fh.Close()
			return nil, err
		}
		if err := fh.Close(); err != nil {
			return nil, err
		}
		written = append(written, rel)
	}
	return written, nil
}

// sdkModule reads the SDK's go.mod for its go version and requirements,
// and its go.sum, which the scaffold reuses so its build is checked
// against the same sums.
func sdkModule(sdk string) (goVersion, requires string, files map[string][]byte, err error) {
	mod, err := os.ReadFile(filepath.Join(sdk, "go.mod"))
	if err != nil {
		return "", "", nil, fmt.Errorf("--sdk %s: %w", sdk, err)
	}
	if !strings.HasPrefix(string(mod), "module github.com/streamalert-go/sa/sdk\n") {
		return "", "", nil, fmt.Errorf("--sdk %s: go.mod is not module github.com/streamalert-go/sa/sdk", sdk)
	}
	var req []string
	inBlock := false
	for _, line := range strings.Split(string(mod), "\n") {
		t := strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(t, "go "):
			goVersion = strings.TrimPrefix(t, "go ")
		case t == "require (":
			inBlock = true
		case inBlock && t == ")":
			inBlock = false
		case inBlock && t != "":
			mod, _, _ := strings.Cut(t, "//")
			req = append(req, "\t"+strings.TrimSpace(mod)+" // indirect")
		case strings.HasPrefix(t, "require "):
			mod, _, _ := strings.Cut(strings.TrimPrefix(t, "require "), "//")
			req = append(req, "\t"+strings.TrimSpace(mod)+" // indirect")
		}
	}
	if len(req) > 0 {
		requires = "require (\n" + strings.Join(req, "\n") + "\n)\n"
	}
	files = map[string][]byte{}
	if sum, err := os.ReadFile(filepath.Join(sdk, "go.sum")); err == nil {
		files["go.sum"] = sum
	}
	return goVersion, requires, files, nil
}

// DefaultSDK returns the sdk/ directory of the source tree this sa was
// built from, when that tree is still there; "" otherwise (a release
// binary, or one built with -trimpath).
func DefaultSDK() string {
	_, file, _, ok := runtime.Caller(0)
	if !ok || !filepath.IsAbs(file) {
		return ""
	}
	sdk := filepath.Join(filepath.Dir(file), "..", "..", "..", "sdk")
	if data, err := os.ReadFile(filepath.Join(sdk, "go.mod")); err == nil && strings.HasPrefix(string(data), "module github.com/streamalert-go/sa/sdk\n") {
		return filepath.Clean(sdk)
	}
	return ""
}
