package handlers

import (
	"encoding/csv"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
)

// streamCSV is the one CSV writer of the app: it sends the header row, then
// lets rows write every record as it is read from the database, so an export
// of a million rows never sits in memory. Once the first byte is out an error
// can only be logged, and the response is cut short.
func (a *App) streamCSV(c echo.Context, filename string, header []string, rows func(write func([]string) error) error) error {
	leaveAdmission(c)
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, "text/csv; charset=utf-8")
	h.Set(echo.HeaderContentDisposition, `attachment; filename="`+filename+`"`)
	c.Response().WriteHeader(http.StatusOK)
	w := csv.NewWriter(c.Response())
	err := w.Write(header)
	if err == nil {
		err = rows(w.Write)
	}
	w.Flush()
	if err == nil {
		err = w.Error()
	}
	if err != nil {
		a.log.Error("csv export", "file", filename, "err", err)
	}
	return nil
}

// csvSafe keeps a spreadsheet from reading a cell as a formula.
func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
