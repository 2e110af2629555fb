package handlers

import (
	"reflect"
	"testing"

	"github.com/gorilla/securecookie"
)

// TestSessionCodec: every kind of value the app keeps in its session comes
// back as it went in, cookies written by gob before still decode, values of
// other types fall back to gob, and malformed input is an error, never a panic.
func TestSessionCodec(t *testing.T) {
	in := map[any]any{"csrf": "tok-én", "sid": "", "ver": -3, "_flash": []any{"Saved “x”.", ""}, "big": 1 << 40}
	b, err := sessionCodec{}.Serialize(in)
	if err != nil || b[0] != codecMark {
		t.Fatalf("serialize: %v, %x", err, b)
	}
	out := map[any]any{}
	if err := (sessionCodec{}).Deserialize(b, &out); err != nil || !reflect.DeepEqual(in, out) {
		t.Fatalf("round trip: %v\n%#v\n%#v", err, in, out)
	}

	old, err := securecookie.GobEncoder{}.Serialize(in)
	if err != nil {
		t.Fatal(err)
	}
	out = map[any]any{}
	if err := (sessionCodec{}).Deserialize(old, &out); err != nil || !reflect.DeepEqual(in, out) {
		t.Fatalf("gob cookie: %v %#v", err, out)
	}

	other := map[any]any{"when": 1.5}
	b, err = sessionCodec{}.Serialize(other)
	if err != nil || b[0] == codecMark {
		t.Fatalf("want gob for a float: %v %x", err, b)
	}
	out = map[any]any{}
	if err := (sessionCodec{}).Deserialize(b, &out); err != nil || !reflect.DeepEqual(other, out) {
		t.Fatalf("gob fallback: %v %#v", err, out)
	}

	good, _ := sessionCodec{}.Serialize(in)
	for i := 1; i < len(good); i++ {
		out = map[any]any{}
		if err := (sessionCodec{}).Deserialize(good[:i], &out); err == nil && len(out) == len(in) {
			t.Errorf("cut at %d: read as whole", i)
		}
	}
	for _, bad := range [][]byte{{codecMark, 1, 'k', 'x'}, {codecMark, 1, 'k', codecFlash, 200, 1}, {codecMark, 9}, {codecMark, 1, 'k', codecStr, 0xff}} {
		out = map[any]any{}
		if err := (sessionCodec{}).Deserialize(bad, &out); err == nil {
			t.Errorf("%x: no error", bad)
		}
	}
}

func FuzzSessionCodec(f *testing.F) {
	good, _ := sessionCodec{}.Serialize(map[any]any{"csrf": "t", "ver": 2, "_flash": []any{"m"}})
	f.Add(good)
	f.Fuzz(func(t *testing.T, b []byte) {
		out := map[any]any{}
		_ = (sessionCodec{}).Deserialize(b, &out)
	})
}
