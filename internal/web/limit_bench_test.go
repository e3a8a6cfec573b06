package web

import (
	"bytes"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"healthcode"
	"healthcode/internal/service"
)

// The limiter's cost on the path it guards, one-time code requests,
// against the same handler without limits:
//
//	go test -run '^$' -bench OTPLimiter -benchmem ./internal/web/
//
// Each iteration sends one request to each of three servers, each on its
// own database, and times them apart, so that a loaded machine slows all
// three alike: unlimited has no limits; allowed takes the address's and
// the phone's buckets (two statements) and serves the request; refused is
// a flood's request past the address's limit, refused from memory. The
// ratios to unlimited are reported; ns/op is the three together. On both
// stores; PostgreSQL needs HEALTHCODE_TEST_POSTGRES or the local server.
func BenchmarkOTPLimiter(b *testing.B) {
	huge := healthcode.Rate{N: 1 << 30, Per: time.Hour}
	allowed := healthcode.Limits{
		{Class: healthcode.LimitOTP, Scope: healthcode.ScopeAddr}:  huge,
		{Class: healthcode.LimitOTP, Scope: healthcode.ScopePhone}: huge,
	}
	for _, kind := range storeKinds {
		b.Run(kind.name, func(b *testing.B) {
			servers := []*otpBench{
				newOTPBench(b, kind.open(b)(b), nil, http.StatusAccepted),
				newOTPBench(b, kind.open(b)(b), allowed, http.StatusAccepted),
				newOTPBench(b, kind.open(b)(b), healthcode.DefaultLimits(), http.StatusTooManyRequests),
			}
			for b.Loop() {
				for _, s := range servers {
					s.send(b)
				}
			}
			base := float64(servers[0].spent)
			b.ReportMetric(float64(servers[1].spent)/base, "allowed/unlimited")
			b.ReportMetric(float64(servers[2].spent)/base, "refused/unlimited")
			b.ReportMetric(base/float64(b.N), "unlimited-ns/op")
		})
	}
}

// otpBench is one server taking code requests, each for a new phone so
// that the resend pause never answers instead.
type otpBench struct {
	h     http.Handler
	want  int
	phone int
	spent time.Duration
}

func newOTPBench(b *testing.B, db healthcode.Store, lim healthcode.Limits, want int) *otpBench {
	log := slog.New(slog.DiscardHandler)
	s := &otpBench{h: NewServer(log, newService(b, db, service.Config{Issuer: "330100", Dev: true, Limits: lim}, log, nil)), want: want}
	if want == http.StatusTooManyRequests {
		for s.serve() != http.StatusTooManyRequests { // use up the address's limit
		}
	}
	return s
}

func (s *otpBench) serve() int {
	s.phone++
	body := fmt.Appendf(nil, `{"phone": "139%08d"}`, s.phone)
	rec := httptest.NewRecorder()
	s.h.ServeHTTP(rec, httptest.NewRequest("POST", "/api/v1/auth/otp", bytes.NewReader(body)))
	return rec.Code
}

func (s *otpBench) send(b *testing.B) {
	start := time.Now()
	got := s.serve()
	s.spent += time.Since(start)
	if got != s.want {
		b.Fatalf("status %d, want %d", got, s.want)
	}
}
