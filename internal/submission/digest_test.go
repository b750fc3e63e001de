package submission_test

import (
	"bytes"
	"context"
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"

	"github.com/cosp-ict/irm/internal/auth"
	"github.com/cosp-ict/irm/internal/postgres/pgtest"
	"github.com/cosp-ict/irm/internal/questionnaire"
	"github.com/cosp-ict/irm/internal/submission"
	"github.com/cosp-ict/irm/migrations"
	"github.com/cosp-ict/irm/questionnaires"
)

const shippedID = "implementation-v1"

// registryWith loads implementation-v1 with one edit applied to its bytes
// (none when old is empty).
func registryWith(t *testing.T, old, new string) *questionnaire.Registry {
	t.Helper()
	data, err := fs.ReadFile(questionnaires.Files(), shippedID+".json")
	if err != nil {
		t.Fatal(err)
	}
	if old != "" {
		if !bytes.Contains(data, []byte(old)) {
			t.Fatalf("%s.json has no %q", shippedID, old)
		}
		data = bytes.Replace(data, []byte(old), []byte(new), 1)
	}
	reg, err := questionnaire.Load(fstest.MapFS{shippedID + ".json": {Data: data}}, questionnaires.Catalogue())
	if err != nil {
		t.Fatalf("Load(edited %s) = %v", shippedID, err)
	}
	return reg
}

// The edits a file in use may and may not undergo.
var (
	translationOnly = [2]string{`"title": "General provisions"`, `"title": "General provisions of the Convention"`}
	labelOnly       = [2]string{`"ru": "Общие положения"`, `"ru": "Общие положения Конвенции"`}
	validating      = [2]string{`"maxLength": 200`, `"maxLength": 100`}
)

func TestCheckDigestsAcceptOnlyChangesInWhatAPersonReads(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	sec := auth.Principal{Name: "Secretariat", Role: auth.Secretariat}

	// A database where a cycle uses implementation-v1 as shipped.
	opened := func(t *testing.T) *pgxpool.Pool {
		t.Helper()
		pool := pgtest.New(t)
		svc := submission.NewService(pool, registryWith(t, "", ""), nil)
		day := time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)
		if _, err := svc.OpenCycle(auth.WithPrincipal(ctx, sec), sec, submission.Cycle{ID: "2027", Name: "2027 review",
			QuestionnaireID: shippedID, OpensOn: day, ClosesOn: day.AddDate(0, 3, 0)}); err != nil {
			t.Fatalf("OpenCycle = %v", err)
		}
		return pool
	}
	check := func(t *testing.T, pool *pgxpool.Pool, reg *questionnaire.Registry) error {
		t.Helper()
		return submission.NewService(pool, reg, nil).CheckDigests(ctx)
	}

	t.Run("the unchanged file starts", func(t *testing.T) {
		pool := opened(t)
		if err := check(t, pool, registryWith(t, "", "")); err != nil {
			t.Errorf("CheckDigests = %v, want nil", err)
		}
	})
	for _, tt := range []struct {
		name string
		edit [2]string
	}{
		{"a file changed only in an English title starts", translationOnly},
		{"a file changed only in a translation starts", labelOnly},
	} {
		t.Run(tt.name, func(t *testing.T) {
			pool := opened(t)
			if err := check(t, pool, registryWith(t, tt.edit[0], tt.edit[1])); err != nil {
				t.Errorf("CheckDigests = %v, want nil", err)
			}
		})
	}
	t.Run("a file changed in what it validates is refused, naming both digests", func(t *testing.T) {
		pool := opened(t)
		reg := registryWith(t, validating[0], validating[1])
		err := check(t, pool, reg)
		q, _ := reg.Get(shippedID)
		if err == nil || !strings.Contains(err.Error(), "more than titles, descriptions and labels") || !strings.Contains(err.Error(), q.SHA256) {
			t.Errorf("CheckDigests = %v, want a refusal naming the digest %s", err, q.SHA256)
		}
	})
	t.Run("a file changed in labels and in what it validates is refused", func(t *testing.T) {
		pool := opened(t)
		data := registryWith(t, labelOnly[0], labelOnly[1])
		q, _ := data.Get(shippedID)
		reg, err := questionnaire.Load(fstest.MapFS{shippedID + ".json": {Data: bytes.Replace(q.Raw,
			[]byte(validating[0]), []byte(validating[1]), 1)}}, questionnaires.Catalogue())
		if err != nil {
			t.Fatal(err)
		}
		if err := check(t, pool, reg); err == nil {
			t.Error("CheckDigests = nil, want a refusal")
		}
	})
	t.Run("a missing file is refused", func(t *testing.T) {
		pool := opened(t)
		reg, err := questionnaire.Load(fstest.MapFS{"other.json": {Data: registryWithRaw(t)}}, questionnaires.Catalogue())
		if err != nil {
			t.Fatal(err)
		}
		if err := check(t, pool, reg); err == nil || !strings.Contains(err.Error(), "missing") {
			t.Errorf("CheckDigests = %v, want a refusal saying the file is missing", err)
		}
	})

	// Digests recorded before validation digests were.
	legacy := func(t *testing.T) (*pgxpool.Pool, func(string) *string) {
		t.Helper()
		pool := pgtest.New(t)
		reg := registryWith(t, "", "")
		q, _ := reg.Get(shippedID)
		if _, err := pool.Exec(ctx, `INSERT INTO questionnaire_digests (questionnaire_id, sha256) VALUES ($1, $2)`, shippedID, q.SHA256); err != nil {
			t.Fatal(err)
		}
		return pool, func(id string) *string {
			var v *string
			if err := pool.QueryRow(ctx, `SELECT validation_sha256 FROM questionnaire_digests WHERE questionnaire_id = $1`, id).Scan(&v); err != nil {
				t.Fatal(err)
			}
			return v
		}
	}
	t.Run("an old record gets its validation digest at the first start with its file", func(t *testing.T) {
		pool, recorded := legacy(t)
		if err := check(t, pool, registryWith(t, "", "")); err != nil {
			t.Fatalf("CheckDigests = %v, want nil", err)
		}
		q, _ := registryWith(t, "", "").Get(shippedID)
		if got := recorded(shippedID); got == nil || *got != q.ValidationSHA256 {
			t.Errorf("recorded validation digest = %v, want %s", got, q.ValidationSHA256)
		}
		if err := check(t, pool, registryWith(t, labelOnly[0], labelOnly[1])); err != nil {
			t.Errorf("CheckDigests(translation changed) after the backfill = %v, want nil", err)
		}
	})
	t.Run("an old record without its validation digest refuses any change", func(t *testing.T) {
		pool, recorded := legacy(t)
		err := check(t, pool, registryWith(t, labelOnly[0], labelOnly[1]))
		if err == nil || !strings.Contains(err.Error(), "restore the recorded file") {
			t.Errorf("CheckDigests = %v, want a refusal", err)
		}
		if got := recorded(shippedID); got != nil {
			t.Errorf("recorded validation digest = %s, want none recorded from a changed file", *got)
		}
	})
}

// registryWithRaw returns the bytes of implementation-v1 as shipped.
func registryWithRaw(t *testing.T) []byte {
	q, _ := registryWith(t, "", "").Get(shippedID)
	return q.Raw
}

// A database whose cycles started on implementation-v1 as shipped before
// its translations were completed (its SHA-256 below) starts with the
// translated file once migration 00017 has run.
func TestTranslatedQuestionnaireStartsOnAnOlderDatabase(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := pgtest.New(t)
	db := stdlib.OpenDBFromPool(pool)
	defer db.Close()
	provider, err := goose.NewProvider(goose.DialectPostgres, db, migrations.FS, goose.WithDisableGlobalRegistry(true))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := provider.DownTo(ctx, 16); err != nil {
		t.Fatal(err)
	}
	const untranslated = "7be57eee2b449df78bec99edc04c4598d20cb5917cc7b9238737da23444cb2ed"
	if _, err := pool.Exec(ctx, `INSERT INTO questionnaire_digests (questionnaire_id, sha256) VALUES ($1, $2)`, shippedID, untranslated); err != nil {
		t.Fatal(err)
	}
	if _, err := provider.Up(ctx); err != nil {
		t.Fatal(err)
	}
	reg := registryWith(t, "", "")
	if q, _ := reg.Get(shippedID); q.SHA256 == untranslated {
		t.Fatal("the shipped file is the untranslated one")
	}
	if err := submission.NewService(pool, reg, nil).CheckDigests(ctx); err != nil {
		t.Errorf("CheckDigests = %v, want the translated file accepted", err)
	}
	if err := submission.NewService(pool, registryWith(t, validating[0], validating[1]), nil).CheckDigests(ctx); err == nil {
		t.Error("CheckDigests(a changed bound) = nil, want a refusal")
	}
}
