package triage

import (
	"slices"
	"testing"
)

// TestRouteEverydayMessages routes messages written the way users write
// them (none is a KB example question) against the shipped KB at the
// threshold of config/example.yaml. Each must get an article it accepts: ""
// accepts an escalation. Level I should keep most of them, as the seed's
// 70-80% says; the share is logged.
func TestRouteEverydayMessages(t *testing.T) {
	c := shippedClassifier(t)
	tests := []struct {
		text   string
		accept []string
	}{
		{"no me acuerdo de la clave para entrar al correo", []string{"password-reset"}},
		{"I forgot my password and cannot log in", []string{"password-reset"}},
		{"no puedo entrar a mi cuenta", []string{"password-reset", "account-locked", ""}}, // forgotten or locked: asking is fine
		{"se me bloqueó el usuario", []string{"account-locked"}},
		{"my account is locked after too many attempts", []string{"account-locked"}},
		{"perdí el celular y no me llega el código de verificación", []string{"mfa-device-lost"}},
		{"I lost my phone and can't get the MFA code", []string{"mfa-device-lost"}},
		{"necesito que me den acceso a la carpeta de recursos humanos", []string{"permissions-access"}},
		{"cannot access shared folder", []string{"permissions-access", "network-drive"}},
		{"la impresora no imprime", []string{"printer-offline"}},
		{"printer says offline", []string{"printer-offline"}},
		{"el teclado no escribe algunas letras", []string{"keyboard-mouse"}},
		{"my mouse does not work", []string{"keyboard-mouse"}},
		{"the second monitor is not detected", []string{"monitor-no-signal"}},
		{"la pantalla se queda en negro", []string{"monitor-no-signal"}},
		{"mi computadora está muy lenta", []string{"slow-pc"}},
		{"my laptop is very slow since the update", []string{"slow-pc"}},
		{"cómo instalo office en mi portátil", []string{"install-software"}},
		{"I need Adobe Acrobat installed on my computer please", []string{"install-software"}},
		{"no me deja instalar programas, me pide contraseña de administrador", []string{"install-software"}},
		{"me sale que la licencia de office expiró", []string{"licence-activation"}},
		{"Excel se cierra solo cada vez que abro un archivo", []string{"app-crash"}},
		{"Teams crashes when I share my screen", []string{"app-crash"}},
		{"how do I update windows", []string{"software-updates"}},
		{"cómo actualizo el antivirus", []string{"software-updates"}},
		{"el navegador no abre la intranet", []string{"browser-issues"}},
		{"no puedo conectarme a la VPN desde casa", []string{"vpn-connect"}},
		{"how do I install the VPN client", []string{"vpn-connect"}},
		{"I can't connect to the wifi in the meeting room", []string{"wifi-connect"}},
		{"wifi is very slow", []string{"slow-network", "wifi-connect", ""}},
		{"no tengo internet en la oficina", []string{"no-internet"}},
		{"Hi, my mailbox is full and I can't send emails", []string{"mailbox-full"}},
		{"Buenos días, desde ayer no me llegan correos a Outlook, el buzón dice que está lleno", []string{"mailbox-full", ""}},
		{"Outlook no sincroniza el correo", []string{"outlook-setup"}},
		{"el servidor de archivos no responde", []string{"server-unreachable", "network-drive"}},
		{"the build server is out of disk space", []string{"server-disk-full"}},
		{"la base de datos da error de conexión desde la aplicación", []string{"database-connection"}},
		{"necesito que venga un técnico a la oficina", []string{"onsite-visit"}},
		{"necesito un cambio de equipo, el mío ya no sirve", []string{"hardware-replacement"}},
		{"quiero que me desarrollen un reporte nuevo en el sistema", []string{"feature-request"}},
		{"the API returns 500 errors since the last deploy", []string{"app-bug-report"}},
		{"me cambiaron de puesto y ya no puedo abrir las carpetas de mi área", []string{"permissions-access"}},
		{"the shared drive Z: disappeared from my computer", []string{"network-drive"}},
		{"no encuentro la unidad de red", []string{"network-drive"}},
		{"I need a license for Visio", []string{"licence-activation"}},
		{"no me funciona el micrófono en las reuniones de Teams", []string{"headset-audio"}},
		{"my laptop won't charge", []string{"laptop-battery"}},
		{"I spilled water on my laptop", []string{"hardware-replacement"}},
		{"can you install Python on my machine", []string{"install-software"}},
		{"I received a phishing email, what should I do", []string{"phishing-report"}},
		{"no puedo compartir mi calendario", []string{"calendar-sharing"}},
		{"how do I set up an out of office reply", []string{"out-of-office"}},
		{"la contraseña caducó y no me deja cambiarla", []string{"password-reset"}},
		{"we have a new hire starting monday, please create an account", []string{"new-user-account"}},
		{"la compu no prende", []string{"hardware-replacement"}},
		{"my mouse is lagging and the cursor jumps around", []string{"keyboard-mouse"}},
		{"no me sincroniza el correo en el iphone", []string{"phone-email"}},
		{"I accidentally deleted a file from OneDrive, can I get it back", []string{"backup-restore"}},
		{"the production database is down!!", []string{""}},
		{"buenas tardes, necesito ayuda por favor", []string{""}},
		{"quiero hablar con una persona", []string{""}},
		{"everything is down, the whole site is offline!!", []string{""}},
		{"what is the weather like in Madrid tomorrow?", []string{""}},
		{"¿me recomiendas un restaurante para cenar?", []string{""}},
	}
	kept := 0
	for _, tt := range tests {
		d := c.Route(tt.text)
		article := d.Article
		if d.Action == ActionEscalate || d.Action == ActionClose {
			article = ""
		} else {
			kept++
		}
		if !slices.Contains(tt.accept, article) {
			t.Errorf("Route(%q) = %s %q (%s, confidence %.2f), want one of %q", tt.text, d.Action, d.Article, d.Reason, d.Confidence, tt.accept)
		}
	}
	t.Logf("Level I keeps %d of %d everyday messages (%.0f%%)", kept, len(tests), 100*float64(kept)/float64(len(tests)))
}

// TestRouteTerseMessages routes two-to-five-word messages, the way many
// users open a chat, against the shipped KB. Each must get the customer's
// language (product names such as Outlook or Zoom are no evidence of
// English) and either the right article or a question, never a wrong answer.
func TestRouteTerseMessages(t *testing.T) {
	c := shippedClassifier(t)
	tests := []struct {
		lang, text string
		accept     []string // "" accepts asking for the problem
	}{
		{"es", "impresora atascada", []string{"printer-paper-jam"}},
		{"es", "mi pc no prende", []string{"hardware-replacement"}},
		{"es", "teams no carga", []string{"app-crash", ""}},
		{"en", "cannot log in", []string{"password-reset", "account-locked", ""}},
		{"en", "can't log in to my account", []string{"password-reset", "account-locked", ""}},
		{"es", "olvidé mi clave", []string{"password-reset"}},
		{"en", "forgot password", []string{"password-reset"}},
		{"es", "cuenta bloqueada", []string{"account-locked"}},
		{"en", "account locked", []string{"account-locked"}},
		{"es", "no llegan correos", []string{"email-not-received"}},
		{"en", "not receiving emails", []string{"email-not-received"}},
		{"es", "buzón lleno", []string{"mailbox-full"}},
		{"en", "mailbox full", []string{"mailbox-full"}},
		{"en", "no internet", []string{"no-internet"}},
		{"es", "la vpn no conecta", []string{"vpn-connect"}},
		{"en", "vpn not connecting", []string{"vpn-connect"}},
		{"es", "wifi no conecta", []string{"wifi-connect"}},
		{"en", "can't connect to wifi", []string{"wifi-connect"}},
		{"es", "pantalla en negro", []string{"monitor-no-signal"}},
		{"en", "monitor no signal", []string{"monitor-no-signal"}},
		{"es", "el mouse no funciona", []string{"keyboard-mouse"}},
		{"en", "keyboard not working", []string{"keyboard-mouse"}},
		{"es", "la laptop no carga", []string{"laptop-battery"}},
		{"en", "battery not charging", []string{"laptop-battery"}},
		{"es", "no se escucha en teams", []string{"headset-audio"}},
		{"en", "no sound in zoom", []string{"headset-audio"}},
		{"es", "zoom sin audio", []string{"headset-audio"}},
		{"es", "pc muy lenta", []string{"slow-pc"}},
		{"en", "computer very slow", []string{"slow-pc"}},
		{"es", "instalar office", []string{"install-software"}},
		{"en", "install zoom", []string{"install-software"}},
		{"es", "licencia vencida", []string{"licence-activation"}},
		{"en", "license expired", []string{"licence-activation"}},
		{"es", "outlook se cierra", []string{"app-crash", "outlook-wont-open", ""}},
		{"en", "excel keeps crashing", []string{"app-crash"}},
		{"es", "chrome no abre páginas", []string{"browser-issues"}},
		{"en", "browser won't load pages", []string{"browser-issues"}},
		{"es", "borré un archivo", []string{"backup-restore"}},
		{"en", "deleted a file by mistake", []string{"backup-restore"}},
		{"es", "correo sospechoso", []string{"phishing-report"}},
		{"en", "suspicious email", []string{"phishing-report"}},
		{"es", "no veo la unidad compartida", []string{"network-drive"}},
		{"en", "mapped drive missing", []string{"network-drive"}},
		{"es", "internet lento", []string{"slow-network"}},
		{"es", "wifi lento", []string{"slow-network", "wifi-connect"}},
		{"en", "slow internet", []string{"slow-network"}},
		{"es", "código de verificación no llega", []string{"mfa-device-lost"}},
		{"en", "not getting the mfa code", []string{"mfa-device-lost"}},
		{"es", "outlook no me abre", []string{"outlook-wont-open"}},
		{"en", "outlook won't open", []string{"outlook-wont-open"}},
		{"es", "el celular no sincroniza el correo", []string{"phone-email"}},
		{"en", "email not syncing on my phone", []string{"phone-email"}},
		{"es", "necesito acceso a una carpeta", []string{"permissions-access"}},
		{"en", "need access to a folder", []string{"permissions-access"}},
		{"en", "help please", []string{""}},
		{"es", "ayuda por favor", []string{""}},
		{"es", "vale", []string{""}},  // no word the KB knows: pieces of "válida" are no match
		{"es", "bueno", []string{""}}, // nor pieces of "buzón"
	}
	answered := 0
	for _, tt := range tests {
		d := c.Route(tt.text)
		article := d.Article
		if d.Action == ActionEscalate || (article == "" && d.Reason != "too_short") {
			article = "escalated"
		}
		if d.Language != tt.lang || !slices.Contains(tt.accept, article) {
			t.Errorf("Route(%q) = %s %s %q (%s, confidence %.2f), want %s and one of %q",
				tt.text, d.Language, d.Action, d.Article, d.Reason, d.Confidence, tt.lang, tt.accept)
		}
		if article != "" && article != "escalated" {
			answered++
		}
	}
	t.Logf("%d of %d terse messages matched to an article", answered, len(tests))
}

// TestRouteOffTopicMessages routes messages a technical support desk does not
// handle (small talk, HR, facilities, orders), none of them in the KB's
// out-of-scope examples. Level I must not take them for a KB problem it would
// answer: it escalates them or asks what the problem is. A few that read like
// a hardware fault ("the coffee machine is broken") still match, so the test
// bounds the share rather than requiring none.
func TestRouteOffTopicMessages(t *testing.T) {
	c := shippedClassifier(t)
	offTopic := []string{
		"what is the best recipe for a chocolate cake with strawberries",
		"who won the football match yesterday",
		"can you recommend a good movie for tonight",
		"what's the capital of australia",
		"cuál es la mejor receta de tortilla de patatas",
		"quién ganó el partido de ayer",
		"me puedes recomendar una película",
		"how many vacation days do I have left",
		"cuándo me pagan la nómina",
		"book a meeting room for tomorrow",
		"what time does the cafeteria open",
		"I want to buy a new car",
		"quiero cambiar mi dirección de envío",
		"the air conditioning in our office is too cold",
		"el aire acondicionado de la oficina no enfría",
		"can I work from home on fridays",
		"puedo trabajar desde casa los viernes",
		"my payslip has the wrong amount",
		"mi recibo de sueldo tiene un error en el monto",
		"where can I park my car",
		"dónde puedo estacionar el coche",
		"the coffee machine on the third floor is broken",
		"la máquina de café del tercer piso está rota",
		"I need a new chair, mine is broken",
		"necesito una silla nueva, la mía está rota",
		"how do I request parental leave",
		"cómo pido la baja por maternidad",
		"what is the dress code for the party",
		"cuál es el código de vestimenta para la fiesta",
		"please send me the invoice for order 4521",
		"envíenme la factura del pedido 4521 por favor",
		"I'd like to cancel my gym membership",
		"quiero darme de baja del gimnasio",
		"the elevator is stuck again",
		"el ascensor está parado otra vez",
		"what is the meaning of life",
		"cuál es el sentido de la vida",
		"write me a poem about the sea",
		"escríbeme un poema sobre el mar",
		"is the office open on the holiday",
		"la oficina abre el día festivo",
	}
	taken := 0
	for _, text := range offTopic {
		d := c.Route(text)
		if d.Action != ActionEscalate && d.Action != ActionClose && d.Article != "" {
			taken++
			t.Logf("taken for a KB problem: %q -> %s (confidence %.2f)", text, d.Article, d.Confidence)
		}
	}
	t.Logf("%d of %d off-topic messages taken for a KB problem", taken, len(offTopic))
	if taken*5 > len(offTopic) {
		t.Errorf("%d of %d off-topic messages taken for a KB problem, want at most a fifth", taken, len(offTopic))
	}
}
