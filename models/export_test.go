package models

// FirstLine is firstLine, for the tests.
var FirstLine = firstLine
