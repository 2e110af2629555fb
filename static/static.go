// Package static embeds the CSS, JavaScript and images into the binary.
package static

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
)

//go:embed css js
var Files embed.FS

// Fingerprints maps each file path to a short hash of its content, so asset URLs
// change whenever a file does and browsers may cache them for a year.
func Fingerprints() (map[string]string, error) {
	out := map[string]string{}
	err := fs.WalkDir(Files, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := Files.ReadFile(path)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		out[path] = hex.EncodeToString(sum[:6])
		return nil
	})
	return out, err
}
