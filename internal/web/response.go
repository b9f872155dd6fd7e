package web

import (
	"errors"
	"net/http"
)

// pageHandler is a page: it answers the request, or returns the
// unexpected error it met before answering, which the page adapter answers
// through pageError, the one way every page does (GoatCounter-style).
type pageHandler func(w http.ResponseWriter, r *http.Request) error

// page adapts a pageHandler to the mux.
func (s *Server) page(h pageHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			s.pageError(w, r, err)
		}
	}
}

// pageError answers an unexpected error on a page: logged, a plain 500,
// nothing of the page sent. A request whose browser went away is not
// answered.
func (s *Server) pageError(w http.ResponseWriter, r *http.Request, err error) {
	if r.Context().Err() != nil && errors.Is(err, r.Context().Err()) {
		return
	}
	s.log.Error("page failed", "method", r.Method, "path", r.URL.Path, "err", err)
	http.Error(w, "Erro interno. Tente novamente.", http.StatusInternalServerError)
}
