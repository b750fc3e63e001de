package httpapi

import (
	"flag"
	"math"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/cosp-ict/irm/internal/apperr"
	"github.com/cosp-ict/irm/internal/auth"
)

// Limits bound what one caller may take of a replica: request rates per
// token and per address, concurrent CSV uploads, and how slowly an upload
// may arrive. The zero value of a field means its default; the flags of
// serve set them.
type Limits struct {
	// RatePerToken is the sustained requests per second of one token
	// (bursts of twice that); the secretariat's tokens get
	// SecretariatFactor times more, for bulk work. Negative: no limit.
	RatePerToken      float64
	SecretariatFactor float64
	// RatePerAddress bounds the requests per second of one client
	// address, before authentication. Negative: no limit.
	RatePerAddress float64
	// Uploads bounds the CSV uploads received at once on this replica,
	// UploadsPerToken those of one token.
	Uploads, UploadsPerToken int
	// UploadIdle is the longest an upload may send nothing; UploadMinRate
	// the bytes per second it must average after UploadIdle (more for a
	// declared size that would otherwise take longer than UploadMaxTime);
	// UploadMaxTime the longest one may take in all.
	UploadIdle    time.Duration
	UploadMinRate int
	UploadMaxTime time.Duration
}

// defaultLimits are the defaults of Limits.
var defaultLimits = Limits{
	RatePerToken:      10,
	SecretariatFactor: 5,
	RatePerAddress:    50,
	Uploads:           8,
	UploadsPerToken:   2,
	UploadIdle:        30 * time.Second,
	UploadMinRate:     16 << 10,
	UploadMaxTime:     15 * time.Minute,
}

// WithDefaults returns l with its zero fields set to their defaults.
func (l Limits) WithDefaults() Limits {
	d := defaultLimits
	if l.RatePerToken != 0 {
		d.RatePerToken = l.RatePerToken
	}
	if l.SecretariatFactor != 0 {
		d.SecretariatFactor = l.SecretariatFactor
	}
	if l.RatePerAddress != 0 {
		d.RatePerAddress = l.RatePerAddress
	}
	if l.Uploads != 0 {
		d.Uploads = l.Uploads
	}
	if l.UploadsPerToken != 0 {
		d.UploadsPerToken = l.UploadsPerToken
	}
	if l.UploadIdle != 0 {
		d.UploadIdle = l.UploadIdle
	}
	if l.UploadMinRate != 0 {
		d.UploadMinRate = l.UploadMinRate
	}
	if l.UploadMaxTime != 0 {
		d.UploadMaxTime = l.UploadMaxTime
	}
	return d
}

// Register adds the limits' flags (with env fallbacks) to fs.
func (l *Limits) Register(fs *flag.FlagSet, getenv func(string) string) {
	d := defaultLimits
	envFloat := func(key string, def float64) float64 {
		if v, err := strconv.ParseFloat(getenv(key), 64); err == nil {
			return v
		}
		return def
	}
	envInt := func(key string, def int) int {
		if v, err := strconv.Atoi(getenv(key)); err == nil {
			return v
		}
		return def
	}
	fs.Float64Var(&l.RatePerToken, "rate-limit", envFloat("IRM_RATE_LIMIT", d.RatePerToken),
		"requests per second per token, bursts of twice that; -1: none (env IRM_RATE_LIMIT)")
	fs.Float64Var(&l.SecretariatFactor, "rate-limit-secretariat", envFloat("IRM_RATE_LIMIT_SECRETARIAT", d.SecretariatFactor),
		"the secretariat's tokens get this many times the rate, for bulk work (env IRM_RATE_LIMIT_SECRETARIAT)")
	fs.Float64Var(&l.RatePerAddress, "rate-limit-address", envFloat("IRM_RATE_LIMIT_ADDRESS", d.RatePerAddress),
		"requests per second per client address; -1: none, e.g. behind a proxy that limits (env IRM_RATE_LIMIT_ADDRESS)")
	fs.IntVar(&l.Uploads, "max-uploads", envInt("IRM_MAX_UPLOADS", d.Uploads), "CSV uploads received at once (env IRM_MAX_UPLOADS)")
	fs.IntVar(&l.UploadsPerToken, "max-uploads-per-token", envInt("IRM_MAX_UPLOADS_PER_TOKEN", d.UploadsPerToken),
		"CSV uploads received at once per token (env IRM_MAX_UPLOADS_PER_TOKEN)")
	envDuration := func(key string, def time.Duration) time.Duration {
		if v, err := time.ParseDuration(getenv(key)); err == nil {
			return v
		}
		return def
	}
	fs.DurationVar(&l.UploadIdle, "upload-idle", envDuration("IRM_UPLOAD_IDLE", d.UploadIdle),
		"longest pause an upload may make (env IRM_UPLOAD_IDLE)")
	fs.IntVar(&l.UploadMinRate, "upload-min-rate", envInt("IRM_UPLOAD_MIN_RATE", d.UploadMinRate),
		"bytes per second an upload must average after the first pause allowed (env IRM_UPLOAD_MIN_RATE)")
	fs.DurationVar(&l.UploadMaxTime, "upload-max-time", envDuration("IRM_UPLOAD_MAX_TIME", d.UploadMaxTime),
		"longest an upload may take in all; a declared size must arrive within it (env IRM_UPLOAD_MAX_TIME)")
}

// rateLimiter keeps a token bucket per key (token id or address) in
// memory: a rate per replica, which is what protects the replica.
// Buckets idle long enough to be full again are dropped.
type rateLimiter struct {
	mu      sync.Mutex
	buckets map[string]*bucket
	now     func() time.Time
	calls   int
}

type bucket struct {
	tokens float64
	last   time.Time
}

func newRateLimiter() *rateLimiter {
	return &rateLimiter{buckets: map[string]*bucket{}, now: time.Now}
}

// allow takes one request from key's bucket of rate per second and burst
// 2×rate (at least 1); when empty it returns how long until one is back.
func (l *rateLimiter) allow(key string, rate float64) (bool, time.Duration) {
	if rate < 0 {
		return true, 0
	}
	burst := math.Max(2*rate, 1)
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	l.calls++
	if l.calls%1024 == 0 {
		for k, b := range l.buckets {
			if now.Sub(b.last).Seconds()*rate >= burst {
				delete(l.buckets, k)
			}
		}
	}
	b, ok := l.buckets[key]
	if !ok {
		b = &bucket{tokens: burst, last: now}
		l.buckets[key] = b
	}
	b.tokens = math.Min(burst, b.tokens+now.Sub(b.last).Seconds()*rate)
	b.last = now
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	if rate == 0 {
		return false, time.Hour
	}
	return false, time.Duration((1 - b.tokens) / rate * float64(time.Second))
}

// LimitAddress refuses a client address over its rate with 429, before
// the token is even looked up.
func (s *API) LimitAddress(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/healthz" {
			next.ServeHTTP(w, r) // load balancers poll it; it costs one ping
			return
		}
		host, _, err := net.SplitHostPort(r.RemoteAddr)
		if err != nil {
			host = r.RemoteAddr
		}
		if ok, wait := s.rates.allow("addr/"+host, s.limits.RatePerAddress); !ok {
			s.refuse(w, r, apperr.TooManyRequestsT(wait, "too many requests from this address: slow down and retry after the time in Retry-After"))
			return
		}
		next.ServeHTTP(w, r)
	})
}

// LimitToken refuses a token over its rate with 429; the secretariat's
// rate is higher, so that its bulk work is not starved.
func (s *API) LimitToken(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, _ := auth.FromContext(r.Context())
		rate := s.limits.RatePerToken
		if p.Role == auth.Secretariat && rate > 0 {
			rate *= s.limits.SecretariatFactor
		}
		if ok, wait := s.rates.allow("token/"+strconv.FormatInt(p.TokenID, 10), rate); !ok {
			s.refuse(w, r, apperr.TooManyRequestsT(wait, "too many requests for this token: slow down and retry after the time in Retry-After"))
			return
		}
		next.ServeHTTP(w, r)
	})
}

// uploadSlots bounds concurrent uploads overall and per token.
type uploadSlots struct {
	mu              sync.Mutex
	total, perToken int
	busy            int
	byToken         map[int64]int
}

func newUploadSlots(total, perToken int) *uploadSlots {
	return &uploadSlots{total: total, perToken: perToken, byToken: map[int64]int{}}
}

// take reserves a slot for token, or says why not; release gives it back.
func (u *uploadSlots) take(token int64) (release func(), err error) {
	u.mu.Lock()
	defer u.mu.Unlock()
	switch {
	case u.byToken[token] >= u.perToken:
		return nil, apperr.TooManyRequestsT(10*time.Second, "this token is already sending {count} files: wait for them to finish", "count", u.perToken)
	case u.busy >= u.total:
		return nil, apperr.TooManyRequestsT(10*time.Second, "the service is receiving {count} files: retry shortly", "count", u.total)
	}
	u.busy++
	u.byToken[token]++
	return func() {
		u.mu.Lock()
		defer u.mu.Unlock()
		u.busy--
		if u.byToken[token]--; u.byToken[token] == 0 {
			delete(u.byToken, token)
		}
	}, nil
}
