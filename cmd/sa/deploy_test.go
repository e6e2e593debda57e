package main

import (
	"debug/elf"
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// arm64Header writes the header of a 64-bit linux/arm64 executable, all
// deploy checks of a bootstrap binary look at.
func arm64Header(t *testing.T) string {
	t.Helper()
	h := make([]byte, 64)
	copy(h, elf.ELFMAG)
	h[elf.EI_CLASS], h[elf.EI_DATA], h[elf.EI_VERSION] = byte(elf.ELFCLASS64), byte(elf.ELFDATA2LSB), byte(elf.EV_CURRENT)
	binary.LittleEndian.PutUint16(h[16:], uint16(elf.ET_EXEC))
	binary.LittleEndian.PutUint16(h[18:], uint16(elf.EM_AARCH64))
	binary.LittleEndian.PutUint32(h[20:], uint32(elf.EV_CURRENT))
	path := filepath.Join(t.TempDir(), "bootstrap")
	if err := os.WriteFile(path, h, 0o755); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestDeployPlanOnly(t *testing.T) {
	home, out := t.TempDir(), t.TempDir()
	files := map[string]string{
		"sa.yaml":                   "rules: [rules]\nmatchers: []\n",
		"conf/global.json":          `{"account": {"aws_account_id": "123456789012", "prefix": "acme", "region": "us-east-1"}}`,
		"conf/clusters/prod.json":   `{"id": "prod", "data_sources": {"kinesis": {"acme_stream": ["cloudtrail"]}}}`,
		"conf/schemas/trail.json":   `{"cloudtrail:events": {"parser": "json", "schema": {"eventName": "string"}}}`,
		"rules/sample/example.yaml": "# rule\n",
	}
	for name, data := range files {
		p := filepath.Join(home, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("PATH", t.TempDir()) // no terraform, and none needed
	stdout, _, err := run(t, "--home", home, "deploy", "--plan-only", "--out", out, "--source", "../..", "--bootstrap", arm64Header(t))
	if err != nil {
		t.Fatal(err)
	}
	tf := filepath.Join(out, "terraform")
	for _, want := range []string{
		"package:   " + filepath.Join(out, "build", "sa-lambda.zip"),
		"terraform -chdir=" + tf + " init -input=false",
		"terraform -chdir=" + tf + " plan -input=false -out=sa.tfplan",
		"terraform -chdir=" + tf + " apply -input=false sa.tfplan",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, stdout)
		}
	}
	for _, f := range []string{"build/sa-lambda.zip", "build/package/rules/sample/example.yaml", "terraform/main.tf", "terraform/modules/function/main.tf", "terraform/terraform.tfvars.json"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Error(err)
		}
	}
	if _, _, err := run(t, "--home", home, "deploy", "--plan-only", "--arch", "sparc"); err == nil || !strings.Contains(err.Error(), "--arch") {
		t.Errorf("bad --arch: %v", err)
	}
	if _, _, err := run(t, "--home", home, "destroy", "--out", t.TempDir()); err == nil || !strings.Contains(err.Error(), "no deployment") {
		t.Errorf("destroy without a deployment: %v", err)
	}
}
