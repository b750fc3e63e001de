package app_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/cosp-ict/irm/internal/app/apptest"
	"github.com/cosp-ict/irm/internal/auth"
)

// Domain errors speak the reader's language (issue 13): the API's
// errors[].message follows Accept-Language (English by default, and for a
// language not among the six), extensions.code does not change, and the
// rows of a refused batch or CSV file give their reasons in that language
// too, placeholders filled.
func TestDomainErrorsSpeakTheReadersLanguage(t *testing.T) {
	w := newWorld(t)
	send := func(t *testing.T, acceptLanguage, query string, vars map[string]any) apptest.Response {
		t.Helper()
		body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
		h := map[string]string{"Content-Type": "application/json"}
		if acceptLanguage != "" {
			h["Accept-Language"] = acceptLanguage
		}
		r := w.env.Raw(t, http.MethodPost, "/graphql", w.sec, h, bytes.NewReader(body))
		var out apptest.Response
		if err := json.Unmarshal(r.Body, &out); err != nil {
			t.Fatalf("response is not JSON (status %d): %s", r.Status, r.Body)
		}
		return out
	}
	english := `no cycle with id "no-such-cycle"`
	for _, tc := range []struct{ header, want string }{
		{"", english},
		{"de-DE", english},
		{"fr-CH, fr;q=0.9", "aucun cycle d'identifiant « no-such-cycle »"},
		{"ar", "لا توجد دورة بالمعرّف «no-such-cycle»"},
		{"zh-CN", "没有标识为“no-such-cycle”的周期"},
		{"ru", "нет цикла с идентификатором «no-such-cycle»"},
		{"es", "no hay ningún ciclo con el identificador «no-such-cycle»"},
	} {
		res := send(t, tc.header, saveDraftMutation, map[string]any{"c": "no-such-cycle", "s": "KEN", "a": map[string]any{}})
		if len(res.Errors) != 1 || res.Errors[0].Code() != "NOT_FOUND" || res.Errors[0].Message != tc.want {
			t.Errorf("Accept-Language %q: errors %+v, want NOT_FOUND %q", tc.header, res.Errors, tc.want)
		}
	}

	// A refusal by policy names the action in the reader's language.
	fp := w.token(t, "ghana focal point", auth.FocalPoint, "GHA")
	body, _ := json.Marshal(map[string]any{"query": saveDraftMutation, "variables": map[string]any{"c": w.cycle, "s": "KEN", "a": map[string]any{}}})
	r := w.env.Raw(t, http.MethodPost, "/graphql", fp, map[string]string{"Content-Type": "application/json", "Accept-Language": "fr"}, bytes.NewReader(body))
	var refused apptest.Response
	json.Unmarshal(r.Body, &refused) //nolint:errcheck
	if len(refused.Errors) != 1 || refused.Errors[0].Code() != "FORBIDDEN" ||
		refused.Errors[0].Message != "un point focal de GHA ne peut pas modifier la contribution pour KEN" {
		t.Errorf("a refusal in French: %+v", refused.Errors)
	}

	// reportObservations: each row's reason in Russian, fields unchanged.
	const report = `mutation($s: ID!, $o: [ObservationInput!]!) {
		reportObservations(state: $s, observations: $o) { accepted errors { row field message } } }`
	res := send(t, "ru-RU", report, map[string]any{"s": "KEN", "o": []map[string]any{
		{"indicator": "NO_SUCH_INDICATOR", "year": 2020, "value": 1},
		{"indicator": "OFFENCES_RECORDED", "year": 1950, "value": 1},
	}})
	var got struct {
		ReportObservations struct {
			Accepted int
			Errors   []struct {
				Row            int
				Field, Message string
			}
		}
	}
	res.Decode(t, &got)
	want := map[string]string{
		"indicator": "неизвестный показатель «NO_SUCH_INDICATOR»",
		"year":      "год 1950 вне диапазона 1990..",
	}
	if len(got.ReportObservations.Errors) != 2 {
		t.Fatalf("row errors %+v, want 2", got.ReportObservations.Errors)
	}
	for _, e := range got.ReportObservations.Errors {
		if !strings.HasPrefix(e.Message, want[e.Field]) || strings.Contains(e.Message, "{") {
			t.Errorf("row %d %s: %q, want it to start with %q", e.Row, e.Field, e.Message, want[e.Field])
		}
	}

	// The CSV upload: a header's and a row's reasons in Chinese.
	upload := func(t *testing.T, csv string) map[string]string {
		t.Helper()
		r := w.env.Raw(t, http.MethodPost, "/statistics/KEN.csv", w.sec,
			map[string]string{"Content-Type": "text/csv", "Accept-Language": "zh-CN,zh;q=0.9"}, strings.NewReader(csv))
		var payload struct {
			Errors []struct {
				Row            int
				Field, Message string
			}
		}
		if err := json.Unmarshal(r.Body, &payload); err != nil || r.Status != http.StatusUnprocessableEntity {
			t.Fatalf("CSV: HTTP %d %s", r.Status, r.Body)
		}
		found := map[string]string{}
		for _, e := range payload.Errors {
			found[e.Field] = e.Message
		}
		return found
	}
	if got := upload(t, "indicator,year,value,colour\nOFFENCES_RECORDED,2020,1,red\n"); got["colour"] != "未知列“colour”：请使用 indicator、year、value、status 和维度标识" {
		t.Errorf("the unknown column in Chinese: %v", got)
	}
	if got := upload(t, "indicator,year,value\nOFFENCES_RECORDED,twenty,1\n"); got["year"] != "“twenty”不是年份" {
		t.Errorf("the unreadable year in Chinese: %v", got)
	}
}

// The API names indicators and their dimensions in the reader's language
// (Accept-Language; the contract has no lang argument on them); codes,
// units and dimension values stay codes.
func TestIndicatorNamesFollowAcceptLanguage(t *testing.T) {
	w := newWorld(t)
	query := `{ indicators { code name unit dimensions { id name values } } }`
	for _, tc := range []struct{ header, name, dim string }{
		{"", "ICT-crime offences recorded by the police", "Offence type"},
		{"fr-FR", "Infractions liées aux TIC enregistrées par la police", "Type d'infraction"},
		{"zh", "警方记录的信通技术犯罪", "犯罪类型"},
	} {
		body, _ := json.Marshal(map[string]any{"query": query})
		h := map[string]string{"Content-Type": "application/json"}
		if tc.header != "" {
			h["Accept-Language"] = tc.header
		}
		r := w.env.Raw(t, http.MethodPost, "/graphql", w.sec, h, bytes.NewReader(body))
		var out struct {
			Data struct {
				Indicators []struct {
					Code, Name, Unit string
					Dimensions       []struct {
						ID, Name string
						Values   []string
					}
				}
			}
		}
		if err := json.Unmarshal(r.Body, &out); err != nil || len(out.Data.Indicators) == 0 {
			t.Fatalf("%q: %s", tc.header, r.Body)
		}
		ind := out.Data.Indicators[0]
		if ind.Code != "OFFENCES_RECORDED" || ind.Name != tc.name || ind.Unit != "count" {
			t.Errorf("%q: %+v, want %q", tc.header, ind, tc.name)
		}
		if len(ind.Dimensions) != 1 || ind.Dimensions[0].Name != tc.dim || ind.Dimensions[0].Values[0] != "illegal_access" {
			t.Errorf("%q: dimensions %+v, want %q with its codes", tc.header, ind.Dimensions, tc.dim)
		}
	}
}
