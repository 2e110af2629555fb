package handlers

import (
	"encoding/binary"
	"errors"

	"github.com/gorilla/securecookie"
)

// sessionCodec serializes the session's values (string keys; string, int and
// flash-list values: all this app stores) in a small binary form: decoding the
// cookie is part of every request, and encoding/gob, which sends and compiles
// the types anew for each cookie, was most of that. A first byte of 0 marks
// this form; anything else is read as gob, so cookies written before still
// work, and values of other types are written as gob.
type sessionCodec struct{}

const (
	codecMark  = 0
	codecStr   = 's'
	codecInt   = 'i'
	codecFlash = 'f'
)

var errSessionCodec = errors.New("session: malformed value")

func (sessionCodec) Serialize(src any) ([]byte, error) {
	m, ok := src.(map[any]any)
	if !ok {
		return securecookie.GobEncoder{}.Serialize(src)
	}
	b := make([]byte, 1, 128)
	b[0] = codecMark
	for k, v := range m {
		key, ok := k.(string)
		if !ok {
			return securecookie.GobEncoder{}.Serialize(src)
		}
		b = appendString(b, key)
		switch v := v.(type) {
		case string:
			b = appendString(append(b, codecStr), v)
		case int:
			b = binary.AppendVarint(append(b, codecInt), int64(v))
		case []any:
			b = binary.AppendUvarint(append(b, codecFlash), uint64(len(v)))
			for _, f := range v {
				s, ok := f.(string)
				if !ok {
					return securecookie.GobEncoder{}.Serialize(src)
				}
				b = appendString(b, s)
			}
		default:
			return securecookie.GobEncoder{}.Serialize(src)
		}
	}
	return b, nil
}

func (sessionCodec) Deserialize(src []byte, dst any) error {
	if len(src) == 0 || src[0] != codecMark {
		return securecookie.GobEncoder{}.Deserialize(src, dst)
	}
	mp, ok := dst.(*map[any]any)
	if !ok || *mp == nil {
		return errSessionCodec
	}
	m := *mp
	r := codecReader{b: src[1:]}
	for len(r.b) > 0 {
		key := r.string()
		switch r.byte() {
		case codecStr:
			m[key] = r.string()
		case codecInt:
			m[key] = int(r.varint())
		case codecFlash:
			n := r.uvarint()
			if n > uint64(len(r.b)) { // each entry takes at least a byte
				return errSessionCodec
			}
			list := make([]any, 0, n)
			for i := uint64(0); i < n && r.err == nil; i++ {
				list = append(list, r.string())
			}
			m[key] = list
		default:
			return errSessionCodec
		}
		if r.err != nil {
			return r.err
		}
	}
	return nil
}

func appendString(b []byte, s string) []byte {
	return append(binary.AppendUvarint(b, uint64(len(s))), s...)
}

// codecReader reads sessionCodec's form; the first malformed read sets err
// and every later read returns zero values.
type codecReader struct {
	b   []byte
	err error
}

func (r *codecReader) fail() { r.err, r.b = errSessionCodec, nil }

func (r *codecReader) byte() byte {
	if len(r.b) == 0 {
		r.fail()
		return 0
	}
	c := r.b[0]
	r.b = r.b[1:]
	return c
}

func (r *codecReader) uvarint() uint64 {
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.fail()
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *codecReader) varint() int64 {
	v, n := binary.Varint(r.b)
	if n <= 0 {
		r.fail()
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *codecReader) string() string {
	n := r.uvarint()
	if r.err != nil || n > uint64(len(r.b)) {
		r.fail()
		return ""
	}
	s := string(r.b[:n])
	r.b = r.b[n:]
	return s
}
