package app_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/cosp-ict/irm/internal/auth"
	"github.com/cosp-ict/irm/internal/postgres/pgtest"
)

// TestKillNineKeepsAcknowledgedWrites builds irm, serves a fresh database
// with it on loopback, runs a bounded storm of draft saves and CSV uploads
// from four focal points, kills the server with SIGKILL in the middle,
// starts it again, and checks that every write the server acknowledged
// is there with its audit event.
func TestKillNineKeepsAcknowledgedWrites(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "irm")
	build := exec.Command("go", "build", "-o", bin, "github.com/cosp-ict/irm/cmd/irm")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	url := pgtest.NewURL(t)
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	tokens := auth.NewStore(pool)
	states := []string{"KEN", "GHA", "FRA", "BRA"}
	secrets := map[string]string{}
	for _, st := range states {
		s, err := tokens.Create(ctx, auth.NewToken{Name: "Focal point " + st, Role: auth.FocalPoint, State: st})
		if err != nil {
			t.Fatal(err)
		}
		secrets[st] = s
	}
	sec, err := tokens.Create(ctx, auth.NewToken{Name: "Secretariat", Role: auth.Secretariat})
	if err != nil {
		t.Fatal(err)
	}

	base, stop := startBinary(t, bin, url)
	mustPost(t, base, sec, "application/json", fmt.Sprintf(`{"query": %q}`,
		`mutation { openCycle(input: {id: "2027", name: "Cycle 2027", questionnaire: "implementation-v1", opensOn: "2026-01-01", closesOn: "2099-12-31"}) { id } }`))

	// The storm: per State, saves with expectedVersion chained on the
	// last acknowledged one, and CSV uploads of one new year each.
	type acked struct {
		state   string
		version int // a save's version, or 0
		year    int // an upload's year, or 0
	}
	var mu sync.Mutex
	var acks []acked
	var wg sync.WaitGroup
	deadline := time.Now().Add(20 * time.Second)
	for _, st := range states {
		wg.Add(1)
		go func() {
			defer wg.Done()
			version, year := 0, 1990
			for i := 0; i < 60 && time.Now().Before(deadline); i++ {
				if i%2 == 0 {
					v := ""
					if version > 0 {
						v = fmt.Sprintf(", expectedVersion: %d", version)
					}
					q := fmt.Sprintf(`mutation { saveDraft(cycle: "2027", state: %q, answers: {prevention: {agency_name: "Agency %d"}}%s) { submission { version } errors { path } } }`, st, i, v)
					status, body, err := tryPost(base, secrets[st], "/graphql", "application/json", fmt.Sprintf(`{"query": %q}`, q))
					var out struct {
						Data struct {
							SaveDraft struct{ Submission *struct{ Version int } }
						}
					}
					if err == nil && status == 200 && json.Unmarshal(body, &out) == nil && out.Data.SaveDraft.Submission != nil {
						version = out.Data.SaveDraft.Submission.Version
						mu.Lock()
						acks = append(acks, acked{state: st, version: version})
						mu.Unlock()
					}
				} else {
					year++
					csv := fmt.Sprintf("indicator,year,value\nOFFENCES_RECORDED,%d,%d\n", year, i)
					status, _, err := tryPost(base, secrets[st], "/statistics/"+st+".csv", "text/csv", csv)
					if err == nil && status == 200 {
						mu.Lock()
						acks = append(acks, acked{state: st, year: year})
						mu.Unlock()
					}
				}
				if err := base.Err(); err != nil {
					return // the server is gone
				}
			}
		}()
	}
	// Kill it once some writes are acknowledged (bounded wait).
	for i := 0; i < 500; i++ {
		mu.Lock()
		n := len(acks)
		mu.Unlock()
		if n >= 12 {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	stop() // SIGKILL
	wg.Wait()
	if len(acks) == 0 {
		t.Fatal("no write was acknowledged before the kill")
	}

	// Restart on the same database: it starts, and everything
	// acknowledged is there with its audit event.
	base2, stop2 := startBinary(t, bin, url)
	defer stop2()
	if status, _, err := tryGet(base2.url + "/healthz"); err != nil || status != 200 {
		t.Fatalf("/healthz after the restart: %d (%v)", status, err)
	}
	for _, a := range acks {
		if a.version > 0 {
			var n int
			err := pool.QueryRow(ctx, `SELECT count(*) FROM submission_versions v JOIN submissions s ON s.id = v.submission_id
				JOIN audit_events e ON e.subject = 'submission/' || s.id AND (e.detail->>'version')::int = v.version
				WHERE s.state_code = $1 AND s.cycle_id = '2027' AND v.version = $2`, a.state, a.version).Scan(&n)
			if err != nil || n != 1 {
				t.Errorf("%s version %d was acknowledged; found %d version rows with their audit event (%v)", a.state, a.version, n, err)
			}
		} else {
			var n int
			err := pool.QueryRow(ctx, `SELECT count(*) FROM observations WHERE state_code = $1 AND indicator = 'OFFENCES_RECORDED'
				AND year = $2 AND breakdown_key = ''`, a.state, a.year).Scan(&n)
			if err != nil || n != 1 {
				t.Errorf("%s's upload for %d was acknowledged; found %d observations (%v)", a.state, a.year, n, err)
			}
		}
	}
	// One statistics.report event per acknowledged upload (at least).
	for _, st := range states {
		uploads := 0
		for _, a := range acks {
			if a.state == st && a.year > 0 {
				uploads++
			}
		}
		var events int
		if err := pool.QueryRow(ctx, `SELECT count(*) FROM audit_events WHERE action = 'statistics.report' AND subject = 'state/' || $1`, st).Scan(&events); err != nil || events < uploads {
			t.Errorf("%s: %d acknowledged uploads, %d audit events (%v)", st, uploads, events, err)
		}
	}
	t.Logf("%d acknowledged writes checked after kill -9", len(acks))
}

// served is a running irm serve.
type served struct {
	url  string
	gone chan struct{}
}

// Err is non-nil once the server has exited.
func (s *served) Err() error {
	select {
	case <-s.gone:
		return fmt.Errorf("server exited")
	default:
		return nil
	}
}

var servingLine = regexp.MustCompile(`addr=(http://127\.0\.0\.1:\d+)`)

// startBinary runs bin serve as the service's login (pgtest.AppRole: no
// superuser, owns nothing) on a free loopback port and waits for it to
// listen; stop kills it with SIGKILL.
func startBinary(t *testing.T, bin, dbURL string) (*served, func()) {
	t.Helper()
	cmd := exec.Command(bin, "serve", "--addr", "127.0.0.1:0", "--database-url", pgtest.AppURL(dbURL),
		"--rate-limit", "-1", "--rate-limit-address", "-1", "--db-max-conns", "8")
	cmd.Env = append(os.Environ(), "IRM_QUESTIONNAIRES=")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &served{gone: make(chan struct{})}
	found := make(chan string, 1)
	var logs bytes.Buffer
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			logs.WriteString(sc.Text() + "\n")
			if m := servingLine.FindStringSubmatch(sc.Text()); m != nil {
				found <- m[1]
			}
		}
		io.Copy(io.Discard, stderr) //nolint:errcheck
	}()
	go func() { cmd.Wait(); close(s.gone) }() //nolint:errcheck
	select {
	case s.url = <-found:
	case <-s.gone:
		t.Fatalf("irm serve exited:\n%s", logs.String())
	case <-time.After(60 * time.Second):
		cmd.Process.Kill() //nolint:errcheck
		t.Fatalf("irm serve did not listen within 60 s:\n%s", logs.String())
	}
	stop := func() {
		cmd.Process.Kill() //nolint:errcheck // SIGKILL: no shutdown, no flush
		<-s.gone
	}
	t.Cleanup(func() {
		if s.Err() == nil {
			stop()
		}
	})
	return s, stop
}

var stormClient = &http.Client{Timeout: 10 * time.Second}

func tryPost(s *served, token, path, contentType, body string) (int, []byte, error) {
	req, err := http.NewRequest(http.MethodPost, s.url+path, strings.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", contentType)
	resp, err := stormClient.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}

func tryGet(url string) (int, []byte, error) {
	resp, err := stormClient.Get(url)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}

// mustPost sends a GraphQL body and fails on anything but a clean 200.
func mustPost(t *testing.T, s *served, token, contentType, body string) {
	t.Helper()
	status, b, err := tryPost(s, token, "/graphql", contentType, body)
	if err != nil || status != 200 || bytes.Contains(b, []byte(`"errors"`)) {
		t.Fatalf("POST: %d %s (%v)", status, b, err)
	}
}
