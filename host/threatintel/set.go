package threatintel

import (
	"encoding/binary"
	"errors"
	"hash/maphash"
)

// stringSet is a set of strings stored without pointers: the values are
// packed into arena, each prefixed by its length as a uvarint, and slots
// is an open-addressed table whose non-zero entries hold the top 32 bits
// of a value's hash and its offset in the arena plus one.
type stringSet struct {
	seed  maphash.Seed
	arena []byte
	slots []uint64
	n     int
}

func newStringSet() *stringSet {
	return &stringSet{seed: maphash.MakeSeed(), slots: make([]uint64, 16)}
}

func (s *stringSet) len() int { return s.n }

// errFull is returned when the arena would pass what a slot can address.
var errFull = errors.New("threatintel: IOC store full (4 GiB of values)")

// add inserts v; it reports whether v was new.
func (s *stringSet) add(v string) (bool, error) {
	h := maphash.String(s.seed, v)
	if s.find(v, h) >= 0 {
		return false, nil
	}
	if len(s.arena)+len(v)+binary.MaxVarintLen64 >= 1<<32-1 {
		return false, errFull
	}
	if (s.n+1)*4 > len(s.slots)*3 {
		s.grow()
	}
	off := len(s.arena)
	s.arena = binary.AppendUvarint(s.arena, uint64(len(v)))
	s.arena = append(s.arena, v...)
	s.place(h, uint64(off+1))
	s.n++
	return true, nil
}

func (s *stringSet) contains(v string) bool {
	return s.find(v, maphash.String(s.seed, v)) >= 0
}

// find returns the slot holding v, or -1.
func (s *stringSet) find(v string, h uint64) int {
	mask := uint64(len(s.slots) - 1)
	tag := h >> 32
	for i := h & mask; ; i = (i + 1) & mask {
		e := s.slots[i]
		if e == 0 {
			return -1
		}
		if e>>32 == tag && string(s.value(e&0xffffffff-1)) == v {
			return int(i)
		}
	}
}

// value returns the bytes of the value stored at offset off of the
// arena. Callers compare string(value) directly, which does not copy.
func (s *stringSet) value(off uint64) []byte {
	n, w := binary.Uvarint(s.arena[off:])
	start := off + uint64(w)
	return s.arena[start : start+n]
}

func (s *stringSet) place(h, ref uint64) {
	mask := uint64(len(s.slots) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		if s.slots[i] == 0 {
			s.slots[i] = h>>32<<32 | ref
			return
		}
	}
}

func (s *stringSet) grow() {
	old := s.slots
	s.slots = make([]uint64, len(old)*2)
	for _, e := range old {
		if e != 0 {
			s.place(maphash.Bytes(s.seed, s.value(e&0xffffffff-1)), e&0xffffffff)
		}
	}
}
