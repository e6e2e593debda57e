package install

import (
	"debug/elf"
	"debug/macho"
	"debug/pe"
	"encoding/json"
)

// BinaryPlatform reads the os_arch an executable was built for from its
// header: ELF (Linux), Mach-O (macOS) or PE (Windows). It returns "" for
// anything else, such as a script.
func BinaryPlatform(path string) string {
	if f, err := elf.Open(path); err == nil {
		defer f.Close()
		os := "linux"
		if f.OSABI == elf.ELFOSABI_FREEBSD {
			os = "freebsd"
		}
		if arch := elfArch[f.Machine]; arch != "" {
			return os + "_" + arch
		}
		return ""
	}
	if f, err := macho.Open(path); err == nil {
		defer f.Close()
		if arch := machoArch[f.Cpu]; arch != "" {
			return "darwin_" + arch
		}
		return ""
	}
	if f, err := pe.Open(path); err == nil {
		defer f.Close()
		if arch := peArch[f.Machine]; arch != "" {
			return "windows_" + arch
		}
	}
	return ""
}

var (
	elfArch   = map[elf.Machine]string{elf.EM_X86_64: "amd64", elf.EM_AARCH64: "arm64", elf.EM_386: "386", elf.EM_ARM: "arm", elf.EM_RISCV: "riscv64", elf.EM_PPC64: "ppc64le", elf.EM_S390: "s390x"}
	machoArch = map[macho.Cpu]string{macho.CpuAmd64: "amd64", macho.CpuArm64: "arm64"}
	peArch    = map[uint16]string{pe.IMAGE_FILE_MACHINE_AMD64: "amd64", pe.IMAGE_FILE_MACHINE_ARM64: "arm64", pe.IMAGE_FILE_MACHINE_I386: "386"}
)

func jsonIndent(v any) ([]byte, error) {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(data, '\n'), nil
}
