package deploy

import (
	"debug/elf"
	"fmt"
)

// Arch is the instruction set the functions run on.
type Arch string

// The architectures Lambda offers, named as Go names them.
const (
	ARM64 Arch = "arm64"
	AMD64 Arch = "amd64"
)

// ParseArch accepts Go's and Lambda's names of an architecture.
func ParseArch(s string) (Arch, error) {
	switch s {
	case "arm64", "aarch64":
		return ARM64, nil
	case "amd64", "x86_64":
		return AMD64, nil
	}
	return "", fmt.Errorf("architecture %q: want arm64 or x86_64", s)
}

// Lambda is the architecture's name in Lambda's API and Terraform.
func (a Arch) Lambda() string {
	if a == AMD64 {
		return "x86_64"
	}
	return string(a)
}

func (a Arch) machine() elf.Machine {
	if a == AMD64 {
		return elf.EM_X86_64
	}
	return elf.EM_AARCH64
}

// checkBinary makes sure path is a 64-bit Linux executable for a: the only
// kind a provided.al2023 function can run, so a plugin built for the
// deploying machine is caught here, not at the first alert.
func (a Arch) checkBinary(path string) error {
	f, err := elf.Open(path)
	if err != nil {
		return fmt.Errorf("%s is not a Linux executable (%w); the AWS runtime runs compiled plugins only", path, err)
	}
	defer f.Close()
	if f.Class != elf.ELFCLASS64 || f.Machine != a.machine() || f.Type != elf.ET_EXEC && f.Type != elf.ET_DYN {
		return fmt.Errorf("%s is a %s %s binary; the functions run on linux/%s", path, f.Class, f.Machine, a)
	}
	if f.OSABI != elf.ELFOSABI_NONE && f.OSABI != elf.ELFOSABI_LINUX {
		return fmt.Errorf("%s is built for %s, not Linux", path, f.OSABI)
	}
	return nil
}
