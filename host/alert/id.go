package alert

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"sync"
	"time"
)

// Alert ids are UUIDv7 (RFC 9562): a 48-bit Unix millisecond timestamp, 12
// bits of sub-millisecond time and 62 random bits. They look like the uuid4
// ids StreamAlert used, so anything that stored or parsed those still works,
// and they sort by creation time, so listing by id is listing by age and a
// cursor can be an id. Ids made in this process for the same millisecond are
// strictly increasing: when the clock gives a value not above the last one,
// the last one plus one is used instead (RFC 9562 §6.2, method 2).
var ids struct {
	sync.Mutex
	last [16]byte
}

// newID returns a UUIDv7 for time t.
func newID(t time.Time) string {
	var u [16]byte
	if _, err := rand.Read(u[8:]); err != nil {
		panic("alert: crypto/rand failed: " + err.Error()) // cannot happen on supported platforms
	}
	ms := uint64(t.UnixMilli())
	for i := range 6 {
		u[i] = byte(ms >> (40 - 8*i))
	}
	sub := uint16(uint64(t.Nanosecond()%1e6) * 4096 / 1e6)
	u[6] = 0x70 | byte(sub>>8)
	u[7] = byte(sub)
	u[8] = 0x80 | u[8]&0x3f

	ids.Lock()
	if bytes.Compare(u[:], ids.last[:]) <= 0 && bytes.Equal(u[:6], ids.last[:6]) {
		u = ids.last
		increment(&u)
	}
	ids.last = u
	ids.Unlock()
	return format(u)
}

// DerivedID returns a UUIDv7-shaped id for time t whose random part is
// taken from key instead of crypto/rand: the same key and time always give
// the same id. The embedded pipeline derives alert ids from the journal
// entry, record and rule that produced them, so replaying an entry after a
// crash inserts the same alerts again, which the store ignores.
func DerivedID(t time.Time, key string) string {
	var u [16]byte
	sum := sha256.Sum256([]byte(key))
	copy(u[8:], sum[:8])
	ms := uint64(t.UnixMilli())
	for i := range 6 {
		u[i] = byte(ms >> (40 - 8*i))
	}
	sub := uint16(uint64(t.Nanosecond()%1e6) * 4096 / 1e6)
	u[6] = 0x70 | byte(sub>>8)
	u[7] = byte(sub)
	u[8] = 0x80 | u[8]&0x3f
	return format(u)
}

// increment adds one to the 122 bits of u that are not version or variant,
// carrying from the random bits into the sub-millisecond and millisecond
// fields.
func increment(u *[16]byte) {
	for i := 15; i >= 9; i-- {
		if u[i]++; u[i] != 0 {
			return
		}
	}
	if u[8] = 0x80 | (u[8]+1)&0x3f; u[8] != 0x80 {
		return
	}
	if u[7]++; u[7] != 0 {
		return
	}
	if u[6] = 0x70 | (u[6]+1)&0x0f; u[6] != 0x70 {
		return
	}
	for i := 5; i >= 0; i-- {
		if u[i]++; u[i] != 0 {
			return
		}
	}
}

func format(u [16]byte) string {
	var b [36]byte
	hex.Encode(b[0:8], u[0:4])
	b[8] = '-'
	hex.Encode(b[9:13], u[4:6])
	b[13] = '-'
	hex.Encode(b[14:18], u[6:8])
	b[18] = '-'
	hex.Encode(b[19:23], u[8:10])
	b[23] = '-'
	hex.Encode(b[24:], u[10:])
	return string(b[:])
}
