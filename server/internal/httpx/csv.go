package httpx

import (
	"encoding/csv"
	"mime"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
)

// WantsCSV reports whether the client asked for CSV: ?format=csv, or an
// Accept header preferring text/csv (and no ?format=json).
func WantsCSV(c *gin.Context) bool {
	switch c.Query("format") {
	case "csv":
		return true
	case "json":
		return false
	}
	for _, part := range strings.Split(c.GetHeader("Accept"), ",") {
		if mt, _, err := mime.ParseMediaType(strings.TrimSpace(part)); err == nil {
			switch mt {
			case "text/csv":
				return true
			case "application/json", "*/*":
				return false
			}
		}
	}
	return false
}

// SafeCell neutralizes a cell a spreadsheet would run as a formula (one
// starting with =, +, -, @, a tab or a carriage return) by prefixing a quote.
func SafeCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// CSV answers 200 with a CSV attachment: the header row, then rows, every
// cell escaped by encoding/csv and neutralized by SafeCell.
func CSV(c *gin.Context, filename string, header []string, rows [][]string) {
	c.Header("Content-Type", "text/csv; charset=utf-8")
	c.Header("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": filename}))
	c.Status(http.StatusOK)
	w := csv.NewWriter(c.Writer)
	write := func(rec []string) {
		safe := make([]string, len(rec))
		for i, v := range rec {
			safe[i] = SafeCell(v)
		}
		_ = w.Write(safe) // a failed write is a client gone away
	}
	write(header)
	for _, r := range rows {
		write(r)
	}
	w.Flush()
}
