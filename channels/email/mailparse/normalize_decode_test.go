package mailparse

import (
	"testing"
)

func TestDecodeTransfer(t *testing.T) {
	tests := []struct {
		name, enc, in, want string
	}{
		{"qp", "quoted-printable", "caf=C3=A9 =\r\nbar", "café bar"},
		{"qp lower hex", "Quoted-Printable", "a=3db", "a=b"},
		{"qp bad escape kept", "quoted-printable", "100% =ZZ =", "100% =ZZ "},
		{"qp soft break with blanks", "quoted-printable", "a= \t\nb", "ab"},
		{"base64", "base64", "aG9s\r\nYQ==", "hola"},
		{"base64 junk and missing padding", "base64", "aG9s!!YQ", "hola"},
		{"base64 dangling char dropped", "base64", "aG9sYQ==Z", "hola"},
		{"7bit", "7bit", "as is=41", "as is=41"},
		{"unknown", "x-uuencode", "begin 644", "begin 644"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := decodeTransfer(tt.enc, []byte(tt.in))
			if string(got) != tt.want {
				t.Errorf("decodeTransfer(%q, %q) = %q, want %q", tt.enc, tt.in, got, tt.want)
			}
			if n := decodedLen(tt.enc, []byte(tt.in)); n != int64(len(got)) {
				t.Errorf("decodedLen(%q, %q) = %d, want %d", tt.enc, tt.in, n, len(got))
			}
		})
	}
}

func TestDecodeCharset(t *testing.T) {
	tests := []struct {
		name, label, in, want string
	}{
		{"latin1", "iso-8859-1", "Mu\xf1oz", "Muñoz"},
		{"windows-1252 quotes", "windows-1252", "\x93hola\x94", "“hola”"},
		{"koi8-r", "koi8-r", "\xf0\xd2\xc9\xd7\xc5\xd4", "Привет"},
		{"gb2312", "gb2312", "\xc4\xe3\xba\xc3", "你好"},
		{"big5", "big5", "\xa7\x41\xa6\x6e", "你好"},
		{"shift_jis", "shift_jis", "\x82\xa0", "あ"},
		{"iso-2022-jp", "ISO-2022-JP", "\x1b$B$\"\x1b(B", "あ"},
		{"iso-2022-jp label on euc-jp", "iso-2022-jp", "\xa4\xa2", "あ"},
		{"utf-7", "utf-7", "A+ImIDkQ.", "A≢Α."},
		{"utf-16le without bom", "utf-16", "h\x00i\x00", "hi"},
		{"unknown label, utf-8 bytes", "x-nonsense", "señal", "señal"},
		{"unknown label, latin1 bytes", "fakescii", "se\xf1al", "señal"},
		{"us-ascii label on utf-8", "us-ascii", "señal", "señal"},
		{"invalid utf-8", "utf-8", "ok\xff", "okÿ"},
		{"controls dropped", "utf-8", "a\x00b\x07c\td", "abc\td"},
		{"rfc 2231 language", "iso-8859-2*sl", "Doma\xe8e", "Domače"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := decodeCharset(tt.label, []byte(tt.in)); got != tt.want {
				t.Errorf("decodeCharset(%q, %q) = %q, want %q", tt.label, tt.in, got, tt.want)
			}
		})
	}
}

func TestDecodeHeaderText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"=?UTF-8?B?UG9ydMOhdGls?=", "Portátil"},
		{"=?iso-8859-1?q?Jos=E9?= =?iso-8859-1?q?_Mu=F1oz?=", "José Muñoz"},
		{"=?utf-8*sl?Q?omre=C5?= =?Utf-8*SL?q?=BEje?=", "omrežje"},
		{"=?unknown-charset?Q?caf=E9?=", "café"},
		{"raw latin1 \xe1", "raw latin1 á"},
		{"=?utf-8?B?broken", "=?utf-8?B?broken"},
	}
	for _, tt := range tests {
		if got := decodeHeaderText(tt.in); got != tt.want {
			t.Errorf("decodeHeaderText(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestHTMLToText(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"gmail quote", `<div>Fixed now.</div><div class="gmail_quote"><div>On Mon, Support wrote:<br></div><blockquote>Did it work?<br>Thanks</blockquote></div>`,
			"Fixed now.\nOn Mon, Support wrote:\n> Did it work?\n> Thanks"},
		{"entities and nbsp", "<p>a&amp;b&nbsp;&lt;c&gt; &#8364;</p>", "a&b <c> €"},
		{"table cells", "<table><tr><td>Name</td><td>Value</td></tr><tr><td>x</td><td>1</td></tr></table>", "Name Value\nx 1"},
		{"link same as text", `<a href="https://x.example/">https://x.example/</a>`, "https://x.example/"},
		{"mailto not shown", `<a href="mailto:a@x.example">write us</a>`, "write us"},
		{"unclosed script", "<p>before</p><script>var x", "before"},
		{"gmail signature hidden", `<div>Body</div><div class="gmail_signature"><div>Name</div></div><div>after</div>`, "Body\nafter"},
		{"br runs", "a<br><br><br><br>b", "a\n\nb"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := htmlToText(tt.in); got != tt.want {
				t.Errorf("htmlToText(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestUnflow(t *testing.T) {
	tests := []struct {
		in    string
		delsp bool
		want  string
	}{
		{"one long \nparagraph \nhere\nnext", false, "one long paragraph here\nnext"},
		{"del\nsp-", false, "del\nsp-"},
		{"split wo \nrd", true, "split word"},
		{" From stuffed\n-- \nsig", false, "From stuffed\n-- \nsig"},
		{"> quoted \n> kept", false, "> quoted \n> kept"},
	}
	for _, tt := range tests {
		if got := unflow(tt.in, tt.delsp); got != tt.want {
			t.Errorf("unflow(%q, %v) = %q, want %q", tt.in, tt.delsp, got, tt.want)
		}
	}
}

func TestHTMLPre(t *testing.T) {
	in := "<p>Log:</p><pre>line 1\n  indented 2\nline 3</pre><p>end</p>"
	want := "Log:\n\nline 1\n  indented 2\nline 3\n\nend"
	if got := htmlToText(in); got != want {
		t.Errorf("htmlToText(%q) = %q, want %q", in, got, want)
	}
}
