package devdb

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

func testLogger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(t.Output(), nil))
}

func uniqueDBName(t *testing.T) string {
	b := make([]byte, 4)
	rand.Read(b)
	return "irm_devdb_test_" + hex.EncodeToString(b)
}

// freePort returns a TCP port on 127.0.0.1 that nothing listens on right now.
func freePort(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// checkDB connects to dsn and checks that it reaches database want.
func checkDB(t *testing.T, dsn, want string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatalf("connect to %s: %v", dsn, err)
	}
	defer conn.Close(context.Background())
	var one int
	var db string
	if err := conn.QueryRow(ctx, "SELECT 1, current_database()").Scan(&one, &db); err != nil {
		t.Fatal(err)
	}
	if one != 1 || db != want {
		t.Fatalf("got %d, %q; want 1, %q", one, db, want)
	}
}

// dropOnCleanup drops database dbname on the server of dsn once the test is done.
func dropOnCleanup(t *testing.T, dsn, dbname string) {
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		cfg, err := pgx.ParseConfig(dsn)
		if err != nil {
			t.Error(err)
			return
		}
		cfg.Database = "postgres"
		conn, err := pgx.ConnectConfig(ctx, cfg)
		if err != nil {
			t.Error(err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{dbname}.Sanitize()+" WITH (FORCE)"); err != nil {
			t.Error(err)
		}
	})
}

func TestEnsureLocalServer(t *testing.T) {
	if err := ping(t.Context(), defaultOptions().probeDSN); err != nil {
		t.Skipf("no local server on 127.0.0.1:5432: %v", err)
	}
	dataDir := t.TempDir()
	// A name that needs quoting, to exercise the identifier sanitizing.
	dbname := uniqueDBName(t) + `-"x`

	dsn, stop, err := Ensure(t.Context(), dataDir, dbname, testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	dropOnCleanup(t, dsn, dbname)
	if !strings.Contains(dsn, "127.0.0.1:5432") {
		t.Errorf("dsn %s: want the local server", dsn)
	}
	checkDB(t, dsn, dbname)

	// A second call finds the existing database.
	dsn2, stop2, err := Ensure(t.Context(), dataDir, dbname, testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	stop2()
	if dsn2 != dsn {
		t.Errorf("second dsn %s, want %s", dsn2, dsn)
	}
	checkDB(t, dsn2, dbname)

	// The local server needs no private cluster.
	if _, err := os.Stat(filepath.Join(dataDir, "pg")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("private cluster created although the local server answered: %v", err)
	}
}

func TestEnsurePrivateCluster(t *testing.T) {
	o := defaultOptions()
	if _, err := findBinDir(o.pathEnv, o.libRoot); err != nil {
		t.Skip(err)
	}
	o.probeDSN = "postgres://postgres@127.0.0.1:" + strconv.Itoa(freePort(t)) + "/postgres?sslmode=disable&connect_timeout=2"
	for o.port = freePort(t); strings.Contains(o.probeDSN, ":"+strconv.Itoa(o.port)+"/"); {
		o.port = freePort(t)
	}

	// As root, t.TempDir (mode 0700) cannot be reached by the postgres user,
	// which forces the fallback under os.TempDir; the "reachable" case opens
	// the temp dir up so the cluster stays in the data dir.
	t.Run("in data dir", func(t *testing.T) {
		dataDir := t.TempDir()
		for d := dataDir; d != os.TempDir() && d != "/"; d = filepath.Dir(d) {
			if err := os.Chmod(d, 0o755); err != nil {
				t.Fatal(err)
			}
		}
		base := testPrivateCluster(t, dataDir, o)
		if base != dataDir {
			t.Errorf("cluster in %s, want it in the data dir %s", base, dataDir)
		}
	})
	if os.Geteuid() == 0 {
		t.Run("unreachable data dir", func(t *testing.T) {
			dataDir := t.TempDir()
			base := testPrivateCluster(t, dataDir, o)
			if !strings.HasPrefix(base, filepath.Join(os.TempDir(), "irm-devdb-")) {
				t.Errorf("cluster in %s, want it under the temp dir", base)
			}
		})
	}
}

// testPrivateCluster runs ensure twice against a private cluster for dataDir,
// checks both results and that stop stops the server, and returns the folder
// the cluster was kept in.
func testPrivateCluster(t *testing.T, dataDir string, o options) string {
	c, err := newCluster(dataDir, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		// Should the test fail midway, don't leave a server behind.
		c.run(context.Background(), "pg_ctl", "stop", "-D", c.dataDir(), "-m", "immediate")
		if c.base != dataDir {
			os.RemoveAll(c.base)
		}
	})
	dbname := uniqueDBName(t)

	dsn, stop, err := ensure(t.Context(), dataDir, dbname, testLogger(t), o)
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	if !strings.Contains(dsn, "127.0.0.1:"+strconv.Itoa(o.port)+"/") {
		t.Errorf("dsn %s: want the private cluster on port %d", dsn, o.port)
	}
	checkDB(t, dsn, dbname)
	for _, name := range []string{"pg/PG_VERSION", "pg.log", "pg-socket/.s.PGSQL." + strconv.Itoa(o.port)} {
		if _, err := os.Stat(filepath.Join(c.base, name)); err != nil {
			t.Errorf("cluster not in %s: %v", c.base, err)
		}
	}

	// The second call reuses the running cluster, and must not stop it.
	dsn2, stop2, err := ensure(t.Context(), dataDir, dbname, testLogger(t), o)
	if err != nil {
		t.Fatal(err)
	}
	stop2()
	if dsn2 != dsn {
		t.Errorf("second dsn %s, want %s", dsn2, dsn)
	}
	checkDB(t, dsn, dbname)

	stop()
	if err := ping(t.Context(), dsn); err == nil {
		t.Error("server still answers after stop")
	}
	return c.base
}

func TestRootWithoutSystemUser(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("only root needs a system user")
	}
	o := defaultOptions()
	if _, err := findBinDir(o.pathEnv, o.libRoot); err != nil {
		t.Skip(err)
	}
	o.systemUser = "irm-no-such-user"
	_, err := newCluster(t.TempDir(), o)
	if err == nil || !strings.Contains(err.Error(), "refuses to run as root") {
		t.Fatalf("got %v, want an error about running as root", err)
	}
}

func TestFindBinDir(t *testing.T) {
	root := t.TempDir()
	mk := func(dir string, names ...string) string {
		dir = filepath.Join(root, dir)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		for _, name := range names {
			if err := os.WriteFile(filepath.Join(dir, name), []byte("#!/bin/sh\n"), 0o755); err != nil {
				t.Fatal(err)
			}
		}
		return dir
	}
	server := []string{"initdb", "pg_ctl", "postgres"}
	partial := mk("partial", "pg_ctl", "psql")
	onPath := mk("onpath", server...)
	configured := mk("configured", server...)
	configDir := mk("config")
	script := "#!/bin/sh\necho " + configured + "\n"
	if err := os.WriteFile(filepath.Join(configDir, "pg_config"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	lib := filepath.Join(root, "lib")
	mk("lib/9.6/bin", server...)
	mk("lib/13/bin", server...)
	mk("lib/16/bin", "initdb") // client-only install: no server
	mk("lib/foo/bin", server...)

	list := func(dirs ...string) string { return strings.Join(dirs, string(os.PathListSeparator)) }
	for _, tc := range []struct {
		name, path, lib, want string
	}{
		{"PATH first", list(partial, configDir, onPath), lib, onPath},
		{"then pg_config", list(partial, configDir), lib, configured},
		{"then highest version", list(partial), lib, filepath.Join(lib, "13", "bin")},
		{"none", list(partial), filepath.Join(root, "nothing"), ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := findBinDir(tc.path, tc.lib)
			if tc.want == "" {
				if !errors.Is(err, ErrNotFound) {
					t.Fatalf("got %q, %v; want ErrNotFound", got, err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("got %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}

func TestCompareVersions(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want int
	}{
		{"16", "9.6", 1},
		{"9.6", "9", 1},
		{"15", "15", 0},
		{"foo", "9", -1},
	} {
		if got := compareVersions(tc.a, tc.b); got != tc.want {
			t.Errorf("compareVersions(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}
