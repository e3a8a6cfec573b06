package web

import (
	"net/http"
	"strings"

	"healthcode"
	"healthcode/internal/permission"
)

// authorize resolves the bearer token, if any, and enforces the route's
// permission (without a region: the service checks that once the request
// names one) and rate limits (class; "" for none) before the handler runs.
func (s *Server) authorize(rt route, class healthcode.LimitClass) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var who *healthcode.Principal
		if token, ok := bearer(r); ok {
			p, err := s.svc.Authenticate(r.Context(), token)
			if err != nil {
				writeError(w, s.log, r, err)
				return
			}
			who = p
			r = r.WithContext(healthcode.NewContextWithPrincipal(r.Context(), p))
		}
		if !permission.Can(who, rt.perm, "") {
			if who == nil {
				writeError(w, s.log, r, healthcode.Errorf(healthcode.EUNAUTHORIZED, "Log in first: send Authorization: Bearer <token>."))
				return
			}
			writeError(w, s.log, r, healthcode.Errorf(healthcode.EFORBIDDEN, "This needs the permission %s, which a %s does not have.", rt.perm, who.Role))
			return
		}
		if class != "" {
			if err := s.svc.Limit(r.Context(), class, who); err != nil {
				writeError(w, s.log, r, err)
				return
			}
		}
		rt.handler(s, w, r)
	})
}

func bearer(r *http.Request) (string, bool) {
	h := r.Header.Get("Authorization")
	token, ok := strings.CutPrefix(h, "Bearer ")
	return strings.TrimSpace(token), ok && strings.TrimSpace(token) != ""
}
