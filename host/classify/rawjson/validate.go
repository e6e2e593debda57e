package rawjson

// Member is one member of an object, as bytes of the document.
type Member struct {
	Key   []byte // the key's string literal, quotes and escapes included
	Value []byte // the value, without surrounding whitespace
}

// Name returns the decoded key.
func (m Member) Name() string { return Unquote(m.Key) }

// KindError says a value is not of the kind a caller needs.
type KindError struct {
	Got, Want Kind
}

func (e *KindError) Error() string { return "is " + e.Got.String() + ", not " + e.Want.String() }

// Validate checks that data holds exactly one JSON value, optionally
// surrounded by whitespace, nested at most maxDepth deep (0: the default).
// The error is a *SyntaxError.
func Validate(data []byte, maxDepth int) error {
	s := newScanner(data, maxDepth)
	s.skipSpace()
	if s.value() && s.end() {
		return nil
	}
	return s.err
}

// SplitObject validates data as Validate does, requires it to be an
// object, and appends its members to dst in document order, duplicates
// included. spaced reports whitespace inside the object, which a copy of
// its values must drop to stay on one line (see AppendCompact). The error
// is a *SyntaxError or a *KindError.
func SplitObject(dst []Member, data []byte, maxDepth int) (members []Member, spaced bool, err error) {
	s := newScanner(data, maxDepth)
	s.members = dst
	s.skipSpace()
	if k := KindOf(data[s.pos:]); k != Object {
		if err := Validate(data, maxDepth); err != nil {
			return dst, false, err
		}
		return dst, false, &KindError{Got: k, Want: Object}
	}
	if !s.object(true) || !s.end() {
		return dst, false, s.err
	}
	return s.members, s.spaced, nil
}

// SplitArray is SplitObject for arrays: it appends the elements of the
// array data to dst.
func SplitArray(dst [][]byte, data []byte, maxDepth int) (elems [][]byte, spaced bool, err error) {
	s := newScanner(data, maxDepth)
	s.elems = dst
	s.skipSpace()
	if k := KindOf(data[s.pos:]); k != Array {
		if err := Validate(data, maxDepth); err != nil {
			return dst, false, err
		}
		return dst, false, &KindError{Got: k, Want: Array}
	}
	if !s.array(true) || !s.end() {
		return dst, false, s.err
	}
	return s.elems, s.spaced, nil
}
