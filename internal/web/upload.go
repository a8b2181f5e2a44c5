package web

import (
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/momoanalytics/momo"
	"github.com/momoanalytics/momo/internal/ingest"
	"github.com/momoanalytics/momo/internal/smsbackup"
)

// uploadTime bounds one upload, sending and importing together. The
// server's 30-second timeouts suit pages; 50 MB over a slow mobile link
// takes minutes, so the upload sets its own deadlines.
const uploadTime = 15 * time.Minute

// uploadOverhead is what the multipart envelope may add to the file: the
// form token, the part headers, the boundaries.
const uploadOverhead = 16 << 10

// uploadResult is the import summary, as the page and the script get it.
type uploadResult struct {
	Counts momo.Counts `json:"counts"`
	Error  string      `json:"error,omitempty"`
	// Kept says that what was read before the error is stored.
	Kept bool `json:"kept,omitempty"`
}

type uploadView struct {
	Limit  string // "50 MB"
	Result *uploadResult
}

func (s *Server) uploadPage(w http.ResponseWriter, r *http.Request) error {
	s.render(w, r, http.StatusOK, "upload", page{Title: "Upload an SMS backup", Data: uploadView{Limit: s.limitText()}})
	return nil
}

// limitText is the upload limit in words, rounded down so as not to
// promise more than is accepted.
func (s *Server) limitText() string {
	if n := s.cfg.MaxUpload; n >= 1<<20 {
		return fmt.Sprintf("%d MB", n>>20)
	}
	return fmt.Sprintf("%d KB", s.cfg.MaxUpload>>10)
}

// signedInMultipart is signedIn for the upload: the form token sits in
// the multipart body, which only the handler reads, as a stream.
func (s *Server) signedInMultipart(h handlerFunc) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if visitorOf(r).user == nil {
			http.Redirect(w, r, "/login?next=%2Fupload", http.StatusSeeOther)
			return nil
		}
		return h(w, r)
	}
}

// upload imports an SMS Backup & Restore file into the visitor's upload
// subscriber. The file is streamed from the request into the XML reader
// and the importer: a 50 MB file never sits in memory. The form token
// comes first in the form and is checked before any of the file is read,
// and before the request gets its long deadlines or an upload slot.
func (s *Server) upload(w http.ResponseWriter, r *http.Request) error {
	limit := s.cfg.MaxUpload + uploadOverhead
	if r.ContentLength > limit {
		return s.uploadRefused(w, r, http.StatusRequestEntityTooLarge, s.tooLargeMessage())
	}
	r.Body = http.MaxBytesReader(w, r.Body, limit)

	mr, status, msg := s.checkUploadToken(r)
	if msg != "" {
		return s.uploadRefused(w, r, status, msg)
	}
	s.extendDeadlines(w)
	v := visitorOf(r)
	leave, err := s.uploads.enter(r.Context(), v.user.ID)
	if err != nil {
		return s.uploadBusy(w, r, err)
	}
	defer leave()

	file, status, msg := s.openFile(mr)
	if msg != "" {
		return s.uploadRefused(w, r, status, msg)
	}
	return s.importUpload(w, r, mr, file)
}

// importUpload imports the file part, makes sure it was the only file,
// and answers with the summary.
func (s *Server) importUpload(w http.ResponseWriter, r *http.Request, mr *multipart.Reader, file io.Reader) error {
	v := visitorOf(r)
	sub, err := s.store.UploadSubscriber(r.Context(), v.user.ID)
	if err != nil {
		return err
	}
	xml := smsbackup.NewReader(file, smsbackup.Options{MaxFileBytes: s.cfg.MaxUpload})
	counts, err := s.importer.Import(r.Context(), sub, ingest.BackupItems(xml, momo.SourceUpload))
	if err == nil {
		err = onlyFile(mr)
	}
	gone := clientGone(r, err)
	s.auditUpload(r, v.user, counts, err, gone)
	if gone {
		s.log.Info("Upload cut short by the client", "user_id", int64(v.user.ID), "client_ip", clientOf(r).IP,
			"read", counts.Read, "error", err)
		if r.Context().Err() != nil {
			return nil // nobody is left to answer
		}
	}

	status, problem := s.importProblem(err)
	res := uploadResult{Counts: counts, Error: problem}
	if status >= 500 {
		return err
	}
	res.Kept = res.Error != "" && stored(counts) > 0
	return s.uploadAnswer(w, r, status, res)
}

// stored is how many messages an import kept: the ones it read, whether
// a template matched or not, and the damaged ones kept with a reason.
func stored(c momo.Counts) int {
	return c.Parsed + c.Unrecognized + c.Rejected
}

// errSecondFile refuses a form with more than one file: the first is
// imported, the others would be silently ignored.
var errSecondFile = momo.E(momo.CodeInvalid, "send one file per upload", nil)

// onlyFile reads the parts after the imported file and refuses any that
// is a file. Other fields are skipped; a broken end of the form after a
// complete file changes nothing stored, and is not reported.
func onlyFile(mr *multipart.Reader) error {
	for {
		p, err := mr.NextPart()
		if err != nil {
			return nil
		}
		if p.FileName() != "" {
			return errSecondFile
		}
	}
}

// clientGone reports whether err means that the client stopped sending:
// it went away (the request's context ends with its connection), or it
// sent less than it declared.
func clientGone(r *http.Request, err error) bool {
	return err != nil && (r.Context().Err() != nil || errors.Is(err, io.ErrUnexpectedEOF))
}

// uploadBusy refuses an upload the gate did not admit, saying when to try
// again.
func (s *Server) uploadBusy(w http.ResponseWriter, r *http.Request, err error) error {
	status, after := http.StatusServiceUnavailable, retryBusy
	msg := "The server is busy with other uploads. Please try again in a minute."
	if errors.Is(err, errUploadRunning) {
		status, after = http.StatusTooManyRequests, retryOwnUpload
		msg = "An upload of yours is still running. Wait for its summary, then send the next file."
	}
	w.Header().Set("Retry-After", strconv.Itoa(int(after/time.Second)))
	s.log.Warn("Upload refused", "event", "upload.refused", "user_id", int64(visitorOf(r).user.ID),
		"client_ip", clientOf(r).IP, "status", status)
	return s.uploadRefused(w, r, status, msg)
}

// extendDeadlines lets this request outlive the server's timeouts. A
// writer that cannot (a test's recorder) has no deadline to extend.
func (s *Server) extendDeadlines(w http.ResponseWriter) {
	rc := http.NewResponseController(w)
	end := time.Now().Add(uploadTime)
	for _, set := range []func(time.Time) error{rc.SetReadDeadline, rc.SetWriteDeadline} {
		if err := set(end); err != nil && !errors.Is(err, http.ErrNotSupported) {
			s.log.Warn("Upload deadline not extended", "error", err)
		}
	}
}

func (s *Server) tooLargeMessage() string {
	return "The file is larger than the limit of " + s.limitText() + ". Export a shorter period, or split the file."
}

// checkUploadToken checks the form token, the first part, and returns the
// reader of the parts after it, or the status and message of what is
// wrong.
func (s *Server) checkUploadToken(r *http.Request) (*multipart.Reader, int, string) {
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, http.StatusUnsupportedMediaType, "Send the file with the upload form."
	}
	tok, err := mr.NextPart()
	if err != nil || tok.FormName() != "csrf" || !s.validToken(r, tok) {
		return nil, http.StatusForbidden, "This form has expired. Please go back, reload the page and try again."
	}
	return mr, 0, ""
}

// openFile returns the file part, the one after the token, or the status
// and message of what is wrong.
func (s *Server) openFile(mr *multipart.Reader) (io.Reader, int, string) {
	file, err := mr.NextPart()
	var big *http.MaxBytesError
	switch {
	case errors.As(err, &big):
		return nil, http.StatusRequestEntityTooLarge, s.tooLargeMessage()
	case err != nil || file.FormName() != "file":
		return nil, http.StatusBadRequest, "Choose a file to upload."
	case file.FileName() == "":
		return nil, http.StatusBadRequest, "Choose a file to upload."
	}
	return file, 0, ""
}

// validToken reads the token part, at most a little more than a token.
func (s *Server) validToken(r *http.Request, p *multipart.Part) bool {
	got, err := io.ReadAll(io.LimitReader(p, 128))
	want := visitorOf(r).formToken
	return err == nil && want != "" && subtle.ConstantTimeCompare(got, []byte(want)) == 1
}

// importProblem gives an import's error its status and its sentence. The
// records before it are stored: the importer keeps what it read.
func (s *Server) importProblem(err error) (int, string) {
	var big *http.MaxBytesError
	switch {
	case err == nil:
		return http.StatusOK, ""
	case errors.As(err, &big), errors.Is(err, smsbackup.ErrFileTooLarge):
		return http.StatusRequestEntityTooLarge, s.tooLargeMessage()
	case errors.Is(err, errSecondFile):
		return http.StatusBadRequest, "Send one file per upload: the first file is imported, the others were not read."
	case errors.Is(err, io.ErrUnexpectedEOF):
		return http.StatusBadRequest, "The upload was cut short before the end of the file."
	case momo.ErrorCode(err) == momo.CodeInvalid:
		return http.StatusBadRequest, "The file is not a complete SMS Backup & Restore export: " + momo.ErrorMessage(err) + "."
	}
	return http.StatusInternalServerError, ""
}

// auditUpload records the counts, never the content.
func (s *Server) auditUpload(r *http.Request, u *momo.User, c momo.Counts, err error, gone bool) {
	detail := fmt.Sprintf("read %d, parsed %d, unrecognized %d, duplicate %d, skipped %d, rejected %d",
		c.Read, c.Parsed, c.Unrecognized, c.Duplicate, c.Skipped, c.Rejected)
	switch {
	case gone:
		detail += "; cut short by the client"
	case err != nil:
		detail += "; stopped by an error"
	}
	s.securityEvent(r, momo.AuditUpload, u, detail)
}

// uploadAnswer is the summary: JSON for the page's script, which asks
// for it, a page otherwise.
func (s *Server) uploadAnswer(w http.ResponseWriter, r *http.Request, status int, res uploadResult) error {
	if wantsJSON(r) {
		return writeJSON(w, status, res)
	}
	// The summary shows the error itself: the page's own notice would
	// say it a second time.
	s.render(w, r, status, "upload", page{Title: "Upload an SMS backup", Data: uploadView{Limit: s.limitText(), Result: &res}})
	return nil
}

// uploadRefused answers an upload refused before any of it was read.
func (s *Server) uploadRefused(w http.ResponseWriter, r *http.Request, status int, msg string) error {
	if wantsJSON(r) {
		return writeJSON(w, status, uploadResult{Error: msg})
	}
	s.render(w, r, status, "upload", page{Title: "Upload an SMS backup", Error: msg, Data: uploadView{Limit: s.limitText()}})
	return nil
}

func wantsJSON(r *http.Request) bool {
	return strings.Contains(r.Header.Get("Accept"), "application/json")
}

func writeJSON(w http.ResponseWriter, status int, v any) error {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	return json.NewEncoder(w).Encode(v)
}
