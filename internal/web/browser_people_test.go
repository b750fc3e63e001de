package web_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/cosp-ict/irm/internal/auth"
	"github.com/cosp-ict/irm/internal/demo"
	"github.com/cosp-ict/irm/internal/submission"
)

// The people flow in a browser, as a tester tries it without a mail
// relay: the secretariat registers a focal point of Ghana and a person of
// its own on the contacts page and invites the focal point; the
// invitation waits in the outbox page with its sign-in link; opened in a
// signed-out browser, the link signs in as that focal point, who fills in
// the questionnaire and submits; the secretariat then finds the SUBMITTED
// notification in the outbox. The link works once.
func TestBrowserInvitationToSubmission(t *testing.T) {
	s := newSite(t)
	b := newBrowser(t, s.URL)
	b.data = questionnaireTexts(s.Registry)
	b.narrow = map[string]bool{"en": true}
	sec := s.token(t, auth.Secretariat, "")
	sample := decodeJSON(t, demo.SampleAnswers())
	q, _ := s.Registry.Get("implementation-v1")

	b.signIn(sec)
	b.open("/contacts")
	b.page("people-01-contacts-empty")
	register := func(name, email, role, state string) {
		setFields(b, map[string]string{"#c-name": name, "#c-email": email, "#c-role": role, "#c-state": state})
		b.submit("form[action='/contacts'] button[type=submit]")
		if b.exists(".error-summary") {
			t.Fatalf("register %s: %s", email, b.text(".error-summary"))
		}
	}
	register("Sam Secretariat", "sam@secretariat.example.org", "SECRETARIAT", "")
	register("Akosua Mensah", "akosua@gha.example.org", "FOCAL_POINT", "GHA")
	// A bad address is refused and what was typed stays.
	register2 := func() {
		setFields(b, map[string]string{"#c-name": "Typo", "#c-email": "typo.example.org", "#c-role": "SECRETARIAT", "#c-state": ""})
		b.submit("form[action='/contacts'] button[type=submit]")
	}
	register2()
	if !b.exists(".error-summary") || eval[string](b, `document.querySelector("#c-email").value`) != "typo.example.org" {
		t.Fatalf("a bad address: %s", b.text("main"))
	}
	b.page("people-02-contacts-error")
	b.open("/contacts")
	if got := b.text("main"); !strings.Contains(got, "akosua@gha.example.org") || !strings.Contains(got, "sam@secretariat.example.org") {
		t.Fatalf("contacts page:\n%s", got)
	}
	b.page("people-03-contacts")

	// The cycle's reminder rules and who they would remind.
	b.open("/reminders/" + implCycle)
	if got := b.text("main"); !strings.Contains(got, "akosua@gha.example.org") || strings.Contains(got, "sam@secretariat.example.org") {
		t.Fatalf("reminders preview (Ghana's focal point only):\n%s", got)
	}
	setFields(b, map[string]string{"#days": "thirty"})
	b.submit("main form button[type=submit]")
	if !b.exists(".error-summary") || eval[string](b, `document.querySelector("#days").value`) != "thirty" {
		t.Fatalf("bad days: %s", b.text("main"))
	}
	setFields(b, map[string]string{"#days": "45, 2"})
	b.do(chromedp.Click("#weekly"))
	b.submit("main form button[type=submit]")
	if got := eval[string](b, `document.querySelector("#days").value`); got != "45, 2" || b.exists("#weekly:checked") {
		t.Fatalf("saved rules: days %q, weekly %v", got, b.exists("#weekly:checked"))
	}
	if n := eval[int](b, `document.querySelectorAll("tr.planned").length`); n != 2 {
		t.Errorf("%d planned reminders after 45, 2 without weekly, want 2 (Ghana's one focal point)", n)
	}
	b.page("people-03b-reminders")

	b.open("/contacts")
	b.submit(`form[action$='/invite'] button`) // the first active contact by name: Akosua
	if !strings.HasSuffix(b.location(), "/outbox") {
		t.Fatalf("after inviting, at %s, want the outbox", b.location())
	}
	if got := b.text("tr.msg-INVITATION"); !strings.Contains(got, "akosua@gha.example.org") || !strings.Contains(got, "Sign in to the implementation review") {
		t.Fatalf("outbox row of the invitation: %q", got)
	}
	b.page("people-04-outbox-invitation")
	link := eval[string](b, `document.querySelector("tr.msg-INVITATION a.signin-link").getAttribute("href")`)
	if !strings.HasPrefix(link, "/sign-in/link/") {
		t.Fatalf("the invitation's link %q", link)
	}

	b.signOut()
	b.open(link)
	if got := b.text("main"); !strings.Contains(got, "Akosua Mensah") {
		t.Fatalf("the link's page: %q", got)
	}
	b.page("people-05-sign-in-link")
	b.submit("main form button[type=submit]")
	if got, want := b.text("h1"), "Ghana"; got != want {
		t.Fatalf("signed in by the link: h1 %q, want %q (%s)", got, want, b.text("main"))
	}
	if who := b.text(".who"); !strings.Contains(who, "Akosua Mensah") {
		t.Errorf("signed in as %q, want Akosua Mensah", who)
	}
	b.open("/cycles/" + implCycle + "/states/GHA")
	for i, section := range q.Sections {
		b.fillSection(section.ID, sample)
		if i+1 < len(q.Sections) {
			b.submit(`.actions button[value="next"]`)
			if b.exists(".error-summary") {
				t.Fatalf("saving section %s: %s", section.ID, b.text(".error-summary"))
			}
		}
	}
	b.submit(`.actions button[value="submit"]`)
	if b.exists(".error-summary") {
		t.Fatalf("submit refused: %s", b.text(".error-summary"))
	}
	if _, status := s.storedAnswers(t, implCycle, "GHA"); status != submission.Submitted {
		t.Fatalf("status %s, want SUBMITTED", status)
	}
	b.signOut()
	// The link worked once.
	b.open(link)
	if b.exists("main form button[type=submit]") {
		t.Fatal("the sign-in link works a second time")
	}
	b.page("people-06-sign-in-link-used")

	b.signIn(sec)
	b.open("/outbox")
	got := b.text("tr.msg-SUBMITTED")
	if !strings.Contains(got, "sam@secretariat.example.org") || !strings.Contains(got, "Ghana submitted its answers for 2027 review") {
		t.Fatalf("outbox row of the submission: %q\n%s", got, b.text("main"))
	}
	if n := eval[int](b, `document.querySelectorAll("tr.msg-SUBMITTED").length`); n != 1 {
		t.Errorf("%d SUBMITTED notifications, want 1 (to the one secretariat contact)", n)
	}
	b.page("people-07-outbox-submitted")
}

// TestBrowserAskForASignInLink: the sign-in page asks for a link by
// e-mail and answers the same for a registered address and an unknown
// one; only the registered one gets a message.
func TestBrowserAskForASignInLink(t *testing.T) {
	s := newSite(t)
	b := newBrowser(t, s.URL)
	sec := s.token(t, auth.Secretariat, "")
	b.signIn(sec)
	b.open("/contacts")
	setFields(b, map[string]string{"#c-name": "Akosua Mensah", "#c-email": "akosua@gha.example.org", "#c-role": "FOCAL_POINT", "#c-state": "GHA"})
	b.submit("form[action='/contacts'] button[type=submit]")
	b.signOut()
	var answers []string
	for _, email := range []string{"nobody@example.org", "akosua@gha.example.org"} {
		b.open("/sign-in")
		b.do(chromedp.SetValue("#email", email))
		b.submit("form[action='/sign-in/email'] button")
		answers = append(answers, b.text("main"))
	}
	if answers[0] != answers[1] || !strings.Contains(answers[0], "If this address belongs to a registered person") {
		t.Errorf("the answers differ or say nothing:\n%s\n---\n%s", answers[0], answers[1])
	}
	b.page("people-08-link-asked")
	var n int
	if err := s.Pool.QueryRow(t.Context(), `SELECT count(*) FROM notifications WHERE kind = 'INVITATION'`).Scan(&n); err != nil || n != 1 {
		t.Errorf("%d invitations, %v; want 1 (the registered address)", n, err)
	}
}

// setFields sets form fields by selector.
func setFields(b *browser, values map[string]string) {
	b.t.Helper()
	for sel, v := range values {
		eval[bool](b, fmt.Sprintf(`document.querySelector(%q).value = %q; true`, sel, v))
	}
}

// The people pages in each of the six languages: lang and dir, no
// English sentence of the catalogue, no serious or critical axe-core
// violation; Arabic and Chinese also at 360 px.
func TestBrowserPeoplePagesInEachLanguage(t *testing.T) {
	s := newSite(t)
	sec := s.token(t, auth.Secretariat, "")
	b := newBrowser(t, s.URL)
	b.narrow = map[string]bool{"ar": true, "zh": true}
	b.signIn(sec)
	b.open("/contacts")
	// The people's messages are in French: data on every page but the French ones.
	setFields(b, map[string]string{"#c-name": "Akosua Mensah", "#c-email": "akosua@gha.example.org", "#c-role": "FOCAL_POINT",
		"#c-state": "GHA", "#c-language": "fr"})
	b.submit("form[action='/contacts'] button[type=submit]")
	b.submit(`form[action$='/invite'] button`)
	link := eval[string](b, `document.querySelector("tr.msg-INVITATION a.signin-link").getAttribute("href")`)
	b.signOut()
	for _, l := range []string{"ar", "zh", "en", "fr", "ru", "es"} {
		b.open("/sign-in")
		b.chooseLanguage(l)
		b.open(link)
		b.page("people-all-01-sign-in-link")
		b.open("/sign-in/link/not-a-link")
		b.page("people-all-02-sign-in-link-invalid")
		b.open("/sign-in")
		setFields(b, map[string]string{"#email": "nobody@example.org"})
		b.submit("form[action='/sign-in/email'] button")
		b.page("people-all-03-link-asked")
		b.signIn(sec)
		b.open("/contacts")
		b.page("people-all-04-contacts")
		b.open("/outbox")
		b.page("people-all-05-outbox")
		b.open("/reminders/" + implCycle)
		b.page("people-all-06-reminders")
		b.signOut()
	}
}
