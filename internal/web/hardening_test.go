package web_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/cosp-ict/irm/internal/app"
	"github.com/cosp-ict/irm/internal/auth"
	"github.com/cosp-ict/irm/internal/web"
)

// countingBody is a request body of n bytes (prefix, then filler) that
// counts what the server reads of it: what a refusal costs is measured in
// bytes read, whatever the garbage collector does with them.
type countingBody struct {
	prefix []byte
	fill   byte
	n      int64
	read   int64
}

func newCountingBody(prefix string, fill byte, n int64) *countingBody {
	return &countingBody{prefix: []byte(prefix), fill: fill, n: n}
}

func (b *countingBody) Read(p []byte) (int, error) {
	if b.read >= b.n {
		return 0, io.EOF
	}
	if rest := b.n - b.read; int64(len(p)) > rest {
		p = p[:rest]
	}
	for i := range p {
		if at := b.read + int64(i); at < int64(len(b.prefix)) {
			p[i] = b.prefix[at]
		} else {
			p[i] = b.fill
		}
	}
	b.read += int64(len(p))
	return len(p), nil
}

// direct sends a request to the site's handler without a network (so
// that nothing but the handler reads the body), with the client's
// cookies and a body of unknown length, as a chunked upload has.
func (c *client) direct(method, path, contentType string, body io.Reader, header ...string) response {
	c.t.Helper()
	req := httptest.NewRequest(method, path, body)
	req.ContentLength = -1
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return c.serve(req)
}

// serve passes req to the site's handler with the client's cookies.
func (c *client) serve(req *http.Request) response {
	c.t.Helper()
	u, _ := url.Parse(c.s.URL)
	for _, ck := range c.http.Jar.Cookies(u) {
		req.AddCookie(ck)
	}
	rec := httptest.NewRecorder()
	c.s.Handler.ServeHTTP(rec, req)
	return response{Status: rec.Code, Body: rec.Body.String(), Header: rec.Header()}
}

const megabyte = 1 << 20

// Finding 3 of issue 16: an unauthenticated 40 MB multipart POST to
// /sign-in was read whole before the CSRF refusal, and a 5 MB
// questionnaire form passed the 2 MiB cap.
func TestPageBodiesAreBoundedBeforeTheyAreParsed(t *testing.T) {
	s := newSite(t)
	token := s.token(t, auth.FocalPoint, "GHA")
	const multipartType = "multipart/form-data; boundary=xyz"
	t.Run("a 40 MB multipart sign-in is refused with 415 before it is read", func(t *testing.T) {
		c := newClient(t, s)
		body := newCountingBody("--xyz\r\nContent-Disposition: form-data; name=\"token\"\r\n\r\n", 'a', 40*megabyte)
		r := c.direct(http.MethodPost, "/sign-in", multipartType, body)
		if r.Status != http.StatusUnsupportedMediaType {
			t.Errorf("HTTP %d, want 415", r.Status)
		}
		if body.read > 64<<10 {
			t.Errorf("read %d bytes of the body, want at most 64 KiB", body.read)
		}
	})
	t.Run("a 40 MB form to sign-in is refused with 413 after at most 64 KiB", func(t *testing.T) {
		c := newClient(t, s)
		body := newCountingBody("token=", 'a', 40*megabyte)
		r := c.direct(http.MethodPost, "/sign-in", "application/x-www-form-urlencoded", body)
		if r.Status != http.StatusRequestEntityTooLarge {
			t.Errorf("HTTP %d, want 413", r.Status)
		}
		if body.read > 64<<10 {
			t.Errorf("read %d bytes of the body, want at most 64 KiB", body.read)
		}
	})
	t.Run("a 40 MB Content-Length on sign-out is refused with 413 before a byte is read", func(t *testing.T) {
		c := newClient(t, s)
		c.signIn(token)
		body := newCountingBody("csrf=", 'a', 40*megabyte)
		req := httptest.NewRequest(http.MethodPost, "/sign-out", body)
		req.ContentLength = 40 * megabyte
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if r := c.serve(req); r.Status != http.StatusRequestEntityTooLarge || body.read != 0 {
			t.Errorf("HTTP %d after reading %d bytes, want 413 after none", r.Status, body.read)
		}
	})

	c := newClient(t, s)
	c.signIn(token)
	page := "/cycles/" + implCycle + "/states/GHA"
	c.get(page + "?section=prevention")
	t.Run("a 5 MB questionnaire form is refused with 413 after at most 2 MiB, and nothing is stored", func(t *testing.T) {
		form := url.Values{"csrf": {c.csrf}, "section": {"prevention"}, "version": {"0"}, "action": {"save"}}
		body := newCountingBody(form.Encode()+"&%2Fprevention%2Fagency_name=", 'a', 5*megabyte)
		r := c.direct(http.MethodPost, page, "application/x-www-form-urlencoded", body)
		if r.Status != http.StatusRequestEntityTooLarge {
			t.Errorf("HTTP %d, want 413", r.Status)
		}
		if body.read > 2*megabyte+1 {
			t.Errorf("read %d bytes of the body, want at most 2 MiB", body.read)
		}
		if sub, _ := s.Workflow.Get(context.Background(), auth.Principal{Role: auth.Secretariat}, implCycle, "GHA"); sub != nil {
			t.Error("the refused form stored a submission")
		}
	})
	t.Run("a multipart questionnaire form is refused with 415 before it is read", func(t *testing.T) {
		body := newCountingBody("--xyz\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n"+c.csrf+"\r\n", 'a', 5*megabyte)
		r := c.direct(http.MethodPost, page, multipartType, body)
		if r.Status != http.StatusUnsupportedMediaType || body.read > 64<<10 {
			t.Errorf("HTTP %d after reading %d bytes, want 415 after at most 64 KiB", r.Status, body.read)
		}
	})
	t.Run("a form within the cap is still saved", func(t *testing.T) {
		form := url.Values{"csrf": {c.csrf}, "section": {"prevention"}, "version": {"0"}, "action": {"save"},
			"/prevention/agency_name": {strings.Repeat("a", 100)}}
		r := c.direct(http.MethodPost, page, "application/x-www-form-urlencoded", bytes.NewReader([]byte(form.Encode())))
		if r.Status != http.StatusSeeOther {
			t.Fatalf("HTTP %d, want 303\n%s", r.Status, r.Body)
		}
	})
}

// Finding 4 of issue 16: the statistics upload received the whole file
// (holding an upload slot) before it checked the form's CSRF field.
func TestTheStatisticsUploadChecksItsCSRFTokenBeforeReceivingTheFile(t *testing.T) {
	s := newSite(t)
	c := newClient(t, s)
	c.signIn(s.token(t, auth.FocalPoint, "GHA"))
	c.get("/states/GHA/statistics")
	const boundary = "irm-test-boundary"
	contentType := "multipart/form-data; boundary=" + boundary
	field := func(name, value string) string {
		return "--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + name + "\"\r\n\r\n" + value + "\r\n"
	}
	file := func(csv string) string {
		return "--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"gha.csv\"\r\nContent-Type: text/csv\r\n\r\n" + csv
	}
	const end = "\r\n--" + boundary + "--\r\n"
	csv := "indicator,year,value\nOFFENCES_RECORDED,2024,12\n"
	for _, tc := range []struct {
		name   string
		prefix string
	}{
		{"a file before the csrf field", file("indicator,year,value\n")},
		{"a wrong csrf field first", field("csrf", "forged-forged-forged-forged-forged-forged")},
		{"another field first", field("note", "hello") + field("csrf", c.csrf)},
	} {
		t.Run(tc.name+" is refused with 403 after at most 64 KiB of 8 MB", func(t *testing.T) {
			body := newCountingBody(tc.prefix, 'a', 8*megabyte)
			r := c.direct(http.MethodPost, "/states/GHA/statistics", contentType, body)
			if r.Status != http.StatusForbidden {
				t.Errorf("HTTP %d, want 403", r.Status)
			}
			if body.read > 64<<10 {
				t.Errorf("read %d bytes of the body, want at most 64 KiB", body.read)
			}
		})
	}
	t.Run("the csrf field first, then the file, stores the rows", func(t *testing.T) {
		r := c.direct(http.MethodPost, "/states/GHA/statistics", contentType, strings.NewReader(field("csrf", c.csrf)+file(csv)+end))
		if r.Status != http.StatusOK || !strings.Contains(r.Body, "The file is stored:") {
			t.Fatalf("HTTP %d, want 200 with the file stored\n%s", r.Status, r.Body)
		}
	})
	t.Run("with the X-CSRF-Token header the file may come first", func(t *testing.T) {
		r := c.direct(http.MethodPost, "/states/GHA/statistics", contentType, strings.NewReader(file(csv)+end), "X-CSRF-Token", c.csrf)
		if r.Status != http.StatusOK || !strings.Contains(r.Body, "The file is stored:") {
			t.Fatalf("HTTP %d, want 200 with the file stored\n%s", r.Status, r.Body)
		}
	})
	t.Run("the page's form puts the csrf field before the file", func(t *testing.T) {
		page := c.get("/states/GHA/statistics").Body
		form := page[strings.Index(page, `enctype="multipart/form-data"`):]
		if csrf, f := strings.Index(form, `name="csrf"`), strings.Index(form, `name="file"`); csrf < 0 || f < 0 || csrf > f {
			t.Fatalf("csrf field at %d, file at %d: want the csrf field first", csrf, f)
		}
	})
}

// Finding 8 of issue 16: web_sessions kept each session's CSRF token in
// clear. It is derived from the session's id now, and stored nowhere.
func TestASessionsCSRFTokenIsNotStored(t *testing.T) {
	s := newSite(t)
	c := newClient(t, s)
	c.signIn(s.token(t, auth.FocalPoint, "GHA"))
	if r := c.get("/"); r.Status != http.StatusOK || c.csrf == "" {
		t.Fatalf("home: HTTP %d, CSRF token %q", r.Status, c.csrf)
	}
	digest := sha256.Sum256([]byte(c.csrf))
	var rows, leaks int
	if err := s.Pool.QueryRow(context.Background(), `SELECT count(*), count(*) FILTER (WHERE to_jsonb(s)::text LIKE '%' || $1 || '%'
		OR to_jsonb(s)::text LIKE '%' || encode($2, 'hex') || '%') FROM web_sessions s`, c.csrf, digest[:]).Scan(&rows, &leaks); err != nil {
		t.Fatal(err)
	}
	if rows != 1 || leaks != 0 {
		t.Fatalf("%d sessions, %d holding the page's CSRF token; want 1 and 0", rows, leaks)
	}
	t.Run("and the derived token still guards the forms", func(t *testing.T) {
		if r := c.post("/sign-out", url.Values{"csrf": {"forged-forged-forged-forged-forged-forged"}}); r.Status != http.StatusForbidden {
			t.Fatalf("sign-out with a forged token: HTTP %d, want 403", r.Status)
		}
		if r := c.post("/sign-out", url.Values{}); r.Status != http.StatusSeeOther {
			t.Fatalf("sign-out with the page's token: HTTP %d, want 303", r.Status)
		}
	})
}

// setCookies returns the cookies an answer sets, by name.
func setCookies(r response) map[string]*http.Cookie {
	out := map[string]*http.Cookie{}
	for _, line := range r.Header.Values("Set-Cookie") {
		if c, err := http.ParseSetCookie(line); err == nil {
			out[c.Name] = c
		}
	}
	return out
}

// Finding 6 of issue 16: the pre-sign-in token accepted any value of 32+
// characters the client chose, cookies lacked the __Host- prefix and
// Origin was not checked, so a sibling subdomain could toss in a cookie
// and sign a victim into the attacker's account (login CSRF).
func TestLoginCSRFByCookieTossingIsRefused(t *testing.T) {
	s := newSite(t)
	token := s.token(t, auth.FocalPoint, "GHA")
	signIn := func(t *testing.T, csrf string, header []string, cookies ...*http.Cookie) response {
		t.Helper()
		c := newClient(t, s)
		form := url.Values{"csrf": {csrf}, "token": {token}, "next": {"/"}}
		req := httptest.NewRequest(http.MethodPost, "/sign-in", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		for _, ck := range cookies {
			req.AddCookie(ck)
		}
		return c.serve(req)
	}
	t.Run("a pre-session value the client made up is refused", func(t *testing.T) {
		made := strings.Repeat("x", 40)
		r := signIn(t, made, nil, &http.Cookie{Name: "irm_pre", Value: made})
		if r.Status != http.StatusForbidden || setCookies(r)["irm_session"] != nil {
			t.Fatalf("HTTP %d, session cookie %v; want 403 and none", r.Status, setCookies(r)["irm_session"])
		}
	})

	tls := []string{"X-Forwarded-Proto", "https"}
	form := newClient(t, s).direct(http.MethodGet, "/sign-in", "", nil, tls...)
	pre := setCookies(form)["__Host-irm_pre"]
	csrf := csrfField.FindStringSubmatch(form.Body)
	t.Run("over TLS the pre-session cookie is a __Host- cookie", func(t *testing.T) {
		if pre == nil || csrf == nil {
			t.Fatalf("cookies %v; want __Host-irm_pre and a form with its token", form.Header.Values("Set-Cookie"))
		}
		if !pre.Secure || pre.Path != "/" || pre.Domain != "" || !pre.HttpOnly || pre.SameSite != http.SameSiteStrictMode {
			t.Errorf("Secure=%v Path=%q Domain=%q HttpOnly=%v SameSite=%v; want true, /, none, true, Strict",
				pre.Secure, pre.Path, pre.Domain, pre.HttpOnly, pre.SameSite)
		}
	})
	if pre == nil || csrf == nil {
		t.FailNow()
	}
	t.Run("over TLS a plain-named cookie, as a sibling subdomain could set, is not read", func(t *testing.T) {
		r := signIn(t, csrf[1], tls, &http.Cookie{Name: "irm_pre", Value: pre.Value})
		if r.Status != http.StatusForbidden {
			t.Fatalf("HTTP %d, want 403", r.Status)
		}
	})
	t.Run("over TLS the session cookie is a __Host- cookie", func(t *testing.T) {
		r := signIn(t, csrf[1], tls, &http.Cookie{Name: "__Host-irm_pre", Value: pre.Value})
		sess := setCookies(r)["__Host-irm_session"]
		if r.Status != http.StatusSeeOther || sess == nil {
			t.Fatalf("HTTP %d, cookies %v; want 303 and __Host-irm_session", r.Status, r.Header.Values("Set-Cookie"))
		}
		if !sess.Secure || sess.Path != "/" || sess.Domain != "" || !sess.HttpOnly || sess.SameSite != http.SameSiteStrictMode {
			t.Errorf("Secure=%v Path=%q Domain=%q HttpOnly=%v SameSite=%v; want true, /, none, true, Strict",
				sess.Secure, sess.Path, sess.Domain, sess.HttpOnly, sess.SameSite)
		}
	})
}

// Finding 6 of issue 16, the other half: Origin was not checked, so a
// form on another site, a sibling subdomain included, could post to the
// pages (login CSRF needs no more than that and a tossed cookie).
func TestFormsFromOtherOriginsAreRefused(t *testing.T) {
	s := newSite(t)
	token := s.token(t, auth.FocalPoint, "GHA")
	for _, tc := range []struct {
		name   string
		header []string
		want   int
	}{
		{"a cross-site browser form is refused", []string{"Sec-Fetch-Site", "cross-site"}, http.StatusForbidden},
		{"a form from a sibling subdomain is refused", []string{"Sec-Fetch-Site", "same-site"}, http.StatusForbidden},
		{"an older browser's form from another origin is refused", []string{"Origin", "http://irm.example.evil"}, http.StatusForbidden},
		{"a same-origin browser form is accepted", []string{"Sec-Fetch-Site", "same-origin"}, http.StatusSeeOther},
		{"a form without either header (no browser) is accepted", nil, http.StatusSeeOther},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newClient(t, s)
			c.get("/sign-in")
			r := c.post("/sign-in", url.Values{"token": {token}, "next": {"/"}}, tc.header...)
			if r.Status != tc.want {
				t.Fatalf("HTTP %d, want %d", r.Status, tc.want)
			}
			if tc.want == http.StatusForbidden && (sessionCookie(r) != nil || !strings.Contains(r.Body, "sent from another site")) {
				t.Errorf("session cookie %v; want none, and the page to say the form came from another site", sessionCookie(r))
			}
		})
	}
	t.Run("a cross-site sign-out leaves the session alone", func(t *testing.T) {
		c := newClient(t, s)
		c.signIn(token)
		c.get("/")
		if r := c.post("/sign-out", url.Values{}, "Sec-Fetch-Site", "cross-site"); r.Status != http.StatusForbidden {
			t.Fatalf("HTTP %d, want 403", r.Status)
		}
		if r := c.get("/"); r.Status != http.StatusOK {
			t.Fatalf("home after the refused sign-out: HTTP %d, want 200", r.Status)
		}
	})
}

func tokenID(t *testing.T, s *site, secret string) int64 {
	t.Helper()
	p, err := s.Tokens.Authenticate(context.Background(), secret)
	if err != nil {
		t.Fatal(err)
	}
	return p.TokenID
}

func count(t *testing.T, s *site, query string, args ...any) int {
	t.Helper()
	var n int
	if err := s.Pool.QueryRow(context.Background(), query, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// Finding 5 of issue 16: 300 sign-ins with one token made 301 live
// sessions, expired rows went only at sign-out, and sign-ins were not
// audited.
func TestSessionsPerTokenAreCappedAndTheOldestEnds(t *testing.T) {
	s := newSite(t)
	token := s.token(t, auth.FocalPoint, "GHA")
	other := s.token(t, auth.Secretariat, "")
	newClient(t, s).signIn(other)
	const signIns = 30
	var clients []*client
	for range signIns {
		c := newClient(t, s)
		if r := c.signIn(token); r.Status != http.StatusSeeOther {
			t.Fatalf("sign-in: HTTP %d, want 303", r.Status)
		}
		clients = append(clients, c)
	}
	id := tokenID(t, s, token)
	if n := count(t, s, `SELECT count(*) FROM web_sessions WHERE token_id = $1`, id); n != 10 {
		t.Errorf("after %d sign-ins the token has %d sessions, want 10", signIns, n)
	}
	if n := count(t, s, `SELECT count(*) FROM web_sessions WHERE token_id = $1`, tokenID(t, s, other)); n != 1 {
		t.Errorf("another token's sessions: %d, want its 1 untouched", n)
	}
	if r := clients[0].get("/"); r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), "/sign-in") {
		t.Errorf("the oldest session: HTTP %d to %q, want a redirect to sign-in", r.Status, r.Header.Get("Location"))
	}
	for _, c := range clients[signIns-10:] {
		if r := c.get("/"); r.Status != http.StatusOK {
			t.Fatalf("one of the 10 newest sessions: HTTP %d, want 200", r.Status)
		}
	}
}

func TestSignInAndSignOutAreAudited(t *testing.T) {
	s := newSite(t)
	token := s.token(t, auth.FocalPoint, "GHA")
	id := tokenID(t, s, token)
	c := newClient(t, s)
	c.signIn(token)
	c.get("/")
	if r := c.post("/sign-out", url.Values{}); r.Status != http.StatusSeeOther {
		t.Fatalf("sign-out: HTTP %d, want 303", r.Status)
	}
	newClient(t, s).signIn("irm_not-a-real-token")
	for _, action := range []string{"session.start", "session.end"} {
		n := count(t, s, `SELECT count(*) FROM audit_events WHERE action = $1 AND subject = $2
			AND actor_token = $3 AND actor_role = 'FOCAL_POINT' AND actor = 'test focal_point GHA'`, action, fmt.Sprintf("token/%d", id), id)
		if n != 1 {
			t.Errorf("%s events by the token: %d, want 1", action, n)
		}
	}
	if n := count(t, s, `SELECT count(DISTINCT detail->>'session') FROM audit_events WHERE action LIKE 'session.%'`); n != 1 {
		t.Errorf("the start and the end name %d sessions, want the same 1", n)
	}
	if n := count(t, s, `SELECT count(*) FROM audit_events WHERE action LIKE 'session.%'`); n != 2 {
		t.Errorf("%d session events, want 2 (a refused token starts nothing)", n)
	}
}

func TestSessionsThatCanNoLongerBeUsedArePurged(t *testing.T) {
	s := newSite(t)
	ctx := context.Background()
	live, revoked := s.token(t, auth.FocalPoint, "GHA"), s.token(t, auth.Secretariat, "")
	liveID, revokedID := tokenID(t, s, live), tokenID(t, s, revoked)
	for i, row := range []struct {
		token   int64
		expires string
	}{{liveID, "-1 minute"}, {liveID, "-12 hours"}, {liveID, "1 hour"}, {revokedID, "1 hour"}} {
		if _, err := s.Pool.Exec(ctx, `INSERT INTO web_sessions (id_sha256, token_id, expires_at) VALUES ($1, $2, now() + $3::interval)`,
			[]byte{byte(i)}, row.token, row.expires); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.Tokens.Revoke(ctx, revokedID); err != nil {
		t.Fatal(err)
	}
	n, err := web.PurgeSessions(ctx, s.Pool)
	if err != nil || n != 3 {
		t.Fatalf("purged %d (%v), want 3: two expired, one of a revoked token", n, err)
	}
	if left := count(t, s, `SELECT count(*) FROM web_sessions WHERE token_id = $1 AND expires_at > now()`, liveID); left != 1 {
		t.Fatalf("live sessions left: %d, want 1", left)
	}
}

// Finding 8 of issue 16: a page over the rate limit got the API's JSON.
func TestPagesOverTheRateLimitGetAnHTMLPage(t *testing.T) {
	// A rate of 0.01 a second: the second request waits 100 s, whatever
	// the speed of the machine.
	s := newSiteWith(t, app.HandlerOptions{Dev: true, Limits: app.Limits{RatePerAddress: 0.01}})
	c := newClient(t, s)
	if r := c.get("/sign-in"); r.Status != http.StatusOK {
		t.Fatalf("the first request: HTTP %d, want 200", r.Status)
	}
	r := c.get("/sign-in")
	if r.Status != http.StatusTooManyRequests || r.Header.Get("Retry-After") == "" {
		t.Fatalf("the second request: HTTP %d, Retry-After %q; want 429 with Retry-After", r.Status, r.Header.Get("Retry-After"))
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") || !strings.Contains(r.Body, "<h1>Too many requests") ||
		r.Header.Get("Content-Security-Policy") == "" {
		t.Errorf("Content-Type %q, CSP %q, body %.200s; want the HTML error page", ct, r.Header.Get("Content-Security-Policy"), r.Body)
	}
	t.Run("the API still answers in JSON", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodPost, s.URL+"/graphql", strings.NewReader(`{"query":"{ viewer { name } }"}`))
		req.Header.Set("Content-Type", "application/json")
		r := c.do(req)
		if r.Status != http.StatusTooManyRequests || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
			t.Fatalf("HTTP %d %q, want 429 in JSON", r.Status, r.Header.Get("Content-Type"))
		}
	})
}

// Finding 8 of issue 16: unsaved drafts were kept in the browser under
// "irm:CYCLE:STATE:SECTION", so the next person at the same browser with
// a token of the same State was offered them, and sign-out left them.
// (TestBrowserDraftsStayWithTheirPersonAndGoAtSignOut runs the script.)
func TestDraftsAreKeyedByPersonNotByState(t *testing.T) {
	s := newSite(t)
	first := s.token(t, auth.FocalPoint, "GHA")
	second, err := s.Tokens.Create(context.Background(), auth.NewToken{Name: "second focal point GHA", Role: auth.FocalPoint, State: "GHA"})
	if err != nil {
		t.Fatal(err)
	}
	dataKey := regexp.MustCompile(`id="qform"[^>]* data-key="([^"]+)"`)
	drafts := regexp.MustCompile(`action="/sign-out" data-drafts="([^"]+)"`)
	var keys []string
	for _, token := range []string{first, second} {
		c := newClient(t, s)
		c.signIn(token)
		page := c.get("/cycles/" + implCycle + "/states/GHA?section=prevention").Body
		key, prefix := dataKey.FindStringSubmatch(page), drafts.FindStringSubmatch(page)
		if key == nil || prefix == nil {
			t.Fatal("the page has no draft key or no sign-out form naming the drafts")
		}
		if !strings.HasPrefix(key[1], prefix[1]) || !strings.HasSuffix(key[1], ":"+implCycle+":GHA:prevention") {
			t.Errorf("draft key %q, sign-out clears %q: want the key under the prefix, ending in the cycle, State and section", key[1], prefix[1])
		}
		if strings.Contains(key[1], token) || strings.Contains(key[1], strings.TrimPrefix(token, "irm_")) {
			t.Errorf("the draft key %q holds the token", key[1])
		}
		keys = append(keys, key[1])
	}
	if keys[0] == keys[1] {
		t.Errorf("two focal points of one State share the draft key %q", keys[0])
	}
}
