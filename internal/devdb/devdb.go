// Package devdb finds or starts a PostgreSQL server for local development, so
// that `make run` works with zero configuration on a machine that merely has
// PostgreSQL installed.
package devdb

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// ErrNotFound is returned when there is neither a usable local server nor the
// binaries to start a private one.
var ErrNotFound = errors.New(`PostgreSQL not found: install it with "sudo apt-get install postgresql" (Debian/Ubuntu), or set DATABASE_URL`)

// options holds what Ensure hard-codes, so tests can point it elsewhere.
type options struct {
	probeDSN   string // local server tried first
	port       int    // port of the private cluster
	pathEnv    string // PATH value searched for the server binaries
	libRoot    string // Debian's per-version install root
	systemUser string // unprivileged user that runs PostgreSQL when we are root
}

func defaultOptions() options {
	return options{
		probeDSN:   "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable&connect_timeout=2",
		port:       55432,
		pathEnv:    os.Getenv("PATH"),
		libRoot:    "/usr/lib/postgresql",
		systemUser: "postgres",
	}
}

// Ensure finds or starts a PostgreSQL server for local development and
// returns a connection string for database dbname on it, creating the database
// if it does not exist. dataDir is the project's private folder (".data").
//
// It uses a server on 127.0.0.1:5432 if one accepts user postgres without a
// password; otherwise it runs a private cluster under dataDir/pg on port
// 55432. stop stops that cluster if Ensure started it, and is a no-op
// otherwise; it is never nil, and calling it more than once is harmless.
func Ensure(ctx context.Context, dataDir, dbname string, log *slog.Logger) (dsn string, stop func(), err error) {
	return ensure(ctx, dataDir, dbname, log, defaultOptions())
}

func ensure(ctx context.Context, dataDir, dbname string, log *slog.Logger, o options) (dsn string, stop func(), err error) {
	stop = func() {}
	serverDSN, err := url.Parse(o.probeDSN)
	if err != nil {
		return "", stop, fmt.Errorf("parse probe dsn: %w", err)
	}

	if perr := ping(ctx, o.probeDSN); perr == nil {
		log.Info("using PostgreSQL at " + serverDSN.Host)
	} else {
		log.Info("no usable PostgreSQL at "+serverDSN.Host, "reason", perr)
		c, err := newCluster(dataDir, o)
		if err != nil {
			return "", stop, err
		}
		port, stopCluster, err := c.start(ctx, log)
		if err != nil {
			return "", stop, err
		}
		serverDSN = &url.URL{
			Scheme:   "postgres",
			User:     url.User("postgres"),
			Host:     "127.0.0.1:" + strconv.Itoa(port),
			Path:     "/postgres",
			RawQuery: "sslmode=disable",
		}
		stop = stopCluster
	}

	if err := createDatabase(ctx, serverDSN.String(), dbname, log); err != nil {
		stop()
		return "", func() {}, err
	}
	dbDSN := *serverDSN
	dbDSN.Path = "/" + dbname
	dbDSN.RawQuery = "sslmode=disable"
	return dbDSN.String(), stop, nil
}

// ping reports whether a server accepts a connection at dsn.
func ping(ctx context.Context, dsn string) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	return conn.Ping(ctx)
}

func createDatabase(ctx context.Context, serverDSN, dbname string, log *slog.Logger) error {
	conn, err := pgx.Connect(ctx, serverDSN)
	if err != nil {
		return fmt.Errorf("connect to postgres database: %w", err)
	}
	defer conn.Close(context.Background())

	var exists bool
	err = conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", dbname).Scan(&exists)
	if err != nil {
		return fmt.Errorf("look up database %q: %w", dbname, err)
	}
	if exists {
		return nil
	}
	log.Info("creating database " + dbname)
	_, err = conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{dbname}.Sanitize())
	// Another process may have created it since we looked.
	if pgErr, ok := errors.AsType[*pgconn.PgError](err); ok && pgErr.Code == "42P04" {
		return nil
	}
	if err != nil {
		return fmt.Errorf("create database %q: %w", dbname, err)
	}
	return nil
}

// cluster is a private PostgreSQL cluster: data directory, log file and
// Unix socket directory side by side in base.
type cluster struct {
	binDir string
	base   string
	port   int
	runAs  *syscall.Credential // nil: run as ourselves
}

func (c *cluster) dataDir() string   { return filepath.Join(c.base, "pg") }
func (c *cluster) logFile() string   { return filepath.Join(c.base, "pg.log") }
func (c *cluster) socketDir() string { return filepath.Join(c.base, "pg-socket") }

func newCluster(dataDir string, o options) (*cluster, error) {
	binDir, err := findBinDir(o.pathEnv, o.libRoot)
	if err != nil {
		return nil, err
	}
	base, err := filepath.Abs(dataDir)
	if err != nil {
		return nil, fmt.Errorf("resolve data dir: %w", err)
	}
	if err := os.MkdirAll(base, 0o755); err != nil {
		return nil, fmt.Errorf("create data dir: %w", err)
	}
	c := &cluster{binDir: binDir, base: base, port: o.port}
	if os.Geteuid() != 0 {
		return c, nil
	}

	// initdb, pg_ctl and postgres refuse to run as root, so run them as the
	// system user the Debian package creates.
	u, err := user.Lookup(o.systemUser)
	if err != nil {
		return nil, fmt.Errorf("running as root, and PostgreSQL refuses to run as root; no %q user to run it as (%w): run as a normal user or set DATABASE_URL", o.systemUser, err)
	}
	uid, _ := strconv.ParseUint(u.Uid, 10, 32)
	gid, _ := strconv.ParseUint(u.Gid, 10, 32)
	c.runAs = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}

	// That user must be able to reach the cluster. The data dir often lives
	// under /root (mode 0700), and opening up the user's home or the project
	// tree would be a surprising side effect, so when the user cannot get in
	// we keep the cluster under the temp dir instead, in a folder named after
	// the data dir so each project keeps its own. It may be lost on reboot,
	// which is acceptable for a development database.
	if !c.canReach(base) {
		sum := sha256.Sum256([]byte(base))
		c.base = filepath.Join(os.TempDir(), "irm-devdb-"+hex.EncodeToString(sum[:6]))
		if err := os.MkdirAll(c.base, 0o755); err != nil {
			return nil, fmt.Errorf("create cluster dir: %w", err)
		}
		// The temp dir is shared: refuse a folder someone else planted.
		if fi, err := os.Lstat(c.base); err != nil || !fi.IsDir() || fi.Sys().(*syscall.Stat_t).Uid != 0 {
			return nil, fmt.Errorf("cluster dir %s is not a directory owned by root", c.base)
		}
	}
	return c, nil
}

// canReach reports whether the user we run PostgreSQL as can traverse dir.
// Asking the kernel, as that user, also accounts for ACLs and groups.
func (c *cluster) canReach(dir string) bool {
	cmd := exec.Command("sh", "-c", `test -x "$1"`, "sh", dir)
	cmd.Dir = "/"
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: c.runAs}
	return cmd.Run() == nil
}

// start initializes the cluster if needed and starts it unless it is already
// running. It returns the port the cluster listens on and a function that
// stops it if this call started it.
func (c *cluster) start(ctx context.Context, log *slog.Logger) (port int, stop func(), err error) {
	stop = func() {}
	if _, err := os.Stat(filepath.Join(c.dataDir(), "PG_VERSION")); errors.Is(err, os.ErrNotExist) {
		log.Info("initializing private cluster in " + c.dataDir())
		if err := c.prepare(c.dataDir(), true); err != nil {
			return 0, stop, err
		}
		_, err := c.run(ctx, "initdb", "-D", c.dataDir(), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C")
		if err != nil {
			return 0, stop, err
		}
	}

	// pg_ctl status exits 0 when the server is running, 3 when not.
	if _, err := c.run(ctx, "pg_ctl", "status", "-D", c.dataDir()); err == nil {
		port, err := c.runningPort()
		if err != nil {
			return 0, stop, err
		}
		log.Info("private cluster already running", "dir", c.dataDir(), "port", port)
		return port, stop, nil
	}

	log.Info("starting private cluster in "+c.dataDir(), "port", c.port, "log", c.logFile())
	if err := c.prepare(c.logFile(), false); err != nil {
		return 0, stop, err
	}
	opts := "-c listen_addresses=127.0.0.1 -p " + strconv.Itoa(c.port)
	// A Unix socket path is limited to 107 bytes; deep project paths exceed
	// it, and we connect over TCP anyway, so then go without a socket.
	socket := ""
	if len(c.socketDir())+len("/.s.PGSQL.")+5 < 107 {
		if err := c.prepare(c.socketDir(), true); err != nil {
			return 0, stop, err
		}
		socket = c.socketDir()
	}
	opts += " -k " + shellQuote(socket) // pg_ctl passes -o through /bin/sh
	_, err = c.run(ctx, "pg_ctl", "start", "-D", c.dataDir(), "-l", c.logFile(), "-w", "-o", opts)
	if err != nil {
		return 0, stop, fmt.Errorf("%w\n%s", err, tail(c.logFile(), 15))
	}
	stop = sync.OnceFunc(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		log.Info("stopping private cluster in " + c.dataDir())
		if _, err := c.run(ctx, "pg_ctl", "stop", "-D", c.dataDir(), "-m", "fast", "-w"); err != nil {
			log.Error("stop private cluster", "err", err)
		}
	})
	return c.port, stop, nil
}

// runningPort reads the port of the running server from postmaster.pid, whose
// fourth line it is: the cluster may have been started with another port.
func (c *cluster) runningPort() (int, error) {
	b, err := os.ReadFile(filepath.Join(c.dataDir(), "postmaster.pid"))
	if err != nil {
		return 0, fmt.Errorf("read port of running cluster: %w", err)
	}
	lines := strings.Split(string(b), "\n")
	if len(lines) < 4 {
		return 0, fmt.Errorf("read port of running cluster: short postmaster.pid")
	}
	port, err := strconv.Atoi(strings.TrimSpace(lines[3]))
	if err != nil {
		return 0, fmt.Errorf("read port of running cluster: %w", err)
	}
	return port, nil
}

// prepare creates path (a directory or an empty file) if it does not exist,
// owned by the user PostgreSQL runs as.
func (c *cluster) prepare(path string, dir bool) error {
	if _, err := os.Stat(path); err == nil {
		return nil
	}
	var err error
	if dir {
		err = os.Mkdir(path, 0o700)
	} else {
		err = os.WriteFile(path, nil, 0o600)
	}
	if err == nil && c.runAs != nil {
		err = os.Chown(path, int(c.runAs.Uid), int(c.runAs.Gid))
	}
	if err != nil {
		return fmt.Errorf("prepare cluster: %w", err)
	}
	return nil
}

// run runs one of the server binaries as the PostgreSQL user.
func (c *cluster) run(ctx context.Context, name string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, filepath.Join(c.binDir, name), args...)
	// Run from a directory the PostgreSQL user can read: ours may be under
	// /root, and the tools should not depend on a cwd they cannot access.
	cmd.Dir = c.base
	cmd.SysProcAttr = &syscall.SysProcAttr{
		Credential: c.runAs,
		// Keep the server out of our process group, so that Ctrl-C in the
		// terminal reaches only us and stop shuts the server down cleanly.
		Setpgid: true,
	}
	// pg_ctl start leaves the server running; should it keep our output pipe
	// open, don't wait for it forever.
	cmd.WaitDelay = 5 * time.Second
	out, err := cmd.CombinedOutput()
	if err != nil {
		return out, fmt.Errorf("%s %s: %w: %s", name, args[0], err, bytes.TrimSpace(out))
	}
	return out, nil
}

// findBinDir returns the directory holding initdb, pg_ctl and postgres: the
// first directory on pathEnv that has all three, else pg_config --bindir,
// else the highest version under libRoot (Debian's /usr/lib/postgresql/N/bin,
// which is not on PATH).
func findBinDir(pathEnv, libRoot string) (string, error) {
	for _, dir := range filepath.SplitList(pathEnv) {
		if dir != "" && hasServer(dir) {
			return dir, nil
		}
	}
	for _, dir := range filepath.SplitList(pathEnv) {
		pgConfig := filepath.Join(dir, "pg_config")
		if dir == "" || !isExecutable(pgConfig) {
			continue
		}
		if out, err := exec.Command(pgConfig, "--bindir").Output(); err == nil {
			if bin := strings.TrimSpace(string(out)); hasServer(bin) {
				return bin, nil
			}
		}
		break // only the pg_config that PATH would pick
	}

	dirs, _ := filepath.Glob(filepath.Join(libRoot, "*", "bin"))
	slices.SortFunc(dirs, func(a, b string) int {
		return compareVersions(filepath.Base(filepath.Dir(b)), filepath.Base(filepath.Dir(a)))
	})
	for _, dir := range dirs {
		if hasServer(dir) {
			return dir, nil
		}
	}
	return "", ErrNotFound
}

func hasServer(dir string) bool {
	for _, name := range []string{"initdb", "pg_ctl", "postgres"} {
		if !isExecutable(filepath.Join(dir, name)) {
			return false
		}
	}
	return true
}

func isExecutable(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0
}

// compareVersions compares dotted version numbers such as "9.6" and "16"
// numerically; non-numeric parts sort first.
func compareVersions(a, b string) int {
	as, bs := strings.Split(a, "."), strings.Split(b, ".")
	for i := range max(len(as), len(bs)) {
		if c := cmp.Compare(versionPart(as, i), versionPart(bs, i)); c != 0 {
			return c
		}
	}
	return 0
}

func versionPart(parts []string, i int) int {
	if i >= len(parts) {
		return -1
	}
	n, err := strconv.Atoi(parts[i])
	if err != nil {
		return -1
	}
	return n
}

func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// tail returns the last n lines of the file at path, for error messages.
func tail(path string, n int) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	var lines []string
	s := bufio.NewScanner(f)
	for s.Scan() {
		lines = append(lines, s.Text())
		if len(lines) > n {
			lines = lines[1:]
		}
	}
	return strings.Join(lines, "\n")
}
