package handlers_test

import (
	"bufio"
	"net"
	"net/url"
	"strings"
	"testing"

	"salesdesk/db/dbtest"
	"salesdesk/handlers"
	"salesdesk/models"
)

// smtpServer is a small SMTP server on loopback that accepts every message
// and hands each one's DATA to got; it speaks just enough of RFC 5321 for
// net/smtp (no TLS, no AUTH).
func smtpServer(t *testing.T) (addr string, got <-chan string) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = l.Close() })
	ch := make(chan string, 4)
	go func() {
		for {
			conn, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer conn.Close()
				r, w := bufio.NewReader(conn), bufio.NewWriter(conn)
				say := func(s string) { _, _ = w.WriteString(s + "\r\n"); _ = w.Flush() }
				say("220 test ESMTP")
				for {
					line, err := r.ReadString('\n')
					if err != nil {
						return
					}
					switch cmd := strings.ToUpper(strings.TrimSpace(line)); {
					case strings.HasPrefix(cmd, "EHLO"), strings.HasPrefix(cmd, "HELO"):
						say("250 test")
					case cmd == "DATA":
						say("354 go on")
						var b strings.Builder
						for {
							l, err := r.ReadString('\n')
							if err != nil {
								return
							}
							if l == ".\r\n" {
								break
							}
							b.WriteString(l)
						}
						ch <- b.String()
						say("250 queued")
					case cmd == "QUIT":
						say("221 bye")
						return
					default:
						say("250 ok")
					}
				}
			}()
		}
	}()
	return l.Addr().String(), ch
}

// TestSendQuoteSaysWhatHappenedToTheEmail checks that "Send to customer"
// tells the rep whether the e-mail went: e-mailed over SMTP; not set up (no
// SMTP_URL: nothing was e-mailed); or failed (the server refused the
// connection) — and in the last two the rep is told to send the link.
func TestSendQuoteSaysWhatHappenedToTheEmail(t *testing.T) {
	addr, got := smtpServer(t)
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	refused := closed.Addr().String()
	_ = closed.Close()
	for _, c := range []struct {
		smtp, flash string
		mailed      bool
	}{
		{"smtp://" + addr + "?from=sales@example.com", "E-mailed the quote to jane.buyer@northwind.example.", true},
		{"", "nothing was e-mailed: e-mail is not set up on this server. Send the customer the link below yourself.", false},
		{"smtp://" + refused + "?from=sales@example.com", "the e-mail could not be sent. Send the customer the link below yourself", false},
	} {
		app := newTestAppWith(t, dbtest.NewDSN(t, true), func(cfg *handlers.Config) { cfg.SMTPURL = c.smtp })
		rep := userByEmail(t, app, "rep@example.com")
		q := qtNewQuote(t, app, qtNewOpp(t, app, rep), rep, "Mail quote", qtItems())
		cl := app.client(t).login("rep@example.com")
		r := cl.fill(qtPath(q, ""), `form[action$="/send"]`, url.Values{"to": {"jane.buyer@northwind.example"}})
		wantStatus(t, "send", r, 303)
		flash := strings.Join(strings.Fields(cl.get(r.Location).doc(t).Find("#flash").Text()), " ")
		if !strings.Contains(flash, c.flash) {
			t.Errorf("SMTP %q: the flash says %q, want %q", c.smtp, flash, c.flash)
		}
		var m models.OutboxMessage
		if err := app.DB.Order("id DESC").First(&m).Error; err != nil {
			t.Fatal(err)
		}
		if c.mailed != (m.SentAt != nil) || c.smtp != "" && !c.mailed && m.Error == "" {
			t.Errorf("SMTP %q: the outbox holds sent %v, error %q", c.smtp, m.SentAt, m.Error)
		}
		if c.mailed {
			if data := <-got; !strings.Contains(data, "To: jane.buyer@northwind.example") || !strings.Contains(data, "/q/") {
				t.Errorf("the server received %q", data)
			}
		}
	}
}
