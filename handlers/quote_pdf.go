package handlers

import (
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"salesdesk/models"
)

// quotePDF serves /quotes/{id}.pdf to internal users: the customer's copy of
// the quote, without cost or margin. The PDF is rendered into a buffer first,
// so a failure becomes a clean error page, never half a file.
func (a *App) quotePDF(c echo.Context) error {
	id, err := quotePDFID(c)
	if err != nil {
		return err
	}
	q, err := models.LoadQuote(a.db, id)
	if err != nil {
		return err
	}
	return a.writeQuotePDF(c, q)
}

// quotePDFID reads the quote id of /quotes/5.pdf. Echo gives ":id" the value
// "5.pdf"; a route written "/quotes/:id.pdf" would name the parameter
// "id.pdf" instead, so either name is read.
func quotePDFID(c echo.Context) (uint, error) {
	v := c.Param("id")
	if v == "" {
		v = c.Param("id.pdf")
	}
	id, err := strconv.ParseUint(strings.TrimSuffix(v, ".pdf"), 10, 32)
	if err != nil || id == 0 {
		return 0, errNotFound
	}
	return uint(id), nil
}
