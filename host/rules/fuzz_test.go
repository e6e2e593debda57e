package rules

import (
	"errors"
	"path/filepath"
	"testing"
)

// FuzzLoad feeds arbitrary bytes to the loader as a rule file and as a
// matcher file: it must never panic, and a failure must be Problems that
// name the file.
func FuzzLoad(f *testing.F) {
	for _, dir := range []string{"testdata/bad/rules", "testdata/bad/matchers", filepath.Join(repoDir, "rules"), filepath.Join(repoDir, "matchers")} {
		files, _ := ReadDir(dir)
		for _, file := range files {
			f.Add(file.Data)
		}
	}
	f.Add([]byte("rules:\n  - &a {name: x, condition: 'true'}\n  - *a\n"))
	f.Add([]byte("a: &a [*a]"))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, opts := range []Options{
			{Rules: []File{{Name: "r.yaml", Data: data}}, Schemas: testSchemas, Logger: quietLog},
			{Matchers: []File{{Name: "m.yaml", Data: data}}, Logger: quietLog},
		} {
			_, err := New(opts)
			if err == nil {
				continue
			}
			var probs Problems
			if !errors.As(err, &probs) {
				t.Fatalf("error is %T, not Problems: %v", err, err)
			}
			for _, p := range probs {
				if p.File == "" || p.Message == "" {
					t.Fatalf("problem without file or message: %+v", p)
				}
			}
		}
	})
}
