package triage

import "testing"

// TestAnswerKindReadsRepliesToDidThatSolveIt covers how customers answer
// "did that solve it?" in mail, including negations that mean yes ("ya no
// falla", "no more errors") and ones that mean no ("ya no funciona").
func TestAnswerKindReadsRepliesToDidThatSolveIt(t *testing.T) {
	tests := []struct {
		text string
		want int
	}{
		{"sí", 1},
		{"si, gracias", 1},
		{"Sí, ya funciona. ¡Gracias!", 1},
		{"funcionó, muchas gracias", 1},
		{"listo, ya quedó", 1},
		{"se arregló", 1},
		{"ya no falla, gracias", 1},
		{"ya no me sale el error", 1},
		{"ya no tengo el problema", 1},
		{"todo bien ahora", 1},
		{"yes", 1},
		{"yes it's working now, thanks", 1},
		{"that did it, thanks!", 1},
		{"no more errors, thank you", 1},
		{"it doesn't crash anymore", 1},
		{"great, sorted", 1},
		{"all good", 1},
		{"no", -1},
		{"no, sigue igual", -1},
		{"no funcionó", -1},
		{"ya no funciona", -1},
		{"sigue sin funcionar, gracias", -1},
		{"todavía no", -1},
		{"nope", -1},
		{"no, still the same error", -1},
		{"it still crashes", -1},
		{"didn't help", -1},
		{"it no longer works at all", -1},
		{"the same problem again", -1},
		{"necesito que me expliquen el paso 3", 0},
		{"what do you mean by safe mode?", 0},
	}
	for _, tt := range tests {
		if got := answerKind("", normalize(tt.text)); got != tt.want {
			t.Errorf("answerKind(%q) = %d, want %d", tt.text, got, tt.want)
		}
	}
	if answerKind(ActionSolved, normalize("no")) != 1 || answerKind(ActionNotSolved, normalize("yes")) != -1 {
		t.Error("a button press must win over the text")
	}
}
