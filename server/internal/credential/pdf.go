package credential

import (
	"bytes"
	"fmt"
	"strings"
	"time"

	"codeberg.org/go-pdf/fpdf"
	goqr "github.com/piglig/go-qr"
)

// certificatePDF renders the certificate: an A4 landscape page with the
// holder, the program and its client, the dates, the certificate number and
// a QR code of the verification link (drawn as vector squares, so it prints
// sharp at any size), which is also a clickable link.
//
// The PDF's core fonts are Windows-1252: names are written through fpdf's
// translator, and a character outside it prints as "?" (the verification
// page shows the name exactly).
func certificatePDF(c *Certificate, issuerName, verifyURL string, now time.Time) ([]byte, error) {
	qr, err := goqr.EncodeText(verifyURL, goqr.Medium)
	if err != nil {
		return nil, fmt.Errorf("credential: QR code: %w", err)
	}
	const w, h = 297.0, 210.0
	pdf := fpdf.New("L", "mm", "A4", "")
	pdf.SetCreationDate(now)
	pdf.SetModificationDate(now)
	pdf.SetTitle("Certificate "+c.Number, true)
	pdf.SetSubject(c.ProgramName+", "+c.ClientName, true)
	pdf.SetAuthor(issuerName, true)
	pdf.SetCreator("Skillgate", false)
	pdf.SetKeywords(verifyURL, false)
	pdf.SetAutoPageBreak(false, 0)
	pdf.SetMargins(0, 0, 0)
	pdf.AddPage()
	tr := pdf.UnicodeTranslatorFromDescriptor("")

	// The frame: a navy band outside, a thin gold rule inside.
	pdf.SetDrawColor(31, 58, 95)
	pdf.SetLineWidth(3)
	pdf.Rect(8, 8, w-16, h-16, "D")
	pdf.SetDrawColor(184, 146, 60)
	pdf.SetLineWidth(0.6)
	pdf.Rect(13, 13, w-26, h-26, "D")

	center := func(y float64, style string, size float64, r, g, b int, text string) {
		pdf.SetFont("Helvetica", style, size)
		pdf.SetTextColor(r, g, b)
		pdf.SetXY(20, y)
		pdf.CellFormat(w-40, size*0.5, tr(text), "", 0, "C", false, 0, "")
	}
	center(26, "", 12, 110, 110, 110, strings.ToUpper(issuerName))
	center(38, "B", 30, 31, 58, 95, "Certificate of Certification")
	center(60, "I", 13, 70, 70, 70, "This certifies that")
	center(72, "B", 26, 20, 20, 20, fit(pdf, tr, c.HolderName, "B", 26, w-60))
	pdf.SetDrawColor(184, 146, 60)
	pdf.SetLineWidth(0.4)
	pdf.Line(70, 88, w-70, 88)
	center(94, "I", 13, 70, 70, 70, "has met every requirement of, and is certified for, the program")
	center(106, "B", 20, 31, 58, 95, c.ProgramName)
	center(119, "", 14, 50, 50, 50, "of "+c.ClientName)

	// Dates and number, left; the QR code, right.
	label := func(x, y float64, k, v string) {
		pdf.SetXY(x, y)
		pdf.SetFont("Helvetica", "", 9)
		pdf.SetTextColor(110, 110, 110)
		pdf.CellFormat(70, 5, strings.ToUpper(k), "", 0, "L", false, 0, "")
		pdf.SetXY(x, y+5)
		pdf.SetFont("Helvetica", "B", 13)
		pdf.SetTextColor(20, 20, 20)
		pdf.CellFormat(70, 7, tr(v), "", 0, "L", false, 0, "")
	}
	label(30, 140, "Issued", c.IssuedAt.UTC().Format("2 January 2006"))
	label(90, 140, "Valid until", c.ExpiresAt.UTC().Format("2 January 2006"))
	label(30, 160, "Certificate number", c.Number)

	const qrSize = 44.0
	qx, qy := w-30-qrSize, 132.0
	n := qr.Size()
	quiet := 4
	m := qrSize / float64(n+2*quiet)
	pdf.SetFillColor(255, 255, 255)
	pdf.Rect(qx, qy, qrSize, qrSize, "F")
	pdf.SetFillColor(0, 0, 0)
	for y := 0; y < n; y++ {
		for x := 0; x < n; x++ {
			if qr.Module(x, y) {
				pdf.Rect(qx+float64(x+quiet)*m, qy+float64(y+quiet)*m, m+0.01, m+0.01, "F")
			}
		}
	}
	pdf.LinkString(qx, qy, qrSize, qrSize, verifyURL)
	pdf.SetFont("Helvetica", "", 7.5)
	pdf.SetTextColor(90, 90, 90)
	pdf.SetXY(qx-40, qy+qrSize+1)
	pdf.CellFormat(qrSize+40, 4, "Scan or open to check it is real and current:", "", 0, "R", false, 0, "")
	pdf.SetXY(qx-80, qy+qrSize+5)
	pdf.CellFormat(qrSize+80, 4, verifyURL, "", 0, "R", false, 0, verifyURL)

	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return nil, fmt.Errorf("credential: certificate PDF: %w", err)
	}
	return buf.Bytes(), nil
}

// fit shortens text with an ellipsis until it fits width at the font.
func fit(pdf *fpdf.Fpdf, tr func(string) string, text, style string, size, width float64) string {
	pdf.SetFont("Helvetica", style, size)
	if pdf.GetStringWidth(tr(text)) <= width {
		return text
	}
	r := []rune(text)
	for len(r) > 1 && pdf.GetStringWidth(tr(string(r)+"...")) > width {
		r = r[:len(r)-1]
	}
	return string(r) + "..."
}
