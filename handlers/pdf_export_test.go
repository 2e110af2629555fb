package handlers

// RenderQuotePDF lets the external tests (package handlers_test, where the
// test app lives) call the PDF renderer directly.
var RenderQuotePDF = renderQuotePDF
