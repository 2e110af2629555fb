package handlers

import (
	"errors"
	"fmt"
	"net"
	"net/smtp"
	"net/url"
	"strings"
	"time"

	"salesdesk/models"
)

// errNoSMTP is deliver's answer when no SMTP_URL is configured.
var errNoSMTP = errors.New("e-mail is not set up on this server")

// deliver sends an outbox message over SMTP when SMTP_URL is configured
// (smtp://user:password@host:587?from=sales@example.com); without it the
// message stays in the outbox, which admins read at /admin/outbox, and
// deliver says so (errNoSMTP). A failure is recorded on the message too.
func (a *App) deliver(m *models.OutboxMessage) error {
	if a.smtpURL == "" {
		return errNoSMTP
	}
	err := sendSMTP(a.smtpURL, m.ToAddress, m.Subject, m.Body)
	now := a.now().UTC()
	upd := map[string]any{"sent_at": &now, "error": ""}
	if err != nil {
		a.log.Error("smtp", "to_domain", domainOf(m.ToAddress), "err", err)
		upd = map[string]any{"error": err.Error()}
	}
	if dbErr := a.db.Model(m).Updates(upd).Error; dbErr != nil {
		a.log.Error("outbox update", "err", dbErr)
	}
	return err
}

func domainOf(addr string) string {
	if i := strings.LastIndexByte(addr, '@'); i >= 0 {
		return addr[i+1:]
	}
	return ""
}

func sendSMTP(rawURL, to, subject, body string) error {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "smtp" && u.Scheme != "smtps") || u.Host == "" {
		return fmt.Errorf("SMTP_URL must look like smtp://user:password@host:587?from=sales@example.com")
	}
	from := u.Query().Get("from")
	if from == "" {
		return fmt.Errorf("SMTP_URL has no from= address")
	}
	host := u.Hostname()
	addr := u.Host
	if u.Port() == "" {
		addr = net.JoinHostPort(host, "587")
	}
	var auth smtp.Auth
	if u.User != nil {
		pw, _ := u.User.Password()
		auth = smtp.PlainAuth("", u.User.Username(), pw, host)
	}
	clean := func(s string) string { return strings.NewReplacer("\r", " ", "\n", " ").Replace(s) }
	msg := "From: " + clean(from) + "\r\nTo: " + clean(to) + "\r\nSubject: " + clean(subject) +
		"\r\nDate: " + time.Now().UTC().Format(time.RFC1123Z) + "\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" +
		strings.ReplaceAll(body, "\n", "\r\n")
	return smtp.SendMail(addr, auth, from, []string{to}, []byte(msg))
}
