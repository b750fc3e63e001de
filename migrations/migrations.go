// Package migrations holds the database schema as numbered SQL files,
// embedded in the binary and applied by internal/postgres as the owner
// ("irm migrate"; "irm serve --dev" too).
//
// Rules for a new migration:
//   - Grants: write none. "irm migrate --app-role NAME" gives the service's
//     login SELECT, INSERT, UPDATE and DELETE on every table of the schema
//     and USAGE on every sequence, and default privileges cover tables
//     created in between; a table the service must not change fully (append-
//     only, owner-only) gets its entry in internal/postgres's appGrants.
//   - A table holding one State's data gets row-level security, as
//     00005_integrity.sql does for submissions and observations: ENABLE ROW
//     LEVEL SECURITY and policies with the rules of irm_reads_state and
//     irm_writes_state, written with sub-selects as 00011 and 00014 do
//     ((SELECT irm_role()), (SELECT irm_state())), so that who acts is
//     asked once per statement and not for every row: since 00014 each
//     asking checks the seal irm_act put on the principal. The service's
//     login sees no row without a principal, so its SQL runs through
//     postgres.Tx or postgres.ReadTx.
//   - Changes write audit events through internal/audit; audit_events
//     itself is append-only, chained after commit into audit_chain
//     (00012), and its rows are never altered.
package migrations

import "embed"

// FS holds the migration files, named NNNNN_description.sql (goose format).
//
//go:embed *.sql
var FS embed.FS
