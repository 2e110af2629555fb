package models

import (
	"strings"
	"unicode/utf8"
)

// Storable says whether s can be kept in a text column of both databases:
// PostgreSQL refuses NUL characters and invalid UTF-8, which SQLite stores.
func Storable(s string) bool {
	return utf8.ValidString(s) && !strings.ContainsRune(s, 0)
}

// StorableText is s made storable for a record that must be written whatever
// came in (a log line): invalid bytes and NUL characters become U+FFFD.
func StorableText(s string) string {
	if Storable(s) {
		return s
	}
	return strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "\uFFFD")
}
