package httpapi

import (
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"os"

	"github.com/cosp-ict/irm/internal/apperr"
	"github.com/cosp-ict/irm/internal/auth"
)

// csvBody is the CSV file a request carries: the body itself, or, for
// multipart/form-data (what browsers and curl -F send), its first file
// part, so that the boundary is never read as a column name.
func csvBody(r *http.Request, body io.Reader) (io.Reader, error) {
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/form-data" {
		return body, nil
	}
	mr := multipart.NewReader(body, params["boundary"])
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return nil, apperr.BadInputT("the form has no file: send the CSV as a file field, e.g. curl -F file=@data.csv")
		}
		if err != nil {
			return nil, apperr.BadInputT("the multipart/form-data body cannot be read: {reason}", "reason", err)
		}
		if part.FileName() != "" {
			return part, nil
		}
	}
}

// SpoolUpload gives the web pages' upload form the CSV endpoint's rules:
// an upload slot for the token, and the file (the form's file part, whose
// body the page has bounded) received whole into a temporary file before
// the ingest takes a database connection. Closing the result frees both.
func (s *API) SpoolUpload(w http.ResponseWriter, r *http.Request, p auth.Principal, file io.Reader) (io.ReadCloser, error) {
	release, err := s.uploads.take(p.TokenID)
	if err != nil {
		return nil, err
	}
	f, err := s.spool(w, r, file)
	if err != nil {
		release()
		return nil, err
	}
	return &spooled{File: f, release: release}, nil
}

type spooled struct {
	*os.File
	release func()
}

func (s *spooled) Close() error {
	s.release()
	return s.File.Close()
}
