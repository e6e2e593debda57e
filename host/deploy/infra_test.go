package deploy

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

// infraDir is infra/ at the root of the source tree.
const infraDir = "../../infra"

// tfModule is one directory of .tf files, parsed.
type tfModule struct {
	dir    string
	files  map[string]*hclsyntax.Body
	vars   map[string]*hclsyntax.Block
	locals map[string]bool
	outs   map[string]bool
}

// loadModule parses every .tf file of dir, failing on any diagnostic.
func loadModule(t *testing.T, dir string) *tfModule {
	t.Helper()
	paths, _ := filepath.Glob(filepath.Join(dir, "*.tf"))
	if len(paths) == 0 {
		t.Fatalf("%s: no .tf files", dir)
	}
	m := &tfModule{dir: dir, files: map[string]*hclsyntax.Body{}, vars: map[string]*hclsyntax.Block{}, locals: map[string]bool{}, outs: map[string]bool{}}
	p := hclparse.NewParser()
	for _, path := range paths {
		f, diags := p.ParseHCLFile(path)
		if diags.HasErrors() {
			t.Fatalf("%s: %s", path, diags.Error())
		}
		body := f.Body.(*hclsyntax.Body)
		m.files[path] = body
		for _, b := range body.Blocks {
			switch b.Type {
			case "variable":
				m.vars[b.Labels[0]] = b
			case "output":
				m.outs[b.Labels[0]] = true
			case "locals":
				for name := range b.Body.Attributes {
					m.locals[name] = true
				}
			}
		}
	}
	return m
}

// blocks calls fn for every block of the module, nested ones included.
func (m *tfModule) blocks(fn func(path string, b *hclsyntax.Block)) {
	var walk func(string, *hclsyntax.Body)
	walk = func(path string, body *hclsyntax.Body) {
		for _, b := range body.Blocks {
			fn(path, b)
			walk(path, b.Body)
		}
	}
	for path, body := range m.files {
		walk(path, body)
	}
}

// resources returns the module's top-level blocks of a type and label.
func (m *tfModule) resources(kind, typ string) []*hclsyntax.Block {
	var out []*hclsyntax.Block
	for _, body := range m.files {
		for _, b := range body.Blocks {
			if b.Type == kind && len(b.Labels) > 0 && b.Labels[0] == typ {
				out = append(out, b)
			}
		}
	}
	return out
}

// allModules loads infra/ and every module below it.
func allModules(t *testing.T) []*tfModule {
	t.Helper()
	mods := []*tfModule{loadModule(t, infraDir)}
	dirs, _ := filepath.Glob(filepath.Join(infraDir, "modules", "*"))
	for _, d := range dirs {
		mods = append(mods, loadModule(t, d))
	}
	if len(mods) < 7 {
		t.Fatalf("found %d Terraform modules, want the root and function, kinesis, queue, tables, kms, alarms", len(mods))
	}
	return mods
}

// literals returns the string values of expr that are known without
// evaluation: a string, or the literal elements of a list.
func literals(expr hclsyntax.Expression) []string {
	var exprs []hclsyntax.Expression
	if tup, ok := expr.(*hclsyntax.TupleConsExpr); ok {
		exprs = tup.Exprs
	} else {
		exprs = []hclsyntax.Expression{expr}
	}
	var out []string
	for _, e := range exprs {
		v, diags := e.Value(nil)
		if !diags.HasErrors() && v.Type() == cty.String && v.IsKnown() {
			out = append(out, v.AsString())
		}
	}
	return out
}

func TestInfraFormatted(t *testing.T) {
	var paths []string
	filepath.WalkDir(infraDir, func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(path, ".tf") {
			paths = append(paths, path)
		}
		return err
	})
	for _, path := range paths {
		src, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range fmtProblems(src) {
			t.Errorf("%s:%s (terraform fmt would change it)", path, p)
		}
	}
}

func TestInfraReferences(t *testing.T) {
	for _, m := range allModules(t) {
		t.Run(filepath.Base(m.dir), func(t *testing.T) {
			for path, body := range m.files {
				checkRefs(t, m, path, body)
			}
			m.blocks(func(path string, b *hclsyntax.Block) {
				if b.Type == "module" {
					checkModuleCall(t, m, path, b)
				}
			})
		})
	}
}

// checkRefs makes sure every var.X and local.X used in body is declared.
func checkRefs(t *testing.T, m *tfModule, path string, body *hclsyntax.Body) {
	t.Helper()
	hclsyntax.VisitAll(body, func(n hclsyntax.Node) hcl.Diagnostics {
		e, ok := n.(hclsyntax.Expression)
		if !ok {
			return nil
		}
		for _, tr := range e.Variables() {
			if len(tr) < 2 {
				continue
			}
			attr, ok := tr[1].(hcl.TraverseAttr)
			if !ok {
				continue
			}
			switch tr.RootName() {
			case "var":
				if m.vars[attr.Name] == nil {
					t.Errorf("%s:%d: var.%s is not declared", path, tr.SourceRange().Start.Line, attr.Name)
				}
			case "local":
				if !m.locals[attr.Name] {
					t.Errorf("%s:%d: local.%s is not declared", path, tr.SourceRange().Start.Line, attr.Name)
				}
			}
		}
		return nil
	})
}

// checkModuleCall makes sure the called module exists, takes every
// argument given and is given every variable it requires.
func checkModuleCall(t *testing.T, m *tfModule, path string, b *hclsyntax.Block) {
	t.Helper()
	src := literals(b.Body.Attributes["source"].Expr)
	if len(src) != 1 || !strings.HasPrefix(src[0], "./") {
		t.Errorf("%s: module %s: source must be a local path", path, b.Labels[0])
		return
	}
	called := loadModule(t, filepath.Join(m.dir, src[0]))
	meta := map[string]bool{"source": true, "for_each": true, "count": true, "depends_on": true, "providers": true}
	for name := range b.Body.Attributes {
		if !meta[name] && called.vars[name] == nil {
			t.Errorf("%s: module %s: argument %s is not a variable of %s", path, b.Labels[0], name, src[0])
		}
	}
	for name, v := range called.vars {
		if _, given := b.Body.Attributes[name]; !given && v.Body.Attributes["default"] == nil {
			t.Errorf("%s: module %s: required variable %s of %s is not given", path, b.Labels[0], name, src[0])
		}
	}
}

// TestInfraModuleOutputs makes sure every module.X.Y the root reads is
// an output of module X.
func TestInfraModuleOutputs(t *testing.T) {
	root := loadModule(t, infraDir)
	outs := map[string]map[string]bool{}
	root.blocks(func(_ string, b *hclsyntax.Block) {
		if b.Type == "module" {
			outs[b.Labels[0]] = loadModule(t, filepath.Join(infraDir, literals(b.Body.Attributes["source"].Expr)[0])).outs
		}
	})
	for path, body := range root.files {
		hclsyntax.VisitAll(body, func(n hclsyntax.Node) hcl.Diagnostics {
			e, ok := n.(hclsyntax.Expression)
			if !ok {
				return nil
			}
			for _, tr := range e.Variables() {
				if tr.RootName() != "module" || len(tr) < 2 {
					continue
				}
				name := tr[1].(hcl.TraverseAttr).Name
				mo, ok := outs[name]
				if !ok {
					t.Errorf("%s:%d: module.%s is not called", path, tr.SourceRange().Start.Line, name)
					continue
				}
				for _, step := range tr[2:] {
					if a, ok := step.(hcl.TraverseAttr); ok {
						if !mo[a.Name] {
							t.Errorf("%s:%d: module.%s has no output %s", path, tr.SourceRange().Start.Line, name, a.Name)
						}
						break
					}
				}
			}
			return nil
		})
	}
}
