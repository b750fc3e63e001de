package app_test

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"github.com/cosp-ict/irm/internal/app/apptest"
	"github.com/cosp-ict/irm/internal/auth"
)

// What browsers and curl -F send: the file inside multipart/form-data.
// Its boundary is not a column name; a semicolon-separated file is told
// to use commas.
func TestStatisticsCSVAcceptsMultipartFormData(t *testing.T) {
	env := apptest.New(t)
	fp := env.Token(t, auth.FocalPoint, "KEN")
	post := func(t *testing.T, field, name, csv string) (int, string) {
		t.Helper()
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		if err := mw.WriteField("note", "sent from a form"); err != nil {
			t.Fatal(err)
		}
		fw, err := mw.CreateFormFile(field, name)
		if err != nil {
			t.Fatal(err)
		}
		fw.Write([]byte(csv)) //nolint:errcheck
		mw.Close()
		r := env.Raw(t, http.MethodPost, "/statistics/KEN.csv", fp, map[string]string{"Content-Type": mw.FormDataContentType()}, &body)
		return r.Status, string(r.Body)
	}
	t.Run("a file part is read as the CSV", func(t *testing.T) {
		status, body := post(t, "file", "ken.csv", "indicator,year,value\nOFFENCES_RECORDED,2020,10\nPERSONS_TRAINED,2020,4\n")
		if status != http.StatusOK || !strings.Contains(body, `"accepted":2`) {
			t.Fatalf("got %d %s, want 200 with 2 accepted", status, body)
		}
	})
	t.Run("a file part under another name is read too", func(t *testing.T) {
		status, body := post(t, "upload", "ken.csv", "indicator,year,value\nOFFENCES_RECORDED,2021,11\n")
		if status != http.StatusOK || !strings.Contains(body, `"accepted":1`) {
			t.Fatalf("got %d %s, want 200 with 1 accepted", status, body)
		}
	})
	t.Run("a semicolon-separated file gets a hint to use commas", func(t *testing.T) {
		status, body := post(t, "file", "ken.csv", "indicator;year;value\nOFFENCES_RECORDED;2022;12\n")
		if status != http.StatusUnprocessableEntity || !strings.Contains(body, "semicolons") || !strings.Contains(body, "commas") {
			t.Fatalf("got %d %s, want 422 telling to use commas", status, body)
		}
	})
	t.Run("a semicolon-separated file gets that one message, no more (issue 17)", func(t *testing.T) {
		status, body := post(t, "file", "ken.csv", "indicator;year;value;status\nOFFENCES_RECORDED;2022;12;REPORTED\n")
		if status != http.StatusUnprocessableEntity || strings.Count(body, `"message"`) != 1 {
			t.Fatalf("got %d %s, want 422 with one message", status, body)
		}
	})
	t.Run("a workbook is told to be saved as CSV, not parsed (issue 17)", func(t *testing.T) {
		for name, head := range map[string]string{"ken.xlsx": "PK\x03\x04\x14\x00\x06\x00", "ken.xls": "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"} {
			status, body := post(t, "file", name, head+strings.Repeat("\x00\"x,", 100))
			if status != http.StatusUnprocessableEntity || strings.Count(body, `"message"`) != 1 ||
				!strings.Contains(body, "workbook") || !strings.Contains(body, "CSV UTF-8") || strings.Contains(body, "malformed") {
				t.Fatalf("%s: got %d %s, want 422 with one message saying to save the workbook as CSV UTF-8", name, status, body)
			}
		}
	})
	t.Run("a form without a file is a clear error", func(t *testing.T) {
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		mw.WriteField("note", "no file") //nolint:errcheck
		mw.Close()
		r := env.Raw(t, http.MethodPost, "/statistics/KEN.csv", fp, map[string]string{"Content-Type": mw.FormDataContentType()}, &body)
		if r.Status != http.StatusBadRequest || !strings.Contains(string(r.Body), "file") {
			t.Fatalf("got %d %s, want 400 saying a file part is missing", r.Status, r.Body)
		}
	})
}
