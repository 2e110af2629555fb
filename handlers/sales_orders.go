package handlers

import "github.com/labstack/echo/v4"

// salesOrderRoutes registers the sales orders and purchase orders (Procurement).
// (Being built.)
func (a *App) salesOrderRoutes(in *echo.Group) {}
